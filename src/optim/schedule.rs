//! Learning-rate schedules: the learning rate as a function of the epoch.
//!
//! Epochs are counted from 1, as in [`Trainer::epoch`](crate::Trainer::epoch):
//! `rate(1)` is the rate of the first epoch and equals the schedule's initial
//! rate. (`rate(0)` is the same as `rate(1)`.) Keras' schedules count from 0:
//! Keras' rate at epoch `k` is constnet's at `k + 1`.
//!
//! The training loop applies a schedule before each epoch:
//! `optimizer.set_learning_rate(schedule.rate(epoch))`
//! ([`Optimizer::set_learning_rate`](super::Optimizer::set_learning_rate)).
//! A schedule only reads the epoch; the optimizer keeps its state.
//!
//! | schedule | rate at epoch `e` (`k = e − 1`) |
//! | --- | --- |
//! | [`Constant`] | `η` |
//! | [`StepDecay`] | `η₀·factor^⌊k/every⌋` |
//! | [`ExponentialDecay`] | `η₀·factor^(k/every)` |
//! | [`Cosine`] | `η_min + (η₀ − η_min)·(1 + cos(π·min(k, epochs)/epochs))/2` |
//! | any `Fn(usize) -> T` | the closure's value |
//!
//! # Examples
//! ```
//! use constnet::optim::schedule::{Cosine, Schedule};
//! use constnet::prelude::*;
//!
//! let schedule = Cosine { initial: 0.01, minimum: 0.0, epochs: 30 };
//! let mut adam = Adam::new(0.01_f32);
//! for epoch in 1..=30 {
//!     adam.set_learning_rate(schedule.rate(epoch));
//!     // trainer.epoch(…, epoch)?;
//! }
//! assert!(adam.learning_rate() < 1e-4);
//! ```

use core::f64::consts::PI;

use num_traits::Float;

use super::cast;

/// A learning rate per epoch, epochs counted from 1.
///
/// Implemented by the schedules of this module and by every closure
/// `Fn(usize) -> T`.
///
/// # Generics
/// - `T`: the scalar type of the learning rate.
///
/// # Examples
/// ```
/// use constnet::optim::schedule::{Schedule, StepDecay};
///
/// fn rates<T>(schedule: &impl Schedule<T>) -> [T; 3] {
///     [schedule.rate(1), schedule.rate(2), schedule.rate(3)]
/// }
/// assert_eq!(rates(&StepDecay { initial: 1.0, factor: 0.5, every: 2 }), [1.0, 1.0, 0.5]);
/// assert_eq!(rates(&|epoch: usize| 1.0 / epoch as f64), [1.0, 0.5, 1.0 / 3.0]);
/// ```
pub trait Schedule<T> {
    /// The learning rate of epoch `epoch` (from 1; 0 is read as 1).
    ///
    /// ```
    /// use constnet::optim::schedule::{Constant, Schedule};
    /// assert_eq!(Constant(0.1).rate(7), 0.1);
    /// ```
    #[must_use]
    fn rate(&self, epoch: usize) -> T;
}

impl<T, F: Fn(usize) -> T> Schedule<T> for F {
    fn rate(&self, epoch: usize) -> T {
        self(epoch)
    }
}

/// The same learning rate every epoch.
///
/// # Generics
/// - `T`: the scalar type of the learning rate.
///
/// # Examples
/// ```
/// use constnet::optim::schedule::{Constant, Schedule};
/// let schedule = Constant(3.0_f32);
/// assert_eq!((schedule.rate(1), schedule.rate(1000)), (3.0, 3.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Constant<T>(pub T);

impl<T: Copy> Schedule<T> for Constant<T> {
    fn rate(&self, _epoch: usize) -> T {
        self.0
    }
}

