//! One-output (binary) classifiers with `fit`, `evaluate` and `accuracy`;
//! validation data that `fit` must reject; evaluation of nothing.

#![cfg(feature = "std")]

use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::{FitConfig, TrainError, accuracy, evaluate};

/// A one-output sigmoid classifier.
type Net = (Dense<2, 4>, Tanh, Dense<4, 1>, Sigmoid);

/// Points of the unit square, `[1.0]` above the line x + 2y = 1.2 and `[0.0]`
/// below; points near the line are left out, so the classes are separable
/// with a margin.
fn data(seed: u64, n: usize) -> (Vec<[f32; 2]>, Vec<[f32; 1]>) {
    use constnet::rand::RngExt;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut inputs = Vec::new();
    let mut targets = Vec::new();
    while inputs.len() < n {
        let x: [f32; 2] = [rng.random(), rng.random()];
        let side = x[0] + 2.0 * x[1] - 1.2;
        if side.abs() > 0.1 {
            inputs.push(x);
            targets.push([if side > 0.0 { 1.0 } else { 0.0 }]);
        }
    }
    (inputs, targets)
}

fn net() -> Net {
    Net::random(Init::GlorotUniform, &mut ChaCha8Rng::seed_from_u64(1))
}

#[test]
fn a_one_output_sigmoid_classifier_fits_with_validation() {
    let (inputs, targets) = data(2, 400);
    let (val_inputs, val_targets) = data(3, 200);
    let mut net = net();
    let mut trainer = Trainer::new(BinaryCrossEntropy, Adam::new(0.05));
    let history = trainer
        .fit(
            &mut net,
            &inputs,
            &targets,
            Some((&val_inputs, &val_targets)),
            FitConfig::new(30, 16),
            (),
        )
        .expect("no divergence");
    let first = history.epochs[0].validation.expect("validation data given");
    let last = history.last().expect("epochs");
    let val = last.validation.expect("validation data given");
    assert!(val.accuracy > 0.9, "{val:?}");
    assert!(val.loss < first.loss, "{first:?} -> {val:?}");
    assert!(last.accuracy > 0.9, "{last:?}");
    assert_eq!(val.total, 200);
    // The same numbers from `evaluate`, and from `accuracy` without a loss.
    assert_eq!(
        Some(val),
        evaluate(&net, &val_inputs, &val_targets, &BinaryCrossEntropy)
    );
    assert_eq!(
        accuracy(&net, &val_inputs, &val_targets),
        Some(val.accuracy)
    );
    // Scored at the threshold 0.5.
    let p = net.forward(&[0.9, 0.9])[0];
    assert!(p > 0.5, "{p}");
    assert!(net.forward(&[0.05, 0.05])[0] < 0.5);
}

#[test]
fn accuracy_needs_no_loss_and_counts_both_sides_of_one_half() {
    // The output is the input: right when the target is on the same side.
    let net = (Identity,);
    let inputs = [[0.9_f32], [0.2], [0.7], [0.4]];
    let targets = [[1.0_f32], [0.0], [0.0], [1.0]];
    assert_eq!(accuracy(&net, &inputs, &targets), Some(0.5));
    // Class labels of a two-output classifier: the larger output.
    let two = [[0.9_f32, 0.1], [0.2, 0.8]];
    let labels = [Class::<2>::new(0), Class::new(0)].map(|c| c.expect("0 < 2"));
    assert_eq!(accuracy(&net, &two, &labels), Some(0.5));
}

#[test]
fn nothing_to_evaluate_is_none_not_nan() {
    let net = net();
    let (inputs, targets) = data(4, 3);
    assert_eq!(
        evaluate(&net, &inputs[..0], &targets, &BinaryCrossEntropy),
        None
    );
    assert_eq!(evaluate(&net, &inputs, &targets[..0], &Quadratic), None);
    assert_eq!(accuracy(&net, &inputs[..0], &targets[..0]), None);
}

#[test]
fn fit_rejects_validation_data_of_different_lengths_before_training() {
    let (inputs, targets) = data(5, 50);
    let mut net = net();
    let before = net.clone();
    let mut trainer = Trainer::new(BinaryCrossEntropy, Sgd::new(0.5));
    let err = trainer
        .fit(
            &mut net,
            &inputs,
            &targets,
            Some((&inputs, &targets[..49])),
            FitConfig::new(3, 10),
            (),
        )
        .expect_err("50 validation inputs, 49 targets");
    assert_eq!(
        err,
        TrainError::LengthMismatch {
            inputs: 50,
            targets: 49
        }
    );
    assert_eq!(err.to_string(), "50 inputs but 49 targets");
    // Nothing was trained.
    assert_eq!(net.forward(&[0.3, 0.6]), before.forward(&[0.3, 0.6]));

    // More targets than inputs too.
    let err = trainer
        .fit(
            &mut net,
            &inputs,
            &targets,
            Some((&inputs[..10], &targets)),
            FitConfig::new(3, 10),
            (),
        )
        .expect_err("10 validation inputs, 50 targets");
    assert_eq!(
        err,
        TrainError::LengthMismatch {
            inputs: 10,
            targets: 50
        }
    );
}

#[test]
fn fit_rejects_empty_validation_data() {
    let (inputs, targets) = data(6, 20);
    let mut net = net();
    let mut trainer = Trainer::new(BinaryCrossEntropy, Sgd::new(0.5));
    let err = trainer
        .fit(
            &mut net,
            &inputs,
            &targets,
            Some((&[], &[])),
            FitConfig::new(1, 10),
            (),
        )
        .expect_err("no validation samples");
    assert_eq!(err, TrainError::EmptyBatch);
}

#[test]
fn class_labels_in_validation_are_checked_too() {
    // The multi-class case of the same check, with `Class` labels.
    let inputs = vec![[0.1_f32, 0.2]; 6];
    let labels = vec![Class::<2>::new(1).expect("1 < 2"); 6];
    let mut net = <(Dense<2, 2>, Sigmoid)>::zeros();
    let mut trainer = Trainer::new(Quadratic, Sgd::new(0.5));
    let err = trainer
        .fit(
            &mut net,
            &inputs,
            &labels,
            Some((&inputs, &labels[..5])),
            FitConfig::new(1, 2),
            (),
        )
        .expect_err("6 validation inputs, 5 labels");
    assert_eq!(
        err,
        TrainError::LengthMismatch {
            inputs: 6,
            targets: 5
        }
    );
}
