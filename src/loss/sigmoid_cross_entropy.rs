//! Binary cross-entropy fused with the sigmoid, on logits.

use num_traits::Float;

use super::Loss;
use crate::{Class, Scalar};

/// Binary cross-entropy on logits: a [`Sigmoid`](crate::Sigmoid) followed by
/// [`BinaryCrossEntropy`](super::BinaryCrossEntropy), fused and without the
/// clamp. For logits `z` and targets `y ∈ [0, 1]`, summed over the outputs:
///
/// `ℓ(z, y) = −Σₖ [yₖ·ln σ(zₖ) + (1 − yₖ)·ln(1 − σ(zₖ))]
///          = Σₖ [max(zₖ, 0) − zₖ·yₖ + ln(1 + e^(−|zₖ|))]`,
///
/// the second form being the one computed: it never overflows and is `≥ 0`
/// for targets in `[0, 1]`. The gradient is `∂ℓ/∂z = σ(z) − y`, which stays
/// useful however saturated the sigmoid (the reason to prefer this loss over
/// a `Sigmoid` layer and [`BinaryCrossEntropy`](super::BinaryCrossEntropy)
/// for training). It is PyTorch's `BCEWithLogitsLoss` and Keras'
/// `BinaryCrossentropy(from_logits=True)` up to the reduction: this is the
/// sum over outputs, theirs the mean.
///
/// A [`Class<N>`] target stands for its one-hot vector.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::loss::{BinaryCrossEntropy, SigmoidCrossEntropy};
///
/// let (z, y) = ([0.5_f64, -2.0], [1.0, 0.0]);
/// let p = Sigmoid.forward(&z);
/// let unfused = BinaryCrossEntropy.loss(&p, &y);
/// assert!((SigmoidCrossEntropy.loss(&z, &y) - unfused).abs() < 1e-15);
/// let g = SigmoidCrossEntropy.gradient(&z, &y); // σ(z) − y
/// assert!((g[0] - (p[0] - 1.0)).abs() < 1e-15 && (g[1] - p[1]).abs() < 1e-15);
///
/// // Saturated logits: exact loss, non-vanishing gradient.
/// assert_eq!(SigmoidCrossEntropy.loss(&[-1e4_f32], &[1.0]), 1e4);
/// assert_eq!(SigmoidCrossEntropy.gradient(&[-1e4_f32], &[1.0]), [-1.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SigmoidCrossEntropy;

/// `max(z, 0) − z·y + ln(1 + e^(−|z|))`.
fn term<T: Float>(z: T, y: T) -> T {
    z.max(T::zero()) - z * y + (-z.abs()).exp().ln_1p()
}

/// `σ(z)`, without overflow for either sign.
fn sigmoid<T: Float>(z: T) -> T {
    if z >= T::zero() {
        T::one() / (T::one() + (-z).exp())
    } else {
        let e = z.exp();
        e / (T::one() + e)
    }
}

impl<T: Scalar, const N: usize> Loss<[T; N], [T; N]> for SigmoidCrossEntropy {
    fn loss(&self, logits: &[T; N], target: &[T; N]) -> T {
        logits
            .iter()
            .zip(target)
            .fold(T::zero(), |s, (&z, &y)| s + term(z, y))
    }

    fn gradient(&self, logits: &[T; N], target: &[T; N]) -> [T; N] {
        let mut g = *logits;
        for (g, &y) in g.iter_mut().zip(target) {
            *g = sigmoid(*g) - y;
        }
        g
    }
}

impl<T: Scalar, const N: usize> Loss<[T; N], Class<N>> for SigmoidCrossEntropy {
    fn loss(&self, logits: &[T; N], target: &Class<N>) -> T {
        self.loss(logits, &target.one_hot())
    }

    fn gradient(&self, logits: &[T; N], target: &Class<N>) -> [T; N] {
        self.gradient(logits, &target.one_hot())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_values() {
        // z = 0: σ = ½, ℓ = ln 2 whatever the target in {0, 1}.
        let loss: f64 = SigmoidCrossEntropy.loss(&[0.0, 0.0], &[1.0, 0.0]);
        assert!((loss - 2.0 * core::f64::consts::LN_2).abs() < 1e-15);
        assert_eq!(
            SigmoidCrossEntropy.gradient(&[0.0_f64, 0.0], &[1.0, 0.0]),
            [-0.5, 0.5]
        );
        // z = ln 3: σ = ¾; y = 0 costs −ln(¼) = ln 4.
        let loss: f64 = SigmoidCrossEntropy.loss(&[3.0_f64.ln()], &[0.0]);
        assert!((loss - 4.0_f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn class_target_is_its_one_hot_vector() {
        let z = [0.3_f64, -1.0, 2.0];
        let c = Class::<3>::new(2).unwrap_or_else(|| panic!("in range"));
        assert_eq!(
            SigmoidCrossEntropy.loss(&z, &c),
            SigmoidCrossEntropy.loss(&z, &c.one_hot())
        );
        assert_eq!(
            SigmoidCrossEntropy.gradient(&z, &c),
            SigmoidCrossEntropy.gradient(&z, &c.one_hot())
        );
    }
}
