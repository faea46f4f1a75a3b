//! Optimizers: steps computed by hand, convergence on least squares (with and
//! without weight decay), one conformance harness run against every
//! optimizer (tuple networks, zero gradients, no allocation, training),
//! learning-rate schedules and Keras' default hyper-parameters.
//!
//! The hand-computed tests pick hyper-parameters that make every square root
//! exact and that tell the plausible wrong formulas apart (classic against
//! Nesterov, `√s + ε` against `√(s + ε)`, Keras' Adam against the paper's,
//! coupled against decoupled weight decay); the tolerance is 1e-12.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations_during;

use constnet::optim::schedule::{Constant, Cosine, ExponentialDecay, Schedule, StepDecay};
use constnet::optim::{Adam, Momentum, RmsProp, Sgd, WeightDecay};
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

type Small = Dense<2, 1, f64>;

/// `|got − want| ≤ 1e-12·(1 + |want|)`.
fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * (1.0 + want.abs()),
        "{what}: got {got:.17}, want {want:.17}"
    );
}

fn assert_small(layer: &Small, weight: [f64; 2], bias: f64) {
    assert_close(layer.weight[0][0], weight[0], "weight[0]");
    assert_close(layer.weight[0][1], weight[1], "weight[1]");
    assert_close(layer.bias[0], bias, "bias");
}

fn small(weight: [f64; 2], bias: f64) -> Small {
    Dense {
        weight: [weight],
        bias: [bias],
    }
}

/// The starting point of every hand-computed test: `w = [1, −2]`, `b = 0.5`.
fn start() -> Small {
    small([1.0, -2.0], 0.5)
}

/// The state `opt` needs, zero: [`Optimizer::slots`] values shaped like
/// `P`, as a caller without a [`Trainer`] keeps them.
fn zero_state<P: Params<f64>>(opt: &impl Optimizer<f64>) -> Vec<P> {
    (0..opt.slots()).map(|_| P::zeros()).collect()
}

/// One step of `opt` (with its `state`) with gradient `(weight, bias)`.
fn step<O: Optimizer<f64>>(
    opt: &mut O,
    state: &mut [Small],
    layer: &mut Small,
    weight: [f64; 2],
    bias: f64,
) {
    opt.step(layer, &mut small(weight, bias), state);
}

// ---------------------------------------------------------------------------
// Steps computed by hand
// ---------------------------------------------------------------------------

#[test]
fn sgd_step_by_hand() {
    // w ← w − η·g, η = 0.1:
    // w = [1 − 0.1·0.5, −2 − 0.1·0.25] = [0.95, −2.025]; b = 0.5 − 0.1·(−1) = 0.6.
    let mut layer = start();
    let mut sgd = Sgd::new(0.1);
    assert_eq!(sgd.slots(), 0);
    step(&mut sgd, &mut [], &mut layer, [0.5, 0.25], -1.0);
    assert_small(&layer, [0.95, -2.025], 0.6);
}

#[test]
fn sgd_with_l2_weight_decay_by_hand() {
    // w ← w − η·(g + λ·w), η = 0.1, λ = 0.2:
    // w₀ = 1 − 0.1·(0.5 + 0.2·1) = 0.93
    // w₁ = −2 − 0.1·(0.25 + 0.2·(−2)) = −2 + 0.015 = −1.985
    // b = 0.5 − 0.1·(−1 + 0.2·0.5) = 0.5 + 0.09 = 0.59 (biases decay too)
    let mut layer = start();
    let mut sgd = Sgd::new(0.1).with_weight_decay(0.2);
    step(&mut sgd, &mut [], &mut layer, [0.5, 0.25], -1.0);
    assert_small(&layer, [0.93, -1.985], 0.59);
}

/// Gradients of the two momentum tests: step 1 `[1, −0.5]`, `2`; step 2
/// `[0.5, 0.5]`, `−1`. η = 0.1, μ = 0.9.
fn two_momentum_steps(kind: Momentum) -> (Small, Small) {
    let mut opt = Sgd::new(0.1).with_momentum(0.9, kind);
    let mut velocity = [Small::zeros()];
    let mut layer = start();
    step(&mut opt, &mut velocity, &mut layer, [1.0, -0.5], 2.0);
    let after_one = layer.clone();
    step(&mut opt, &mut velocity, &mut layer, [0.5, 0.5], -1.0);
    (after_one, layer)
}

#[test]
fn classic_momentum_two_steps_by_hand() {
    // v ← μ·v − η·g; w ← w + v.
    // Step 1: v = −0.1·[1, −0.5] = [−0.1, 0.05], v_b = −0.2
    //         w = [0.9, −1.95], b = 0.3
    // Step 2: v = 0.9·[−0.1, 0.05] − 0.1·[0.5, 0.5] = [−0.14, −0.005]
    //         v_b = 0.9·(−0.2) − 0.1·(−1) = −0.08
    //         w = [0.76, −1.955], b = 0.22
    let (one, two) = two_momentum_steps(Momentum::Classic);
    assert_small(&one, [0.9, -1.95], 0.3);
    assert_small(&two, [0.76, -1.955], 0.22);
}

