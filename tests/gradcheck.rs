//! Every backward pass against central finite differences (f64), through the
//! public `gradcheck` harness.

use constnet::gradcheck::{Report, check_batch, check_layer, check_loss};
use constnet::prelude::*;
use constnet::rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};

const TOLERANCE: f64 = 1e-6;

fn assert_ok(what: &str, report: &Report) {
    assert!(report.checked > 0, "{what}: nothing was checked");
    assert!(report.max_error < TOLERANCE, "{what}: {report}");
}

/// Inputs in ±[0.1, 1]: away from Relu's kink at 0.
fn input<const N: usize>(rng: &mut ChaCha8Rng) -> [f64; N] {
    core::array::from_fn(|_| {
        let magnitude = rng.random_range(0.1..1.0);
        if rng.random_bool(0.5) {
            magnitude
        } else {
            -magnitude
        }
    })
}

fn check_random<N: Layer<[f64; IN]>, const IN: usize>(what: &str, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let net = N::random(Init::StandardNormal, &mut rng);
    for trial in 0..3 {
        let x = input::<IN>(&mut rng);
        assert_ok(
            &format!("{what} (trial {trial})"),
            &check_layer(&net, &x, seed + trial),
        );
    }
}

#[test]
fn dense() {
    check_random::<Dense<5, 3, f64>, 5>("Dense<5, 3>", 1);
    check_random::<Dense<1, 1, f64>, 1>("Dense<1, 1>", 2);
    check_random::<Dense<17, 9, f64>, 17>("Dense<17, 9>", 3);
}

#[test]
fn activations() {
    check_random::<Sigmoid, 7>("Sigmoid", 4);
    check_random::<Tanh, 7>("Tanh", 5);
    check_random::<Relu, 7>("Relu", 6);
    check_random::<Relu, 1>("Relu width 1", 7);
}

#[test]
fn relu_passes_gradient_only_where_positive() {
    let x = [[-1.0_f64, 2.0, 0.0]];
    let (_, cache) = Relu.forward_train(&x);
    let mut dx = [[f64::NAN; 3]];
    let finite = Relu.backward(
        &x,
        &cache,
        &[[5.0, 5.0, 5.0]],
        &mut Relu,
        GradMode::Add,
        Some(&mut dx),
    );
    assert_eq!(dx, [[0.0, 5.0, 0.0]]);
    assert!(finite);
}

#[test]
fn networks_of_several_sizes() {
    check_random::<(Dense<4, 3, f64>, Sigmoid, Dense<3, 2, f64>), 4>("4-3-2", 10);
    check_random::<(Dense<64, 16, f64>, Sigmoid, Dense<16, 10, f64>, Sigmoid), 64>(
        "64-16-10 sigmoid",
        11,
    );
    check_random::<
        (
            Dense<6, 5, f64>,
            Tanh,
            Dense<5, 5, f64>,
            Relu,
            Dense<5, 4, f64>,
            Sigmoid,
            Dense<4, 3, f64>,
        ),
        6,
    >("6-5-5-4-3 mixed", 12);
    check_random::<(Dense<3, 2, f64>,), 3>("1-tuple", 13);
}

#[test]
fn nested_and_long_tuples() {
    type Block<const I: usize, const O: usize> = (Dense<I, O, f64>, Tanh);
    check_random::<(Block<4, 4>, (Block<4, 3>, (Dense<3, 2, f64>, Sigmoid))), 4>("nested", 20);
    type Twelve = (
        Dense<3, 3, f64>,
        Tanh,
        Dense<3, 3, f64>,
        Sigmoid,
        Dense<3, 3, f64>,
        Tanh,
        Dense<3, 3, f64>,
        Sigmoid,
        Dense<3, 3, f64>,
        Tanh,
        Dense<3, 2, f64>,
        Sigmoid,
    );
    check_random::<Twelve, 3>("12-tuple", 21);
}

#[test]
fn quadratic_cost() {
    let mut rng = ChaCha8Rng::seed_from_u64(30);
    for _ in 0..5 {
        let pred = input::<10>(&mut rng);
        let target = input::<10>(&mut rng);
        assert_ok(
            "Quadratic vs vector",
            &check_loss(&Quadratic, &pred, &target),
        );
        let label = Class::<10>::new(rng.random_range(0..10)).expect("in range");
        assert_ok("Quadratic vs class", &check_loss(&Quadratic, &pred, &label));
    }
}

