//! The logistic sigmoid.

use num_traits::Float;

use super::{Activation, elementwise_layer};

/// The logistic sigmoid `σ(x) = 1 / (1 + e^(−x))`, elementwise; its
/// derivative is `σ'(x) = σ(x)·(1 − σ(x))`.
///
/// The lecture's activation. Outputs lie in `[0, 1]`; large negative inputs
/// give exactly 0 rather than NaN.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let y = Sigmoid.forward(&[0.0_f32, 100.0, -1000.0]);
/// assert_eq!(y, [0.5, 1.0, 0.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Sigmoid;

impl Activation for Sigmoid {
    #[inline]
    fn apply<T: Float>(self, x: T) -> T {
        T::one() / (T::one() + (-x).exp())
    }

    #[inline]
    fn derivative<T: Float>(self, y: T) -> T {
        y * (T::one() - y)
    }
}

elementwise_layer!(Sigmoid);
