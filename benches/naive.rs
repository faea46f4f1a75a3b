//! The naive implementations the benchmarks compare against compute what
//! constnet computes: each ratio in `BENCHMARKS.md` is between two
//! programs that do the same work.
//!
//! `cargo test -p constnet-bench`.

mod common;

use common::*;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train;

/// The largest difference between `a` and `b`, relative to the largest
/// magnitude in `b`.
fn relative_gap(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
    assert!(scale > 0.0, "all zero: the comparison would prove nothing");
    let gap = a
        .iter()
        .zip(b)
        .fold(0.0_f32, |m, (x, y)| m.max((x - y).abs()));
    gap / scale
}

/// Every parameter of a network, flattened in the crate's order.
fn flat<N: Params<f32>>(n: &N) -> Vec<f32> {
    let mut all = Vec::new();
    n.visit(|_, t| all.extend_from_slice(t));
    all
}

/// [`relative_gap`] between the updates that took `before` to `naive` and
/// to `trainer`: the updates, not the parameters, which would agree even
/// if the updates did not.
fn update_gap<N: Params<f32>>(naive: &N, trainer: &N, before: &N) -> f32 {
    let before = flat(before);
    let change = |n: &N| -> Vec<f32> { flat(n).iter().zip(&before).map(|(a, b)| a - b).collect() };
    relative_gap(&change(naive), &change(trainer))
}

#[test]
fn naive_lecture_step_is_the_trainers_step() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x = inputs::<784>(10, 2);
    let y = labels::<10>(10, 3);
    let mut naive = Lecture::random(Init::StandardNormal, &mut rng);
    let mut net = naive.clone();
    let before = net.clone();
    naive_lecture_step(&mut naive, &mut Lecture::zeros(), &x, &y, 3.0);
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0_f32));
    trainer
        .step(&mut net, x.iter().zip(&y))
        .expect("a finite step");
    let gap = update_gap(&naive, &net, &before);
    assert!(gap < 1e-4, "relative gap {gap}");
}

fn adam_gradients_agree<const I: usize, const H: usize, const O: usize>(seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = inputs::<I>(32, seed + 1);
    let y = labels::<O>(32, seed + 2);
    let net = TwoLayer::<I, H, O>::boxed_random(Init::HeUniform, &mut rng);
    let mut naive = NaiveAdam::<I, H, O>::new(1e-3);
    naive.gradient(&net, &x, &y);
    let mut grads = TwoLayer::<I, H, O>::boxed_zeros();
    train::gradient(&*net, &SoftmaxCrossEntropy, &mut *grads, x.iter().zip(&y))
        .expect("a finite gradient");
    let gap = relative_gap(&flat(&*naive.grads), &flat(&*grads));
    assert!(gap < 1e-4, "relative gap {gap}");
}

#[test]
fn naive_adam_gradient_is_constnets_for_the_wide_network() {
    adam_gradients_agree::<784, 100, 10>(10);
}

#[test]
fn naive_adam_gradient_is_constnets_for_the_small_network() {
    adam_gradients_agree::<16, 16, 16>(20);
}

#[test]
fn naive_adam_steps_are_the_trainers_steps() {
    let mut rng = ChaCha8Rng::seed_from_u64(30);
    let x = inputs::<16>(64, 31);
    let y = labels::<16>(64, 32);
    let mut naive_net = Small::random(Init::HeUniform, &mut rng);
    let mut net = naive_net.clone();
    let before = net.clone();
    let mut naive = NaiveAdam::<16, 16, 16>::new(1e-3);
    let mut trainer = Trainer::new(SoftmaxCrossEntropy, Adam::new(1e-3_f32));
    for b in 0..2 {
        let (xs, ys) = (&x[b * 32..][..32], &y[b * 32..][..32]);
        naive.step(&mut naive_net, xs, ys);
        trainer
            .step(&mut net, xs.iter().zip(ys))
            .expect("a finite step");
    }
    let gap = update_gap(&naive_net, &net, &before);
    assert!(gap < 1e-5, "relative gap {gap}");
}
