//! Binary cross-entropy on probabilities.

use num_traits::Float;

use super::Loss;
use crate::{Class, Scalar};

/// Binary cross-entropy of probabilities `p ∈ (0, 1)` (e.g. the outputs of a
/// [`Sigmoid`](crate::Sigmoid)) against targets `y ∈ [0, 1]`, summed over the
/// outputs:
///
/// `ℓ(p, y) = −Σₖ [yₖ·ln p̃ₖ + (1 − yₖ)·ln(1 − p̃ₖ)]`, with
/// `p̃ = clamp(p, ε, 1 − ε)` and `ε = `[`EPSILON`](Self::EPSILON)` = 1e-7`.
///
/// Its gradient is the derivative of exactly that function:
/// `∂ℓ/∂pₖ = (pₖ − yₖ) / (pₖ(1 − pₖ))` where `ε ≤ pₖ ≤ 1 − ε`, and 0 where
/// the clamp holds `p̃ₖ` fixed — as automatic differentiation of Keras'
/// clipped formula gives. So the loss is finite for `p` of exactly 0 or 1
/// (at most `−ln ε ≈ 16.1` per output) and the gradient never divides by 0.
///
/// Each output is a separate yes/no question (multi-label classification);
/// a [`Class<N>`] target stands for its one-hot vector. For one exclusive
/// class out of `N`, [`SoftmaxCrossEntropy`](super::SoftmaxCrossEntropy) is
/// the usual choice.
///
/// # Reduction
/// The sum over outputs, like [`Quadratic`](super::Quadratic) and the
/// lecture's cross-entropy cost `C = −(1/n) Σₓ Σⱼ [yⱼ ln aⱼ + (1−yⱼ) ln(1−aⱼ)]`,
/// whose mean over samples the [`Trainer`](crate::Trainer) takes. Keras'
/// `BinaryCrossentropy` takes the **mean** over the outputs instead (and
/// PyTorch's `BCELoss` the mean over all elements of the batch): those values
/// and gradients are this one divided by `N`; for `N = 1` they agree.
///
/// # Numerics
/// The loss is `≥ 0` for targets in `[0, 1]`, and 0 only where `p = y ∈ {0, 1}`
/// (up to the clamp): for a soft target it is the target's entropy at best.
/// Behind a sigmoid, the product of this gradient and the sigmoid's
/// derivative loses precision as the sigmoid saturates;
/// [`SigmoidCrossEntropy`](super::SigmoidCrossEntropy) takes the logits and
/// avoids that. NaN predictions give a NaN loss.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::loss::BinaryCrossEntropy;
///
/// let (p, y) = ([0.8_f64, 0.4], [1.0, 0.0]);
/// let expected = -(0.8_f64.ln() + 0.6_f64.ln()); // −[ln 0.8 + ln(1 − 0.4)]
/// assert!((BinaryCrossEntropy.loss(&p, &y) - expected).abs() < 1e-15);
/// let g = BinaryCrossEntropy.gradient(&p, &y); // (p − y) / (p(1 − p))
/// assert!((g[0] + 1.25).abs() < 1e-15 && (g[1] - 1.0 / 0.6).abs() < 1e-15);
///
/// // A confident wrong answer costs at most −ln ε per output, never ∞.
/// assert!((BinaryCrossEntropy.loss(&[0.0_f32], &[1.0]) - 16.118_095).abs() < 1e-5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BinaryCrossEntropy;

impl BinaryCrossEntropy {
    /// `ε = 1e-7`: predictions are clamped to `[ε, 1 − ε]`, as in Keras.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::loss::BinaryCrossEntropy;
    /// // p = 1 is clamped to 1 − ε: ℓ(1, 0) = −ln(1 − (1 − ε)) = −ln ε.
    /// let loss: f64 = BinaryCrossEntropy.loss(&[1.0], &[0.0]);
    /// assert!((loss + BinaryCrossEntropy::EPSILON.ln()).abs() < 1e-8);
    /// ```
    pub const EPSILON: f64 = 1e-7;
}

/// `(ε, 1 − ε)` in `T`.
fn bounds<T: Float>() -> (T, T) {
    let eps = T::from(BinaryCrossEntropy::EPSILON).unwrap_or_else(T::epsilon);
    (eps, T::one() - eps)
}

