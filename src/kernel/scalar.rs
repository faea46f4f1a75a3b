//! [`Scalar`]: the element types kernels support.

use core::fmt::Debug;

use num_traits::Float;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// The scalar types of constnet's tensors and parameters: `f32` and `f64`.
///
/// A [`num_traits::Float`] with the conversions the kernels need to pick an
/// `f32` SIMD path without `unsafe`. Sealed: it cannot be implemented
/// outside this crate.
///
/// # Examples
/// ```
/// use constnet::Scalar;
///
/// fn mean<T: Scalar>(xs: &[T]) -> T {
///     xs.iter().fold(T::zero(), |s, &x| s + x) / T::from(xs.len()).unwrap_or_else(T::one)
/// }
/// assert_eq!(mean(&[1.0_f32, 2.0, 6.0]), 3.0);
/// ```
pub trait Scalar:
    Float + Default + Debug + Send + Sync + bytemuck::Zeroable + 'static + sealed::Sealed
{
    /// `Some` exactly when `Self` is `f32`.
    #[doc(hidden)]
    fn as_f32(s: &[Self]) -> Option<&[f32]>;
    /// `Some` exactly when `Self` is `f32`.
    #[doc(hidden)]
    fn as_f32_mut(s: &mut [Self]) -> Option<&mut [f32]>;
    /// `v` converted (exact for `f32` and `f64`).
    #[doc(hidden)]
    fn from_f32(v: f32) -> Self;
    /// `eˣ`: for `f32` the crate's vectorisable [`exp_f32`](super::math::exp_f32)
    /// (within 2 ulp), for `f64` the standard library's.
    #[doc(hidden)]
    fn kernel_exp(self) -> Self;
}

impl Scalar for f32 {
    fn as_f32(s: &[f32]) -> Option<&[f32]> {
        Some(s)
    }
    fn as_f32_mut(s: &mut [f32]) -> Option<&mut [f32]> {
        Some(s)
    }
    fn from_f32(v: f32) -> f32 {
        v
    }
    #[inline]
    fn kernel_exp(self) -> f32 {
        super::math::exp_f32(self)
    }
}

impl Scalar for f64 {
    fn as_f32(_: &[f64]) -> Option<&[f32]> {
        None
    }
    fn as_f32_mut(_: &mut [f64]) -> Option<&mut [f32]> {
        None
    }
    fn from_f32(v: f32) -> f64 {
        f64::from(v)
    }
    #[inline]
    fn kernel_exp(self) -> f64 {
        self.exp()
    }
}
