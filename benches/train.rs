//! Training: one step, and one full epoch over 60,000 samples of MNIST's
//! shape, for the lecture's recipe (784-30-10, sigmoid, quadratic cost, SGD,
//! batch 10), the optimized one at 784-100-10 (ReLU, softmax cross-entropy,
//! Adam, batch 32) and a small 16-16-16 network (ReLU, softmax
//! cross-entropy, Adam, batch 32), each against a naive implementation of
//! the same recipe (`/naive`: plain loops, as the lecture derives them; see
//! `common`). Epochs run on samples stored as `f32` and, for the MNIST-sized
//! networks, on the same kind of samples stored as bytes (`/pixels`,
//! MNIST's own format, converted as each block is copied).
//!
//! `cargo bench -p constnet-bench --bench train`; throughput is samples/s.

mod common;

use common::*;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use std::hint::black_box;
use std::time::Duration;

use cpu_time::ThreadTime;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

fn step(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let x = inputs::<784>(32, 1);
    let y = labels::<10>(32, 2);
    let mut group = c.benchmark_group("train/step");

    let mut net = Lecture::random(Init::StandardNormal, &mut rng);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0_f32));
    group.throughput(Throughput::Elements(10));
    group.bench_function("784-30-10/sgd/batch10", |b| {
        b.iter(|| trainer.step(&mut net, x[..10].iter().zip(&y[..10])))
    });
    let mut scratch = Lecture::zeros();
    group.bench_function("784-30-10/sgd/batch10/naive", |b| {
        b.iter(|| naive_lecture_step(&mut net, &mut scratch, &x[..10], &y[..10], 3.0))
    });

    let mut wide = Wide::boxed_random(Init::HeUniform, &mut rng);
    let mut trainer = Trainer::new(SoftmaxCrossEntropy, Adam::new(1e-3_f32));
    group.throughput(Throughput::Elements(32));
    group.bench_function("784-100-10/adam/batch32", |b| {
        b.iter(|| trainer.step(&mut *wide, x.iter().zip(&y)))
    });
    let mut naive = NaiveAdam::<784, 100, 10>::new(1e-3);
    group.bench_function("784-100-10/adam/batch32/naive", |b| {
        b.iter(|| naive.step(&mut wide, &x, &y))
    });

    let mut small = Small::random(Init::HeUniform, &mut rng);
    let xs = inputs::<16>(32, 3);
    let ys = labels::<16>(32, 4);
    let mut trainer = Trainer::new(SoftmaxCrossEntropy, Adam::new(1e-3_f32));
    group.bench_function("16-16-16/adam/batch32", |b| {
        b.iter(|| trainer.step(&mut small, xs.iter().zip(&ys)))
    });
    let mut naive = NaiveAdam::<16, 16, 16>::new(1e-3);
    group.bench_function("16-16-16/adam/batch32/naive", |b| {
        b.iter(|| naive.step(&mut small, &xs, &ys))
    });
    group.finish();
}

fn epoch(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let x = inputs::<784>(60_000, 5);
    let y = labels::<10>(60_000, 6);
    let px = pixels::<784>(60_000, 5);
    let mut group = c.benchmark_group("train/epoch60k");
    group.throughput(Throughput::Elements(x.len() as u64));
    group.sample_size(10);

    let mut net = Lecture::random(Init::StandardNormal, &mut rng);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0_f32));
    let mut shuffle = ChaCha8Rng::seed_from_u64(7);
    wall_and_cpu(&mut group, "784-30-10/sgd/batch10", || {
        trainer.epoch(&mut net, &x, &y, 10, &mut shuffle, 1)
    });
    wall_and_cpu(&mut group, "784-30-10/sgd/batch10/pixels", || {
        trainer.epoch(&mut net, &px, &y, 10, &mut shuffle, 1)
    });
    let (mut scratch, mut order) = (Lecture::zeros(), (0..x.len()).collect::<Vec<_>>());
    group.bench_function("784-30-10/sgd/batch10/naive", |b| {
        b.iter(|| naive_lecture_epoch(&mut net, &mut scratch, &x, &y, &mut order, &mut shuffle))
    });

    let mut wide = Wide::boxed_random(Init::HeUniform, &mut rng);
    let mut trainer = Trainer::new(SoftmaxCrossEntropy, Adam::new(1e-3_f32));
    wall_and_cpu(&mut group, "784-100-10/adam/batch32", || {
        trainer.epoch(&mut *wide, &x, &y, 32, &mut shuffle, 1)
    });
    wall_and_cpu(&mut group, "784-100-10/adam/batch32/pixels", || {
        trainer.epoch(&mut *wide, &px, &y, 32, &mut shuffle, 1)
    });
    let mut naive = NaiveAdam::<784, 100, 10>::new(1e-3);
    group.bench_function("784-100-10/adam/batch32/naive", |b| {
        b.iter(|| naive.epoch(&mut wide, &x, &y, &mut order, &mut shuffle))
    });

    let xs = inputs::<16>(60_000, 7);
    let ys = labels::<16>(60_000, 8);
    let mut small = Small::random(Init::HeUniform, &mut rng);
    let mut trainer = Trainer::new(SoftmaxCrossEntropy, Adam::new(1e-3_f32));
    wall_and_cpu(&mut group, "16-16-16/adam/batch32", || {
        trainer.epoch(&mut small, &xs, &ys, 32, &mut shuffle, 1)
    });
    let mut naive = NaiveAdam::<16, 16, 16>::new(1e-3);
    group.bench_function("16-16-16/adam/batch32/naive", |b| {
        b.iter(|| naive.epoch(&mut small, &xs, &ys, &mut order, &mut shuffle))
    });
    group.finish();
}

/// Benchmarks `run` twice: criterion's wall-clock time under `name`, and
/// the CPU time of this thread under `name/cpu-time`, which leaves out the
/// time the thread waits while another process has the core. On this
/// shared 2-core machine the second is the steadier of the two.
fn wall_and_cpu<R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    mut run: impl FnMut() -> R,
) {
    group.bench_function(name, |b| b.iter(&mut run));
    group.bench_function(format!("{name}/cpu-time"), |b| {
        b.iter_custom(|iters| cpu_time(iters, &mut run))
    });
}

/// The CPU time this thread spends running `f` `iters` times.
fn cpu_time<R>(iters: u64, mut f: impl FnMut() -> R) -> Duration {
    let start = ThreadTime::now();
    for _ in 0..iters {
        black_box(f());
    }
    start.elapsed()
}

criterion_group!(benches, step, epoch);
criterion_main!(benches);