/// `−[y·ln p̃ + (1 − y)·ln(1 − p̃)]`.
fn term<T: Float>(p: T, y: T, (lo, hi): (T, T)) -> T {
    // Not `max`/`min`: they would turn a NaN prediction into a bound.
    let p = if p < lo {
        lo
    } else if p > hi {
        hi
    } else {
        p
    };
    -(y * p.ln() + (T::one() - y) * (T::one() - p).ln())
}

/// `(p − y) / (p(1 − p))` inside `[ε, 1 − ε]`, 0 outside.
fn derivative<T: Float>(p: T, y: T, (lo, hi): (T, T)) -> T {
    if p < lo || p > hi {
        T::zero()
    } else {
        (p - y) / (p * (T::one() - p))
    }
}

impl<T: Scalar, const N: usize> Loss<[T; N], [T; N]> for BinaryCrossEntropy {
    fn loss(&self, pred: &[T; N], target: &[T; N]) -> T {
        let bounds = bounds();
        pred.iter()
            .zip(target)
            .fold(T::zero(), |s, (&p, &y)| s + term(p, y, bounds))
    }

    fn gradient(&self, pred: &[T; N], target: &[T; N]) -> [T; N] {
        let bounds = bounds();
        let mut g = *pred;
        for (g, &y) in g.iter_mut().zip(target) {
            *g = derivative(*g, y, bounds);
        }
        g
    }
}

impl<T: Scalar, const N: usize> Loss<[T; N], Class<N>> for BinaryCrossEntropy {
    fn loss(&self, pred: &[T; N], target: &Class<N>) -> T {
        self.loss(pred, &target.one_hot())
    }

    fn gradient(&self, pred: &[T; N], target: &Class<N>) -> [T; N] {
        self.gradient(pred, &target.one_hot())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_values() {
        // One output: −ln p for y = 1, −ln(1 − p) for y = 0.
        let half: f64 = BinaryCrossEntropy.loss(&[0.5], &[1.0]);
        assert!((half - core::f64::consts::LN_2).abs() < 1e-15);
        let loss: f64 = BinaryCrossEntropy.loss(&[0.9], &[0.0]);
        assert!((loss - 10.0_f64.ln()).abs() < 1e-14, "{loss}");
        // Soft target y = 0.25 at p = 0.25: the entropy of Bernoulli(0.25).
        let loss: f64 = BinaryCrossEntropy.loss(&[0.25], &[0.25]);
        let entropy = -(0.25 * 0.25_f64.ln() + 0.75 * 0.75_f64.ln());
        assert!((loss - entropy).abs() < 1e-15);
        assert_eq!(BinaryCrossEntropy.gradient(&[0.25], &[0.25]), [0.0]);
        // Summed over outputs.
        let loss: f64 = BinaryCrossEntropy.loss(&[0.5, 0.9, 0.5], &[1.0, 0.0, 0.0]);
        assert!((loss - (2.0 * core::f64::consts::LN_2 + 10.0_f64.ln())).abs() < 1e-14);
        // p = 0.2, y = 1: ∂ℓ/∂p = −1/p = −5.
        assert!((BinaryCrossEntropy.gradient(&[0.2_f64], &[1.0])[0] + 5.0).abs() < 1e-14);
    }

    #[test]
    fn class_target_is_its_one_hot_vector() {
        let p = [0.1_f64, 0.7, 0.2];
        let c = Class::<3>::new(1).unwrap_or_else(|| panic!("in range"));
        assert_eq!(
            BinaryCrossEntropy.loss(&p, &c),
            BinaryCrossEntropy.loss(&p, &c.one_hot())
        );
        assert_eq!(
            BinaryCrossEntropy.gradient(&p, &c),
            BinaryCrossEntropy.gradient(&p, &c.one_hot())
        );
    }

    #[test]
    fn clamped_predictions_are_finite_with_zero_gradient() {
        let max_loss = -(1e-7_f64).ln();
        for (p, y) in [(0.0, 1.0), (1.0, 0.0), (-0.5, 1.0), (1.5, 0.0)] {
            let loss: f64 = BinaryCrossEntropy.loss(&[p], &[y]);
            assert!((loss - max_loss).abs() < 1e-6, "{p} {y}: {loss}");
            assert_eq!(BinaryCrossEntropy.gradient(&[p], &[y]), [0.0]);
        }
        let loss: f32 = BinaryCrossEntropy.loss(&[0.0, 1.0], &[0.0, 1.0]);
        assert!((0.0..1e-6).contains(&loss), "{loss}");
        assert!(BinaryCrossEntropy.loss(&[f64::NAN], &[1.0]).is_nan());
    }
}