#[test]
fn nesterov_momentum_two_steps_by_hand() {
    // v ← μ·v − η·g; w ← w + μ·v − η·g (new v).
    // Step 1: v = [−0.1, 0.05], v_b = −0.2
    //         Δw = 0.9·[−0.1, 0.05] − 0.1·[1, −0.5] = [−0.19, 0.095] → w = [0.81, −1.905]
    //         Δb = 0.9·(−0.2) − 0.1·2 = −0.38 → b = 0.12
    // Step 2: v = [−0.14, −0.005], v_b = −0.08
    //         Δw = 0.9·[−0.14, −0.005] − 0.1·[0.5, 0.5] = [−0.176, −0.0545] → w = [0.634, −1.9595]
    //         Δb = 0.9·(−0.08) − 0.1·(−1) = 0.028 → b = 0.148
    let (one, two) = two_momentum_steps(Momentum::Nesterov);
    assert_small(&one, [0.81, -1.905], 0.12);
    assert_small(&two, [0.634, -1.9595], 0.148);
}

#[test]
fn nesterov_momentum_with_l2_weight_decay_by_hand() {
    // g' = g + λ·w with λ = 0.5: [1 + 0.5, −0.5 − 1] = [1.5, −1.5], g'_b = 2 + 0.25 = 2.25
    // v = −0.1·g' = [−0.15, 0.15], v_b = −0.225
    // Δw = 0.9·v − 0.1·g' = [−0.285, 0.285] → w = [0.715, −1.715]
    // Δb = 0.9·(−0.225) − 0.225 = −0.4275 → b = 0.0725
    let mut opt = Sgd::new(0.1)
        .with_momentum(0.9, Momentum::Nesterov)
        .with_weight_decay(0.5);
    assert_eq!(opt.slots(), 1);
    let mut velocity = [Small::zeros()];
    let mut layer = start();
    step(&mut opt, &mut velocity, &mut layer, [1.0, -0.5], 2.0);
    assert_small(&layer, [0.715, -1.715], 0.0725);
    assert_small(&velocity[0], [-0.15, 0.15], -0.225);
}

/// RMSprop with ρ = 0.75 (so `√s = |g|/2` after one step), ε = 0.5 (large,
/// so `√s + ε` and `√(s + ε)` differ), η = 0.1.
fn rmsprop() -> RmsProp<f64> {
    RmsProp::new(0.1).with_rho(0.75).with_epsilon(0.5)
}

#[test]
fn rmsprop_two_steps_by_hand() {
    // s ← ρ·s + (1 − ρ)·g²; w ← w − η·g/(√s + ε).
    // Step 1, g = [4, −2], g_b = 1:
    //   s = 0.25·[16, 4] = [4, 1], √s = [2, 1]; s_b = 0.25, √s_b = 0.5
    //   w = [1 − 0.1·4/2.5, −2 + 0.1·2/1.5] = [0.84, −2 + 2/15]
    //   b = 0.5 − 0.1·1/1 = 0.4
    // Step 2, g = [2, 1], g_b = 0:
    //   s = 0.75·[4, 1] + 0.25·[4, 1] = [4, 1]; s_b = 0.1875
    //   w = [0.84 − 0.1·2/2.5, −2 + 2/15 − 0.1·1/1.5] = [0.76, −2 + 1/15]
    //   b = 0.4 (zero gradient)
    let mut opt = rmsprop();
    assert_eq!(opt.slots(), 1);
    let mut mean_square = [Small::zeros()];
    let mut layer = start();
    step(&mut opt, &mut mean_square, &mut layer, [4.0, -2.0], 1.0);
    assert_small(&layer, [0.84, -2.0 + 2.0 / 15.0], 0.4);
    assert_small(&mean_square[0], [4.0, 1.0], 0.25);
    step(&mut opt, &mut mean_square, &mut layer, [2.0, 1.0], 0.0);
    assert_small(&layer, [0.76, -2.0 + 1.0 / 15.0], 0.4);
    assert_small(&mean_square[0], [4.0, 1.0], 0.1875);
}

#[test]
fn rmsprop_with_momentum_two_steps_by_hand() {
    // u ← μ·u + η·g/(√s + ε); w ← w − u, μ = 0.5, same gradients as above.
    // Step 1: u = [0.16, −2/15], u_b = 0.1
    // Step 2: u = 0.5·[0.16, −2/15] + [0.08, 1/15] = [0.16, 0], u_b = 0.05
    // w = [1 − 0.16 − 0.16, −2 + 2/15 − 0] = [0.68, −2 + 2/15]; b = 0.5 − 0.1 − 0.05 = 0.35
    let mut opt = rmsprop().with_momentum(0.5);
    assert_eq!(opt.slots(), 2);
    // The mean square, then the momentum buffer.
    let mut state = [Small::zeros(), Small::zeros()];
    let mut layer = start();
    step(&mut opt, &mut state, &mut layer, [4.0, -2.0], 1.0);
    assert_small(&layer, [0.84, -2.0 + 2.0 / 15.0], 0.4);
    step(&mut opt, &mut state, &mut layer, [2.0, 1.0], 0.0);
    assert_small(&layer, [0.68, -2.0 + 2.0 / 15.0], 0.35);
    assert_small(&state[0], [4.0, 1.0], 0.1875);
    assert_small(&state[1], [0.16, 0.0], 0.05);
}

