//! Training that goes wrong says how: data that is not finite is named as
//! such, and a run that diverges or collapses without a NaN is stopped by
//! `Divergence` with an error.

use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::{self, Divergence, FitConfig, TrainError};

type Net = (Dense<2, 8>, Sigmoid, Dense<8, 2>, Sigmoid);

/// Two classes: is x₀ > x₁?
fn data() -> (Vec<[f32; 2]>, Vec<Class<2>>) {
    let inputs: Vec<[f32; 2]> = (0..2000)
        .map(|i| [(i % 17) as f32 / 17.0, (i % 13) as f32 / 13.0])
        .collect();
    let labels = inputs
        .iter()
        .filter_map(|x| Class::new(usize::from(x[0] > x[1])))
        .collect();
    (inputs, labels)
}

#[test]
fn a_nan_input_is_reported_as_bad_data_and_changes_nothing() {
    let mut net = Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
    let before = net.clone();
    let (mut inputs, labels) = data();
    inputs[37][1] = f32::NAN;
    let mut grads = Net::zeros();
    // A batch of 40: the bad sample is the 38th, in the second block.
    let batch = inputs[..40].iter().zip(&labels[..40]);
    let err = train::step(
        &mut net,
        &Quadratic,
        &mut Sgd::new(1.0),
        &mut [],
        &mut grads,
        batch,
    )
    .unwrap_err();
    assert_eq!(
        err,
        TrainError::NonFiniteInput {
            epoch: None,
            batch: None,
            sample: 37
        }
    );
    assert_eq!(net, before);
    // Located by the trainer, with a message about the data.
    let mut trainer = Trainer::new(Quadratic, Sgd::new(1.0));
    let err = trainer
        .epoch(
            &mut net,
            &inputs[..200],
            &labels[..200],
            200,
            &mut ChaCha8Rng::seed_from_u64(1),
            4,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::NonFiniteInput {
                epoch: Some(4),
                batch: Some(1),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("check the data"), "{err}");
    assert!(!err.to_string().contains("learning rate"), "{err}");
}

/// The case: the lecture's network with η = 10⁹ saturates every
/// sigmoid; the cost stays at a finite plateau and the network guesses.
#[test]
fn a_collapsed_lecture_network_is_stopped_as_divergence() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist");
    let mnist = constnet::data::Mnist::load(dir).expect("bundled MNIST loads");
    let (x, y) = (&mnist.train.inputs()[..3000], &mnist.train.labels()[..3000]);
    type Lecture = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);
    let fit = |eta: f32| {
        let mut net = Lecture::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
        let mut trainer = Trainer::new(Quadratic, Sgd::new(eta));
        let result = trainer.fit(
            &mut net,
            x,
            y,
            None,
            FitConfig::new(2, 10),
            Divergence::for_classes(10),
        );
        (result, net.is_finite())
    };
    let (result, finite) = fit(1e9);
    let err = result.unwrap_err();
    assert!(
        matches!(err, TrainError::Diverged { epoch: 1, .. }),
        "{err:?}"
    );
    assert!(
        finite,
        "the network stays finite, so only the check can tell"
    );
    assert!(err.to_string().contains("diverged"), "{err}");
    // The lecture's η = 3 passes.
    let (result, _) = fit(3.0);
    assert_eq!(result.unwrap().epochs.len(), 2);
}

#[test]
fn an_exploding_but_finite_loss_is_stopped_as_divergence() {
    // A linear regression with a step far past the stable range: the loss
    // grows by orders of magnitude while staying finite.
    let inputs: Vec<[f64; 1]> = (0..20).map(|i| [f64::from(i) / 4.0]).collect();
    let targets: Vec<[f64; 1]> = inputs.iter().map(|x| [2.0 * x[0] - 1.0]).collect();
    let mut net = (Dense::<1, 1, f64>::zeros(),);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0));
    let mut check = Divergence::for_classes(1);
    check.min_accuracy = 0.0; // a regression: only the loss is watched
    let no_validation: Option<(&[[f64; 1]], &[Class<1>])> = None;
    let err = trainer
        .fit(
            &mut net,
            &inputs,
            &targets,
            no_validation,
            FitConfig::new(5, 5),
            check,
        )
        .unwrap_err();
    let TrainError::Diverged { epoch, loss, .. } = err else {
        panic!("{err:?}")
    };
    assert!(loss.is_finite() && epoch <= 5, "{err:?}");
}

#[test]
fn a_healthy_run_passes_the_check() {
    let (inputs, labels) = data();
    let mut net = Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
    let mut trainer = Trainer::new(Quadratic, Sgd::new(2.0));
    let history = trainer
        .fit(
            &mut net,
            &inputs,
            &labels,
            Some((&inputs, &labels)),
            FitConfig::new(30, 10),
            Divergence::for_classes(2),
        )
        .unwrap();
    assert_eq!(history.epochs.len(), 30);
}
