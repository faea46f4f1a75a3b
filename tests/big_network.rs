//! A network with more parameters than a thread's stack holds is built,
//! trained and run on a thread with a 2 MiB stack — in the test profile,
//! i.e. a debug build.

use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};

/// 784-1024-1024-10: 1,863,690 parameters, 7.1 MiB of f32.
type Big = (
    Dense<784, 1024>,
    Relu,
    Dense<1024, 1024>,
    Relu,
    Dense<1024, 10>,
);

#[test]
fn big_network_on_a_small_stack() {
    const {
        assert!(
            <Big as Params<f32>>::NUM_PARAMS * 4 >= 4 << 20,
            "at least 4 MB of parameters"
        )
    };
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut rng = ChaCha8Rng::seed_from_u64(0);
            let mut net = Big::boxed_random(Init::HeUniform, &mut rng);
            let mut trainer = Trainer::new(SoftmaxCrossEntropy, Sgd::new(0.01_f32));
            let inputs: Vec<[f32; 784]> = (0..4).map(|i| [i as f32 / 8.0; 784]).collect();
            let labels: Vec<Class<10>> = (0..4).filter_map(Class::new).collect();
            let before = net.forward(&inputs[1]);
            let first = trainer
                .step(&mut *net, inputs.iter().zip(&labels))
                .expect("finite");
            let second = trainer
                .step(&mut *net, inputs.iter().zip(&labels))
                .expect("finite");
            let after = net.forward(&inputs[1]);
            (first, second, before != after)
        })
        .expect("spawn");
    let (first, second, changed) = worker.join().expect("no stack overflow");
    assert!(
        second < first,
        "one SGD step lowers the cost: {first} -> {second}"
    );
    assert!(changed);
}

/// Blocks are capped by their stack frame: a batch of 16 samples of the big
/// network trains on a 2 MiB stack too. (Without the cap, at opt-level 0,
/// this thread overflows its stack: checked by lifting the cap.)
#[test]
fn big_network_trains_a_batch_of_16_on_a_small_stack() {
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            let mut net = Big::boxed_random(Init::HeUniform, &mut rng);
            let mut trainer = Trainer::new(SoftmaxCrossEntropy, Sgd::new(0.01_f32));
            let inputs: Vec<[f32; 784]> = (0..16).map(|i| [i as f32 / 32.0; 784]).collect();
            let labels: Vec<Class<10>> = (0..16).filter_map(|i| Class::new(i % 10)).collect();
            trainer
                .step(&mut *net, inputs.iter().zip(&labels))
                .expect("finite")
        })
        .expect("spawn");
    let cost = worker.join().expect("no stack overflow");
    assert!(cost.is_finite() && cost > 0.0);
}