#[test]
fn rmsprop_with_l2_weight_decay_by_hand() {
    // g' = g + λ·w, λ = 1: [3 + 1, 0 − 2] = [4, −2], g'_b = 0.5 + 0.5 = 1:
    // the first step of `rmsprop_two_steps_by_hand`.
    let mut opt = rmsprop().with_weight_decay(1.0);
    let mut layer = start();
    step(&mut opt, &mut [Small::zeros()], &mut layer, [3.0, 0.0], 0.5);
    assert_small(&layer, [0.84, -2.0 + 2.0 / 15.0], 0.4);
}

#[test]
fn rmsprop_keras_defaults_match_the_keras_documentation() {
    // Keras' RMSprop docstring: learning_rate=0.1, var = 10, loss = var²/2
    // (gradient 10), one step gives 9.683772.
    // s = (1 − 0.9)·100 = 10; w = 10 − 0.1·10/(√10 + 1e-7).
    let mut opt = RmsProp::new(0.1);
    let mut layer = Dense::<1, 1, f64> {
        weight: [[10.0]],
        bias: [0.0],
    };
    opt.step(
        &mut layer,
        &mut Dense {
            weight: [[10.0]],
            bias: [0.0],
        },
        &mut [Dense::zeros()],
    );
    let w = layer.weight[0][0];
    assert!((w - 9.683772).abs() < 1e-6, "{w}");
    assert_close(
        w,
        10.0 - 1.0 / (((1.0 - 0.9) * 100.0_f64).sqrt() + 1e-7),
        "w",
    );
}

/// Adam with β₁ = 0.5, β₂ = 0.96 (√(1 − β₂) = 0.2, √(1 − β₂²) = 0.28),
/// ε = 0.1 (large, so Keras' form and the paper's differ), η = 0.1.
fn adam() -> Adam<f64> {
    Adam::new(0.1).with_betas(0.5, 0.96).with_epsilon(0.1)
}

#[test]
fn adam_two_steps_by_hand() {
    // m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; α = η√(1−β₂ᵗ)/(1−β₁ᵗ); w ← w − α·m/(√v + ε).
    // Step 1, g = [1, −2], g_b = 0: α = 0.1·0.2/0.5 = 0.04
    //   m = [0.5, −1], v = 0.04·[1, 4] = [0.04, 0.16], √v = [0.2, 0.4]
    //   w = [1 − 0.04·0.5/0.3, −2 + 0.04·1/0.5] = [1 − 1/15, −1.92]; b = 0.5 (m = 0)
    //   (the paper's form, η·m̂/(√v̂ + ε), would give w₀ = 1 − 0.1·1/1.1)
    // Step 2, g = [1, 1], g_b = 0.5: α = 0.1·0.28/0.75 = 14/375
    //   m = 0.5·[0.5, −1] + 0.5·[1, 1] = [0.75, 0]; m_b = 0.25
    //   v = 0.96·[0.04, 0.16] + 0.04·[1, 1] = [0.0784, 0.1936], √v = [0.28, 0.44]
    //   v_b = 0.04·0.25 = 0.01, √v_b = 0.1
    //   w = [1 − 1/15 − (14/375)·0.75/0.38, −1.92] = [1 − 1/15 − 7/95, −1.92]
    //   b = 0.5 − (14/375)·0.25/0.2 = 0.5 − 7/150
    let mut opt = adam();
    assert_eq!(opt.slots(), 2);
    let mut moments = [Small::zeros(), Small::zeros()];
    let mut layer = start();
    step(&mut opt, &mut moments, &mut layer, [1.0, -2.0], 0.0);
    assert_small(&layer, [1.0 - 1.0 / 15.0, -1.92], 0.5);
    assert_small(&moments[0], [0.5, -1.0], 0.0);
    assert_small(&moments[1], [0.04, 0.16], 0.0);
    step(&mut opt, &mut moments, &mut layer, [1.0, 1.0], 0.5);
    assert_small(
        &layer,
        [1.0 - 1.0 / 15.0 - 7.0 / 95.0, -1.92],
        0.5 - 7.0 / 150.0,
    );
    assert_eq!(opt.steps(), 2);
}

