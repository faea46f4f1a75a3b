//! What the benchmarks share: the networks, seeded data of MNIST's shape,
//! FLOP counts and a naive implementation to compare against.

#![allow(dead_code)] // each bench uses part of this module

use constnet::prelude::*;
use constnet::rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};

/// The lecture's network.
pub type Lecture = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);
/// The optimized architecture with 100 hidden units (logits out).
pub type Wide = (Dense<784, 100>, Relu, Dense<100, 10>);
/// A small network.
pub type Small = (Dense<16, 16>, Relu, Dense<16, 16>);

/// FLOPs of one forward pass of dense layers `(in, out)`: a multiply-add is 2.
pub const fn forward_flops(layers: &[(u64, u64)]) -> u64 {
    let mut total = 0;
    let mut k = 0;
    while k < layers.len() {
        total += 2 * layers[k].0 * layers[k].1;
        k += 1;
    }
    total
}

pub const LECTURE_FLOPS: u64 = forward_flops(&[(784, 30), (30, 10)]);
pub const WIDE_FLOPS: u64 = forward_flops(&[(784, 100), (100, 10)]);
pub const SMALL_FLOPS: u64 = forward_flops(&[(16, 16), (16, 16)]);

/// `n` seeded inputs in [0, 1), like scaled pixels.
pub fn inputs<const N: usize>(n: usize, seed: u64) -> Vec<[f32; N]> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| core::array::from_fn(|_| rng.random_range(0.0..1.0)))
        .collect()
}

/// `n` seeded labels.
pub fn labels<const C: usize>(n: usize, seed: u64) -> Vec<Class<C>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .filter_map(|_| Class::new(rng.random_range(0..C)))
        .collect()
}

/// The textbook dense layer: one dependent chain of additions per output.
#[allow(clippy::needless_range_loop)] // written the way the formula reads, on purpose
pub fn naive_dense<const I: usize, const O: usize>(
    d: &Dense<I, O>,
    x: &[f32; I],
    act: fn(f32) -> f32,
) -> [f32; O] {
    let mut y = [0.0; O];
    for o in 0..O {
        let mut s = d.bias[o];
        for i in 0..I {
            s += d.weight[o][i] * x[i];
        }
        y[o] = act(s);
    }
    y
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

pub fn relu(x: f32) -> f32 {
    x.max(0.0)
}

pub fn identity(x: f32) -> f32 {
    x
}
