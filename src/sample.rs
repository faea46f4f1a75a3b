//! Stored samples: what a data set holds, read as a network's input.
//!
//! Training and inference take slices of samples of any type `S` that
//! implements [`Sample<I>`] for the network's input `I`: the input itself
//! (`[f32; N]`, read as it is), or a more compact form converted while a
//! block of samples is copied into the kernels' working memory, such as
//! [`Pixels`], grey levels kept as bytes. MNIST's 60,000 training images
//! take 47 MB as bytes against 188 MB as `f32`, and an epoch, which reads
//! them in random order, then moves a quarter of the data out of memory.

use crate::{Scalar, Tensor};

/// A stored sample that a network with input `I` can read.
///
/// Implemented for every [`Tensor`] (a sample that already is the input,
/// cloned as it is) and for [`Pixels`]. Implement it for your own compact
/// formats: a data set of them then trains and runs with every function
/// that takes samples (e.g. [`Trainer::epoch`](crate::Trainer::epoch),
/// [`infer::forward_all`](crate::infer::forward_all)), which convert each
/// sample when they copy it into a block, so the data set itself never has
/// to be stored as `I`.
///
/// # Examples
/// Samples stored as `i8` fixed-point values, read as `value / 64`:
/// ```
/// use constnet::prelude::*;
/// use constnet::infer::forward_all;
///
/// struct Fixed([i8; 2]);
///
/// impl Sample<[f32; 2]> for Fixed {
///     fn write_input(&self, input: &mut [f32; 2]) {
///         *input = self.0.map(|v| f32::from(v) / 64.0);
///     }
/// }
///
/// let net = (Dense::<2, 1> { weight: [[1.0, 1.0]], bias: [0.0] },);
/// let samples = [Fixed([64, 32]), Fixed([-64, 0])];
/// let mut out = [[0.0]; 2];
/// forward_all(&net, &samples, &mut out);
/// assert_eq!(out, [[1.5], [-1.0]]);
/// ```
pub trait Sample<I: Tensor> {
    /// Writes the network input this sample stands for into `input`
    /// (every element overwritten): how a block of samples is filled.
    ///
    /// ```
    /// use constnet::{Pixels, Sample};
    /// let mut x = [f32::NAN; 2];
    /// Pixels([255, 51]).write_input(&mut x);
    /// assert_eq!(x, [1.0, 0.2]);
    /// ```
    fn write_input(&self, input: &mut I);

    /// The network input this sample stands for.
    ///
    /// ```
    /// use constnet::{Pixels, Sample};
    /// let x: [f32; 2] = Pixels([255, 51]).to_input();
    /// assert_eq!(x, [1.0, 0.2]);
    /// ```
    #[must_use]
    fn to_input(&self) -> I {
        let mut input = I::zeros();
        self.write_input(&mut input);
        input
    }

    /// `samples` as a slice of inputs without copying, when they already
    /// are inputs (the implementation for [`Tensor`]s): the same number of
    /// inputs, in the same order. `None`, the default, when each must be
    /// converted by [`write_input`](Self::write_input). Inference uses it
    /// to run the kernels on the samples in place (and converts the samples
    /// if the slice has another length).
    ///
    /// ```
    /// use constnet::{Pixels, Sample};
    /// let inputs = [[0.5_f32; 3]; 2];
    /// assert!(<[f32; 3] as Sample<[f32; 3]>>::as_inputs(&inputs).is_some());
    /// assert!(<Pixels<3> as Sample<[f32; 3]>>::as_inputs(&[Pixels([0; 3])]).is_none());
    /// ```
    #[must_use]
    fn as_inputs(samples: &[Self]) -> Option<&[I]>
    where
        Self: Sized,
    {
        let _ = samples;
        None
    }
}

impl<I: Tensor> Sample<I> for I {
    #[inline]
    fn write_input(&self, input: &mut I) {
        input.clone_from(self);
    }

    #[inline]
    fn to_input(&self) -> I {
        self.clone()
    }

    #[inline]
    fn as_inputs(samples: &[I]) -> Option<&[I]> {
        Some(samples)
    }
}

/// `N` grey levels stored as bytes, `0` (black) to `255` (white), read as
/// the input `[T; N]` of values `level / 255` in `[0, 1]`: MNIST's images
/// as the files hold them, a quarter of the memory of `[f32; N]`.
///
/// The conversion gives bit for bit the same inputs as dividing each level
/// by `255.0` (in the AVX2 kernel by a multiplication and two FMAs, tested
/// against the division for every byte), so a network trained on `Pixels`
/// gets exactly the network it gets from the converted `f32` data, and
/// evaluation gives the same bits too (except for inputs so wide that
/// [`forward_all`](crate::infer::forward_all) runs the converted samples
/// one by one).
///
/// # Generics
/// - `N`: the number of pixels, [`data::mnist::PIXELS`](crate::data::mnist::PIXELS)
///   (784) for MNIST.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let image = Pixels([0, 51, 255]);
/// let x: [f32; 3] = image.to_input();
/// assert_eq!(x, [0.0, 0.2, 1.0]);
/// assert_eq!(x, image.0.map(|p| f32::from(p) / 255.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Pixels<const N: usize>(pub [u8; N]);

impl<T: Scalar, const N: usize> Sample<[T; N]> for Pixels<N> {
    #[inline]
    fn write_input(&self, input: &mut [T; N]) {
        crate::kernel::unit_from_bytes(&self.0, input);
    }
}

impl<const N: usize> Default for Pixels<N> {
    /// A black image.
    ///
    /// ```
    /// assert_eq!(constnet::Pixels::<2>::default().0, [0, 0]);
    /// ```
    fn default() -> Self {
        Self([0; N])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_read_as_the_quotient_by_255() {
        let levels: [u8; 256] = core::array::from_fn(|i| u8::try_from(i).unwrap_or(0));
        let image = Pixels(levels);
        let x32: [f32; 256] = image.to_input();
        let x64: [f64; 256] = image.to_input();
        assert_eq!(
            x32.map(f32::to_bits),
            levels.map(|p| (f32::from(p) / 255.0).to_bits())
        );
        assert_eq!(x64, levels.map(|p| f64::from(p) / 255.0));
    }

    #[test]
    fn tensors_are_their_own_samples() {
        let x = [1.5_f32, -2.0];
        assert_eq!(x.to_input(), x);
        let xs = [x, x];
        assert_eq!(
            <[f32; 2] as Sample<[f32; 2]>>::as_inputs(&xs),
            Some(&xs[..])
        );
    }
}
