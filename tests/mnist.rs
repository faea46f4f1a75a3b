//! The lecture's network trained for one epoch on the bundled MNIST, tested on
//! the first 1,000 test images.

use constnet::data::Mnist;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::evaluate;

type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);

#[test]
fn lecture_network_learns_mnist_in_one_epoch() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist");
    let mnist = Mnist::load(dir).expect("bundled MNIST loads");
    let test = mnist.test.head(1_000);

    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Box::new(Net::random(Init::StandardNormal, &mut rng));
    let before = evaluate(&*net, test.inputs(), test.labels(), &Quadratic).expect("1,000 images");
    let mut trainer = Box::new(Trainer::new(Quadratic, Sgd::new(3.0)));
    trainer
        .epoch(
            &mut *net,
            mnist.train.inputs(),
            mnist.train.labels(),
            10,
            &mut rng,
            1,
        )
        .expect("training does not diverge");
    let after = evaluate(&*net, test.inputs(), test.labels(), &Quadratic).expect("1,000 images");
    eprintln!(
        "test accuracy on 1,000 images after 1 epoch on 60,000: {:.2}%",
        100.0 * after.accuracy
    );
    // Chance is 10%; the full 30-epoch recipe reaches about 95%.
    assert!(
        after.accuracy >= 0.85,
        "accuracy {:.2}% (before training {:.2}%)",
        100.0 * after.accuracy,
        100.0 * before.accuracy
    );
    assert!(after.loss < before.loss, "{before:?} -> {after:?}");
}
