//! The training loop: reproducibility, convergence and bad input.

use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::{self, TrainError, evaluate};

#[path = "common/param_bits.rs"]
mod param_bits;

use param_bits::param_bits;

type Net = (Dense<2, 8>, Sigmoid, Dense<8, 2>, Sigmoid);

/// Two interleaved classes on a grid: points inside the unit circle or not.
fn circle_data() -> (Vec<[f32; 2]>, Vec<Class<2>>) {
    let mut inputs = Vec::new();
    let mut labels = Vec::new();
    for i in 0..20 {
        for j in 0..20 {
            let (x, y) = (i as f32 / 10.0 - 0.95, j as f32 / 10.0 - 0.95);
            inputs.push([x, y]);
            let inside = x * x + y * y < 0.5;
            labels.push(Class::new(usize::from(inside)).expect("0 or 1"));
        }
    }
    (inputs, labels)
}

fn train(seed: u64, epochs: usize) -> Net {
    let (inputs, labels) = circle_data();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut net = Net::random(Init::StandardNormal, &mut rng);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0));
    for epoch in 1..=epochs {
        trainer
            .epoch(&mut net, &inputs, &labels, 10, &mut rng, epoch)
            .expect("training converges");
    }
    net
}

#[test]
fn same_seed_gives_bit_identical_training() {
    assert_eq!(param_bits(&train(5, 3)), param_bits(&train(5, 3)));
    assert_ne!(param_bits(&train(5, 3)), param_bits(&train(6, 3)));
}

#[test]
fn sgd_learns_a_nonlinear_boundary() {
    let (inputs, labels) = circle_data();
    let before = evaluate(&train(1, 0), &inputs, &labels, &Quadratic).expect("samples");
    let after = evaluate(&train(1, 200), &inputs, &labels, &Quadratic).expect("samples");
    assert!(after.loss < before.loss / 2.0, "{before:?} -> {after:?}");
    assert!(after.accuracy > 0.95, "{after:?}");
}

#[test]
fn nan_input_stops_training_with_location_and_keeps_parameters() {
    let (mut inputs, labels) = circle_data();
    inputs[123][1] = f32::NAN;
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Net::random(Init::StandardNormal, &mut rng);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0));
    // Batch size = data size: the NaN is in the first (only) batch.
    let before = param_bits(&net);
    let err = trainer
        .epoch(&mut net, &inputs, &labels, inputs.len(), &mut rng, 4)
        .expect_err("NaN must be reported");
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
    assert_eq!(
        before,
        param_bits(&net),
        "parameters must be left as before the batch"
    );
    assert!(err.to_string().contains("epoch 4, batch 1"), "{err}");
}

#[test]
fn infinite_target_is_reported_not_trained_on() {
    let mut net = (Dense::<1, 1>::zeros(),);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(0.1_f32));
    let err = trainer
        .step(&mut net, [(&[1.0], &[f32::INFINITY])])
        .expect_err("infinite cost");
    assert!(matches!(
        err,
        TrainError::NonFiniteLoss {
            epoch: None,
            batch: None,
            ..
        }
    ));
    assert_eq!(net.0.weight, [[0.0]]);
}

#[test]
fn overflowing_gradient_is_reported() {
    // The cost ½·(1e10)² is finite in f32, but ∂C/∂w = −1e10·f32::MAX is not.
    let mut net = (Dense::<2, 1> {
        weight: [[0.0, 0.0]],
        bias: [0.0],
    },);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(0.1_f32));
    let err = trainer
        .step(&mut net, [(&[f32::MAX, 0.0], &[1e10])])
        .expect_err("gradient overflows");
    assert!(
        matches!(err, TrainError::NonFiniteGradient { .. }),
        "{err:?}"
    );
    assert_eq!(net.0.weight, [[0.0, 0.0]]);
}

