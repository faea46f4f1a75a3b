//! [`Trainer::fit`]: epochs, shuffling, validation, metrics and callbacks.

use std::time::Instant;

use num_traits::{Float, NumCast, ToPrimitive};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::{BatchProgress, Callback, Control, Evaluation, Target, TrainError, evaluate};
use crate::{Layer, Loss, Optimizer, Tensor, Trainer};

/// How [`Trainer::fit`] trains: epochs, batch size and the shuffling seed.
///
/// # Examples
/// ```
/// use constnet::train::FitConfig;
/// let config = FitConfig::new(30, 10).seed(42);
/// assert_eq!((config.epochs, config.batch_size, config.seed), (30, 10, 42));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct FitConfig {
    /// Number of epochs (passes over the training data).
    pub epochs: usize,
    /// Samples per mini-batch; the last batch of an epoch may be smaller.
    pub batch_size: usize,
    /// Seed of the RNG that shuffles the training data before every epoch.
    pub seed: u64,
}

impl FitConfig {
    /// `epochs` epochs of mini-batches of `batch_size`, shuffled from seed 0.
    #[must_use]
    pub fn new(epochs: usize, batch_size: usize) -> Self {
        Self {
            epochs,
            batch_size,
            seed: 0,
        }
    }

    /// The same configuration with the shuffling seed `seed`.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// What one epoch of [`Trainer::fit`] measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EpochMetrics {
    /// The epoch, from 1.
    pub epoch: usize,
    /// Mean of the epoch's mini-batch costs (each measured before its update).
    pub loss: f64,
    /// Fraction of training samples predicted correctly during the epoch
    /// (each scored before its batch's update; see [`Target`]).
    pub accuracy: f64,
    /// Loss and accuracy on the validation data after the epoch, if given.
    /// [`Trainer::fit`] rejects empty validation data, so this is `Some`
    /// exactly when validation data was given.
    pub validation: Option<Evaluation>,
    /// The learning rate used in this epoch.
    pub learning_rate: f64,
    /// Wall time of the epoch's training (not validation), in seconds.
    pub seconds: f64,
}

/// Per-epoch metrics of a [`Trainer::fit`] run, like Keras' `History`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// One entry per epoch trained.
    pub epochs: Vec<EpochMetrics>,
    /// Whether a callback stopped training before the configured epochs.
    pub stopped_early: bool,
}

impl History {
    /// The metrics of the last epoch trained, if any.
    ///
    /// ```
    /// use constnet::train::History;
    /// assert!(History::default().last().is_none());
    /// ```
    #[must_use]
    pub fn last(&self) -> Option<&EpochMetrics> {
        self.epochs.last()
    }
}

