//! Hooks into [`Trainer::fit`](crate::Trainer::fit): progress, learning-rate
//! schedules and early stopping.

use super::EpochMetrics;

/// Whether [`Trainer::fit`](crate::Trainer::fit) goes on after an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Control {
    /// Train the next epoch.
    Continue,
    /// Stop; the history records that training stopped early.
    Stop,
}

/// What [`Trainer::fit`](crate::Trainer::fit) reports after each mini-batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchProgress {
    /// The epoch, from 1.
    pub epoch: usize,
    /// The mini-batch within the epoch, from 1.
    pub batch: usize,
    /// The number of mini-batches in the epoch.
    pub batches: usize,
    /// The cost of this mini-batch (before its update).
    pub loss: f64,
}

/// Called by [`Trainer::fit`](crate::Trainer::fit) around every epoch and
/// batch. The library itself prints nothing: logging, progress bars,
/// learning-rate schedules and early stopping are callbacks. Every method has
/// a default that does nothing, so a callback implements only what it needs.
///
/// `()` is the callback that does nothing; a pair `(A, B)` runs both (`A`
/// first), stops when either asks to, and passes the learning rate chosen by
/// `A` on to `B`.
///
/// # Examples
/// A callback that logs each epoch into a `Vec` and stops when accuracy
/// reaches 99 %:
/// ```
/// use constnet::train::{Callback, Control, EpochMetrics};
///
/// struct Log(Vec<String>);
/// impl Callback for Log {
///     fn on_epoch_end(&mut self, m: &EpochMetrics) -> Control {
///         self.0.push(format!("epoch {}: loss {:.4}", m.epoch, m.loss));
///         if m.accuracy >= 0.99 { Control::Stop } else { Control::Continue }
///     }
/// }
/// # let _ = Log(Vec::new());
/// ```
pub trait Callback {
    /// The learning rate for `epoch` (from 1), given the optimizer's
    /// `current` one; called before each epoch. A schedule returns its rate.
    fn learning_rate(&mut self, epoch: usize, current: f64) -> f64 {
        let _ = epoch;
        current
    }

    /// After each mini-batch.
    fn on_batch_end(&mut self, progress: &BatchProgress) {
        let _ = progress;
    }

    /// After each epoch, with its metrics; [`Control::Stop`] ends training.
    fn on_epoch_end(&mut self, metrics: &EpochMetrics) -> Control {
        let _ = metrics;
        Control::Continue
    }
}

impl Callback for () {}

impl<A: Callback, B: Callback> Callback for (A, B) {
    fn learning_rate(&mut self, epoch: usize, current: f64) -> f64 {
        let rate = self.0.learning_rate(epoch, current);
        self.1.learning_rate(epoch, rate)
    }

    fn on_batch_end(&mut self, progress: &BatchProgress) {
        self.0.on_batch_end(progress);
        self.1.on_batch_end(progress);
    }

    fn on_epoch_end(&mut self, metrics: &EpochMetrics) -> Control {
        let a = self.0.on_epoch_end(metrics);
        let b = self.1.on_epoch_end(metrics);
        if a == Control::Stop || b == Control::Stop {
            Control::Stop
        } else {
            Control::Continue
        }
    }
}

impl<C: Callback + ?Sized> Callback for &mut C {
    fn learning_rate(&mut self, epoch: usize, current: f64) -> f64 {
        (**self).learning_rate(epoch, current)
    }

    fn on_batch_end(&mut self, progress: &BatchProgress) {
        (**self).on_batch_end(progress);
    }

    fn on_epoch_end(&mut self, metrics: &EpochMetrics) -> Control {
        (**self).on_epoch_end(metrics)
    }
}

/// Which metric [`EarlyStopping`] watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Monitor {
    /// The validation loss (lower is better); the training loss when no
    /// validation data is given.
    ValidationLoss,
    /// The validation accuracy (higher is better); the training accuracy
    /// when no validation data is given.
    ValidationAccuracy,
    /// The mean training loss of the epoch (lower is better).
    TrainingLoss,
}

