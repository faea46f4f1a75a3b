//! Optimizers: how parameters move given their gradients.
//!
//! Every optimizer serves every layer and network: it walks parameters,
//! gradients and its state together as flat slices with
//! [`Params::visit_n`]. The state (velocities,
//! moment estimates) is kept in values of the parameters' own type, owned
//! by the caller (see [`Optimizer`]), so a step never touches the heap and
//! the optimizer itself names no network.
//!
//! Per parameter `w` with gradient `g`, learning rate `η`:
//!
//! | optimizer | update | state | Keras |
//! | --- | --- | --- | --- |
//! | [`Sgd`] | `w ← w − η·g` | none | `SGD()` |
//! | [`Sgd`] with [`Momentum::Classic`] | `v ← μ·v − η·g; w ← w + v` | `v` | `SGD(momentum=μ)` |
//! | [`Sgd`] with [`Momentum::Nesterov`] | `v ← μ·v − η·g; w ← w + μ·v − η·g` | `v` | `SGD(momentum=μ, nesterov=True)` |
//! | [`RmsProp`] | `s ← ρ·s + (1−ρ)·g²; w ← w − η·g/(√s + ε)` (plus optional momentum) | `s`, momentum | `RMSprop()` |
//! | [`Adam`] | `m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − η·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε)` | `m`, `v`, `t` | `Adam()` |
//! | [`Adam`] with decoupled decay (AdamW) | Adam, plus `w ← w − η·λ·w` | `m`, `v`, `t` | `AdamW()` |
//!
//! Defaults follow Keras (`Default` gives Keras' learning rate too; `new(η)`
//! takes the learning rate and Keras' defaults for the rest).
//!
//! # Weight decay
//! [`Sgd`], [`RmsProp`] and [`Adam`] take an optional *coupled* L2 weight
//! decay `λ` (`weight_decay`, `None` by default): the update sees the
//! gradient `g + λ·w`, as in PyTorch's `weight_decay` argument of these
//! optimizers. (Keras 3's `weight_decay` argument is the decoupled kind for
//! every optimizer.) [`Adam::with_decoupled_weight_decay`] gives AdamW's
//! *decoupled* kind, `w ← w − η·λ·w` beside the Adam update. Optimizers see flat slices, not
//! names, so biases are decayed like weights.
//!
//! # Learning-rate schedules
//! A [`Schedule`] maps the epoch number (counted from 1, as in
//! [`Trainer::epoch`](crate::Trainer::epoch)) to a learning rate; see
//! [`schedule`]. The training loop sets it before each epoch with
//! [`Optimizer::set_learning_rate`]:
//!
//! ```
//! use constnet::optim::schedule::{Schedule, StepDecay};
//! use constnet::prelude::*;
//! use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
//!
//! let inputs = [[0.0_f64], [1.0], [2.0], [3.0]];
//! let targets = [[-1.0], [1.0], [3.0], [5.0]]; // y = 2x − 1
//! let mut net = (Dense::<1, 1, f64>::zeros(),);
//! let mut trainer = Trainer::new(Quadratic, Adam::new(0.1));
//! let schedule = StepDecay { initial: 0.1, factor: 0.5, every: 100 };
//! let mut rng = ChaCha8Rng::seed_from_u64(0);
//! for epoch in 1..=600 {
//!     trainer.optimizer_mut().set_learning_rate(schedule.rate(epoch));
//!     trainer.epoch(&mut net, &inputs, &targets, 4, &mut rng, epoch)?;
//! }
//! assert!((net.0.weight[0][0] - 2.0).abs() < 1e-3);
//! assert!((net.0.bias[0] + 1.0).abs() < 1e-3);
//! # Ok::<(), constnet::TrainError>(())
//! ```

mod adam;
mod rmsprop;
pub mod schedule;
mod sgd;

pub use adam::{Adam, WeightDecay};
pub use rmsprop::RmsProp;
pub use schedule::Schedule;
pub use sgd::{Momentum, Sgd};

use num_traits::{Float, ToPrimitive};

use crate::{Params, Scalar, kernel};