#[test]
fn adam_with_l2_weight_decay_by_hand() {
    // g' = g + λ·w, λ = 0.5: [0.5 + 0.5, −1 − 1] = [1, −2], g'_b = −0.25 + 0.25 = 0:
    // the first step of `adam_two_steps_by_hand`.
    let mut opt = adam().with_weight_decay(0.5);
    assert_eq!(opt.weight_decay, Some(WeightDecay::L2(0.5)));
    let mut moments = [Small::zeros(), Small::zeros()];
    let mut layer = start();
    step(&mut opt, &mut moments, &mut layer, [0.5, -1.0], -0.25);
    assert_small(&layer, [1.0 - 1.0 / 15.0, -1.92], 0.5);
    assert_small(&moments[0], [0.5, -1.0], 0.0);
}

#[test]
fn adam_with_keras_defaults_by_hand() {
    // η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-7; g = 0.5 for w₀, −3 for w₁:
    // m = 0.1·g, v = 0.001·g², α = 0.001·√0.001/0.1, w ← w − α·m/(√v + 1e-7).
    // (With ε under the bias correction, as in the paper, w₀ would differ by ~6e-9.)
    let alpha = 0.001 * 0.001_f64.sqrt() / 0.1;
    let moved = |g: f64| alpha * (0.1 * g) / ((0.001 * g * g).sqrt() + 1e-7);
    let mut opt = Adam::default();
    let mut layer = start();
    step(
        &mut opt,
        &mut [Small::zeros(), Small::zeros()],
        &mut layer,
        [0.5, -3.0],
        0.0,
    );
    assert_small(&layer, [1.0 - moved(0.5), -2.0 - moved(-3.0)], 0.5);
}

#[test]
fn adamw_two_steps_by_hand() {
    // Adam's steps above plus w ← w − η·λ·w (w before the step), λ = 0.1, η·λ = 0.01:
    // Step 1: w = [1 − 0.01 − 1/15, −2 + 0.02 + 0.08] = [0.99 − 1/15, −1.9]
    //         b = 0.5 − 0.005 = 0.495
    // Step 2: the moments are Adam's (the decay does not enter them):
    //         w = [0.99·w₀ − 7/95, 0.99·(−1.9)] = [0.99·(0.99 − 1/15) − 7/95, −1.881]
    //         b = 0.99·0.495 − 7/150
    //   (coupled L2 decay would feed λ·w into m and v and give other values)
    let mut opt = Adam::new(0.1)
        .with_betas(0.5, 0.96)
        .with_epsilon(0.1)
        .with_decoupled_weight_decay(0.1);
    let mut moments = [Small::zeros(), Small::zeros()];
    let mut layer = start();
    step(&mut opt, &mut moments, &mut layer, [1.0, -2.0], 0.0);
    let w0 = 0.99 - 1.0 / 15.0;
    assert_small(&layer, [w0, -1.9], 0.495);
    step(&mut opt, &mut moments, &mut layer, [1.0, 1.0], 0.5);
    assert_small(
        &layer,
        [0.99 * w0 - 7.0 / 95.0, -1.881],
        0.99 * 0.495 - 7.0 / 150.0,
    );
    assert_small(&moments[0], [0.75, 0.0], 0.25);
}

#[test]
fn adamw_without_decay_is_adam_bit_for_bit() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut a = Small::random(Init::StandardNormal, &mut rng);
    let mut b = a.clone();
    let mut adam = Adam::new(0.05);
    let mut adamw = Adam::new(0.05).with_decoupled_weight_decay(0.0);
    let mut adam_state = [Small::zeros(), Small::zeros()];
    let mut adamw_state = [Small::zeros(), Small::zeros()];
    for _ in 0..5 {
        let g = Small::random(Init::StandardNormal, &mut rng);
        adam.step(&mut a, &mut g.clone(), &mut adam_state);
        adamw.step(&mut b, &mut g.clone(), &mut adamw_state);
    }
    assert_eq!(a, b);
    assert_eq!(adam_state[1], adamw_state[1]);
}

// ---------------------------------------------------------------------------
// Convergence: least squares with one Dense<3, 1> through the Trainer
// ---------------------------------------------------------------------------

type Linear = Dense<3, 1, f64>;

const TRUE_WEIGHT: [f64; 3] = [1.5, -2.0, 0.5];
const TRUE_BIAS: f64 = 0.25;
/// The input scales: the Hessian of the cost is `diag(1, 4, 0.25)` for the
/// weights and 1 for the bias (condition number 16).
const SCALE: [f64; 3] = [1.0, 2.0, 0.5];

/// All sign patterns `x = (±1, ±2, ±0.5)` and exact targets `y = w*·x + b*`.
/// The inputs are centred and orthogonal, so the minimiser of
/// `C + (λ/2)·‖θ‖²` is known in closed form (see [`ridge`]).
fn least_squares() -> (Vec<[f64; 3]>, Vec<[f64; 1]>) {
    let mut inputs = Vec::new();
    let mut targets = Vec::new();
    for pattern in 0..8 {
        let x: [f64; 3] = std::array::from_fn(|i| {
            if pattern >> i & 1 == 1 {
                SCALE[i]
            } else {
                -SCALE[i]
            }
        });
        let y = TRUE_BIAS + (0..3).map(|i| TRUE_WEIGHT[i] * x[i]).sum::<f64>();
        inputs.push(x);
        targets.push([y]);
    }
    (inputs, targets)
}

