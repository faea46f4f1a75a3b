//! Finite-difference gradient checks for layers, networks and losses.
//!
//! Backpropagation is easy to get subtly wrong; these checks compare the
//! analytic gradients of any [`Layer`] (a single layer or a whole network) and
//! any [`Loss`] with central finite differences
//! `∂f/∂θ ≈ (f(θ + h) − f(θ − h)) / 2h`, in `f64`. They are what constnet's
//! own tests run against every layer, and they work on layers you write.
//!
//! A layer's output is reduced to a scalar by a fixed random projection
//! `f = Σₖ rₖ·yₖ`, so `∂f/∂y = r` and one backward pass gives every gradient.
//!
//! # Examples
//! ```
//! use constnet::prelude::*;
//! use constnet::gradcheck::check_layer;
//! use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
//!
//! let mut rng = ChaCha8Rng::seed_from_u64(0);
//! let net = <(Dense<3, 4, f64>, Tanh, Dense<4, 2, f64>, Sigmoid)>::random(Init::StandardNormal, &mut rng);
//! let report = check_layer(&net, &[0.3, -0.2, 0.9], 1);
//! assert!(report.max_error < 1e-6, "{report}");
//! // 3 inputs, 2 finiteness reports, each parameter stored and added.
//! assert_eq!(report.checked, 3 + 2 + 2 * <(Dense<3, 4, f64>, Tanh, Dense<4, 2, f64>, Sigmoid)>::NUM_PARAMS);
//! ```

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use num_traits::{NumCast, ToPrimitive, Zero};
use rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};

use crate::{GradMode, Layer, Loss, Params, Sgd, Tensor, Trainer};

/// Step of the central differences: small enough that the truncation error
/// `h²·f'''/6` is negligible, large enough that rounding (`ε·|f|/h`) is too.
const STEP: f64 = 1e-5;

/// Gradients smaller than this are compared by absolute rather than relative
/// error: their finite-difference estimate is dominated by rounding.
const FLOOR: f64 = 1e-2;

/// The outcome of a gradient check.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The largest error over all checked entries:
    /// `|analytic − numeric| / max(|analytic|, |numeric|, 0.01)`.
    pub max_error: f64,
    /// Which entry had it, e.g. `"input[3]"` or `"param[120]"`.
    pub worst: String,
    /// How many entries were compared.
    pub checked: usize,
}

impl Report {
    fn new() -> Self {
        Self {
            max_error: 0.0,
            worst: String::new(),
            checked: 0,
        }
    }

    fn compare(&mut self, what: &str, index: usize, analytic: f64, numeric: f64) {
        let scale = analytic.abs().max(numeric.abs()).max(FLOOR);
        let error = (analytic - numeric).abs() / scale;
        // NaN errors must not hide behind `>`.
        if error.is_nan() || error > self.max_error {
            self.max_error = if error.is_nan() { f64::INFINITY } else { error };
            self.worst = format!("{what}[{index}]: analytic {analytic:e}, numeric {numeric:e}");
        }
        self.checked += 1;
    }

    /// A failure that no comparison measures: an infinite error.
    fn fail(&mut self, why: String) {
        self.max_error = f64::INFINITY;
        self.worst = why;
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "max relative error {:e} over {} entries (worst: {})",
            self.max_error, self.checked, self.worst
        )
    }
}

