//! Cross-entropy on softmax probabilities, fused with the softmax.

use super::Loss;
use crate::activation::shifted_exp;
use crate::{Class, Scalar};

/// Softmax followed by cross-entropy, on the network's raw scores (logits)
/// `z`: `ℓ(z, y) = −Σₖ yₖ·ln softmax(z)ₖ`. Its gradient with respect to the
/// logits is `∂ℓ/∂z = softmax(z) − y`.
///
/// The network ends in its logits (a [`Dense`](crate::Dense) layer, no
/// [`Softmax`](crate::activation::Softmax)): the loss applies the softmax
/// itself, which is both cheaper and far more stable than taking the log of
/// a probability that may have rounded to 0. With `lse(z) = ln Σⱼ e^(zⱼ)`
/// computed as `m + ln Σⱼ e^(zⱼ − m)`, `m = max z`:
///
/// - a class label [`Class<N>`] `c` (its one-hot vector):
///   `ℓ = lse(z) − z_c`, gradient `softmax(z) − onehot(c)`;
/// - a probability vector `y: [T; N]`: `ℓ = Σₖ yₖ·(lse(z) − zₖ)`, gradient
///   `(Σₖ yₖ)·softmax(z) − y`, which is `softmax(z) − y` when `y` sums to 1
///   (the exact derivative otherwise). Entries with `yₖ = 0` contribute
///   nothing, even where `zₖ = −∞`.
///
/// Each term is computed as `(m − zₖ) + ln Σⱼ e^(zⱼ − m)`, a sum of two
/// non-negative numbers, so the loss is `≥ 0` for targets `≥ 0`, and logits
/// up to `±1e4` (far beyond, in `f64`) give neither NaN nor infinity. This is
/// PyTorch's `nn.CrossEntropyLoss` for one sample and Keras'
/// `CategoricalCrossentropy(from_logits=True)`.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::loss::SoftmaxCrossEntropy;
///
/// let logits = [1.0_f64, 3.0, -2.0];
/// let label = Class::<3>::new(1).ok_or("bad label")?;
/// let (loss, grad) = SoftmaxCrossEntropy.loss_and_gradient(&logits, &label);
/// let p = constnet::activation::Softmax.forward(&logits);
/// assert!((loss + p[1].ln()).abs() < 1e-15); // −ln softmax(z)₁
/// assert!((grad[1] - (p[1] - 1.0)).abs() < 1e-15);
///
/// // Uniform logits: ℓ = ln N.
/// let loss = SoftmaxCrossEntropy.loss(&[5.0_f64; 3], &label.one_hot());
/// assert!((loss - 3.0_f64.ln()).abs() < 1e-15);
///
/// // Stable for huge logits.
/// let loss: f32 = SoftmaxCrossEntropy.loss(&[1e4, -1e4, 0.0], &label);
/// assert_eq!(loss, 2e4);
/// # Ok::<(), &str>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SoftmaxCrossEntropy;

impl<T: Scalar, const N: usize> Loss<[T; N], Class<N>> for SoftmaxCrossEntropy {
    /// `ℓ = (m − z_c) + ln Σⱼ e^(zⱼ − m)`.
    fn loss(&self, logits: &[T; N], target: &Class<N>) -> T {
        let (max, _, sum) = shifted_exp(logits);
        (max - logits[target.index()]) + sum.ln()
    }

    /// `softmax(z) − onehot(c)`.
    fn gradient(&self, logits: &[T; N], target: &Class<N>) -> [T; N] {
        self.loss_and_gradient(logits, target).1
    }

    fn loss_and_gradient(&self, logits: &[T; N], target: &Class<N>) -> (T, [T; N]) {
        let (max, mut grad, sum) = shifted_exp(logits);
        let c = target.index();
        let loss = (max - logits[c]) + sum.ln();
        for g in &mut grad {
            *g = *g / sum;
        }
        grad[c] = grad[c] - T::one();
        (loss, grad)
    }
}

impl<T: Scalar, const N: usize> Loss<[T; N], [T; N]> for SoftmaxCrossEntropy {
    /// `ℓ = Σₖ yₖ·((m − zₖ) + ln Σⱼ e^(zⱼ − m))`, over `yₖ ≠ 0`.
    fn loss(&self, logits: &[T; N], target: &[T; N]) -> T {
        self.loss_and_gradient(logits, target).0
    }