/// The minimiser of `C + (λ/2)·(‖w‖² + b²)`: `wᵢ = hᵢ·w*ᵢ/(hᵢ + λ)`,
/// `b = b*/(1 + λ)`, with `hᵢ = SCALE[i]²`.
fn ridge(lambda: f64) -> ([f64; 3], f64) {
    let h = SCALE.map(|s| s * s);
    (
        std::array::from_fn(|i| h[i] * TRUE_WEIGHT[i] / (h[i] + lambda)),
        TRUE_BIAS / (1.0 + lambda),
    )
}

/// Full-batch steps from zero; `rate(step)` sets the learning rate before
/// each step. Returns the largest parameter error against `(weight, bias)`.
fn fit<O>(opt: O, steps: usize, rate: impl Schedule<f64>, target: ([f64; 3], f64)) -> f64
where
    O: Optimizer<f64>,
{
    let (inputs, targets) = least_squares();
    let mut net = Linear::zeros();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut first_cost = None;
    let mut trainer = Trainer::new(Quadratic, opt);
    for epoch in 1..=steps {
        trainer.optimizer_mut().set_learning_rate(rate.rate(epoch));
        let cost = trainer
            .epoch(&mut net, &inputs, &targets, inputs.len(), &mut rng, epoch)
            .expect("finite");
        first_cost.get_or_insert(cost);
    }
    assert!(first_cost.is_some_and(|c| c > 1.0), "{first_cost:?}");
    let (weight, bias) = target;
    (0..3)
        .map(|i| (net.weight[0][i] - weight[i]).abs())
        .fold((net.bias[0] - bias).abs(), f64::max)
}

fn exact() -> ([f64; 3], f64) {
    (TRUE_WEIGHT, TRUE_BIAS)
}

#[test]
fn sgd_converges_on_least_squares() {
    // Contraction per step max(|1 − 0.4·0.25|, |1 − 0.4·4|) = 0.9; 0.9³⁰⁰ ≈ 2e-14.
    let error = fit(Sgd::new(0.0), 300, Constant(0.4), exact());
    assert!(error < 1e-12, "{error}");
}

#[test]
fn momentum_converges_faster_than_sgd() {
    // η = 0.3: SGD contracts by 1 − 0.3·0.25 = 0.925 per step; with μ = 0.5 the
    // slowest mode contracts by 0.8 (classic) or ≈ 0.83 (Nesterov).
    let sgd = fit(Sgd::new(0.0), 100, Constant(0.3), exact());
    assert!(sgd > 1e-5, "{sgd}");
    for kind in [Momentum::Classic, Momentum::Nesterov] {
        let error = fit(
            Sgd::new(0.0).with_momentum(0.5, kind),
            100,
            Constant(0.3),
            exact(),
        );
        assert!(
            error < 1e-6 && error < sgd / 100.0,
            "{kind:?}: {error} vs SGD {sgd}"
        );
        let error = fit(
            Sgd::new(0.0).with_momentum(0.5, kind),
            300,
            Constant(0.3),
            exact(),
        );
        assert!(error < 1e-12, "{kind:?}: {error}");
    }
}

#[test]
fn rmsprop_converges_on_least_squares() {
    // RMSprop's steps stay ~η near the minimum; an annealed rate settles it.
    let schedule = Cosine {
        initial: 0.05,
        minimum: 0.0,
        epochs: 1500,
    };
    let error = fit(RmsProp::default(), 1500, schedule, exact());
    assert!(error < 1e-8, "{error}");
    let schedule = Cosine {
        initial: 0.05,
        minimum: 0.0,
        epochs: 1500,
    };
    let error = fit(
        RmsProp::default().with_momentum(0.5),
        1500,
        schedule,
        exact(),
    );
    assert!(error < 1e-8, "{error}");
}

#[test]
fn adam_converges_on_least_squares() {
    let error = fit(Adam::default(), 1000, Constant(0.05), exact());
    assert!(error < 1e-10, "{error}");
}

#[test]
fn adamw_converges_on_least_squares() {
    // AdamW stops where α·m/(√v + ε) = −η·λ·w. β₂ = 0.999 keeps the large
    // early gradients in v for thousands of steps, so at t = 1000 the decay
    // still holds the weights ~λ·|w|·√v away from w*.
    let adam = fit(Adam::default(), 1000, Constant(0.05), exact());
    let adamw = fit(
        Adam::default().with_decoupled_weight_decay(0.004),
        1000,
        Constant(0.05),
        exact(),
    );
    assert!(adamw < 5e-3, "{adamw}");
    assert!(
        adamw > 100.0 * adam,
        "the decay has no effect: {adamw} vs Adam {adam}"
    );
    let no_decay = fit(
        Adam::default().with_decoupled_weight_decay(0.0),
        1000,
        Constant(0.05),
        exact(),
    );
    assert_eq!(no_decay, adam);
}

