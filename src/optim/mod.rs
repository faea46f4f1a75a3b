//! Optimizers: how parameters move given their gradients.
//!
//! Every optimizer serves every layer and network: it walks parameters,
//! gradients and its own state together as flat slices with
//! [`Params::visit_n`](crate::Params::visit_n). Optimizer state (velocities,
//! moment estimates) is kept in values of the parameters' own type `P`, built
//! once with [`Params::zeros`](crate::Params::zeros), so a step never touches
//! the heap. The optimizers use only `core` and [`num_traits::Float`].
//!
//! Per parameter `w` with gradient `g`, learning rate `η`:
//!
//! | optimizer | update | state | Keras |
//! | --- | --- | --- | --- |
//! | [`Sgd`] | `w ← w − η·g` | none | `SGD()` |
//! | [`SgdMomentum`], [`Momentum::Classic`] | `v ← μ·v − η·g; w ← w + v` | `v` | `SGD(momentum=μ)` |
//! | [`SgdMomentum`], [`Momentum::Nesterov`] | `v ← μ·v − η·g; w ← w + μ·v − η·g` | `v` | `SGD(momentum=μ, nesterov=True)` |
//! | [`RmsProp`] | `s ← ρ·s + (1−ρ)·g²; w ← w − η·g/(√s + ε)` (plus optional momentum) | `s`, momentum | `RMSprop()` |
//! | [`Adam`] | `m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − η·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε)` | `m`, `v`, `t` | `Adam()` |
//! | [`AdamW`] | Adam, plus `w ← w − η·λ·w` | `m`, `v`, `t` | `AdamW()` |
//!
//! Defaults follow Keras (`Default` gives Keras' learning rate too; `new(η)`
//! takes the learning rate and Keras' defaults for the rest).
//!
//! # Weight decay
//! [`Sgd`], [`SgdMomentum`], [`RmsProp`] and [`Adam`] take an optional
//! *coupled* L2 weight decay `λ` (`weight_decay`, `None` by default): the
//! update sees the gradient `g + λ·w`, as in PyTorch's `weight_decay`
//! argument of these optimizers. (Keras 3's `weight_decay` argument is the
//! decoupled kind for every optimizer.) [`AdamW`] has the *decoupled* kind,
//! `w ← w − η·λ·w` beside the Adam update. Optimizers see flat slices, not
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
//! use constnet::optim::Adam;
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
mod adamw;
mod momentum;
mod rmsprop;
pub mod schedule;
mod sgd;

pub use adam::Adam;
pub use adamw::AdamW;
pub use momentum::{Momentum, SgdMomentum};
pub use rmsprop::RmsProp;
pub use schedule::Schedule;
pub use sgd::Sgd;
pub(crate) use sgd::descend;

use num_traits::{Float, ToPrimitive};

use crate::{Scalar, kernel};

/// Updates parameters `P` from their gradients (a value of the same type, see
/// [`Params`](crate::Params)).
///
/// An optimizer walks parameters and gradients as flat slices with
/// [`Params::visit_n`](crate::Params::visit_n), so one optimizer serves every
/// layer and network. A step never allocates; optimizers that keep state keep
/// it in values of type `P` too.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let mut layer = Dense::<1, 1, f64> { weight: [[1.0]], bias: [0.0] };
/// let mut grads = Dense::<1, 1, f64> { weight: [[2.0]], bias: [-1.0] };
/// Sgd::new(0.5).step(&mut layer, &mut grads);
/// assert_eq!((layer.weight, layer.bias), ([[0.0]], [0.5]));
/// ```
pub trait Optimizer<P> {
    /// The scalar type of the learning rate and the parameters.
    type Scalar: num_traits::Float;

    /// One update of `params` given `grads` = ∂C/∂params. `grads` is mutable
    /// so optimizers may transform it in place; callers treat it as consumed.
    fn step(&mut self, params: &mut P, grads: &mut P);

    /// The current learning rate η.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let sgd = Sgd::new(0.5_f32);
    /// assert_eq!(Optimizer::<Dense<1, 1>>::learning_rate(&sgd), 0.5);
    /// ```
    #[must_use]
    fn learning_rate(&self) -> Self::Scalar;

    /// Sets the learning rate η, e.g. from a [`Schedule`] before each epoch:
    /// `optimizer.set_learning_rate(schedule.rate(epoch))`. Optimizer state
    /// (momentum, moment estimates) is kept.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// use constnet::optim::schedule::{Cosine, Schedule};
    /// use constnet::prelude::*;
    ///
    /// let mut sgd = Sgd::new(0.5_f32);
    /// Optimizer::<Dense<1, 1>>::set_learning_rate(&mut sgd, 0.1);
    /// assert_eq!(sgd.learning_rate, 0.1);
    ///
    /// let mut adam: Adam<Dense<1, 1>> = Adam::default();
    /// let schedule = Cosine { initial: 1e-3, minimum: 0.0, epochs: 10 };
    /// adam.set_learning_rate(schedule.rate(6)); // half-way: η = 0.5e-3
    /// assert!((adam.learning_rate() - 0.5e-3).abs() < 1e-9);
    /// ```
    fn set_learning_rate(&mut self, learning_rate: Self::Scalar);

    /// `Some(η)` when the next [`step`](Self::step) is plain gradient
    /// descent, `w ← w − η·g` for every parameter and nothing else (no
    /// weight decay, no state to update), rounded as [`Sgd`] rounds it;
    /// `None` (the default) otherwise.
    ///
    /// A training step that gets `Some(η)` may apply that update itself
    /// instead of calling [`step`](Self::step): [`train::step`](crate::train::step)
    /// and [`Trainer`](crate::Trainer) then subtract each tile of the first
    /// layer's weight gradient from the weights as soon as it is summed
    /// ([`Layer::backward_params_sgd`](crate::Layer::backward_params_sgd)),
    /// which saves writing a gradient as large as the weights and reading
    /// it back. The network gets the same bits either way.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// use constnet::prelude::*;
    ///
    /// type Net = (Dense<2, 1>,);
    /// assert_eq!(Optimizer::<Net>::plain_rate(&Sgd::new(0.5_f32)), Some(0.5));
    /// assert_eq!(Optimizer::<Net>::plain_rate(&Sgd::new(0.5_f32).with_weight_decay(1e-4)), None);
    /// assert_eq!(Adam::<Net>::new(1e-3).plain_rate(), None);
    /// ```
    #[must_use]
    fn plain_rate(&self) -> Option<Self::Scalar> {
        None
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
