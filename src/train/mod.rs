//! Training: mini-batch gradient descent and evaluation.
//!
//! A [`Trainer`] owns the gradient buffer, the loss and the optimizer. Its
//! [`step`](Trainer::step) runs one mini-batch — forward, loss, backward,
//! update — without touching the heap; [`epoch`](Trainer::epoch) shuffles a
//! data set with a seeded RNG and steps through it. [`evaluate`] measures loss
//! and accuracy. The library prints nothing: what is reported is returned.

mod error;
mod evaluate;
mod trainer;

pub use error::TrainError;
pub use evaluate::{Evaluation, evaluate};
pub use trainer::Trainer;