#[test]
fn l2_weight_decay_converges_to_the_ridge_solution() {
    let lambda = 0.5;
    let error = fit(
        Sgd::new(0.0).with_weight_decay(lambda),
        300,
        Constant(0.3),
        ridge(lambda),
    );
    assert!(error < 1e-12, "SGD: {error}");
    let error = fit(
        Sgd::new(0.0)
            .with_weight_decay(lambda)
            .with_momentum(0.36, Momentum::Nesterov),
        300,
        Constant(0.3),
        ridge(lambda),
    );
    assert!(error < 1e-12, "Nesterov: {error}");
    let error = fit(
        Adam::default().with_weight_decay(lambda),
        1000,
        Constant(0.05),
        ridge(lambda),
    );
    assert!(error < 1e-10, "Adam: {error}");
    let schedule = Cosine {
        initial: 0.05,
        minimum: 0.0,
        epochs: 1500,
    };
    let error = fit(
        RmsProp::default().with_weight_decay(lambda),
        1500,
        schedule,
        ridge(lambda),
    );
    assert!(error < 1e-8, "RMSprop: {error}");
    // Decoupled decay does not minimise the ridge cost: AdamW ends near w*.
    let error = fit(
        Adam::default().with_decoupled_weight_decay(lambda),
        1000,
        Constant(0.05),
        ridge(lambda),
    );
    assert!(error > 0.1, "AdamW: {error}");
}

// ---------------------------------------------------------------------------
// One harness for every optimizer
// ---------------------------------------------------------------------------

type Net = (Dense<2, 3, f64>, Tanh, Dense<3, 1, f64>);

/// Stepping a tuple network equals stepping each of its layers with its own
/// optimizer, bit for bit: state is matched to the right tensors.
fn check_tuple_equals_layers<O: Optimizer<f64>>(mut whole: O, mut first: O, mut last: O) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut net = Net::random(Init::StandardNormal, &mut rng);
    let (mut layer0, mut layer2) = (net.0.clone(), net.2.clone());
    let mut whole_state: Vec<Net> = zero_state(&whole);
    let mut first_state: Vec<Dense<2, 3, f64>> = zero_state(&first);
    let mut last_state: Vec<Dense<3, 1, f64>> = zero_state(&last);
    for _ in 0..3 {
        let grads = Net::random(Init::StandardNormal, &mut rng);
        whole.step(&mut net, &mut grads.clone(), &mut whole_state);
        first.step(&mut layer0, &mut grads.0.clone(), &mut first_state);
        last.step(&mut layer2, &mut grads.2.clone(), &mut last_state);
    }
    assert_eq!(net.0, layer0);
    assert_eq!(net.2, layer2);
    for (whole, (first, last)) in whole_state.iter().zip(first_state.iter().zip(&last_state)) {
        assert_eq!((&whole.0, &whole.2), (first, last));
    }
    assert_ne!(
        net,
        Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(7))
    );
}

/// Zero parameters with zero gradients stay exactly zero (no NaN from 0/0).
fn check_zero_stays_zero<O: Optimizer<f64>>(mut opt: O) {
    let mut net = Net::zeros();
    let mut state: Vec<Net> = zero_state(&opt);
    for _ in 0..3 {
        opt.step(&mut net, &mut Net::zeros(), &mut state);
    }
    net.visit(|_, p: &[f64]| assert!(p.iter().all(|&v| v == 0.0), "{p:?}"));
    for value in &state {
        value.visit(|_, p: &[f64]| assert!(p.iter().all(|&v| v == 0.0), "state: {p:?}"));
    }
}

fn check_learning_rate_round_trip<O: Optimizer<f64>>(mut opt: O) {
    opt.set_learning_rate(0.125);
    assert_eq!(opt.learning_rate(), 0.125);
}

/// Training the tuple network on a smooth target divides the cost by 100.
fn check_trains_tuple_network<O: Optimizer<f64>>(opt: O) {
    let inputs: Vec<[f64; 2]> = (0..25)
        .map(|i| [f64::from(i % 5) / 2.0 - 1.0, f64::from(i / 5) / 2.0 - 1.0])
        .collect();
    let targets: Vec<[f64; 1]> = inputs
        .iter()
        .map(|x| [0.5 * (x[0] - x[1]).tanh()])
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut net = Net::random(Init::StandardNormal, &mut rng);
    let mut trainer = Trainer::new(Quadratic, opt);
    let mut costs = Vec::new();
    for epoch in 1..=200 {
        costs.push(
            trainer
                .epoch(&mut net, &inputs, &targets, 5, &mut rng, epoch)
                .expect("finite"),
        );
    }
    let (first, last) = (costs[0], costs[costs.len() - 1]);
    assert!(last < first / 100.0, "{first} -> {last}");
}

macro_rules! conformance {
    ($($name:ident => $make:expr;)+) => {$(
        mod $name {
            use super::*;

            #[test]
            fn tuple_step_equals_per_layer_steps() {
                check_tuple_equals_layers($make, $make, $make);
            }

            #[test]
            fn zero_stays_zero() {
                check_zero_stays_zero($make);
            }

            #[test]
            fn learning_rate_round_trip() {
                check_learning_rate_round_trip($make);
            }

            #[test]
            fn trains_tuple_network() {
                check_trains_tuple_network($make);
            }

            #[test]
            fn step_does_not_allocate() {
                check_no_allocation($make);
            }
        }
    )+};
}

