//! The `no_std` example against values computed with std: an independent
//! forward pass in `f64` with std's `exp`, and the outputs the same code gives
//! when constnet is built with its default `std` feature. Without std,
//! constnet's float math comes from `libm`, which may differ in the last
//! bit, hence the tolerance.

use constnet::prelude::*;
use constnet_no_std_example::{FIXED, Net, SAMPLE, TARGET, infer, seeded, sgd_step};

#[path = "../../../tests/common/counting_alloc.rs"]
mod counting_alloc;

/// Largest allowed difference from a value computed with std.
const TOLERANCE: f32 = 1e-6;

/// Outputs of `infer(&FIXED, &SAMPLE)` with constnet's `std` feature.
const STD_OUTPUT: [f32; 3] = [0.392_231_02, 0.562_231_1, 0.493_731_8];

/// `sgd_step(&mut FIXED, &SAMPLE, &TARGET, 0.5)` with the `std` feature:
/// loss before and after.
const STD_STEP: (f32, f32) = (0.470_897_26, 0.364_423_45);

/// The forward pass written out in `f64` with std's math.
fn reference(net: &Net, x: &[f32; 4]) -> [f32; 3] {
    let (first, _, second, _) = net;
    let hidden: [f64; 8] = core::array::from_fn(|o| {
        let z = f64::from(first.bias[o])
            + (0..4)
                .map(|i| f64::from(first.weight[o][i]) * f64::from(x[i]))
                .sum::<f64>();
        z.max(0.0)
    });
    core::array::from_fn(|o| {
        let z = f64::from(second.bias[o])
            + (0..8)
                .map(|i| f64::from(second.weight[o][i]) * hidden[i])
                .sum::<f64>();
        (1.0 / (1.0 + (-z).exp())) as f32
    })
}

fn assert_close(actual: &[f32], expected: &[f32]) {
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() <= TOLERANCE, "{actual:?} != {expected:?}");
    }
}

#[test]
fn inference_matches_std() {
    let y = infer(&FIXED, &SAMPLE);
    assert_close(&y, &reference(&FIXED, &SAMPLE));
    assert_close(&y, &STD_OUTPUT);
}

#[test]
fn one_sgd_step_lowers_the_loss_as_with_std() {
    let mut net = FIXED;
    let (before, after) = sgd_step(&mut net, &SAMPLE, &TARGET, 0.5).expect("finite");
    assert!(after < before, "{before} -> {after}");
    assert_close(&[before, after], &[STD_STEP.0, STD_STEP.1]);
    // The loss before the step is the quadratic loss of the reference output.
    let y = reference(&FIXED, &SAMPLE);
    let expected: f32 = y
        .iter()
        .zip(&TARGET)
        .map(|(y, t)| 0.5 * (y - t) * (y - t))
        .sum();
    assert_close(&[before], &[expected]);
    assert_close(&infer(&net, &SAMPLE), &reference(&net, &SAMPLE));
}

#[test]
fn seeded_networks_are_reproducible_and_train() {
    let net = seeded(7);
    assert_eq!(net, seeded(7));
    assert_ne!(net, seeded(8));
    assert_close(&infer(&net, &SAMPLE), &reference(&net, &SAMPLE));
    let mut trained = net.clone();
    let (before, after) = sgd_step(&mut trained, &SAMPLE, &TARGET, 0.5).expect("finite");
    assert!(after < before, "{before} -> {after}");
}

#[test]
fn inference_and_training_never_allocate() {
    let mut net = FIXED;
    let mut stepped = false;
    let allocations = counting_alloc::allocations_during(|| {
        let y = infer(&net, &SAMPLE);
        stepped = sgd_step(&mut net, &SAMPLE, &TARGET, 0.5).is_ok();
        let fresh = seeded(3);
        std::hint::black_box((y, fresh));
    });
    assert!(stepped);
    assert_eq!(allocations, 0);
}

#[test]
fn a_diverging_step_is_an_error_and_leaves_the_network() {
    let mut net = FIXED;
    let result = sgd_step(&mut net, &[f32::NAN; 4], &TARGET, 0.5);
    assert!(result.is_err());
    assert_eq!(net, FIXED);
    assert_eq!(Net::NUM_PARAMS, 4 * 8 + 8 + 8 * 3 + 3);
}