#[test]
fn bad_arguments_are_errors() {
    let (inputs, labels) = circle_data();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Net::random(Init::StandardNormal, &mut rng);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(1.0));
    assert_eq!(
        trainer.epoch(&mut net, &inputs, &labels, 0, &mut rng, 1),
        Err(TrainError::ZeroBatchSize)
    );
    assert_eq!(
        trainer.epoch(&mut net, &inputs, &labels[1..], 10, &mut rng, 1),
        Err(TrainError::LengthMismatch {
            inputs: 400,
            targets: 399
        })
    );
    assert_eq!(
        trainer.epoch(&mut net, &inputs[..0], &labels[..0], 10, &mut rng, 1),
        Err(TrainError::EmptyBatch)
    );
    let empty: [(&[f32; 2], &Class<2>); 0] = [];
    assert_eq!(trainer.step(&mut net, empty), Err(TrainError::EmptyBatch));
}

/// An optimizer defined outside constnet: [`Sgd`] behind the
/// [`Optimizer`] trait, as a user would wrap one.
struct Delegate(Sgd<f32>);

impl Optimizer<f32> for Delegate {
    fn slots(&self) -> usize {
        self.0.slots()
    }
    fn step<P: Params<f32>>(&mut self, params: &mut P, grads: &mut P, state: &mut [P]) -> bool {
        self.0.step(params, grads, state)
    }
    fn learning_rate(&self) -> f32 {
        self.0.learning_rate
    }
    fn set_learning_rate(&mut self, learning_rate: f32) {
        self.0.learning_rate = learning_rate;
    }
}

/// A training step is the mini-batch gradient, then the optimizer's step
/// with it: [`Trainer::step`] (with [`Sgd`] or an optimizer defined
/// outside the crate) and [`train::step`] give bit for bit the network of
/// [`train::gradient`] followed by [`Optimizer::step`], and
/// [`Trainer::gradient`] stores that gradient — on batches of one block
/// (1, 10, 32) and of several (12 = 10 + 2, 50), over several steps.
#[test]
fn a_step_is_the_gradient_then_the_optimizer_step() {
    type Lecture = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let start = Lecture::boxed_random(Init::StandardNormal, &mut rng);
    let inputs: Vec<[f32; 784]> = (0..100)
        .map(|i| core::array::from_fn(|p| ((i * 131 + p * 7) % 256) as f32 / 255.0))
        .collect();
    let labels: Vec<Class<10>> = (0..100).filter_map(|i| Class::new(i % 10)).collect();
    for batch in [1, 10, 32, 12, 50] {
        let mut by_trainer = start.clone();
        let mut by_delegate = start.clone();
        let mut by_step = start.clone();
        let mut by_hand = start.clone();
        let mut a = Trainer::new(Quadratic, Sgd::new(3.0_f32));
        let mut b = Trainer::new(Quadratic, Delegate(Sgd::new(3.0)));
        let mut sgd = Sgd::new(3.0_f32);
        let mut step_grads = Lecture::boxed_zeros();
        let mut hand_grads = Lecture::boxed_zeros();
        for (xs, ys) in inputs.chunks(batch).zip(labels.chunks(batch)).take(4) {
            let pairs = || xs.iter().zip(ys);
            // Every layer's gradient is stored, the first layer's too.
            a.gradient(&*by_trainer, pairs()).expect("finite");
            let stored = param_bits(a.grads());
            let cost_a = a.step(&mut *by_trainer, pairs()).expect("finite");
            let cost_b = b.step(&mut *by_delegate, pairs()).expect("finite");
            let cost_c = train::step(
                &mut *by_step,
                &Quadratic,
                &mut sgd,
                &mut [],
                &mut *step_grads,
                pairs(),
            )
            .expect("finite");
            let cost =
                train::gradient(&*by_hand, &Quadratic, &mut *hand_grads, pairs()).expect("finite");
            let gradient = param_bits(&*hand_grads);
            Sgd::new(3.0_f32).step(&mut *by_hand, &mut *hand_grads, &mut []);
            for other in [cost_a, cost_b, cost_c] {
                assert_eq!(other.to_bits(), cost.to_bits(), "batch {batch}");
            }
            let want = param_bits(&*by_hand);
            assert_eq!(param_bits(&*by_trainer), want, "batch {batch}");
            assert_eq!(param_bits(&*by_delegate), want, "batch {batch}");
            assert_eq!(param_bits(&*by_step), want, "batch {batch}");
            assert_eq!(stored, gradient, "batch {batch}");
        }
        assert_ne!(
            param_bits(&*by_trainer),
            param_bits(&*start),
            "batch {batch}"
        );
    }
}