#[test]
fn the_check_catches_a_wrong_gradient() {
    /// Claims f(x) = 2x but backpropagates 3·dy.
    #[derive(Clone, Default)]
    struct Wrong;
    impl Params<f64> for Wrong {
        const NUM_PARAMS: usize = 0;
        fn zeros() -> Self {
            Wrong
        }
        fn walk(_: &mut impl constnet::Walker<Self, f64>) {}
    }
    impl Layer<[f64; 2]> for Wrong {
        type Output = [f64; 2];
        type Cache<const B: usize> = ();
        fn forward(&self, x: &[f64; 2]) -> [f64; 2] {
            x.map(|v| 2.0 * v)
        }
        fn forward_train<const B: usize>(&self, x: &[[f64; 2]; B]) -> ([[f64; 2]; B], ()) {
            (x.map(|x| self.forward(&x)), ())
        }
        fn backward<const B: usize>(
            &self,
            _: &[[f64; 2]; B],
            _: &(),
            dy: &[[f64; 2]; B],
            _: &mut Self,
            _: GradMode,
            dx: Option<&mut [[f64; 2]; B]>,
        ) -> bool {
            if let Some(dx) = dx {
                *dx = dy.map(|d| d.map(|d| 3.0 * d));
            }
            true
        }
    }
    let report = check_layer(&Wrong, &[0.5, -0.5], 0);
    assert!(report.max_error > 0.3, "{report}");
}

/// The trainer's mini-batch gradient is the gradient of the lecture's cost
/// `C = 1/(2m) Σ ‖y − ŷ‖²`, including the 1/m.
#[test]
fn trainer_gradient_is_gradient_of_batch_cost() {
    type Net = (Dense<5, 4, f64>, Sigmoid, Dense<4, 3, f64>, Sigmoid);
    let mut rng = ChaCha8Rng::seed_from_u64(40);
    let net = Net::random(Init::StandardNormal, &mut rng);
    let inputs: Vec<[f64; 5]> = (0..7).map(|_| input(&mut rng)).collect();
    let targets: Vec<[f64; 3]> = (0..7).map(|_| input(&mut rng)).collect();
    let report = check_batch(&net, &Quadratic, &inputs, &targets);
    assert_eq!(report.checked, 1 + Net::NUM_PARAMS);
    assert_ok("mini-batch cost", &report);

    // The lecture's formula, written out independently of `Loss`.
    let lecture_cost = inputs
        .iter()
        .zip(&targets)
        .map(|(x, y)| {
            net.forward(x)
                .iter()
                .zip(y)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
        })
        .sum::<f64>()
        / (2.0 * inputs.len() as f64);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(1.0));
    let reported = trainer
        .gradient(&net, inputs.iter().zip(&targets))
        .expect("finite");
    assert!(
        (reported - lecture_cost).abs() < 1e-12,
        "{reported} vs {lecture_cost}"
    );
}

/// Blocks of samples (the batched kernels, SIMD for f32) compute what the
/// samples compute one by one.
#[test]
fn blocks_match_single_samples() {
    use constnet::gradcheck::check_block;
    fn run<N: Layer<[f32; IN]>, const IN: usize, const B: usize>(what: &str) {
        let mut rng = ChaCha8Rng::seed_from_u64(50);
        let net = N::random(Init::StandardNormal, &mut rng);
        let xs: [[f32; IN]; B] = core::array::from_fn(|_| input::<IN>(&mut rng).map(|v| v as f32));
        let report = check_block(&net, &xs, 51);
        assert!(report.checked > 0);
        // f32 blocks and single samples sum in different orders (SIMD tiles),
        // and backpropagated gradients cancel: allow a few hundred ulps.
        assert!(report.max_error < 5e-4, "{what}: {report}");
    }
    type Lecture = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);
    run::<Lecture, 784, 8>("lecture net, block of 8");
    run::<Lecture, 784, 5>("lecture net, block of 5");
    run::<(Dense<7, 9>, Relu, Dense<9, 3>), 7, 4>("7-9-3, block of 4");
    run::<(Dense<100, 30>, Tanh, Dense<30, 10>), 100, 1>("100-30-10, block of 1");
    let mut rng = ChaCha8Rng::seed_from_u64(52);
    let net =
        <(Dense<6, 5, f64>, Sigmoid, Dense<5, 2, f64>)>::random(Init::StandardNormal, &mut rng);
    let xs: [[f64; 6]; 3] = core::array::from_fn(|_| input(&mut rng));
    let report = check_block(&net, &xs, 53);
    assert!(report.max_error < 1e-12, "f64: {report}");
}

