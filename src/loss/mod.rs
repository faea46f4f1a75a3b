//! Loss functions: how far a prediction is from its target.
//!
//! A [`Loss`] gives the loss of one sample and its gradient with respect to
//! the prediction. The cost of a mini-batch is the mean of its samples'
//! losses; [`Trainer`](crate::Trainer) does that averaging. Within a sample,
//! every loss here sums over the outputs.
//!
//! | loss | prediction | use |
//! | --- | --- | --- |
//! | [`Quadratic`] | any values | the lecture's cost, regression |
//! | [`SoftmaxCrossEntropy`] | logits (no softmax layer) | one class out of `N` |
//! | [`BinaryCrossEntropy`] | probabilities in (0, 1), e.g. after a sigmoid | `N` independent yes/no outputs |
//! | [`SigmoidCrossEntropy`] | logits (no sigmoid layer) | the same, fused and stable |

mod binary_cross_entropy;
mod quadratic;
mod sigmoid_cross_entropy;
mod softmax_cross_entropy;

pub use binary_cross_entropy::BinaryCrossEntropy;
pub use quadratic::Quadratic;
pub use sigmoid_cross_entropy::SigmoidCrossEntropy;
pub use softmax_cross_entropy::SoftmaxCrossEntropy;

use crate::Tensor;

/// A per-sample loss `ℓ(ŷ, y)` of a prediction `ŷ: P` against a target `y: Y`.
///
/// The target type is a parameter, so a loss can accept several kinds of
/// target: [`Quadratic`] takes a full target vector `[T; N]` or a
/// [`Class<N>`](crate::Class) (its one-hot vector), and in both cases the
/// widths must match at compile time.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let (pred, target) = ([0.5_f64, 0.0], [1.0, 0.0]);
/// assert_eq!(Quadratic.loss(&pred, &target), 0.125); // ½·0.5²
/// assert_eq!(Quadratic.gradient(&pred, &target), [-0.5, 0.0]);
/// ```
pub trait Loss<P: Tensor, Y> {
    /// The loss of one sample.
    #[must_use]
    fn loss(&self, pred: &P, target: &Y) -> P::Scalar;

    /// `∂ℓ/∂ŷ`: the gradient of [`loss`](Self::loss) with respect to `pred`.
    #[must_use]
    fn gradient(&self, pred: &P, target: &Y) -> P;

    /// Both at once; losses override it when sharing work pays.
    #[must_use]
    fn loss_and_gradient(&self, pred: &P, target: &Y) -> (P::Scalar, P) {
        (self.loss(pred, target), self.gradient(pred, target))
    }
}

#[cfg(test)]
mod tests {
    use static_assertions::assert_impl_all;

    use super::*;
    use crate::Class;

    assert_impl_all!(SoftmaxCrossEntropy: Send, Sync, Copy, core::fmt::Debug, Default, Eq, core::hash::Hash);
    assert_impl_all!(BinaryCrossEntropy: Send, Sync, Copy, core::fmt::Debug, Default, Eq, core::hash::Hash);
    assert_impl_all!(SigmoidCrossEntropy: Send, Sync, Copy, core::fmt::Debug, Default, Eq, core::hash::Hash);
    assert_impl_all!(SoftmaxCrossEntropy: Loss<[f32; 10], Class<10>>, Loss<[f64; 3], [f64; 3]>);
    assert_impl_all!(BinaryCrossEntropy: Loss<[f32; 10], Class<10>>, Loss<[f64; 3], [f64; 3]>);
    assert_impl_all!(SigmoidCrossEntropy: Loss<[f32; 10], Class<10>>, Loss<[f64; 3], [f64; 3]>);
}