/// Stops training when the monitored metric has not improved by more than
/// `min_delta` for `patience` epochs in a row (Keras' `EarlyStopping`).
///
/// The network keeps the parameters of the last epoch trained; to keep the
/// best ones, save a copy when [`improved`](Self::improved) says so in your
/// own callback, or stop with a patience of 0.
///
/// # Examples
/// ```
/// use constnet::train::{Callback, Control, EarlyStopping, EpochMetrics, Monitor};
///
/// let mut stop = EarlyStopping::new(Monitor::TrainingLoss, 2);
/// let epoch = |epoch, loss| EpochMetrics { epoch, loss, ..EpochMetrics::default() };
/// assert_eq!(stop.on_epoch_end(&epoch(1, 0.5)), Control::Continue);
/// assert_eq!(stop.on_epoch_end(&epoch(2, 0.6)), Control::Continue); // 1 without improvement
/// assert_eq!(stop.on_epoch_end(&epoch(3, 0.5)), Control::Stop); // 2: patience used up
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct EarlyStopping {
    /// The metric watched.
    pub monitor: Monitor,
    /// Epochs without improvement tolerated before stopping.
    pub patience: usize,
    /// The smallest change that counts as an improvement.
    pub min_delta: f64,
    best: Option<f64>,
    waited: usize,
    improved: bool,
}

impl EarlyStopping {
    /// Watches `monitor` with the given `patience` and `min_delta` 0.
    #[must_use]
    pub fn new(monitor: Monitor, patience: usize) -> Self {
        Self {
            monitor,
            patience,
            min_delta: 0.0,
            best: None,
            waited: 0,
            improved: false,
        }
    }

    /// Whether the last epoch seen improved the monitored metric.
    #[must_use]
    pub fn improved(&self) -> bool {
        self.improved
    }

    /// The best value of the monitored metric so far.
    #[must_use]
    pub fn best(&self) -> Option<f64> {
        match self.monitor {
            Monitor::ValidationAccuracy => self.best.map(|s| -s),
            Monitor::ValidationLoss | Monitor::TrainingLoss => self.best,
        }
    }

    /// The monitored value as "lower is better".
    fn score(&self, m: &EpochMetrics) -> f64 {
        match (self.monitor, m.validation) {
            (Monitor::ValidationLoss, Some(v)) => v.loss,
            (Monitor::ValidationAccuracy, Some(v)) => -v.accuracy,
            (Monitor::ValidationAccuracy, None) => -m.accuracy,
            (Monitor::ValidationLoss | Monitor::TrainingLoss, _) => m.loss,
        }
    }
}

impl Callback for EarlyStopping {
    fn on_epoch_end(&mut self, metrics: &EpochMetrics) -> Control {
        let score = self.score(metrics);
        self.improved = match self.best {
            None => !score.is_nan(),
            Some(best) => score < best - self.min_delta,
        };
        if self.improved {
            self.best = Some(score);
            self.waited = 0;
            Control::Continue
        } else {
            self.waited += 1;
            if self.waited >= self.patience {
                Control::Stop
            } else {
                Control::Continue
            }
        }
    }
}

/// A learning-rate [`Schedule`](crate::optim::Schedule) as a callback: before
/// each epoch, [`Trainer::fit`](crate::Trainer::fit) sets the optimizer's
/// learning rate to the schedule's rate for that epoch.
///
/// # Examples
/// ```
/// use constnet::optim::schedule::StepDecay;
/// use constnet::train::{Callback, LearningRateSchedule};
///
/// let mut schedule = LearningRateSchedule(StepDecay { initial: 0.1, factor: 0.5, every: 2 });
/// let rates: Vec<f64> = (1..=5).map(|e| schedule.learning_rate(e, 0.0)).collect();
/// assert_eq!(rates, [0.1, 0.1, 0.05, 0.05, 0.025]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LearningRateSchedule<S>(pub S);

impl<S: crate::optim::Schedule<f64>> Callback for LearningRateSchedule<S> {
    fn learning_rate(&mut self, epoch: usize, _current: f64) -> f64 {
        self.0.rate(epoch)
    }
}
