//! Inference of 784-30-10 (sigmoid), 784-100-10 (ReLU) and 16-16-16 (ReLU):
//! one sample at a time, and 10,000 samples (the size of MNIST's test set)
//! in blocks on one and on two threads, each against a naive loop.
//!
//! `cargo bench -p constnet-bench --bench forward`; throughput in elements/s is FLOP/s for
//! single samples and samples/s for the data set.

mod common;

use std::hint::black_box;
use std::num::NonZeroUsize;

use common::*;
use constnet::infer::{forward_all, forward_all_parallel};
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

fn single(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let x = inputs::<784>(1, 1)[0];
    let mut group = c.benchmark_group("forward/single");

    let net = Lecture::random(Init::StandardNormal, &mut rng);
    group.throughput(Throughput::Elements(LECTURE_FLOPS));
    group.bench_function("784-30-10/constnet", |b| {
        b.iter(|| black_box(&net).forward(black_box(&x)))
    });
    group.bench_function("784-30-10/naive", |b| {
        b.iter(|| {
            naive_dense(
                &net.2,
                &naive_dense(&net.0, black_box(&x), sigmoid),
                sigmoid,
            )
        })
    });

    let wide = Wide::random(Init::HeUniform, &mut rng);
    group.throughput(Throughput::Elements(WIDE_FLOPS));
    group.bench_function("784-100-10/constnet", |b| {
        b.iter(|| black_box(&wide).forward(black_box(&x)))
    });
    group.bench_function("784-100-10/naive", |b| {
        b.iter(|| naive_two_layer(&wide, black_box(&x)))
    });

    let small = Small::random(Init::HeUniform, &mut rng);
    let xs = inputs::<16>(1, 2)[0];
    group.throughput(Throughput::Elements(SMALL_FLOPS));
    group.bench_function("16-16-16/constnet", |b| {
        b.iter(|| black_box(&small).forward(black_box(&xs)))
    });
    group.bench_function("16-16-16/naive", |b| {
        b.iter(|| naive_two_layer(&small, black_box(&xs)))
    });
    group.finish();
}

fn dataset(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let x = inputs::<784>(10_000, 3);
    let two = NonZeroUsize::new(2).expect("2 > 0");
    let mut group = c.benchmark_group("forward/10k");
    group.throughput(Throughput::Elements(x.len() as u64));
    group.sample_size(20);

    let net = Lecture::random(Init::StandardNormal, &mut rng);
    let mut y = vec![[0.0; 10]; x.len()];
    group.bench_function("784-30-10/1-thread", |b| {
        b.iter(|| forward_all(&net, &x, &mut y))
    });
    group.bench_function("784-30-10/2-threads", |b| {
        b.iter(|| forward_all_parallel(&net, &x, &mut y, two))
    });
    // The same samples stored as bytes (MNIST's format), converted a block
    // at a time.
    let px = pixels::<784>(x.len(), 3);
    group.bench_function("784-30-10/1-thread/pixels", |b| {
        b.iter(|| forward_all(&net, &px, &mut y))
    });
    group.bench_function("784-30-10/naive", |b| {
        b.iter(|| {
            for (x, y) in x.iter().zip(y.iter_mut()) {
                *y = naive_dense(&net.2, &naive_dense(&net.0, x, sigmoid), sigmoid);
            }
        })
    });
    group.bench_function("784-30-10/one-by-one", |b| {
        b.iter(|| {
            for (x, y) in x.iter().zip(y.iter_mut()) {
                *y = net.forward(x);
            }
        })
    });

    let wide = Wide::random(Init::HeUniform, &mut rng);
    two_layer(&mut group, "784-100-10", &wide, &x);
    let small = Small::random(Init::HeUniform, &mut rng);
    two_layer(&mut group, "16-16-16", &small, &inputs::<16>(x.len(), 4));
    group.finish();
}

/// `forward_all` on one and two threads, and the naive loop, for a
/// two-layer ReLU network on the samples `x`.
fn two_layer<const I: usize, const H: usize, const O: usize>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    net: &TwoLayer<I, H, O>,
    x: &[[f32; I]],
) {
    let two = NonZeroUsize::new(2).expect("2 > 0");
    let mut y = vec![[0.0; O]; x.len()];
    group.bench_function(format!("{name}/1-thread"), |b| {
        b.iter(|| forward_all(net, x, &mut y))
    });
    group.bench_function(format!("{name}/2-threads"), |b| {
        b.iter(|| forward_all_parallel(net, x, &mut y, two))
    });
    group.bench_function(format!("{name}/naive"), |b| {
        b.iter(|| {
            for (x, y) in x.iter().zip(y.iter_mut()) {
                *y = naive_two_layer(net, x);
            }
        })
    });
}

criterion_group!(benches, single, dataset);
criterion_main!(benches);