conformance! {
    sgd => Sgd::new(0.1);
    sgd_l2 => Sgd::new(0.1).with_weight_decay(1e-3);
    momentum_classic => Sgd::new(0.05).with_momentum(0.9, Momentum::Classic);
    momentum_nesterov => Sgd::new(0.05).with_momentum(0.9, Momentum::Nesterov).with_weight_decay(1e-3);
    rmsprop => RmsProp::new(0.01);
    rmsprop_momentum_l2 => RmsProp::new(0.005).with_momentum(0.5).with_weight_decay(1e-3);
    adam => Adam::new(0.01);
    adam_l2 => Adam::new(0.01).with_weight_decay(1e-3);
    adamw => Adam::new(0.01).with_decoupled_weight_decay(0.004);
}

// ---------------------------------------------------------------------------
// No allocation: counted by the allocator in tests/common/counting_alloc.rs
// ---------------------------------------------------------------------------

fn check_no_allocation<O: Optimizer<f64>>(mut opt: O) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut net = Net::random(Init::StandardNormal, &mut rng);
    let mut grads = Net::random(Init::StandardNormal, &mut rng);
    let mut state: Vec<Net> = zero_state(&opt);
    let n = allocations_during(|| {
        for _ in 0..3 {
            opt.step(&mut net, &mut grads, &mut state);
        }
    });
    assert_eq!(n, 0, "heap allocations in Optimizer::step");
}

// ---------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------

#[test]
fn constant_schedule() {
    let schedule = Constant(0.3_f64);
    for epoch in [0, 1, 2, 1000] {
        assert_eq!(schedule.rate(epoch), 0.3);
    }
}

#[test]
fn step_decay_values() {
    let schedule = StepDecay {
        initial: 0.8_f64,
        factor: 0.5,
        every: 3,
    };
    // Epochs 1–3: 0.8, 4–6: 0.4, 7–9: 0.2, 10: 0.1; epoch 0 reads as 1.
    let expected = [
        (0, 0.8),
        (1, 0.8),
        (3, 0.8),
        (4, 0.4),
        (6, 0.4),
        (7, 0.2),
        (10, 0.1),
    ];
    for (epoch, rate) in expected {
        assert_eq!(schedule.rate(epoch), rate, "epoch {epoch}");
    }
    // `every = 0` reads as 1: a decay every epoch.
    let every_epoch = StepDecay {
        initial: 1.0_f64,
        factor: 0.5,
        every: 0,
    };
    assert_eq!([1, 2, 3].map(|e| every_epoch.rate(e)), [1.0, 0.5, 0.25]);
}

#[test]
fn exponential_decay_values() {
    let schedule = ExponentialDecay {
        initial: 0.1_f64,
        factor: 0.5,
        every: 4,
    };
    // 0.1·0.5^((e − 1)/4): e = 1 → 0.1, 3 → 0.1/√2, 5 → 0.05, 9 → 0.025.
    assert_eq!(schedule.rate(1), 0.1);
    assert_close(schedule.rate(3), 0.1 / 2.0_f64.sqrt(), "epoch 3");
    assert_close(schedule.rate(5), 0.05, "epoch 5");
    assert_close(schedule.rate(9), 0.025, "epoch 9");
    // Between the steps of the staircase version.
    let staircase = StepDecay {
        initial: 0.1,
        factor: 0.5,
        every: 4,
    };
    for epoch in 1..=20 {
        assert!(schedule.rate(epoch) <= staircase.rate(epoch) + 1e-15);
        assert!(schedule.rate(epoch) > staircase.rate(epoch) * 0.5);
    }
}

#[test]
fn cosine_values() {
    let schedule = Cosine {
        initial: 0.1_f64,
        minimum: 0.02,
        epochs: 4,
    };
    // 0.02 + 0.08·(1 + cos(π·k/4))/2, k = e − 1:
    // k = 0 → 0.1; 1 → 0.02 + 0.04·(1 + √2/2); 2 → 0.06; 3 → 0.02 + 0.04·(1 − √2/2); ≥ 4 → 0.02.
    let half_sqrt2 = 2.0_f64.sqrt() / 2.0;
    assert_eq!(schedule.rate(1), 0.1);
    assert_close(
        schedule.rate(2),
        0.02 + 0.04 * (1.0 + half_sqrt2),
        "epoch 2",
    );
    assert_close(schedule.rate(3), 0.06, "epoch 3");
    assert_close(
        schedule.rate(4),
        0.02 + 0.04 * (1.0 - half_sqrt2),
        "epoch 4",
    );
    for epoch in [5, 6, 100] {
        assert_eq!(schedule.rate(epoch), 0.02);
    }
    assert_eq!(schedule.rate(0), schedule.rate(1));
    // Keras' CosineDecay(initial, decay_steps, alpha) at step k = e − 1:
    // initial·((1 − alpha)·(1 + cos(π·k/decay_steps))/2 + alpha), alpha = minimum/initial.
    let alpha = 0.2;
    for epoch in 1..=10 {
        let k = (epoch - 1).min(4) as f64;
        let keras =
            0.1 * ((1.0 - alpha) * 0.5 * (1.0 + (std::f64::consts::PI * k / 4.0).cos()) + alpha);
        assert_close(schedule.rate(epoch), keras, "Keras' CosineDecay");
    }
    let none = Cosine {
        initial: 0.1_f64,
        minimum: 0.0,
        epochs: 0,
    };
    assert_eq!(none.rate(1), 0.0);
}

