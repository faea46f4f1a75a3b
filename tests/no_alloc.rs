//! Inference, backpropagation and a training step (from `f32` inputs or
//! from bytes), batched inference and evaluation from bytes, and an epoch
//! after the first, never touch the heap,
//! counted by a global allocator that records this thread's allocations.

use constnet::infer::forward_all;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::evaluate;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations_during;

type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);

#[test]
fn forward_backward_and_training_step_do_not_allocate() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Box::new(Net::random(Init::StandardNormal, &mut rng));
    let mut grads = Box::new(Net::zeros());
    let mut trainer = Box::new(Trainer::new(Quadratic, Sgd::new(3.0)));
    let inputs: Vec<[f32; 784]> = (0..10).map(|i| [i as f32 / 10.0; 784]).collect();
    let labels: Vec<Class<10>> = (0..10).filter_map(Class::new).collect();
    let pixels: Vec<Pixels<784>> = (0..10).map(|i| Pixels([i * 25; 784])).collect();

    let mut outputs = vec![[0.0; 10]; pixels.len()];
    let mut sink = 0.0;
    let n = allocations_during(|| {
        let y = net.forward(&inputs[0]);
        sink += y[0];
        let block: &[[f32; 784]; 8] = inputs[..8].try_into().expect("8 samples");
        let ys = net.forward_batch(block);
        sink += ys[7][0];
        let (y, cache) = net.forward_train(block);
        let mut dx = [[0.0; 784]; 8];
        let finite = net.backward(block, &cache, &y, &mut grads, GradMode::Add, Some(&mut dx));
        sink += dx[0][0];
        assert!(finite);
        let cost = trainer
            .step(&mut *net, inputs.iter().zip(&labels))
            .expect("finite");
        sink += cost;
        // Samples stored as bytes are converted in the step, on the stack,
        // and in batched inference and evaluation.
        let cost = trainer
            .step(&mut *net, pixels.iter().zip(&labels))
            .expect("finite");
        sink += cost;
        forward_all(&*net, &pixels, &mut outputs);
        sink += outputs[9][0];
        sink += evaluate(&*net, &pixels, &labels, &Quadratic).map_or(f32::NAN, |e| e.loss as f32);
    });
    assert_eq!(n, 0, "heap allocations in the hot path");
    assert!(sink.is_finite());
}

#[test]
fn an_epoch_after_the_first_does_not_allocate() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut net = Box::new(Net::random(Init::StandardNormal, &mut rng));
    let mut trainer = Box::new(Trainer::new(Quadratic, Sgd::new(3.0)));
    let pixels: Vec<Pixels<784>> = (0..25).map(|i| Pixels([i * 10; 784])).collect();
    let labels: Vec<Class<10>> = (0..25).filter_map(|i| Class::new(i % 10)).collect();
    // The first epoch allocates the trainer's sample order.
    let first = allocations_during(|| {
        trainer
            .epoch(&mut *net, &pixels, &labels, 10, &mut rng, 1)
            .expect("finite");
    });
    assert_eq!(first, 1, "the first epoch allocates its order, once");
    let n = allocations_during(|| {
        for epoch in 2..=3 {
            trainer
                .epoch(&mut *net, &pixels[..20], &labels[..20], 10, &mut rng, epoch)
                .expect("finite");
        }
    });
    assert_eq!(n, 0, "heap allocations in a later epoch");
}
