//! Training: mini-batch gradient descent, `fit`, evaluation and metrics.
//!
//! A [`Trainer`] owns the gradient buffer, the loss and the optimizer. Its
//! [`step`](Trainer::step) runs one mini-batch — forward, loss, backward,
//! update — without touching the heap; [`epoch`](Trainer::epoch) shuffles a
//! data set with a seeded RNG and steps through it; [`fit`](Trainer::fit)
//! runs epochs with validation, per-epoch [`History`] and [`Callback`]s for
//! progress, learning-rate schedules and [`EarlyStopping`]. [`evaluate`],
//! [`predict`] and [`accuracy`] and [`ConfusionMatrix`] measure a trained network. The library
//! prints nothing: what is measured is returned.
//!
//! Without a heap (no `alloc` feature), [`gradient`] and [`step`] do what
//! [`Trainer::gradient`] and [`Trainer::step`] do with a gradient buffer the
//! caller owns; [`evaluate`], [`accuracy`], [`predict`], [`ConfusionMatrix`] (but not its
//! table) and [`Target`] work too. [`Trainer`] needs `alloc`; `fit`,
//! callbacks and [`History`] need `std`.

#[cfg(feature = "std")]
mod callback;
mod confusion;
mod error;
mod evaluate;
#[cfg(feature = "std")]
mod fit;
mod step;
mod target;
#[cfg(feature = "alloc")]
mod trainer;

#[cfg(feature = "std")]
pub use callback::{
    BatchProgress, Callback, Control, Divergence, EarlyStopping, LearningRateSchedule, Monitor,
};
pub use confusion::ConfusionMatrix;
#[cfg(feature = "alloc")]
pub use confusion::Named;
pub use error::TrainError;
pub use evaluate::{Evaluation, accuracy, evaluate, predict};
#[cfg(feature = "std")]
pub use fit::{EpochMetrics, FitConfig, History};
pub use step::{gradient, step};
pub use target::Target;
#[cfg(feature = "alloc")]
pub use trainer::Trainer;