/// Updates parameters from their gradients.
///
/// An optimizer is its hyper-parameters (learning rate, momentum, …) and
/// nothing that depends on the network: `Sgd::new(0.5)` serves every
/// network, and its learning rate is set without naming one. What it keeps
/// per parameter (a velocity, moment estimates) lives in `state`: values
/// of the parameters' own type `P`, [`slots`](Self::slots) of them, which
/// the caller owns — [`Trainer`](crate::Trainer) builds them on the heap in
/// place, a caller without a heap keeps them where it likes (e.g.
/// `[Net::zeros(), Net::zeros()]` for [`Adam`]). An optimizer walks
/// parameters, gradients and state together as flat slices with
/// [`Params::visit_n`], so one optimizer serves every layer, and a step
/// never allocates.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let mut layer = Dense::<1, 1, f64> { weight: [[1.0]], bias: [0.0] };
/// let mut grads = Dense::<1, 1, f64> { weight: [[2.0]], bias: [-1.0] };
/// let mut sgd = Sgd::new(0.5);
/// assert_eq!(sgd.slots(), 0);
/// assert!(sgd.step(&mut layer, &mut grads, &mut []));
/// assert_eq!((layer.weight, layer.bias), ([[0.0]], [0.5]));
/// // An update that would overflow is not made.
/// let mut grads = Dense::<1, 1, f64> { weight: [[f64::MAX]], bias: [0.0] };
/// assert!(!Sgd::new(-4.0).step(&mut layer, &mut grads, &mut []));
/// assert_eq!((layer.weight, layer.bias), ([[0.0]], [0.5]));
/// sgd.set_learning_rate(0.25); // no network type needed
/// ```
pub trait Optimizer<T: Scalar> {
    /// How many values shaped like the parameters [`step`](Self::step)
    /// needs in its `state`: 0 for plain SGD, 1 for a velocity, 2 for
    /// Adam's moments.
    #[must_use]
    fn slots(&self) -> usize;

    /// One update of `params` given `grads` = ∂C/∂params, with `state`
    /// holding at least [`slots`](Self::slots) values of `P` (all zero
    /// before the first step). Returns whether it took place: an update
    /// that would make any parameter or state value NaN or infinite (an
    /// overflow, from finite gradients) is not made, and `params` and
    /// `state` are left exactly as they were. `grads` is mutable so
    /// optimizers may transform it in place; callers treat it as consumed,
    /// whatever the result.
    ///
    /// # Panics
    /// If `state` holds fewer than [`slots`](Self::slots) values.
    fn step<P: Params<T>>(&mut self, params: &mut P, grads: &mut P, state: &mut [P]) -> bool;

    /// The current learning rate η.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// assert_eq!(Sgd::new(0.5_f32).learning_rate(), 0.5);
    /// ```
    #[must_use]
    fn learning_rate(&self) -> T;

    /// Sets the learning rate η, e.g. from a [`Schedule`] before each epoch:
    /// `optimizer.set_learning_rate(schedule.rate(epoch))`. The state
    /// (momentum, moment estimates) is kept.
    ///
    /// ```
    /// use constnet::optim::schedule::{Cosine, Schedule};
    /// use constnet::prelude::*;
    ///
    /// let mut adam = Adam::default();
    /// let schedule = Cosine { initial: 1e-3, minimum: 0.0, epochs: 10 };
    /// adam.set_learning_rate(schedule.rate(6)); // half-way: η = 0.5e-3
    /// assert!((adam.learning_rate() - 0.5e-3_f32).abs() < 1e-9);
    /// ```
    fn set_learning_rate(&mut self, learning_rate: T);
}

/// An update made only if it keeps every value finite: `check` runs on
/// each tensor of `items` (it may transform the gradient, which is
/// consumed anyway, but must not touch parameters or state) and tells
/// whether the update of that tensor would be finite; only if every one
/// would be does `update` run on each. Returns whether it ran.
fn checked<P: Params<T>, T: Scalar, const N: usize>(
    mut items: [&mut P; N],
    mut check: impl FnMut([&mut [T]; N]) -> bool,
    mut update: impl FnMut([&mut [T]; N]),
) -> bool {
    let mut finite = true;
    P::visit_n(items.each_mut().map(|p| &mut **p), |_, slices| {
        finite &= check(slices)
    });
    if finite {
        P::visit_n(items, |_, slices| update(slices));
    }
    finite
}

/// The first `N` values of `state`, for an optimizer that needs `N`.
///
/// # Panics
/// If `state` holds fewer, naming the optimizer.
fn slots<'s, P, const N: usize>(state: &'s mut [P], optimizer: &str) -> &'s mut [P; N] {
    let found = state.len();
    match state.get_mut(..N).and_then(|s| s.try_into().ok()) {
        Some(slots) => slots,
        None => {
            panic!("{optimizer} needs {N} state values shaped like the parameters, got {found}")
        }
    }
}

/// `x` as a `T`. Every float constant and count used here converts to every
/// float type (rounding to the nearest value), so the NaN fallback is never
/// taken for `f32` or `f64`.
fn cast<T: Float>(x: impl ToPrimitive) -> T {
    T::from(x).unwrap_or_else(T::nan)
}

/// Coupled L2 weight decay: `g ← g + λ·w` when `decay` is `Some(λ)`.
#[inline]
fn add_weight_decay<T: Scalar>(decay: Option<T>, params: &[T], grads: &mut [T]) {
    if let Some(decay) = decay {
        kernel::axpy(decay, params, grads);
    }
}
