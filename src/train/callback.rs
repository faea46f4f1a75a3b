//! Hooks into [`Trainer::fit`](crate::Trainer::fit): progress, learning-rate
//! schedules, early stopping and the divergence check.

use super::EpochMetrics;

/// Whether [`Trainer::fit`](crate::Trainer::fit) goes on after an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Control {
    /// Train the next epoch.
    Continue,
    /// Stop; the history records that training stopped early.
    Stop,
    /// Stop because training has diverged or collapsed:
    /// [`Trainer::fit`](crate::Trainer::fit) returns
    /// [`TrainError::Diverged`](super::TrainError::Diverged) for the epoch.
    Diverged,
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
        match (self.0.on_epoch_end(metrics), self.1.on_epoch_end(metrics)) {
            (Control::Diverged, _) | (_, Control::Diverged) => Control::Diverged,
            (Control::Stop, _) | (_, Control::Stop) => Control::Stop,
            _ => Control::Continue,
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

/// Ends [`Trainer::fit`](crate::Trainer::fit) with
/// [`TrainError::Diverged`](super::TrainError::Diverged) when training has
/// diverged or collapsed, which a NaN-free loss does not show by itself: a
/// huge learning rate can saturate every sigmoid (the cost then stays at a
/// finite plateau and the network guesses) or blow the cost up to `1e17`
/// without ever overflowing.
///
/// After each epoch it reports divergence when
/// - the epoch's mean training loss is above `loss_factor` times the loss of
///   the first mini-batch of training (the untrained network's), or
/// - the training accuracy is below `min_accuracy` (1.2 times chance by
///   default): after a whole epoch the network still guesses. A task that
///   starts slowly can lower it, or set it to 0 to watch only the loss.
///
/// # Examples
/// ```
/// use constnet::train::{Callback, Control, Divergence, EpochMetrics};
///
/// let mut check = Divergence::for_classes(10); // accuracy must reach 12 %
/// let epoch = |loss, accuracy| EpochMetrics { epoch: 1, loss, accuracy, ..EpochMetrics::default() };
/// check.on_batch_end(&constnet::train::BatchProgress { epoch: 1, batch: 1, batches: 10, loss: 0.5 });
/// assert_eq!(check.on_epoch_end(&epoch(0.1, 0.85)), Control::Continue);
/// assert_eq!(check.on_epoch_end(&epoch(0.5, 0.098)), Control::Diverged); // at chance
/// assert_eq!(check.on_epoch_end(&epoch(8e17, 0.5)), Control::Diverged); // exploded
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Divergence {
    /// The largest accepted ratio of an epoch's loss to the first
    /// mini-batch's.
    pub loss_factor: f64,
    /// The smallest accepted training accuracy after an epoch (0 to skip).
    pub min_accuracy: f64,
    /// The first mini-batch's loss, once seen.
    start: Option<f64>,
}

impl Divergence {
    /// A check for a classifier of `classes` classes: loss at most 10 times
    /// its start, training accuracy at least 1.2 times chance
    /// (`1.2 / classes`).
    ///
    /// ```
    /// use constnet::train::Divergence;
    /// assert_eq!(Divergence::for_classes(10).min_accuracy, 0.12);
    /// ```
    #[must_use]
    pub fn for_classes(classes: usize) -> Self {
        Self {
            loss_factor: 10.0,
            min_accuracy: 1.2 / classes.max(1) as f64,
            start: None,
        }
    }
}

impl Callback for Divergence {
    fn on_batch_end(&mut self, progress: &BatchProgress) {
        if self.start.is_none() {
            self.start = Some(progress.loss);
        }
    }

    fn on_epoch_end(&mut self, metrics: &EpochMetrics) -> Control {
        let Some(start) = self.start else {
            return Control::Continue;
        };
        // A NaN loss counts as exploded.
        let exploded = metrics.loss.is_nan() || metrics.loss > self.loss_factor * start;
        if exploded || metrics.accuracy < self.min_accuracy {
            Control::Diverged
        } else {
            Control::Continue
        }
    }
}
