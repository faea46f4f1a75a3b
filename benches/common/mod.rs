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

/// `n` seeded byte images: the same kind of data as [`inputs`], stored as
/// MNIST stores it.
pub fn pixels<const N: usize>(n: usize, seed: u64) -> Vec<Pixels<N>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| Pixels(core::array::from_fn(|_| rng.random_range(0..=255_u8))))
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

/// The textbook mini-batch SGD step of the lecture's recipe (quadratic cost,
/// sigmoid): per-sample backpropagation with plain loops, as in the
/// lecture's derivation. `grads` is scratch space of the network's shape.
#[allow(clippy::needless_range_loop)] // written the way the formulas read, on purpose
pub fn naive_lecture_step(
    net: &mut Lecture,
    grads: &mut Lecture,
    x: &[[f32; 784]],
    y: &[Class<10>],
    eta: f32,
) {
    *grads = Lecture::zeros();
    for (x, y) in x.iter().zip(y) {
        let a1 = naive_dense(&net.0, x, sigmoid);
        let a2 = naive_dense(&net.2, &a1, sigmoid);
        let t: [f32; 10] = y.one_hot();
        let mut d2 = [0.0; 10];
        for o in 0..10 {
            d2[o] = (a2[o] - t[o]) * a2[o] * (1.0 - a2[o]);
            grads.2.bias[o] += d2[o];
            for i in 0..30 {
                grads.2.weight[o][i] += d2[o] * a1[i];
            }
        }
        for h in 0..30 {
            let mut back = 0.0;
            for o in 0..10 {
                back += net.2.weight[o][h] * d2[o];
            }
            let d1 = back * a1[h] * (1.0 - a1[h]);
            grads.0.bias[h] += d1;
            for i in 0..784 {
                grads.0.weight[h][i] += d1 * x[i];
            }
        }
    }
    let step = eta / x.len() as f32;
    for h in 0..30 {
        net.0.bias[h] -= step * grads.0.bias[h];
        for i in 0..784 {
            net.0.weight[h][i] -= step * grads.0.weight[h][i];
        }
    }
    for o in 0..10 {
        net.2.bias[o] -= step * grads.2.bias[o];
        for i in 0..30 {
            net.2.weight[o][i] -= step * grads.2.weight[o][i];
        }
    }
}