/// Multiplies the rate by `factor` every `every` epochs:
/// `rate(e) = initial·factor^⌊(e − 1)/every⌋`.
///
/// Keras' `ExponentialDecay(initial, every, factor, staircase=True)` in
/// epochs. An `every` of 0 is read as 1.
///
/// # Generics
/// - `T`: the scalar type of the learning rate.
///
/// # Examples
/// ```
/// use constnet::optim::schedule::{Schedule, StepDecay};
///
/// let schedule = StepDecay { initial: 0.1_f64, factor: 0.5, every: 10 };
/// assert_eq!(schedule.rate(1), 0.1);
/// assert_eq!(schedule.rate(10), 0.1);
/// assert_eq!(schedule.rate(11), 0.05);
/// assert_eq!(schedule.rate(21), 0.025);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay<T> {
    /// The rate of the first `every` epochs.
    pub initial: T,
    /// The factor applied every `every` epochs, usually in `(0, 1)`.
    pub factor: T,
    /// The number of epochs between decays.
    pub every: usize,
}

impl<T: Float> Schedule<T> for StepDecay<T> {
    fn rate(&self, epoch: usize) -> T {
        let decays = epoch.saturating_sub(1) / self.every.max(1);
        self.initial * self.factor.powi(i32::try_from(decays).unwrap_or(i32::MAX))
    }
}

/// Multiplies the rate smoothly by `factor` per `every` epochs:
/// `rate(e) = initial·factor^((e − 1)/every)`.
///
/// Keras' `ExponentialDecay(initial, every, factor)` in epochs. An `every` of
/// 0 is read as 1.
///
/// # Generics
/// - `T`: the scalar type of the learning rate.
///
/// # Examples
/// ```
/// use constnet::optim::schedule::{ExponentialDecay, Schedule};
///
/// let schedule = ExponentialDecay { initial: 0.1_f64, factor: 0.25, every: 2 };
/// assert_eq!(schedule.rate(1), 0.1);
/// assert!((schedule.rate(2) - 0.05).abs() < 1e-15); // 0.1·0.25^(1/2)
/// assert!((schedule.rate(3) - 0.025).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialDecay<T> {
    /// The rate of the first epoch.
    pub initial: T,
    /// The factor applied over `every` epochs, usually in `(0, 1)`.
    pub factor: T,
    /// The number of epochs over which the rate is multiplied by `factor`.
    pub every: usize,
}

impl<T: Float> Schedule<T> for ExponentialDecay<T> {
    fn rate(&self, epoch: usize) -> T {
        let k: T = cast(epoch.saturating_sub(1));
        let every: T = cast(self.every.max(1));
        self.initial * self.factor.powf(k / every)
    }
}

/// Cosine annealing from `initial` to `minimum` over `epochs` epochs, then
/// `minimum`:
/// `rate(e) = minimum + (initial − minimum)·(1 + cos(π·min(e − 1, epochs)/epochs))/2`.
///
/// The first epoch has `initial`; epoch `epochs + 1` and later have
/// `minimum`, so a run of `epochs` epochs ends just above it (as PyTorch's
/// `CosineAnnealingLR(T_max=epochs)`). Keras' `CosineDecay(initial,
/// decay_steps=epochs, alpha=minimum/initial)` in epochs. With `epochs` = 0
/// the rate is `minimum` from the start.
///
/// # Generics
/// - `T`: the scalar type of the learning rate.
///
/// # Examples
/// ```
/// use constnet::optim::schedule::{Cosine, Schedule};
///
/// let schedule = Cosine { initial: 0.1_f64, minimum: 0.01, epochs: 10 };
/// assert_eq!(schedule.rate(1), 0.1);
/// assert!((schedule.rate(6) - 0.055).abs() < 1e-15); // half-way: the mean
/// assert_eq!(schedule.rate(11), 0.01);
/// assert_eq!(schedule.rate(100), 0.01);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cosine<T> {
    /// The rate of the first epoch.
    pub initial: T,
    /// The rate from epoch `epochs + 1` on.
    pub minimum: T,
    /// The length of the annealing, in epochs.
    pub epochs: usize,
}

impl<T: Float> Schedule<T> for Cosine<T> {
    fn rate(&self, epoch: usize) -> T {
        let k = epoch.saturating_sub(1);
        if k >= self.epochs {
            return self.minimum;
        }
        let progress = cast::<T>(k) / cast::<T>(self.epochs);
        let one = T::one();
        let half = one / (one + one);
        let cosine = (cast::<T>(PI) * progress).cos();
        self.minimum + (self.initial - self.minimum) * half * (one + cosine)
    }
}
