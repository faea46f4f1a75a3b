//! What the benchmarks share: the networks, seeded data of MNIST's shape,
//! FLOP counts and a naive implementation to compare against.

#![allow(dead_code)] // each bench uses part of this module

use constnet::prelude::*;
use constnet::rand::{RngExt, SeedableRng, rngs::ChaCha8Rng, seq::SliceRandom};

/// The lecture's network.
pub type Lecture = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);
/// Two dense layers with a ReLU between them, logits out: the shape of the
/// optimized architecture and of the small network.
pub type TwoLayer<const I: usize, const H: usize, const O: usize> =
    (Dense<I, H>, Relu, Dense<H, O>);
/// The optimized architecture with 100 hidden units (logits out).
pub type Wide = TwoLayer<784, 100, 10>;
/// A small network.
pub type Small = TwoLayer<16, 16, 16>;

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

/// The naive forward pass of a two-layer ReLU network (logits out).
pub fn naive_two_layer<const I: usize, const H: usize, const O: usize>(
    net: &TwoLayer<I, H, O>,
    x: &[f32; I],
) -> [f32; O] {
    naive_dense(&net.2, &naive_dense(&net.0, x, relu), identity)
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

/// One epoch of the lecture's recipe with [`naive_lecture_step`]: the
/// samples in an order shuffled by `rng`, in batches of 10.
pub fn naive_lecture_epoch(
    net: &mut Lecture,
    grads: &mut Lecture,
    x: &[[f32; 784]],
    y: &[Class<10>],
    order: &mut [usize],
    rng: &mut ChaCha8Rng,
) {
    order.shuffle(rng);
    let mut bx = [[0.0; 784]; 10];
    let mut by = [y[0]; 10];
    for batch in order.chunks(10) {
        for (k, &i) in batch.iter().enumerate() {
            bx[k] = x[i];
            by[k] = y[i];
        }
        naive_lecture_step(net, grads, &bx[..batch.len()], &by[..batch.len()], 3.0);
    }
}

/// The textbook Adam step of the optimized recipe (ReLU hidden layer,
/// softmax cross-entropy on the logits): per-sample backpropagation with
/// plain loops, then Adam with the defaults of `Adam::new` (β₁ = 0.9,
/// β₂ = 0.999, ε = 10⁻⁷ added to √v, the bias correction folded into the
/// step size), one parameter at a time.
pub struct NaiveAdam<const I: usize, const H: usize, const O: usize> {
    /// The mini-batch gradient of the last step.
    pub grads: Box<TwoLayer<I, H, O>>,
    m: Box<TwoLayer<I, H, O>>,
    v: Box<TwoLayer<I, H, O>>,
    t: i32,
    learning_rate: f32,
}

impl<const I: usize, const H: usize, const O: usize> NaiveAdam<I, H, O> {
    /// Zero moments, before the first step.
    pub fn new(learning_rate: f32) -> Self {
        Self {
            grads: TwoLayer::boxed_zeros(),
            m: TwoLayer::boxed_zeros(),
            v: TwoLayer::boxed_zeros(),
            t: 0,
            learning_rate,
        }
    }

    /// The gradient of the mean softmax cross-entropy over the batch, into
    /// `self.grads`.
    #[allow(clippy::needless_range_loop)] // written the way the formulas read, on purpose
    pub fn gradient(&mut self, net: &TwoLayer<I, H, O>, x: &[[f32; I]], y: &[Class<O>]) {
        let g = &mut *self.grads;
        g.0.weight.as_flattened_mut().fill(0.0);
        g.0.bias.fill(0.0);
        g.2.weight.as_flattened_mut().fill(0.0);
        g.2.bias.fill(0.0);
        let scale = 1.0 / x.len() as f32;
        for (x, y) in x.iter().zip(y) {
            let h = naive_dense(&net.0, x, relu);
            let z = naive_dense(&net.2, &h, identity);
            let max = z.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
            let e = z.map(|z| (z - max).exp());
            let sum: f32 = e.iter().sum();
            let t: [f32; O] = y.one_hot();
            let mut dz = [0.0; O];
            for o in 0..O {
                dz[o] = (e[o] / sum - t[o]) * scale;
                g.2.bias[o] += dz[o];
                for j in 0..H {
                    g.2.weight[o][j] += dz[o] * h[j];
                }
            }
            for j in 0..H {
                if h[j] <= 0.0 {
                    continue;
                }
                let mut dh = 0.0;
                for o in 0..O {
                    dh += net.2.weight[o][j] * dz[o];
                }
                g.0.bias[j] += dh;
                for i in 0..I {
                    g.0.weight[j][i] += dh * x[i];
                }
            }
        }
    }

    /// [`gradient`](Self::gradient), then one Adam update of `net`.
    pub fn step(&mut self, net: &mut TwoLayer<I, H, O>, x: &[[f32; I]], y: &[Class<O>]) {
        self.gradient(net, x, y);
        self.t += 1;
        let (b1, b2, eps) = (0.9_f32, 0.999_f32, 1e-7_f32);
        let alpha = self.learning_rate * (1.0 - b2.powi(self.t)).sqrt() / (1.0 - b1.powi(self.t));
        // Every tensor of the network with its gradient and moments (the
        // crate's parameter walk), each updated one element at a time.
        let items = [net, &mut *self.grads, &mut *self.m, &mut *self.v];
        TwoLayer::visit_n(items, |_, [p, g, m, v]| {
            for i in 0..p.len() {
                m[i] = b1 * m[i] + (1.0 - b1) * g[i];
                v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
                p[i] -= alpha * m[i] / (v[i].sqrt() + eps);
            }
        });
    }

    /// One epoch: the samples in an order shuffled by `rng`, in batches of
    /// 32, each copied into `bx`/`by` first (as the trainer copies its
    /// blocks).
    pub fn epoch(
        &mut self,
        net: &mut TwoLayer<I, H, O>,
        x: &[[f32; I]],
        y: &[Class<O>],
        order: &mut [usize],
        rng: &mut ChaCha8Rng,
    ) {
        order.shuffle(rng);
        let mut bx = [[0.0; I]; 32];
        let mut by = [y[0]; 32];
        for batch in order.chunks(32) {
            for (k, &i) in batch.iter().enumerate() {
                bx[k] = x[i];
                by[k] = y[i];
            }
            self.step(net, &bx[..batch.len()], &by[..batch.len()]);
        }
    }
}