impl<N, L, O> Trainer<N, L, O> {
    /// Trains `net` on `inputs` and `targets` for `config.epochs` epochs, like
    /// Keras' `model.fit`: before every epoch the samples are shuffled (from
    /// `config.seed`) and the `callback` may set the learning rate; after each
    /// mini-batch and epoch the `callback` is told the progress and metrics,
    /// and may stop training. With `validation` data (inputs and targets of
    /// the same kind as the training targets), each epoch ends with an
    /// [`evaluate`] on it.
    ///
    /// Accuracy, in training and validation, is judged by the targets
    /// ([`Target`]): class labels of a `C`-output classifier, or target
    /// vectors, including `[T; 1]` targets `0`/`1` of a one-output (binary)
    /// classifier, scored with the threshold 0.5.
    ///
    /// The same network, data and configuration give bit-identical results.
    ///
    /// # Errors
    /// Before training, if the validation data is given:
    /// - [`TrainError::LengthMismatch`] if its inputs and targets differ in
    ///   length;
    /// - [`TrainError::EmptyBatch`] if it holds no samples.
    ///
    /// Then as [`Trainer::epoch`]: bad sizes (including no training
    /// samples), and divergence (NaN or infinite loss or gradient) located at
    /// its epoch and batch, with `net` left as it was before that batch.
    ///
    /// # Examples
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// use constnet::train::{EarlyStopping, FitConfig, Monitor};
    ///
    /// // Is x₀ > x₁? Two classes from a 2-8-2 network.
    /// let inputs: Vec<[f32; 2]> = (0..200).map(|i| [(i % 17) as f32 / 17.0, (i % 13) as f32 / 13.0]).collect();
    /// let labels: Vec<Class<2>> = inputs.iter().filter_map(|x| Class::new(usize::from(x[0] > x[1]))).collect();
    /// let mut net = <(Dense<2, 8>, Sigmoid, Dense<8, 2>, Sigmoid)>::random(
    ///     Init::StandardNormal,
    ///     &mut ChaCha8Rng::seed_from_u64(0),
    /// );
    /// let mut trainer = Trainer::new(Quadratic, Sgd::new(2.0));
    /// let mut stop = EarlyStopping::new(Monitor::ValidationLoss, 5);
    /// let history = trainer.fit(&mut net, &inputs, &labels, Some((&inputs, &labels)), FitConfig::new(100, 10), &mut stop)?;
    /// let last = history.last().ok_or("no epoch")?;
    /// assert!(last.accuracy > 0.9, "{last:?}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn fit<I, S, Y>(
        &mut self,
        net: &mut N,
        inputs: &[S],
        targets: &[Y],
        validation: Option<(&[S], &[Y])>,
        config: FitConfig,
        mut callback: impl Callback,
    ) -> Result<History, TrainError>
    where
        I: Tensor,
        S: crate::Sample<I>,
        N: Layer<I>,
        Y: Target<N::Output>,
        L: Loss<N::Output, Y>,
        O: Optimizer<I::Scalar>,
    {
        if let Some((x, y)) = validation {
            if x.len() != y.len() {
                return Err(TrainError::LengthMismatch {
                    inputs: x.len(),
                    targets: y.len(),
                });
            }
            if x.is_empty() {
                return Err(TrainError::EmptyBatch);
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut history = History::default();
        for epoch in 1..=config.epochs {
            let current = self
                .optimizer()
                .learning_rate()
                .to_f64()
                .unwrap_or(f64::NAN);
            let rate = callback.learning_rate(epoch, current);
            if rate != current {
                let rate = <I::Scalar as NumCast>::from(rate).unwrap_or_else(I::Scalar::nan);
                self.optimizer_mut().set_learning_rate(rate);
            }
            let start = Instant::now();
            let mut correct = 0usize;
            let loss = self.epoch_with(
                net,
                inputs,
                targets,
                config.batch_size,
                &mut rng,
                epoch,
                |out, y| correct += if y.is_correct(out) { 1 } else { 0 },
                |batch, batches, cost| {
                    callback.on_batch_end(&BatchProgress {
                        epoch,
                        batch,
                        batches,
                        loss: cost.to_f64().unwrap_or(f64::NAN),
                    });
                },
            )?;
            let seconds = start.elapsed().as_secs_f64();
            // Not empty, checked above: `evaluate` measures something.
            let validation = validation.and_then(|(x, y)| evaluate(net, x, y, self.loss()));
            let metrics = EpochMetrics {
                epoch,
                loss: loss.to_f64().unwrap_or(f64::NAN),
                accuracy: correct as f64 / inputs.len() as f64,
                validation,
                learning_rate: self
                    .optimizer()
                    .learning_rate()
                    .to_f64()
                    .unwrap_or(f64::NAN),
                seconds,
            };
            history.epochs.push(metrics);
            match callback.on_epoch_end(&metrics) {
                Control::Continue => {}
                Control::Stop => {
                    history.stopped_early = epoch < config.epochs;
                    break;
                }
                Control::Diverged => {
                    return Err(TrainError::Diverged {
                        epoch,
                        loss: metrics.loss,
                        accuracy: metrics.accuracy,
                    });
                }
            }
        }
        Ok(history)
    }
}
