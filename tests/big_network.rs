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

/// Runs `f` with a freshly initialised boxed `Big` network, a trainer with
/// `optimizer` (its state built by the trainer, on the heap) and `m` inputs
/// with labels, on a thread with a 2 MiB stack.
fn on_small_stack<O: Optimizer<f32> + Send + 'static, R: Send + 'static>(
    m: usize,
    optimizer: O,
    f: impl FnOnce(
        &mut Big,
        &mut Trainer<Big, SoftmaxCrossEntropy, O>,
        &[[f32; 784]],
        &[Class<10>],
    ) -> R
    + Send
    + 'static,
) -> R {
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut rng = ChaCha8Rng::seed_from_u64(m as u64);
            let mut net = Big::boxed_random(Init::HeUniform, &mut rng);
            let mut trainer = Trainer::new(SoftmaxCrossEntropy, optimizer);
            let inputs: Vec<[f32; 784]> =
                (0..m).map(|i| [i as f32 / (2 * m) as f32; 784]).collect();
            let labels: Vec<Class<10>> = (0..m).filter_map(|i| Class::new(i % 10)).collect();
            f(&mut net, &mut trainer, &inputs, &labels)
        })
        .expect("spawn");
    worker.join().expect("no stack overflow")
}

#[test]
fn big_network_on_a_small_stack() {
    const {
        assert!(
            <Big as Params<f32>>::NUM_PARAMS * 4 >= 4 << 20,
            "at least 4 MB of parameters"
        )
    };
    let (first, second, changed) =
        on_small_stack(4, Sgd::new(0.01), |net, trainer, inputs, labels| {
            let before = net.forward(&inputs[1]);
            let first = trainer
                .step(net, inputs.iter().zip(labels))
                .expect("finite");
            let second = trainer
                .step(net, inputs.iter().zip(labels))
                .expect("finite");
            (first, second, before != net.forward(&inputs[1]))
        });
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
    let cost = on_small_stack(16, Sgd::new(0.01), |net, trainer, inputs, labels| {
        trainer
            .step(net, inputs.iter().zip(labels))
            .expect("finite")
    });
    assert!(cost.is_finite() && cost > 0.0);
}

/// Adam's two moments are network-sized too: the trainer builds them on the
/// heap in place, so three copies of the network (gradient, `m`, `v`) never
/// pass through the 2 MiB stack.
#[test]
fn adam_on_the_big_network_fits_a_small_stack() {
    let (cost, second_moment_grew) =
        on_small_stack(4, Adam::new(1e-3), |net, trainer, inputs, labels| {
            assert_eq!(trainer.state().len(), 2);
            let cost = trainer
                .step(net, inputs.iter().zip(labels))
                .expect("finite");
            let v = &trainer.state()[1];
            (cost, v.0.weight.as_flattened().iter().any(|&v| v > 0.0))
        });
    assert!(cost.is_finite() && second_moment_grew);
}
