//! The hyperbolic tangent.

use super::Activation;

/// The hyperbolic tangent `tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))`,
/// elementwise; its derivative is `1 − tanh²(x)`.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let y = Tanh.forward(&[0.0_f64, 1.0]);
/// assert_eq!(y[0], 0.0);
/// assert!((y[1] - 0.761_594_155_955_764_9).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tanh;

impl Activation for Tanh {
    #[inline]
    fn apply<T: crate::Scalar>(self, x: T) -> T {
        x.tanh()
    }

    #[inline]
    fn derivative<T: crate::Scalar>(self, y: T) -> T {
        T::one() - y * y
    }
}
