//! Gradient checks (f64 central finite differences, through the public
//! `gradcheck` harness) for the activations, losses and initializers beyond
//! the lecture's: LeakyRelu, Identity, Softmax, SoftmaxCrossEntropy,
//! BinaryCrossEntropy, SigmoidCrossEntropy, and networks initialised by every
//! `Init` scheme; and, with `check_block`, that the new layers compute a
//! block of samples exactly as they compute each one alone.

use constnet::activation::{Identity, LeakyRelu, Softmax};
use constnet::gradcheck::{Report, check_batch, check_block, check_layer, check_loss};
use constnet::loss::{BinaryCrossEntropy, SigmoidCrossEntropy, SoftmaxCrossEntropy};
use constnet::prelude::*;
use constnet::rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};

const TOLERANCE: f64 = 1e-6;

fn assert_ok(what: &str, report: &Report) {
    assert!(report.checked > 0, "{what}: nothing was checked");
    assert!(report.max_error < TOLERANCE, "{what}: {report}");
}

/// Values in ±[0.1, 1] times `scale`: away from the kinks at 0.
fn input<const N: usize>(rng: &mut ChaCha8Rng, scale: f64) -> [f64; N] {
    core::array::from_fn(|_| {
        let magnitude = rng.random_range(0.1..1.0) * scale;
        if rng.random_bool(0.5) {
            magnitude
        } else {
            -magnitude
        }
    })
}