/// `Σₖ rₖ·yₖ`.
fn project(r: &[f64], y: &[f64]) -> f64 {
    r.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// Checks every input gradient and parameter gradient of `layer` at input `x`
/// against central finite differences. The projection of the output is drawn
/// from `seed`. Also checks that [`backward`](Layer::backward) adds to the
/// gradient buffer in [`GradMode::Add`] and overwrites it in
/// [`GradMode::Store`], that it gives the same parameter gradients with and
/// without an input gradient to write, that it reports finite gradients
/// as finite, and that the layer's parameter description agrees with
/// itself ([`Params::check`]; a disagreement is an infinite error naming
/// it).
///
/// Cost: two forward passes per input and parameter entry; meant for small
/// layers and networks. Avoid inputs at a kink (e.g. [`Relu`](crate::Relu) at 0).
#[must_use]
pub fn check_layer<L, I>(layer: &L, x: &I, seed: u64) -> Report
where
    I: Tensor<Scalar = f64>,
    L: Layer<I>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut r = <L::Output as Tensor>::zeros();
    for v in r.as_mut_slice() {
        *v = rng.random_range(-1.0..1.0);
    }
    let f = |layer: &L, x: &I| project(r.as_slice(), layer.forward(x).as_slice());

    let mut report = Report::new();
    if let Err(e) = layer.check() {
        report.fail(format!("layout: {e}"));
        return report;
    }
    // Analytic, added twice onto a buffer that starts at one (the result
    // must be 1 + 2g), and stored over a buffer of NaN (the result must be
    // g).
    let xs = core::array::from_ref(x);
    let (_, cache) = layer.forward_train(xs);
    let mut grads = layer.clone();
    grads.visit_mut(|_, p| p.fill(1.0));
    let dy = core::array::from_ref(&r);
    let mut dx = [I::zeros()];
    let finite = layer.backward(xs, &cache, dy, &mut grads, GradMode::Add, Some(&mut dx));
    let [dx] = dx;
    layer.backward(xs, &cache, dy, &mut grads, GradMode::Add, None);
    let mut stored = layer.clone();
    stored.visit_mut(|_, p| p.fill(f64::NAN));
    let stored_finite = layer.backward(xs, &cache, dy, &mut stored, GradMode::Store, None);
    report.compare("finite (add)", 0, if finite { 1.0 } else { 0.0 }, 1.0);
    report.compare(
        "finite (store)",
        0,
        if stored_finite { 1.0 } else { 0.0 },
        1.0,
    );

    let mut xp = x.clone();
    for i in 0..I::LEN {
        let orig = x.as_slice()[i];
        xp.as_mut_slice()[i] = orig + STEP;
        let plus = f(layer, &xp);
        xp.as_mut_slice()[i] = orig - STEP;
        let minus = f(layer, &xp);
        xp.as_mut_slice()[i] = orig;
        report.compare("input", i, dx.as_slice()[i], (plus - minus) / (2.0 * STEP));
    }

    let mut analytic = Vec::with_capacity(L::NUM_PARAMS);
    grads.visit(|_, g| analytic.extend(g.iter().map(|v| (v - 1.0) / 2.0)));
    let mut store = Vec::with_capacity(L::NUM_PARAMS);
    stored.visit(|_, g| store.extend_from_slice(g));
    for (k, (&a, &s)) in analytic.iter().zip(&store).enumerate() {
        report.compare("param (store)", k, s, a);
    }
    let mut perturbed = layer.clone();
    for (k, &a) in analytic.iter().enumerate() {
        let plus = f(nudge(&mut perturbed, k, STEP), x);
        let minus = f(nudge(&mut perturbed, k, -2.0 * STEP), x);
        nudge(&mut perturbed, k, STEP);
        report.compare("param", k, a, (plus - minus) / (2.0 * STEP));
    }
    report
}

/// Adds `delta` to the `k`-th parameter (in visiting order) of `p`.
fn nudge<P: Params<f64>>(p: &mut P, k: usize, delta: f64) -> &P {
    let mut offset = 0;
    p.visit_mut(|_, t| {
        if (offset..offset + t.len()).contains(&k) {
            t[k - offset] += delta;
        }
        offset += t.len();
    });
    p
}

/// Checks [`Loss::gradient`] (and [`Loss::loss_and_gradient`]) of `loss` at
/// prediction `pred` and target `target` against central finite differences
/// of [`Loss::loss`].
///
/// ```
/// use constnet::prelude::*;
/// use constnet::gradcheck::check_loss;
///
/// let report = check_loss(&Quadratic, &[0.1, 0.7, 0.2], &[0.0, 1.0, 0.0]);
/// assert!(report.max_error < 1e-6, "{report}");
/// ```
#[must_use]
pub fn check_loss<Lo, P, Y>(loss: &Lo, pred: &P, target: &Y) -> Report
where
    P: Tensor<Scalar = f64>,
    Lo: Loss<P, Y>,
{
    let g = loss.gradient(pred, target);
    let (value, g2) = loss.loss_and_gradient(pred, target);
    let mut report = Report::new();
    report.compare("loss", 0, value, loss.loss(pred, target));
    let mut p = pred.clone();
    for i in 0..P::LEN {
        let orig = pred.as_slice()[i];
        p.as_mut_slice()[i] = orig + STEP;
        let plus = loss.loss(&p, target);
        p.as_mut_slice()[i] = orig - STEP;
        let minus = loss.loss(&p, target);
        p.as_mut_slice()[i] = orig;
        let numeric = (plus - minus) / (2.0 * STEP);
        report.compare("pred", i, g.as_slice()[i], numeric);
        report.compare("pred (fused)", i, g2.as_slice()[i], numeric);
    }
    report
}

