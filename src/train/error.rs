//! Errors of the training loop.

use core::fmt;

/// Why training stopped.
///
/// # Examples
/// ```
/// use constnet::train::TrainError;
///
/// let e = TrainError::NonFiniteLoss { epoch: Some(3), batch: Some(12), loss: f64::NAN };
/// assert_eq!(e.to_string(), "loss is NaN at epoch 3, batch 12: training diverged (try a smaller learning rate)");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TrainError {
    /// A mini-batch held no samples.
    EmptyBatch,
    /// A batch size of zero was asked for.
    ZeroBatchSize,
    /// The inputs and the targets of a data set differ in length.
    LengthMismatch {
        /// Number of inputs.
        inputs: usize,
        /// Number of targets.
        targets: usize,
    },
    /// The mini-batch cost was NaN or infinite; the parameters were left as
    /// they were before the batch.
    NonFiniteLoss {
        /// The epoch (from 1), when known.
        epoch: Option<usize>,
        /// The batch within the epoch (from 1), when known.
        batch: Option<usize>,
        /// The offending cost.
        loss: f64,
    },
    /// The loss and gradient were finite, but the optimizer's update would
    /// have made a parameter or a state value NaN or infinite (it
    /// overflows, e.g. with a huge learning rate): the update was not
    /// made, and the parameters and state are as before the batch.
    NonFiniteUpdate {
        /// The epoch (from 1), when known.
        epoch: Option<usize>,
        /// The batch within the epoch (from 1), when known.
        batch: Option<usize>,
    },
    /// A sample's input holds a NaN or an infinity, so its loss is not
    /// finite: the data, not the training, is at fault. The parameters were
    /// left as they were before the batch.
    NonFiniteInput {
        /// The epoch (from 1), when known.
        epoch: Option<usize>,
        /// The batch within the epoch (from 1), when known.
        batch: Option<usize>,
        /// The sample's position in its mini-batch (from 0).
        sample: usize,
    },
    /// A callback of [`Trainer::fit`](crate::Trainer::fit) (such as
    /// [`Divergence`](super::Divergence)) found that training diverged or
    /// collapsed after this epoch, though every value stayed finite.
    Diverged {
        /// The epoch (from 1).
        epoch: usize,
        /// Its mean training loss.
        loss: f64,
        /// Its training accuracy, in `[0, 1]`.
        accuracy: f64,
    },
    /// The optimizer's state holds fewer values than it needs
    /// ([`Optimizer::slots`](crate::Optimizer::slots)); nothing was changed.
    OptimizerState {
        /// The values the optimizer needs.
        expected: usize,
        /// The values given.
        found: usize,
    },
    /// A gradient was NaN or infinite while the cost was finite; the
    /// parameters were left as they were before the batch.
    NonFiniteGradient {
        /// The epoch (from 1), when known.
        epoch: Option<usize>,
        /// The batch within the epoch (from 1), when known.
        batch: Option<usize>,
    },
}

impl TrainError {
    /// The same error, located at `epoch` and `batch` (both counted from 1).
    #[cfg(feature = "alloc")]
    #[must_use]
    pub(crate) fn at(self, epoch: usize, batch: usize) -> Self {
        match self {
            Self::NonFiniteLoss { loss, .. } => Self::NonFiniteLoss {
                epoch: Some(epoch),
                batch: Some(batch),
                loss,
            },
            Self::NonFiniteGradient { .. } => Self::NonFiniteGradient {
                epoch: Some(epoch),
                batch: Some(batch),
            },
            Self::NonFiniteUpdate { .. } => Self::NonFiniteUpdate {
                epoch: Some(epoch),
                batch: Some(batch),
            },
            Self::NonFiniteInput { sample, .. } => Self::NonFiniteInput {
                epoch: Some(epoch),
                batch: Some(batch),
                sample,
            },
            other => other,
        }
    }
}

/// Writes ` at epoch E, batch B` for whatever is known.
fn fmt_location(
    f: &mut fmt::Formatter<'_>,
    epoch: Option<usize>,
    batch: Option<usize>,
) -> fmt::Result {
    match (epoch, batch) {
        (Some(e), Some(b)) => write!(f, " at epoch {e}, batch {b}"),
        (Some(e), None) => write!(f, " at epoch {e}"),
        (None, Some(b)) => write!(f, " at batch {b}"),
        (None, None) => Ok(()),
    }
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::EmptyBatch => write!(f, "a mini-batch held no samples"),
            Self::ZeroBatchSize => write!(f, "the batch size must be at least 1"),
            Self::LengthMismatch { inputs, targets } => {
                write!(f, "{inputs} inputs but {targets} targets")
            }
            Self::NonFiniteLoss { epoch, batch, loss } => {
                write!(f, "loss is {loss}")?;
                fmt_location(f, epoch, batch)?;
                write!(f, ": training diverged (try a smaller learning rate)")
            }
            Self::NonFiniteUpdate { epoch, batch } => {
                write!(f, "the update would overflow a parameter")?;
                fmt_location(f, epoch, batch)?;
                write!(
                    f,
                    ": training diverged, nothing was changed (try a smaller learning rate)"
                )
            }
            Self::NonFiniteInput {
                epoch,
                batch,
                sample,
            } => {
                write!(f, "sample {sample} of the mini-batch")?;
                fmt_location(f, epoch, batch)?;
                write!(f, " has an input that is NaN or infinite: check the data")
            }
            Self::Diverged {
                epoch,
                loss,
                accuracy,
            } => write!(
                f,
                "training diverged or collapsed at epoch {epoch}: mean training loss {loss:.5e}, \
                 training accuracy {:.2}% (try a smaller learning rate)",
                100.0 * accuracy
            ),
            Self::OptimizerState { expected, found } => write!(
                f,
                "the optimizer needs {expected} state values shaped like the network, got {found}"
            ),
            Self::NonFiniteGradient { epoch, batch } => {
                write!(f, "a gradient is not finite")?;
                fmt_location(f, epoch, batch)?;
                write!(f, ": training diverged (try a smaller learning rate)")
            }
        }
    }
}

impl core::error::Error for TrainError {}