/// Values in `[lo, hi)`.
fn uniform<const N: usize>(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> [f64; N] {
    core::array::from_fn(|_| rng.random_range(lo..hi))
}

/// Checks `layer` at three random inputs of the given scale.
fn check_at_inputs<L: Layer<[f64; IN]>, const IN: usize>(
    what: &str,
    layer: &L,
    scale: f64,
    seed: u64,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for trial in 0..3 {
        let x = input::<IN>(&mut rng, scale);
        assert_ok(
            &format!("{what} (trial {trial})"),
            &check_layer(layer, &x, seed + trial),
        );
    }
}

/// Checks a network drawn from `init` at three random inputs.
fn check_random<N: Layer<[f64; IN]>, const IN: usize>(what: &str, init: Init, seed: u64) -> N {
    let net = N::random(init, &mut ChaCha8Rng::seed_from_u64(seed));
    check_at_inputs(what, &net, 1.0, seed);
    net
}

#[test]
fn leaky_relu() {
    check_at_inputs::<_, 7>("LeakyRelu default", &LeakyRelu::default(), 1.0, 1);
    check_at_inputs::<_, 7>("LeakyRelu 0.01", &LeakyRelu::new(0.01), 1.0, 2);
    check_at_inputs::<_, 7>("LeakyRelu 2.5", &LeakyRelu::new(2.5), 1.0, 3);
    check_at_inputs::<_, 1>("LeakyRelu width 1", &LeakyRelu::new(0.2), 1.0, 4);
}

#[test]
fn leaky_relu_in_a_network_keeps_its_slope() {
    type Net = (Dense<5, 6, f64>, LeakyRelu, Dense<6, 3, f64>, LeakyRelu);
    let mut net = Net::random(Init::HeNormal, &mut ChaCha8Rng::seed_from_u64(5));
    net.1 = LeakyRelu::new(0.01);
    net.3 = LeakyRelu::new(0.5);
    check_at_inputs("Dense-LeakyRelu-Dense-LeakyRelu", &net, 1.0, 5);
    // The harness clones the network; slopes must have come along.
    assert_eq!((net.1.slope(), net.3.slope()), (0.01, 0.5));
}

#[test]
fn identity() {
    check_at_inputs::<_, 6>("Identity", &Identity, 1.0, 10);
    check_random::<(Dense<4, 3, f64>, Identity, Dense<3, 2, f64>, Identity), 4>(
        "Dense-Identity-Dense-Identity",
        Init::GlorotUniform,
        11,
    );
}

#[test]
fn softmax_alone() {
    check_at_inputs::<_, 5>("Softmax", &Softmax, 1.0, 20);
    check_at_inputs::<_, 10>("Softmax width 10", &Softmax, 3.0, 21);
    check_at_inputs::<_, 2>("Softmax width 2", &Softmax, 1.0, 22);
    check_at_inputs::<_, 1>("Softmax width 1", &Softmax, 1.0, 23);
    // Large scores: shifted by the max, still exact.
    let x = [300.2, 299.1, 301.0, 300.5];
    assert_ok("Softmax at 300", &check_layer(&Softmax, &x, 24));
}

#[test]
fn softmax_in_networks() {
    check_random::<(Dense<5, 4, f64>, Softmax), 5>(
        "(Dense<5, 4>, Softmax)",
        Init::StandardNormal,
        30,
    );
    check_random::<(Dense<6, 8, f64>, Tanh, Dense<8, 3, f64>, Softmax), 6>(
        "Dense-Tanh-Dense-Softmax",
        Init::GlorotNormal,
        31,
    );
    // Softmax in the middle of a network, then trained with Quadratic.
    let net = check_random::<(Dense<4, 5, f64>, Softmax, Dense<5, 2, f64>), 4>(
        "Dense-Softmax-Dense",
        Init::ScaledNormal,
        32,
    );
    let mut rng = ChaCha8Rng::seed_from_u64(33);
    let inputs: Vec<[f64; 4]> = (0..5).map(|_| input(&mut rng, 1.0)).collect();
    let targets: Vec<[f64; 2]> = (0..5).map(|_| input(&mut rng, 1.0)).collect();
    assert_ok(
        "Dense-Softmax-Dense batch",
        &check_batch(&net, &Quadratic, &inputs, &targets),
    );
}

#[test]
fn softmax_cross_entropy_with_class_targets() {
    let mut rng = ChaCha8Rng::seed_from_u64(40);
    for scale in [1.0, 5.0, 30.0] {
        for _ in 0..5 {
            let logits = input::<10>(&mut rng, scale);
            let label = Class::<10>::new(rng.random_range(0..10)).expect("in range");
            assert_ok(
                &format!("SoftmaxCrossEntropy vs class, logits ×{scale}"),
                &check_loss(&SoftmaxCrossEntropy, &logits, &label),
            );
        }
    }
    let label = Class::<1>::new(0).expect("in range");
    assert_ok("width 1", &check_loss(&SoftmaxCrossEntropy, &[0.7], &label));
}

#[test]
fn softmax_cross_entropy_with_vector_targets() {
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    for _ in 0..5 {
        let logits = input::<6>(&mut rng, 2.0);
        // A probability vector …
        let w = uniform::<6>(&mut rng, 0.0, 1.0);
        let total: f64 = w.iter().sum();
        let y = w.map(|v| v / total);
        assert_ok(
            "SoftmaxCrossEntropy vs probabilities",
            &check_loss(&SoftmaxCrossEntropy, &logits, &y),
        );
        // … a one-hot vector, and weights that do not sum to 1.
        let one_hot = Class::<6>::new(rng.random_range(0..6))
            .expect("in range")
            .one_hot();
        assert_ok(
            "SoftmaxCrossEntropy vs one-hot",
            &check_loss(&SoftmaxCrossEntropy, &logits, &one_hot),
        );
        assert_ok(
            "SoftmaxCrossEntropy vs unnormalised",
            &check_loss(&SoftmaxCrossEntropy, &logits, &w),
        );
    }
}

#[test]
fn softmax_cross_entropy_trains_through_a_network() {
    type Net = (Dense<5, 4, f64>, Tanh, Dense<4, 3, f64>);
    let net = Net::random(Init::GlorotUniform, &mut ChaCha8Rng::seed_from_u64(42));
    let mut rng = ChaCha8Rng::seed_from_u64(43);
    let inputs: Vec<[f64; 5]> = (0..7).map(|_| input(&mut rng, 1.0)).collect();
    let labels: Vec<Class<3>> = (0..7)
        .map(|_| Class::new(rng.random_range(0..3)).expect("in range"))
        .collect();
    let report = check_batch(&net, &SoftmaxCrossEntropy, &inputs, &labels);
    assert_eq!(report.checked, 1 + Net::NUM_PARAMS);
    assert_ok("mini-batch SoftmaxCrossEntropy", &report);
}

#[test]
fn binary_cross_entropy() {
    let mut rng = ChaCha8Rng::seed_from_u64(50);
    for _ in 0..5 {
        // Away from the clamp at ε = 1e-7.
        let p = uniform::<8>(&mut rng, 0.05, 0.95);
        let soft = uniform::<8>(&mut rng, 0.0, 1.0);
        let hard = uniform::<8>(&mut rng, 0.0, 1.0).map(|v| if v < 0.5 { 0.0 } else { 1.0 });
        assert_ok(
            "BCE vs soft targets",
            &check_loss(&BinaryCrossEntropy, &p, &soft),
        );
        assert_ok(
            "BCE vs hard targets",
            &check_loss(&BinaryCrossEntropy, &p, &hard),
        );
        let label = Class::<8>::new(rng.random_range(0..8)).expect("in range");
        assert_ok("BCE vs class", &check_loss(&BinaryCrossEntropy, &p, &label));
    }
    // Confident predictions, still well inside [ε, 1 − ε] for the step.
    assert_ok(
        "BCE confident",
        &check_loss(
            &BinaryCrossEntropy,
            &[0.01, 0.99, 0.01, 0.99],
            &[1.0, 0.0, 0.0, 1.0],
        ),
    );
}

#[test]
fn binary_cross_entropy_behind_a_sigmoid() {
    type Net = (Dense<4, 6, f64>, Tanh, Dense<6, 3, f64>, Sigmoid);
    let net = Net::random(Init::GlorotNormal, &mut ChaCha8Rng::seed_from_u64(51));
    let mut rng = ChaCha8Rng::seed_from_u64(52);
    let inputs: Vec<[f64; 4]> = (0..6).map(|_| input(&mut rng, 1.0)).collect();
    let targets: Vec<[f64; 3]> = (0..6).map(|_| uniform(&mut rng, 0.0, 1.0)).collect();
    assert_ok(
        "mini-batch BCE",
        &check_batch(&net, &BinaryCrossEntropy, &inputs, &targets),
    );
}

#[test]
fn sigmoid_cross_entropy() {
    let mut rng = ChaCha8Rng::seed_from_u64(60);
    for scale in [1.0, 10.0] {
        for _ in 0..5 {
            let z = input::<8>(&mut rng, scale);
            let y = uniform::<8>(&mut rng, 0.0, 1.0);
            assert_ok(
                &format!("SigmoidCrossEntropy, logits ×{scale}"),
                &check_loss(&SigmoidCrossEntropy, &z, &y),
            );
            let label = Class::<8>::new(rng.random_range(0..8)).expect("in range");
            assert_ok(
                "SigmoidCrossEntropy vs class",
                &check_loss(&SigmoidCrossEntropy, &z, &label),
            );
        }
    }
    type Net = (Dense<4, 5, f64>, LeakyRelu, Dense<5, 2, f64>);
    let net = Net::random(Init::HeUniform, &mut ChaCha8Rng::seed_from_u64(61));
    let inputs: Vec<[f64; 4]> = (0..6).map(|_| input(&mut rng, 1.0)).collect();
    let targets: Vec<[f64; 2]> = (0..6).map(|_| uniform(&mut rng, 0.0, 1.0)).collect();
    assert_ok(
        "mini-batch SigmoidCrossEntropy",
        &check_batch(&net, &SigmoidCrossEntropy, &inputs, &targets),
    );
}

#[test]
fn networks_from_every_init_scheme() {
    type Net = (Dense<6, 5, f64>, Tanh, Dense<5, 4, f64>, Sigmoid);
    for (k, init) in [
        Init::StandardNormal,
        Init::ScaledNormal,
        Init::GlorotUniform,
        Init::GlorotNormal,
        Init::HeUniform,
        Init::HeNormal,
    ]
    .into_iter()
    .enumerate()
    {
        check_random::<Net, 6>(&format!("{init:?}"), init, 70 + k as u64);
    }
}

/// Blocks of `B` samples against the samples one by one (f32 and f64).
#[test]
fn blocks_equal_single_samples() {
    let mut rng = ChaCha8Rng::seed_from_u64(80);
    let xs: [[f64; 6]; 5] = core::array::from_fn(|_| input(&mut rng, 2.0));
    let xs32 = xs.map(|x| x.map(|v| v as f32));
    assert_ok(
        "LeakyRelu block",
        &check_block(&LeakyRelu::new(0.01), &xs, 1),
    );
    assert_ok("Identity block", &check_block(&Identity, &xs, 2));
    assert_ok("Softmax block", &check_block(&Softmax, &xs, 3));
    assert!(check_block(&Softmax, &xs32, 4).max_error < 1e-5);

    type Net = (
        Dense<6, 5, f64>,
        LeakyRelu,
        Dense<5, 4, f64>,
        Identity,
        Softmax,
    );
    let net = Net::random(Init::HeNormal, &mut ChaCha8Rng::seed_from_u64(81));
    assert_ok("network block", &check_block(&net, &xs, 5));
    let one: [[f64; 6]; 1] = [xs[0]];
    assert_ok("block of one", &check_block(&net, &one, 6));

    type Net32 = (Dense<6, 5>, LeakyRelu, Dense<5, 4>, Softmax);
    let net = Net32::random(Init::GlorotUniform, &mut ChaCha8Rng::seed_from_u64(82));
    let report = check_block(&net, &xs32, 7);
    assert!(report.max_error < 1e-5, "f32 network block: {report}");
}