/// Gradients close to the largest float are applied exactly as the
/// optimizer computes them, and one that overflows is an error that leaves
/// the network unchanged.
#[test]
fn a_gradient_near_overflow_is_applied_and_an_overflowing_one_is_not() {
    let start = (Dense::<3, 2> {
        weight: [[1e-38, 0.0, 0.0], [0.0, 1.0, 0.0]],
        bias: [0.0, 0.0],
    },);
    let (mut stepped, mut by_hand) = (start.clone(), start.clone());
    let mut a = Trainer::new(Quadratic, Sgd::new(1e-30_f32));
    // Outputs [1, −3] against [−1, 0]: ∂C/∂y = [2, −3], and the weight
    // gradients 2·10³⁸ and −3·10³⁸ are finite but close to the largest f32.
    let x = [[1e38_f32, -3.0, 2.0]];
    let y = [[-1.0_f32, 0.0]];
    let cost_a = a.step(&mut stepped, x.iter().zip(&y)).expect("finite");
    let mut grads = <(Dense<3, 2>,)>::zeros();
    let cost = train::gradient(&by_hand, &Quadratic, &mut grads, x.iter().zip(&y)).expect("finite");
    assert!(
        (grads.0.weight[0][0] / 2e38 - 1.0).abs() < 1e-6,
        "{grads:?}"
    );
    Sgd::new(1e-30_f32).step(&mut by_hand, &mut grads, &mut []);
    assert_eq!(cost_a.to_bits(), cost.to_bits());
    assert_eq!(param_bits(&stepped), param_bits(&by_hand));
    assert_ne!(param_bits(&stepped), param_bits(&start));
    // ∂C/∂w = −10¹⁰·f32::MAX overflows; the cost ½·(10¹⁰)² does not.
    let mut net = (Dense::<3, 2>::zeros(),);
    let err = a
        .step(&mut net, [(&[f32::MAX, 0.0, 0.0], &[1e10, 0.0])])
        .expect_err("the gradient overflows");
    assert!(
        matches!(err, TrainError::NonFiniteGradient { .. }),
        "{err:?}"
    );
    assert_eq!(param_bits(&net), param_bits(&(Dense::<3, 2>::zeros(),)));
}

/// [`train::step`] is given the optimizer's state by the caller: too few
/// values is an error that leaves the network unchanged, and the state is
/// kept across steps as the [`Trainer`] keeps it.
#[test]
fn train_step_checks_and_keeps_the_optimizer_state() {
    type Tiny = (Dense<1, 1, f64>,);
    let batch = [(&[1.0], &[2.0])];
    let mut net: Tiny = (Dense::zeros(),);
    let mut grads = Tiny::zeros();
    let mut adam = Adam::new(0.1);
    let mut short = [Tiny::zeros()];
    assert_eq!(
        train::step(
            &mut net, &Quadratic, &mut adam, &mut short, &mut grads, batch
        ),
        Err(TrainError::OptimizerState {
            expected: 2,
            found: 1
        })
    );
    assert_eq!(net, (Dense::zeros(),));
    assert_eq!(adam.steps(), 0);
    // Two steps by hand with two state values equal two trainer steps.
    let mut state = [Tiny::zeros(), Tiny::zeros()];
    let mut trained: Tiny = (Dense::zeros(),);
    let mut trainer = Trainer::new(Quadratic, Adam::new(0.1));
    for _ in 0..2 {
        let cost = train::step(
            &mut net, &Quadratic, &mut adam, &mut state, &mut grads, batch,
        )
        .expect("finite");
        assert_eq!(trainer.step(&mut trained, batch), Ok(cost));
    }
    assert_eq!(net, trained);
    assert_eq!(trainer.state(), state);
    assert_eq!(adam.steps(), 2);
}
