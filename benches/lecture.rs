//! The lecture's 784-30-10 sigmoid network: single-sample inference and one
//! SGD step on a mini-batch of 10, each beside a naive implementation of the
//! same computation measured in the same run.
//!
//! `cargo bench --bench lecture`

use std::hint::black_box;

use constnet::prelude::*;
use constnet::rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);

/// Multiply-adds of one forward pass.
const MACS: u64 = 784 * 30 + 30 * 10;

/// The textbook loop: one dependent chain of additions per output.
#[allow(clippy::needless_range_loop)] // written the way the formula reads, on purpose
fn naive_forward(net: &Net, x: &[f32; 784]) -> [f32; 10] {
    fn layer<const I: usize, const O: usize>(d: &Dense<I, O>, x: &[f32; I]) -> [f32; O] {
        let mut y = [0.0; O];
        for o in 0..O {
            let mut s = d.bias[o];
            for i in 0..I {
                s += d.weight[o][i] * x[i];
            }
            y[o] = 1.0 / (1.0 + (-s).exp());
        }
        y
    }
    layer(&net.2, &layer(&net.0, x))
}

fn input(rng: &mut ChaCha8Rng) -> [f32; 784] {
    core::array::from_fn(|_| rng.random_range(0.0..1.0))
}

fn forward(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let net = Net::random(Init::StandardNormal, &mut rng);
    let x = input(&mut rng);
    let mut group = c.benchmark_group("lecture/forward");
    group.throughput(Throughput::Elements(2 * MACS)); // FLOPs per call
    group.bench_function("constnet", |b| {
        b.iter(|| black_box(&net).forward(black_box(&x)))
    });
    group.bench_function("naive", |b| {
        b.iter(|| naive_forward(black_box(&net), black_box(&x)))
    });
    group.finish();
}

fn train_step(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Net::random(Init::StandardNormal, &mut rng);
    let inputs: Vec<[f32; 784]> = (0..10).map(|_| input(&mut rng)).collect();
    let labels: Vec<Class<10>> = (0..10).filter_map(Class::new).collect();
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0));
    let mut group = c.benchmark_group("lecture/train_step");
    group.throughput(Throughput::Elements(10)); // samples per call
    group.bench_function("batch10", |b| {
        b.iter(|| trainer.step(&mut net, inputs.iter().zip(&labels)))
    });
    group.finish();
}

criterion_group!(benches, forward, train_step);
criterion_main!(benches);
