//! `Softmax` turns any finite input into a probability distribution.

use constnet::{Layer, Softmax};
use proptest::prelude::*;

/// Fails unless `y` is a probability distribution: every entry in [0, 1],
/// and the sum within `tolerance` of 1.
fn distribution<T: Into<f64> + Copy + core::fmt::Debug>(
    y: &[T],
    tolerance: f64,
) -> Result<(), TestCaseError> {
    for &v in y {
        prop_assert!(
            (0.0..=1.0).contains(&v.into()),
            "{v:?} outside [0, 1] in {y:?}"
        );
    }
    let sum: f64 = y.iter().map(|&v| v.into()).sum();
    prop_assert!((sum - 1.0).abs() <= tolerance, "sum {sum} of {y:?}");
    Ok(())
}

proptest! {
    #[test]
    fn is_a_distribution_for_moderate_inputs(
        x in prop::array::uniform::<_, 8>(-30.0_f64..30.0),
    ) {
        distribution(&Softmax.forward(&x), 1e-14)?;
    }

    #[test]
    fn is_a_distribution_for_large_inputs(x in prop::array::uniform::<_, 8>(-1e4_f64..1e4)) {
        distribution(&Softmax.forward(&x), 1e-14)?;
    }

    #[test]
    fn is_a_distribution_for_extreme_f32_inputs(
        x in prop::array::uniform::<_, 16>(prop_oneof![
            -1e4_f32..1e4,
            -1e30_f32..1e30,
            Just(1e4),
            Just(-1e4),
        ]),
    ) {
        distribution(&Softmax.forward(&x), 1e-5)?;
    }

    /// Differences of two huge values can overflow to ±∞; the largest term
    /// is still e⁰ = 1, so the result stays a distribution.
    #[test]
    fn is_a_distribution_for_any_finite_input(
        x in prop::array::uniform::<_, 5>(prop::num::f64::NORMAL | prop::num::f64::ZERO),
    ) {
        distribution(&Softmax.forward(&x), 1e-14)?;
    }
}
