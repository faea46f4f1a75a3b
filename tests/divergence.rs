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
    type Data<'a> = (&'a [[f64; 1]], &'a [[f64; 1]]);
    let no_validation: Option<Data<'_>> = None;
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

/// One neuron whose gradient is finite but whose update overflows `f32`
/// with the given optimizer: the step is refused, and the network and the
/// optimizer's state keep every bit.
fn refused<O: Optimizer<f32>>(mut optimizer: O, x: f32, y: f32) -> TrainError {
    type One = (Dense<1, 1>,);
    let mut net: One = (Dense {
        weight: [[1.0]],
        bias: [0.0],
    },);
    let mut grads = One::zeros();
    // A first, ordinary step gives the state values to keep.
    let mut state: Vec<One> = (0..optimizer.slots()).map(|_| One::zeros()).collect();
    let rate = optimizer.learning_rate();
    optimizer.set_learning_rate(1e-3);
    train::step(
        &mut net,
        &Quadratic,
        &mut optimizer,
        &mut state,
        &mut grads,
        [(&[0.5], &[0.25])],
    )
    .expect("an ordinary step");
    optimizer.set_learning_rate(rate);
    let (net_before, state_before) = (net.clone(), state.clone());
    let err = train::step(
        &mut net,
        &Quadratic,
        &mut optimizer,
        &mut state,
        &mut grads,
        [(&[x], &[y])],
    )
    .unwrap_err();
    assert_eq!(net, net_before, "{err}");
    assert_eq!(state, state_before, "{err}");
    assert!(net.is_finite() && state.iter().all(Params::is_finite));
    err
}

#[test]
fn an_update_that_would_overflow_is_refused_by_every_optimizer() {
    use constnet::optim::{Momentum, RmsProp};
    // Error 1e10, loss 5e19: finite. Huge learning rates overflow w.
    let cases: Vec<(&str, TrainError)> = vec![
        ("sgd", refused(Sgd::new(1e30), 1.0, -1e10)),
        (
            "sgd+l2",
            refused(Sgd::new(1e30).with_weight_decay(0.1), 1.0, -1e10),
        ),
        (
            "momentum",
            refused(
                Sgd::new(1e30).with_momentum(0.9, Momentum::Nesterov),
                1.0,
                -1e10,
            ),
        ),
        ("rmsprop", refused(RmsProp::new(1e38), 1.0, -1e10)),
        (
            "rmsprop+momentum",
            refused(RmsProp::new(1e38).with_momentum(0.9), 1.0, -1e10),
        ),
        ("adam", refused(Adam::new(1e38), 1.0, -1e10)),
        // Gradient 1e21: (1 − β₂)·g² overflows Adam's second moment at an
        // ordinary learning rate.
        ("adam, g² overflows", refused(Adam::new(1e-3), 1e11, -1e10)),
        (
            "adamw",
            refused(
                Adam::new(1e38).with_decoupled_weight_decay(0.004),
                1.0,
                -1e10,
            ),
        ),
    ];
    for (name, err) in cases {
        assert_eq!(
            err,
            TrainError::NonFiniteUpdate {
                epoch: None,
                batch: None
            },
            "{name}"
        );
    }
}

#[test]
fn a_refused_update_is_located_and_training_can_go_on() {
    let inputs: Vec<[f32; 1]> = (0..20).map(|i| [i as f32 / 20.0]).collect();
    let targets: Vec<[f32; 1]> = inputs.iter().map(|x| [1e10 * x[0]]).collect();
    let mut net = (Dense::<1, 1>::zeros(),);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(1e30));
    let err = trainer
        .epoch(
            &mut net,
            &inputs,
            &targets,
            10,
            &mut ChaCha8Rng::seed_from_u64(1),
            2,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::NonFiniteUpdate {
                epoch: Some(2),
                batch: Some(1)
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(net, (Dense::zeros(),));
    // With a sane rate the same trainer goes on from there.
    trainer.optimizer_mut().learning_rate = 0.5;
    trainer
        .epoch(
            &mut net,
            &inputs,
            &targets,
            10,
            &mut ChaCha8Rng::seed_from_u64(1),
            3,
        )
        .expect("finite");
    assert!(net.is_finite() && net.0.weight[0][0] > 0.0);
}