/// The mini-batch gradient is the mean of the per-sample gradients for every
/// batch size, so every way of cutting a batch into blocks (32, 16, 10, 8,
/// 4, 2, 1 samples, and batches longer than one pass of 32) adds up the same.
#[test]
fn batch_gradient_is_the_mean_of_sample_gradients_for_every_batch_size() {
    type Net = (Dense<5, 4, f64>, Tanh, Dense<4, 3, f64>, Sigmoid);
    let mut rng = ChaCha8Rng::seed_from_u64(45);
    let net = Net::random(Init::StandardNormal, &mut rng);
    let inputs: Vec<[f64; 5]> = (0..45).map(|_| input(&mut rng)).collect();
    let targets: Vec<[f64; 3]> = (0..45).map(|_| input(&mut rng)).collect();
    let flat = |n: &Net| {
        let mut v = Vec::new();
        n.visit(|_, p| v.extend_from_slice(p));
        v
    };
    let mut grads = Net::zeros();
    for m in 1..=45 {
        let batch = || inputs[..m].iter().zip(&targets[..m]);
        let cost =
            constnet::train::gradient(&net, &Quadratic, &mut grads, batch()).expect("finite");
        let got = flat(&grads);
        let mut want = vec![0.0; got.len()];
        let mut want_cost = 0.0;
        for (x, y) in batch() {
            let c =
                constnet::train::gradient(&net, &Quadratic, &mut grads, [(x, y)]).expect("finite");
            want_cost += c / m as f64;
            for (w, g) in want.iter_mut().zip(flat(&grads)) {
                *w += g / m as f64;
            }
        }
        assert!(
            (cost - want_cost).abs() < 1e-12,
            "m = {m}: cost {cost} vs {want_cost}"
        );
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() < 1e-12, "m = {m}, parameter {k}: {g} vs {w}");
        }
    }
}

/// In `f32` (the AVX2 kernels, where the processor has them) the first block
/// of a mini-batch stores its gradient without reading the buffer: a buffer
/// full of NaN gives the same bits as a zeroed one, and the result is the
/// mean of the per-sample gradients, for batches of one block and of many.
#[test]
fn f32_batch_gradient_overwrites_a_stale_buffer() {
    type Net = (Dense<37, 13>, Sigmoid, Dense<13, 7>, Relu, Dense<7, 3>);
    let mut rng = ChaCha8Rng::seed_from_u64(37);
    let net = Net::random(Init::StandardNormal, &mut rng);
    let f32s = |v: [f64; 37]| v.map(|x| x as f32);
    let inputs: Vec<[f32; 37]> = (0..45).map(|_| f32s(input(&mut rng))).collect();
    let targets: Vec<[f32; 3]> = (0..45).map(|_| [0.5, -0.25, 1.0]).collect();
    let flat = |n: &Net| {
        let mut v = Vec::new();
        n.visit(|_, p| v.extend_from_slice(p));
        v
    };
    for m in [1, 2, 9, 10, 16, 17, 26, 32, 45] {
        let batch = || inputs[..m].iter().zip(&targets[..m]);
        let mut fresh = Net::zeros();
        let mut stale = Net::zeros();
        stale.visit_mut(|_, p| p.fill(f32::NAN));
        let a = constnet::train::gradient(&net, &Quadratic, &mut fresh, batch()).expect("finite");
        let b = constnet::train::gradient(&net, &Quadratic, &mut stale, batch()).expect("finite");
        assert_eq!(a.to_bits(), b.to_bits(), "m = {m}");
        let (fresh, stale) = (flat(&fresh), flat(&stale));
        assert!(
            fresh
                .iter()
                .zip(&stale)
                .all(|(f, s)| f.to_bits() == s.to_bits()),
            "m = {m}"
        );
        let mut want = vec![0.0_f64; fresh.len()];
        let mut one = Net::zeros();
        for (x, y) in batch() {
            constnet::train::gradient(&net, &Quadratic, &mut one, [(x, y)]).expect("finite");
            for (w, g) in want.iter_mut().zip(flat(&one)) {
                *w += f64::from(g) / m as f64;
            }
        }
        for (k, (g, w)) in fresh.iter().zip(&want).enumerate() {
            let err = (f64::from(*g) - w).abs();
            assert!(
                err <= 1e-5 * (1.0 + w.abs()),
                "m = {m}, parameter {k}: {g} vs {w}"
            );
        }
    }
}