/// Checks the mini-batch gradient that [`Trainer::gradient`] computes for
/// `net` and `loss` against central finite differences of the mini-batch cost
/// `C = (1/m) Σ ℓ(net(x), y)` over the pairs of `inputs` and `targets` —
/// including the averaging over the batch.
///
/// # Panics
/// If the batch is empty or the cost at `net` is not finite: a check needs a
/// valid starting point.
///
/// ```
/// use constnet::prelude::*;
/// use constnet::gradcheck::check_batch;
/// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
///
/// let net = <(Dense<3, 2, f64>, Sigmoid)>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
/// let inputs = [[0.1, 0.2, 0.3], [-0.5, 0.4, 0.9]];
/// let targets = [[1.0, 0.0], [0.0, 1.0]];
/// let report = check_batch(&net, &Quadratic, &inputs, &targets);
/// assert!(report.max_error < 1e-6, "{report}");
/// ```
#[must_use]
pub fn check_batch<N, Lo, I, Y>(net: &N, loss: &Lo, inputs: &[I], targets: &[Y]) -> Report
where
    I: Tensor<Scalar = f64>,
    N: Layer<I>,
    Lo: Loss<N::Output, Y> + Clone,
{
    let cost = |net: &N| {
        let sum: f64 = inputs
            .iter()
            .zip(targets)
            .map(|(x, y)| loss.loss(&net.forward(x), y))
            .sum();
        sum / inputs.len().min(targets.len()) as f64
    };
    let mut trainer = Trainer::new(loss.clone(), Sgd::new(0.0));
    let reported = trainer
        .gradient(net, inputs.iter().zip(targets))
        .expect("a non-empty batch with a finite cost");
    let mut report = Report::new();
    if let Err(e) = net.check() {
        report.fail(format!("layout: {e}"));
        return report;
    }
    report.compare("cost", 0, reported, cost(net));
    let mut analytic = Vec::with_capacity(N::NUM_PARAMS);
    trainer.grads().visit(|_, g| analytic.extend_from_slice(g));
    let mut perturbed = net.clone();
    for (k, &a) in analytic.iter().enumerate() {
        let plus = cost(nudge(&mut perturbed, k, STEP));
        let minus = cost(nudge(&mut perturbed, k, -2.0 * STEP));
        nudge(&mut perturbed, k, STEP);
        report.compare("param", k, a, (plus - minus) / (2.0 * STEP));
    }
    report
}

/// Checks that `layer` computes a block of `B` samples exactly as it computes
/// each sample alone, up to rounding: [`Layer::forward_batch`] and
/// [`Layer::forward_train`] against [`Layer::forward`], and the block's
/// [`Layer::backward`] (input gradients, and parameter gradients summed over
/// the block) against the backward passes of the samples one by one, with
/// output gradients drawn from `seed`.
///
/// This is what makes the batched kernels (which reorder sums and, for `f32`,
/// may use SIMD) trustworthy once the single-sample gradients pass
/// [`check_layer`]. Errors are relative, as in [`Report`].
///
/// ```
/// use constnet::prelude::*;
/// use constnet::gradcheck::check_block;
/// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
///
/// let net = <(Dense<9, 5>, Relu, Dense<5, 3>)>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
/// let xs: [[f32; 9]; 6] = core::array::from_fn(|k| core::array::from_fn(|i| (k * 9 + i) as f32 / 50.0 - 0.5));
/// let report = check_block(&net, &xs, 1);
/// assert!(report.max_error < 1e-5, "{report}");
/// ```
#[must_use]
pub fn check_block<L, I, const B: usize>(layer: &L, xs: &[I; B], seed: u64) -> Report
where
    I: Tensor,
    L: Layer<I>,
{
    let to_f64 = |v: I::Scalar| v.to_f64().unwrap_or(f64::NAN);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dy: [L::Output; B] = core::array::from_fn(|_| {
        let mut r = <L::Output as Tensor>::zeros();
        for v in r.as_mut_slice() {
            *v = <I::Scalar as NumCast>::from(rng.random_range(-1.0..1.0))
                .unwrap_or_else(I::Scalar::zero);
        }
        r
    });
    let mut report = Report::new();
    let batch = layer.forward_batch(xs);
    let (train, cache) = layer.forward_train(xs);
    let mut block_grads = layer.clone();
    let mut dx: [I; B] = core::array::from_fn(|_| I::zeros());
    layer.backward(
        xs,
        &cache,
        &dy,
        &mut block_grads,
        GradMode::Store,
        Some(&mut dx),
    );
    let mut params_only = layer.clone();
    layer.backward(xs, &cache, &dy, &mut params_only, GradMode::Store, None);

    let mut single_grads = layer.clone();
    single_grads.set_zero();
    for k in 0..B {
        let y = layer.forward(&xs[k]);
        for (j, &v) in y.as_slice().iter().enumerate() {
            report.compare(
                "forward_batch",
                k,
                to_f64(batch[k].as_slice()[j]),
                to_f64(v),
            );
            report.compare(
                "forward_train",
                k,
                to_f64(train[k].as_slice()[j]),
                to_f64(v),
            );
        }
        let x = core::array::from_ref(&xs[k]);
        let (_, c) = layer.forward_train(x);
        let mut d = [I::zeros()];
        let dy = core::array::from_ref(&dy[k]);
        layer.backward(x, &c, dy, &mut single_grads, GradMode::Add, Some(&mut d));
        let [d] = d;
        for (j, &v) in d.as_slice().iter().enumerate() {
            report.compare(
                "input gradient",
                k * I::LEN + j,
                to_f64(dx[k].as_slice()[j]),
                to_f64(v),
            );
        }
    }
    let flat = |p: &L| {
        let mut out = Vec::new();
        p.visit(|_, t| out.extend(t.iter().map(|&v| to_f64(v))));
        out
    };
    let single = flat(&single_grads);
    for (k, ((&b, &p), &s)) in flat(&block_grads)
        .iter()
        .zip(&flat(&params_only))
        .zip(&single)
        .enumerate()
    {
        report.compare("param (with dx)", k, b, s);
        report.compare("param (without dx)", k, p, s);
    }
    report
}