#[test]
fn closures_are_schedules() {
    let inverse = |epoch: usize| 1.0 / epoch as f64;
    assert_eq!(inverse.rate(4), 0.25);
}

#[test]
fn schedule_sets_the_learning_rate_through_the_optimizer_trait() {
    let schedule = StepDecay {
        initial: 0.01_f64,
        factor: 0.1,
        every: 2,
    };
    let mut adam: Adam<f64> = Adam::default();
    let mut seen = Vec::new();
    for epoch in 1..=5 {
        adam.set_learning_rate(schedule.rate(epoch));
        seen.push(adam.learning_rate());
    }
    let expected = [0.01, 0.01, 0.001, 0.001, 0.0001];
    for (got, want) in seen.into_iter().zip(expected) {
        assert_close(got, want, "learning rate");
    }
}

// ---------------------------------------------------------------------------
// Keras' defaults
// ---------------------------------------------------------------------------

#[test]
fn defaults_are_keras_defaults() {
    // keras.optimizers.SGD(learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None)
    let sgd = Sgd::<f64>::default();
    assert_eq!((sgd.learning_rate, sgd.weight_decay), (0.01, None));
    assert_eq!((sgd.momentum, sgd.kind), (0.0, Momentum::Classic));
    let momentum: Sgd<f64> = sgd.with_momentum(0.9, Momentum::default());
    assert_eq!(momentum.kind, Momentum::Classic);
    assert_eq!(momentum.momentum, 0.9);
    assert_eq!(momentum.weight_decay, None);

    // keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7)
    let rmsprop = RmsProp::<f64>::default();
    assert_eq!(
        (
            rmsprop.learning_rate,
            rmsprop.rho,
            rmsprop.momentum,
            rmsprop.epsilon,
            rmsprop.weight_decay
        ),
        (0.001, 0.9, 0.0, 1e-7, None)
    );

    // keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    let adam = Adam::<f64>::default();
    assert_eq!(
        (
            adam.learning_rate,
            adam.beta_1,
            adam.beta_2,
            adam.epsilon,
            adam.weight_decay
        ),
        (0.001, 0.9, 0.999, 1e-7, None)
    );
    assert_eq!(adam.steps(), 0);

    // keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.004, beta_1=0.9,
    // beta_2=0.999, epsilon=1e-7)
    // is Adam's defaults with decoupled decay 0.004.
    let adamw = Adam::<f64>::default().with_decoupled_weight_decay(0.004);
    assert_eq!(
        (
            adamw.learning_rate,
            adamw.weight_decay,
            adamw.beta_1,
            adamw.beta_2,
            adamw.epsilon
        ),
        (0.001, Some(WeightDecay::Decoupled(0.004)), 0.9, 0.999, 1e-7)
    );

    // The same in f32 (the default scalar type).
    let adam32: Adam = Adam::default();
    assert_eq!(
        (adam32.learning_rate, adam32.beta_2, adam32.epsilon),
        (0.001_f32, 0.999_f32, 1e-7_f32)
    );
    let rmsprop32: RmsProp = RmsProp::default();
    assert_eq!((rmsprop32.rho, rmsprop32.epsilon), (0.9_f32, 1e-7_f32));
    assert_eq!(
        Adam::<f32>::default()
            .with_decoupled_weight_decay(0.004)
            .weight_decay,
        Some(WeightDecay::Decoupled(0.004_f32))
    );
}

#[test]
fn new_takes_the_learning_rate_and_keras_defaults_for_the_rest() {
    let mut rmsprop = RmsProp::<f64>::default();
    rmsprop.learning_rate = 0.5;
    assert_eq!(RmsProp::new(0.5), rmsprop);
    let mut adam = Adam::<f64>::default();
    adam.learning_rate = 0.5;
    assert_eq!(Adam::new(0.5), adam);
    let mut adamw = Adam::<f64>::default().with_decoupled_weight_decay(0.004);
    adamw.learning_rate = 0.5;
    assert_eq!(Adam::new(0.5).with_decoupled_weight_decay(0.004), adamw);
    let mut sgd = Sgd::<f64>::default();
    sgd.learning_rate = 0.5;
    assert_eq!(Sgd::new(0.5), sgd);
}
