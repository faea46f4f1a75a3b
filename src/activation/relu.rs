//! The rectified linear unit.

use super::Activation;

/// The rectified linear unit `relu(x) = max(x, 0)`, elementwise; its
/// derivative is 1 where `x > 0` and 0 elsewhere (0 at the kink).
///
/// NaN inputs stay NaN, so a diverging network is noticed rather than masked.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// assert_eq!(Relu.forward(&[-2.0_f32, 0.0, 3.0]), [0.0, 0.0, 3.0]);
/// assert!(Relu.forward(&[f32::NAN])[0].is_nan());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Relu;

impl Activation for Relu {
    #[inline]
    fn apply<T: crate::Scalar>(self, x: T) -> T {
        if x < T::zero() { T::zero() } else { x }
    }

    #[inline]
    fn derivative<T: crate::Scalar>(self, y: T) -> T {
        if y > T::zero() { T::one() } else { T::zero() }
    }
}
