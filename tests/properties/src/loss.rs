//! The losses: never negative, finite where the inputs are, and equal to
//! their naive formulas where those are accurate.

use constnet::{BinaryCrossEntropy, Class, Loss, SigmoidCrossEntropy, SoftmaxCrossEntropy};
use proptest::prelude::*;

/// A probability in [0, 1], with the ends as likely as the open range:
/// `0.0..=1.0`, exactly 0 or exactly 1, each a third of the time.
fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![0.0..=1.0_f64, Just(0.0), Just(1.0)]
}

fn class<const N: usize>(i: usize) -> Class<N> {
    Class::new(i).unwrap_or_else(|| panic!("{i} out of range"))
}

/// Naive softmax in f64, fine for moderate logits.
fn naive_softmax(z: &[f64]) -> Vec<f64> {
    let sum: f64 = z.iter().map(|v| v.exp()).sum();
    z.iter().map(|v| v.exp() / sum).collect()
}

proptest! {
    #[test]
    fn binary_cross_entropy_is_non_negative(
        p in prop::array::uniform::<_, 6>(probability()),
        y in prop::array::uniform::<_, 6>(probability()),
    ) {
        let loss = BinaryCrossEntropy.loss(&p, &y);
        prop_assert!(loss >= 0.0 && loss.is_finite(), "{loss}");
        let gradient = BinaryCrossEntropy.gradient(&p, &y);
        prop_assert!(gradient.iter().all(|g| g.is_finite()), "{gradient:?}");
    }

    #[test]
    fn binary_cross_entropy_is_non_negative_in_f32(
        p in prop::array::uniform::<_, 6>(0.0_f32..=1.0),
        y in prop::array::uniform::<_, 6>(prop_oneof![Just(0.0_f32), Just(1.0)]),
    ) {
        let loss = BinaryCrossEntropy.loss(&p, &y);
        prop_assert!(loss >= 0.0 && loss.is_finite(), "{loss}");
    }

    #[test]
    fn sigmoid_cross_entropy_agrees_with_unclamped_binary_cross_entropy(
        z in prop::array::uniform::<_, 4>(-10.0_f64..10.0),
        y in prop::array::uniform::<_, 4>(0.0_f64..=1.0),
    ) {
        let p = z.map(|v| 1.0 / (1.0 + (-v).exp()));
        let fused = SigmoidCrossEntropy.loss(&z, &y);
        let unfused = BinaryCrossEntropy.loss(&p, &y);
        prop_assert!(
            (fused - unfused).abs() < 1e-9 * unfused.max(1.0),
            "{fused} vs {unfused}"
        );
    }

    #[test]
    fn sigmoid_cross_entropy_is_non_negative_and_finite(
        z in prop::array::uniform::<_, 8>(-1e4_f32..1e4),
        y in prop::array::uniform::<_, 8>(0.0_f32..=1.0),
    ) {
        let loss = SigmoidCrossEntropy.loss(&z, &y);
        prop_assert!(loss >= 0.0 && loss.is_finite(), "{loss}");
        let gradient = SigmoidCrossEntropy.gradient(&z, &y);
        prop_assert!(
            gradient.iter().all(|g| g.is_finite() && g.abs() <= 1.0),
            "{gradient:?}"
        );
    }

    #[test]
    fn softmax_cross_entropy_equals_minus_ln_of_naive_softmax(
        z in prop::array::uniform::<_, 6>(-20.0_f64..20.0),
        c in 0..6_usize,
    ) {
        let expected = -naive_softmax(&z)[c].ln();
        let loss: f64 = SoftmaxCrossEntropy.loss(&z, &class::<6>(c));
        prop_assert!(
            (loss - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "{loss} vs {expected}"
        );
        let fused = SoftmaxCrossEntropy.loss_and_gradient(&z, &class::<6>(c)).0;
        prop_assert_eq!(fused, loss);
    }

    #[test]
    fn softmax_cross_entropy_of_a_vector_target_equals_the_naive_formula(
        z in prop::array::uniform::<_, 5>(-20.0_f64..20.0),
        w in prop::array::uniform::<_, 5>(0.0_f64..1.0),
    ) {
        let total: f64 = w.iter().sum();
        prop_assume!(total > 1e-3);
        let y = w.map(|v| v / total);
        let p = naive_softmax(&z);
        let expected: f64 = -y.iter().zip(&p).map(|(y, p)| y * p.ln()).sum::<f64>();
        let loss = SoftmaxCrossEntropy.loss(&z, &y);
        prop_assert!(
            (loss - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "{loss} vs {expected}"
        );
    }

    #[test]
    fn softmax_cross_entropy_is_non_negative_and_finite_for_large_logits(
        z in prop::array::uniform::<_, 8>(-1e4_f32..1e4),
        w in prop::array::uniform::<_, 8>(0.0_f32..1.0),
        c in 0..8_usize,
    ) {
        let (loss, grad) = SoftmaxCrossEntropy.loss_and_gradient(&z, &class::<8>(c));
        prop_assert!(loss >= 0.0 && loss.is_finite(), "{loss}");
        prop_assert!(grad.iter().all(|g| g.is_finite()), "{grad:?}");
        let (loss, grad) = SoftmaxCrossEntropy.loss_and_gradient(&z, &w);
        prop_assert!(loss >= 0.0 && loss.is_finite(), "{loss}");
        prop_assert!(grad.iter().all(|g| g.is_finite()), "{grad:?}");
    }

    #[test]
    fn softmax_cross_entropy_gradient_sums_to_zero_for_a_class(
        z in prop::array::uniform::<_, 8>(-1e4_f64..1e4),
        c in 0..8_usize,
    ) {
        let grad = SoftmaxCrossEntropy.gradient(&z, &class::<8>(c));
        let sum = grad.iter().sum::<f64>();
        prop_assert!(sum.abs() < 1e-12, "{sum} from {grad:?}");
    }
}
