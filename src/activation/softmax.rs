//! The softmax: scores to probabilities.

use crate::{GradMode, Layer, Scalar, kernel};

/// The softmax `softmax(x)ᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)`, over the whole vector:
/// outputs lie in `[0, 1]` and sum to 1.
///
/// Computed as `e^(xᵢ − m) / Σⱼ e^(xⱼ − m)` with `m = maxⱼ xⱼ`, which is the
/// same function but never overflows: the largest term is `e⁰ = 1`, so the
/// sum lies in `[1, N]`. Inputs like `±1e4` or all equal give no NaN.
/// An infinite `+∞` or NaN input gives NaN outputs (a diverging network is
/// noticed rather than masked); `−∞` inputs give probability 0.
///
/// Softmax is not elementwise: each output depends on every input, with
/// Jacobian `∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)`. The backward pass applies it to `dy`
/// without forming the matrix: `dx = y ⊙ (dy − (dy·y))`, from the cached
/// output `y`.
///
/// To *train* a classifier on cross-entropy, end the network in its logits
/// (no `Softmax`) and use [`SoftmaxCrossEntropy`](crate::loss::SoftmaxCrossEntropy),
/// which fuses the two stably; the class with the largest logit is the one
/// with the largest probability.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::activation::Softmax;
///
/// let p = Softmax.forward(&[0.0_f64, 2.0_f64.ln()]);
/// assert!((p[0] - 1.0 / 3.0).abs() < 1e-15 && (p[1] - 2.0 / 3.0).abs() < 1e-15);
///
/// // No overflow for large scores.
/// let p = Softmax.forward(&[1e4_f32, -1e4, 1e4]);
/// assert_eq!(p, [0.5, 0.0, 0.5]);
///
/// // As the last layer of a network of any width.
/// let net = (Dense::<3, 4, f64>::zeros(), Softmax);
/// assert_eq!(net.forward(&[1.0, 2.0, 3.0]), [0.25; 4]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Softmax;

super::parameter_free!(Softmax);

impl<T: Scalar, const N: usize> Layer<[T; N]> for Softmax {
    type Output = [T; N];
    /// The outputs `y`, from which the Jacobian is computed.
    type Cache<const B: usize> = [[T; N]; B];

    /// `yᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m)`, `m = max x`.
    #[inline]
    fn forward(&self, x: &[T; N]) -> [T; N] {
        let (_, mut e, sum) = shifted_exp(x);
        for v in &mut e {
            *v = *v / sum;
        }
        e
    }

    fn forward_train<const B: usize>(&self, x: &[[T; N]; B]) -> ([[T; N]; B], [[T; N]; B]) {
        let y = self.forward_batch(x);
        (y, y)
    }

    /// `dxᵢ = yᵢ·(dyᵢ − Σⱼ dyⱼ·yⱼ)`, for each sample.
    fn backward<const B: usize>(
        &self,
        _: &[[T; N]; B],
        y: &[[T; N]; B],
        dy: &[[T; N]; B],
        _: &mut Self,
        _: GradMode,
        dx: Option<&mut [[T; N]; B]>,
    ) -> bool {
        if let Some(dx) = dx {
            *dx = *dy;
            for (dx, y) in dx.iter_mut().zip(y) {
                let dot = dx.iter().zip(y).fold(T::zero(), |s, (&d, &y)| s + d * y);
                for (d, &y) in dx.iter_mut().zip(y) {
                    *d = y * (*d - dot);
                }
            }
        }
        true
    }
}

/// `(m, e, s)` with `m = max x`, `eᵢ = e^(xᵢ − m)` and `s = Σ eᵢ`: the stable
/// pieces of softmax (`e / s`) and log-sum-exp (`m + ln s`). For finite `x`,
/// `s ∈ [1, N]` (for `N > 0`). NaN inputs are skipped by the max and so
/// make `s` NaN. The exponential is the kernels' (for `f32` the crate's
/// branch-free one, within 2 ulp, which the compiler vectorises: libm's
/// `expf`, one call per element, was a quarter of the instructions of a
/// small network's training step).
pub(crate) fn shifted_exp<T: Scalar, const N: usize>(x: &[T; N]) -> (T, [T; N], T) {
    let max = x
        .iter()
        .fold(T::neg_infinity(), |m, &v| if v > m { v } else { m });
    let mut e = *x;
    kernel::map_fixed(&mut e, |v| (v - max).kernel_exp());
    let sum = e.iter().fold(T::zero(), |s, &v| s + v);
    (max, e, sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_equal_inputs_give_the_uniform_distribution() {
        for v in [0.0_f64, -1e4, 1e4, 123.456] {
            assert_eq!(Softmax.forward(&[v; 5]), [0.2; 5]);
        }
        assert_eq!(Softmax.forward(&[7.0_f32]), [1.0]);
    }

    #[test]
    fn shifting_the_input_changes_nothing() {
        let x = [0.3_f64, -1.2, 2.5, 0.0];
        let y = Softmax.forward(&x);
        let shifted = Softmax.forward(&x.map(|v| v + 1000.0));
        for (a, b) in y.iter().zip(&shifted) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }

    #[test]
    fn matches_the_naive_formula_for_moderate_inputs() {
        let x = [0.5_f64, -1.0, 2.0];
        let sum: f64 = x.iter().map(|v| v.exp()).sum();
        for (y, v) in Softmax.forward(&x).iter().zip(&x) {
            assert!((y - v.exp() / sum).abs() < 1e-15);
        }
    }

    #[test]
    fn nan_propagates_and_minus_infinity_is_probability_zero() {
        assert!(
            Softmax
                .forward(&[0.0_f64, f64::NAN])
                .iter()
                .all(|v| v.is_nan())
        );
        assert_eq!(Softmax.forward(&[0.0_f64, f64::NEG_INFINITY]), [1.0, 0.0]);
    }

    #[test]
    fn backward_is_the_jacobian_vector_product() {
        let x = [0.1_f64, -0.4, 0.9];
        let xs = [x, [2.0, 0.0, -1.0]];
        let (y, cache) = Softmax.forward_train(&xs);
        let dy = [[0.7, -0.2, 0.5], [0.1, 0.4, -0.3]];
        let dx = crate::layer::input_gradient(&Softmax, &xs, &cache, &dy, &mut Softmax);
        for k in 0..2 {
            for i in 0..3 {
                let expected: f64 = (0..3)
                    .map(|j| {
                        let jacobian = if i == j {
                            y[k][i] * (1.0 - y[k][i])
                        } else {
                            -y[k][i] * y[k][j]
                        };
                        jacobian * dy[k][j]
                    })
                    .sum();
                assert!((dx[k][i] - expected).abs() < 1e-15);
            }
        }
        // A constant upstream gradient is invisible: softmax sums to 1.
        let dx = crate::layer::input_gradient(&Softmax, &xs, &cache, &[[3.0; 3]; 2], &mut Softmax);
        assert!(dx.as_flattened().iter().all(|d| d.abs() < 1e-15));
    }
}