    /// `(Σₖ yₖ)·softmax(z) − y`.
    fn gradient(&self, logits: &[T; N], target: &[T; N]) -> [T; N] {
        self.loss_and_gradient(logits, target).1
    }

    fn loss_and_gradient(&self, logits: &[T; N], target: &[T; N]) -> (T, [T; N]) {
        let (max, mut grad, sum) = shifted_exp(logits);
        let ln_sum = sum.ln();
        let mut loss = T::zero();
        let mut mass = T::zero();
        for (&z, &y) in logits.iter().zip(target) {
            if y != T::zero() {
                loss = loss + y * ((max - z) + ln_sum);
                mass = mass + y;
            }
        }
        for (g, &y) in grad.iter_mut().zip(target) {
            *g = mass * (*g / sum) - y;
        }
        (loss, grad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class<const N: usize>(i: usize) -> Class<N> {
        Class::new(i).unwrap_or_else(|| panic!("{i} out of range"))
    }

    /// Naive softmax in f64, fine for moderate logits.
    fn naive_softmax(z: &[f64]) -> Vec<f64> {
        let sum: f64 = z.iter().map(|v| v.exp()).sum();
        z.iter().map(|v| v.exp() / sum).collect()
    }

    #[test]
    fn uniform_logits_give_ln_n() {
        for v in [0.0_f64, -7.5, 1e4] {
            let loss: f64 = SoftmaxCrossEntropy.loss(&[v; 10], &class::<10>(3));
            assert!((loss - 10.0_f64.ln()).abs() < 1e-15, "{loss}");
            let loss = SoftmaxCrossEntropy.loss(&[v; 10], &[0.1; 10]);
            assert!((loss - 10.0_f64.ln()).abs() < 1e-14, "{loss}");
        }
        let loss: f32 = SoftmaxCrossEntropy.loss(&[0.0; 10], &class::<10>(0));
        assert!((loss - 10.0_f32.ln()).abs() < 1e-6);
    }

    #[test]
    fn gradient_is_softmax_minus_one_hot() {
        let z = [0.2_f64, -1.3, 2.1, 0.0];
        let p = naive_softmax(&z);
        for c in 0..4 {
            let label = class::<4>(c);
            let from_class = SoftmaxCrossEntropy.gradient(&z, &label);
            let from_vector = SoftmaxCrossEntropy.gradient(&z, &label.one_hot());
            for k in 0..4 {
                let expected = p[k] - if k == c { 1.0 } else { 0.0 };
                assert!((from_class[k] - expected).abs() < 1e-15);
                assert!((from_vector[k] - expected).abs() < 1e-15);
            }
        }
    }

    #[test]
    fn vector_target_gradient_is_exact_for_any_mass() {
        // Σ y = 2: the derivative is 2·softmax(z) − y.
        let z = [0.5_f64, -0.5];
        let y = [1.5, 0.5];
        let g = SoftmaxCrossEntropy.gradient(&z, &y);
        let p = naive_softmax(&z);
        assert!((g[0] - (2.0 * p[0] - 1.5)).abs() < 1e-15);
        assert!((g[1] - (2.0 * p[1] - 0.5)).abs() < 1e-15);
    }

    #[test]
    fn one_hot_vector_ignores_minus_infinity_elsewhere() {
        let z = [f64::NEG_INFINITY, 0.0, 0.0];
        let loss = SoftmaxCrossEntropy.loss(&z, &[0.0, 1.0, 0.0]);
        assert!((loss - 2.0_f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn extreme_logits_stay_finite() {
        let z = [1e4_f32, -1e4, 0.0, 1e4];
        for c in 0..4 {
            let (loss, grad) = SoftmaxCrossEntropy.loss_and_gradient(&z, &class::<4>(c));
            assert!(loss.is_finite() && loss >= 0.0, "{loss}");
            assert!(grad.iter().all(|g| g.is_finite()), "{grad:?}");
        }
        // Two logits tie at the top: ℓ = 2e4 + ln 2 for the class at −1e4.
        let (loss, grad) = SoftmaxCrossEntropy.loss_and_gradient(&z, &class::<4>(1));
        assert!(
            (loss - (2e4 + core::f32::consts::LN_2)).abs() < 2e-3,
            "{loss}"
        );
        assert_eq!(grad, [0.5, -1.0, 0.0, 0.5]);
    }
}
