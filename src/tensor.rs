//! Fixed-size tensors: the values that flow between layers.

use crate::Scalar;

/// A fixed-size array of scalars that layers take and return.
///
/// Implemented for `[T; N]`. The length is a constant of the type, so the
/// shape of every value in a network is known when the code is compiled.
///
/// # Examples
/// ```
/// use constnet::Tensor;
///
/// let mut x = <[f32; 3]>::zeros();
/// x.as_mut_slice()[1] = 2.0;
/// assert_eq!(x, [0.0, 2.0, 0.0]);
/// assert_eq!(<[f32; 3] as Tensor>::LEN, 3);
/// ```
pub trait Tensor: Clone {
    /// The element type: `f32` or `f64` (see [`Scalar`]).
    type Scalar: Scalar;
    /// The number of elements.
    const LEN: usize;
    /// A tensor of zeros.
    ///
    /// ```
    /// use constnet::Tensor;
    /// assert_eq!(<[f64; 2]>::zeros(), [0.0, 0.0]);
    /// ```
    #[must_use]
    fn zeros() -> Self;
    /// The elements in memory order.
    ///
    /// ```
    /// use constnet::Tensor;
    /// assert_eq!(Tensor::as_slice(&[1.0_f32, 2.0]), &[1.0, 2.0]);
    /// ```
    fn as_slice(&self) -> &[Self::Scalar];
    /// The elements in memory order, mutably.
    ///
    /// ```
    /// use constnet::Tensor;
    /// let mut x = [1.0_f32, 2.0];
    /// Tensor::as_mut_slice(&mut x)[0] = 5.0;
    /// assert_eq!(x, [5.0, 2.0]);
    /// ```
    fn as_mut_slice(&mut self) -> &mut [Self::Scalar];
}

impl<T: Scalar, const N: usize> Tensor for [T; N] {
    type Scalar = T;
    const LEN: usize = N;

    fn zeros() -> Self {
        [T::zero(); N]
    }

    fn as_slice(&self) -> &[T] {
        self
    }

    fn as_mut_slice(&mut self) -> &mut [T] {
        self
    }
}
