//! Samples stored in other forms than the network's input (bytes as
//! `Pixels`, or a type of the user's) train and run exactly like their
//! converted inputs.

use constnet::data::Dataset;
use constnet::infer::forward_all;
use constnet::prelude::*;
use constnet::rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};
use constnet::train::{FitConfig, evaluate};

#[path = "common/param_bits.rs"]
mod param_bits;

use param_bits::param_bits;

type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);

/// `n` random byte images with random labels.
fn data(n: usize, seed: u64) -> Dataset<784, 10, Pixels<784>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let images = (0..n)
        .map(|_| Pixels(core::array::from_fn(|_| rng.random_range(0..=255_u8))))
        .collect();
    let labels = (0..n)
        .filter_map(|_| Class::new(rng.random_range(0..10)))
        .collect();
    Dataset::from_samples(images, labels).expect("as many labels as images")
}

/// The same data as `f32` inputs, each level divided by 255 here (not by
/// the crate's conversion, which is what is tested).
fn divided(bytes: &Dataset<784, 10, Pixels<784>>) -> Dataset<784, 10> {
    let inputs = bytes
        .inputs()
        .iter()
        .map(|p| p.0.map(|v| f32::from(v) / 255.0))
        .collect();
    Dataset::new(inputs, bytes.labels().to_vec()).expect("as many labels as images")
}

#[test]
fn training_on_pixels_is_bit_identical_to_training_on_their_f32_inputs() {
    let bytes = data(237, 1);
    let floats = divided(&bytes);
    assert_eq!(floats, bytes.to_f32());
    // Batch sizes that run as one block, as several, and with a short last batch.
    for batch_size in [10, 7, 32] {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let start = Box::new(Net::random(Init::StandardNormal, &mut rng));
        let (mut a, mut b) = (start.clone(), start);
        let (mut ta, mut tb) = (
            Trainer::new(Quadratic, Sgd::new(3.0)),
            Trainer::new(Quadratic, Sgd::new(3.0)),
        );
        let (mut ra, mut rb) = (ChaCha8Rng::seed_from_u64(3), ChaCha8Rng::seed_from_u64(3));
        for epoch in 1..=2 {
            let ca = ta
                .epoch(
                    &mut *a,
                    bytes.inputs(),
                    bytes.labels(),
                    batch_size,
                    &mut ra,
                    epoch,
                )
                .expect("finite");
            let cb = tb
                .epoch(
                    &mut *b,
                    floats.inputs(),
                    floats.labels(),
                    batch_size,
                    &mut rb,
                    epoch,
                )
                .expect("finite");
            assert_eq!(
                ca.to_bits(),
                cb.to_bits(),
                "batch {batch_size}, epoch {epoch}"
            );
        }
        assert_eq!(param_bits(&*a), param_bits(&*b), "batch {batch_size}");
        // The networks did train (the check above is not between two
        // untouched copies).
        assert_ne!(
            param_bits(&*a),
            param_bits(&Net::random(
                Init::StandardNormal,
                &mut ChaCha8Rng::seed_from_u64(2)
            ))
        );
    }
}

#[test]
fn fit_and_evaluate_on_pixels_match_their_f32_inputs() {
    let train = data(120, 4);
    let test = data(50, 5);
    let (train32, test32) = (divided(&train), divided(&test));
    let run = |use_bytes: bool| {
        let mut net = Box::new(Net::random(
            Init::StandardNormal,
            &mut ChaCha8Rng::seed_from_u64(6),
        ));
        let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0));
        let config = FitConfig::new(2, 10).seed(7);
        let history = if use_bytes {
            trainer.fit(
                &mut *net,
                train.inputs(),
                train.labels(),
                Some((test.inputs(), test.labels())),
                config,
                (),
            )
        } else {
            trainer.fit(
                &mut *net,
                train32.inputs(),
                train32.labels(),
                Some((test32.inputs(), test32.labels())),
                config,
                (),
            )
        };
        let history = history.expect("finite");
        let losses: Vec<u64> = history.epochs.iter().map(|e| e.loss.to_bits()).collect();
        (
            param_bits(&*net),
            losses,
            history.last().and_then(|e| e.validation),
        )
    };
    let (bytes, floats) = (run(true), run(false));
    assert_eq!(bytes.0, floats.0);
    assert_eq!(bytes.1, floats.1);
    // Inference converts the bytes into aligned blocks of its own, while
    // `f32` samples are read in place: the kernels' sums do not depend on
    // where the samples lie, so the results are the same to the bit.
    assert_eq!(bytes.2, floats.2);
    let net = Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(8));
    let eb = evaluate(&net, test.inputs(), test.labels(), &Quadratic).expect("samples");
    let ef = evaluate(&net, test32.inputs(), test32.labels(), &Quadratic).expect("samples");
    assert_eq!(eb, ef);
    assert_eq!(eb.loss.to_bits(), ef.loss.to_bits());
}

/// A user's own compact sample: two signed bytes in fixed point, `v / 64`.
struct Fixed([i8; 2]);

impl Sample<[f64; 2]> for Fixed {
    fn write_input(&self, input: &mut [f64; 2]) {
        *input = self.0.map(|v| f64::from(v) / 64.0);
    }
}

#[test]
fn a_custom_sample_type_trains_and_runs() {
    // y = x₀ − x₁ with one linear neuron, from fixed-point samples.
    let samples: Vec<Fixed> = (-3..=3)
        .flat_map(|a: i8| (-3..=3).map(move |b: i8| Fixed([a * 16, b * 16])))
        .collect();
    let targets: Vec<[f64; 1]> = samples
        .iter()
        .map(|s| {
            let x = s.to_input();
            [x[0] - x[1]]
        })
        .collect();
    let mut net = (Dense::<2, 1, f64>::zeros(),);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(0.5));
    for _ in 0..300 {
        trainer
            .step(&mut net, samples.iter().zip(&targets))
            .expect("finite");
    }
    assert!((net.0.weight[0][0] - 1.0).abs() < 1e-6, "{:?}", net.0);
    assert!((net.0.weight[0][1] + 1.0).abs() < 1e-6, "{:?}", net.0);
    let mut out = vec![[0.0]; samples.len()];
    forward_all(&net, &samples, &mut out);
    for (y, t) in out.iter().zip(&targets) {
        assert!((y[0] - t[0]).abs() < 1e-6);
    }
}
