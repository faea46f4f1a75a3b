//! Scoring a prediction as right or wrong, for accuracy.

use num_traits::Float;

use crate::Class;

/// A training target against which a prediction `P` is right or wrong:
/// what "accuracy" means for that kind of target.
///
/// - A [`Class<N>`] is matched when it is the largest of `N > 1` outputs.
///   A `Class<1>` can only be class 0: it is matched by an output of at most
///   0.5 ("no").
/// - A target vector `[T; N]` with `N > 1` is matched when the largest output
///   and the largest target entry are at the same index (Keras'
///   categorical accuracy); with `N = 1`, when output and target are on the
///   same side of 0.5 (binary accuracy). This is how a one-output binary
///   classifier (e.g. ending in [`Sigmoid`](crate::Sigmoid)) is scored: its
///   targets are `[0.0]` and `[1.0]`, as for
///   [`BinaryCrossEntropy`](crate::loss::BinaryCrossEntropy).
///
/// [`evaluate`](super::evaluate), [`accuracy`](super::accuracy) and the
/// accuracies of [`Trainer::fit`](crate::Trainer::fit) use this trait.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::train::Target;
///
/// let label = Class::<3>::new(2).ok_or("label")?;
/// assert!(label.is_correct(&[0.1_f32, 0.2, 0.7]));
/// assert!([0.0_f32, 1.0, 0.0].is_correct(&[0.1, 0.8, 0.1]));
/// assert!([1.0_f64].is_correct(&[0.9]));
/// assert!(![0.0_f64].is_correct(&[0.9]));
/// # Ok::<(), &str>(())
/// ```
pub trait Target<P> {
    /// Whether `pred` counts as a correct prediction of `self`.
    #[must_use]
    fn is_correct(&self, pred: &P) -> bool;
}

/// 0.5 in any float type.
fn half<T: Float>() -> T {
    T::one() / (T::one() + T::one())
}

impl<T: Float, const N: usize> Target<[T; N]> for Class<N> {
    fn is_correct(&self, pred: &[T; N]) -> bool {
        if N == 1 {
            // Only class 0 exists; "correct" means the output says "no".
            pred[0] <= half()
        } else {
            Class::argmax(pred) == *self
        }
    }
}

impl<T: Float, const N: usize> Target<[T; N]> for [T; N] {
    fn is_correct(&self, pred: &[T; N]) -> bool {
        if N == 1 {
            (pred[0] > half()) == (self[0] > half())
        } else {
            Class::argmax(pred) == Class::argmax(self)
        }
    }
}
