//! The [`Trainer`]: mini-batch gradient descent.

use alloc::boxed::Box;
use alloc::vec::Vec;

use num_traits::Zero;
use rand::Rng;
use rand::seq::SliceRandom;

use super::TrainError;
use super::step::{boxed_state, cast};
use crate::{Layer, Loss, Optimizer, Params, Sample, Scalar, Tensor};

/// Trains a network of type `N` with a loss `L` and an optimizer `O`.
///
/// The trainer holds the gradient buffer, a value of type `N` (see
/// [`Params`]), and the optimizer's state, values of type `N` too, all
/// built on the heap in place (a network of any size never passes through
/// the stack), so [`step`](Self::step) allocates nothing. It needs the
/// `alloc` feature (on by default), for that buffer; without a heap, keep the
/// buffer yourself and call [`train::gradient`](super::gradient) and
/// [`train::step`](super::step), which this type is built on. For a mini-batch of
/// `m` samples it minimises the mean loss `C = (1/m) Σₓ ℓ(ŷ(x), y(x))` — with
/// [`Quadratic`](crate::Quadratic) exactly the lecture's
/// `C = 1/(2m) Σₓ ‖y(x) − ŷ(x)‖²` — by backpropagating `(1/m)·∂ℓ/∂ŷ` for each
/// sample, summing the parameter gradients and handing them to the optimizer.
///
/// # Generics
/// - `N`: the network, `L`: the loss, `O`: the optimizer.
///
/// # Examples
/// Learn `y = 2x − 1` with one linear neuron:
/// ```
/// use constnet::prelude::*;
///
/// let inputs = [[0.0_f64], [1.0], [2.0], [3.0]];
/// let targets = [[-1.0], [1.0], [3.0], [5.0]];
/// let mut net = (Dense::<1, 1, f64>::zeros(),);
/// let mut trainer = Trainer::new(Quadratic, Sgd::new(0.1));
/// for _ in 0..500 {
///     trainer.step(&mut net, inputs.iter().zip(&targets))?;
/// }
/// assert!((net.0.weight[0][0] - 2.0).abs() < 1e-6);
/// assert!((net.0.bias[0] + 1.0).abs() < 1e-6);
/// # Ok::<(), constnet::TrainError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Trainer<N, L, O> {
    /// Boxed: a trainer of a large network stays cheap to move.
    grads: Box<N>,
    /// The optimizer's state ([`Optimizer::slots`] values).
    state: Box<[N]>,
    loss: L,
    optimizer: O,
    /// The sample order of the last epoch, kept so that an epoch allocates
    /// only when its data set is larger than every one before.
    order: Vec<usize>,
}

impl<N, L, O> Trainer<N, L, O> {
    /// A trainer minimising `loss` with `optimizer`. The network type comes
    /// from the trainer's use, or can be named.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let trainer: Trainer<(Dense<2, 1>, Sigmoid), _, _> = Trainer::new(Quadratic, Sgd::new(0.5));
    /// assert_eq!(trainer.grads().0.bias, [0.0]);
    /// ```
    #[must_use]
    pub fn new<T: Scalar>(loss: L, optimizer: O) -> Self
    where
        N: Params<T>,
        O: Optimizer<T>,
    {
        Self {
            grads: N::boxed_zeros(),
            state: boxed_state(optimizer.slots()),
            loss,
            optimizer,
            order: Vec::new(),
        }
    }

    /// The loss being minimised.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let trainer: Trainer<(Dense<2, 1>,), _, _> = Trainer::new(Quadratic, Sgd::new(0.5));
    /// assert_eq!(*trainer.loss(), Quadratic);
    /// ```
    pub fn loss(&self) -> &L {
        &self.loss
    }

    /// The optimizer.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let trainer: Trainer<(Dense<2, 1>,), _, _> = Trainer::new(Quadratic, Sgd::new(0.5));
    /// assert_eq!(trainer.optimizer().learning_rate, 0.5);
    /// ```
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// The optimizer's state, [`Optimizer::slots`] values shaped like the
    /// network (for [`Adam`](crate::Adam) the moments `m` and `v`).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut net = (Dense::<1, 1, f64>::zeros(),);
    /// let mut trainer = Trainer::new(Quadratic, Adam::new(0.1));
    /// trainer.step(&mut net, [(&[1.0], &[2.0])])?;
    /// let [m, v] = trainer.state() else { panic!("Adam keeps two") };
    /// assert!((m.0.bias[0] + 0.2).abs() < 1e-12); // (1 − 0.9)·(−2)
    /// assert!(v.0.bias[0] > 0.0);
    /// # Ok::<(), constnet::TrainError>(())
    /// ```
    pub fn state(&self) -> &[N] {
        &self.state
    }

    /// The optimizer, e.g. to change its learning rate between epochs.
    /// Replacing it with one that needs more state values than the
    /// trainer was built with makes the next step fail with
    /// [`TrainError::OptimizerState`].
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut trainer: Trainer<(Dense<2, 1>,), _, _> = Trainer::new(Quadratic, Sgd::new(0.5));
    /// trainer.optimizer_mut().learning_rate = 0.25;
    /// ```
    pub fn optimizer_mut(&mut self) -> &mut O {
        &mut self.optimizer
    }

    /// The gradient of the last [`gradient`](Self::gradient) call (after
    /// [`step`](Self::step), the gradient the optimizer was given, possibly
    /// transformed by it). See [`gradient`](Self::gradient) for an example.
    pub fn grads(&self) -> &N {
        &self.grads
    }

    /// Computes the mini-batch cost `C` and its gradient `∂C/∂θ` at the
    /// current parameters without changing them; the gradient is then in
    /// [`grads`](Self::grads). Allocates nothing.
    ///
    /// # Errors
    /// [`TrainError::EmptyBatch`] for an empty batch;
    /// [`TrainError::NonFiniteLoss`] or [`TrainError::NonFiniteGradient`] if
    /// the cost or a gradient is NaN or infinite.
    ///
    /// ```
    /// use constnet::prelude::*;
    ///
    /// let net = (Dense::<1, 1, f64> { weight: [[2.0]], bias: [0.0] },);
    /// let mut trainer = Trainer::new(Quadratic, Sgd::new(0.1));
    /// // C = 1/(2·1)·(2·3 − 5)² = 0.5, ∂C/∂w = (2·3 − 5)·3 = 3.
    /// let cost = trainer.gradient(&net, [(&[3.0], &[5.0])])?;
    /// assert_eq!(cost, 0.5);
    /// assert_eq!(trainer.grads().0.weight, [[3.0]]);
    /// # Ok::<(), constnet::TrainError>(())
    /// ```
    pub fn gradient<'a, I, S, Y, B>(&mut self, net: &N, batch: B) -> Result<I::Scalar, TrainError>
    where
        I: Tensor,
        S: Sample<I> + 'a,
        Y: 'a,
        N: Layer<I>,
        L: Loss<N::Output, Y>,
        B: IntoIterator<Item = (&'a S, &'a Y)>,
        B::IntoIter: ExactSizeIterator,
    {
        super::step::gradient(net, &self.loss, &mut self.grads, batch)
    }

    /// One step of mini-batch gradient descent on `batch`, a sequence of
    /// `(input, target)` pairs: computes the cost and gradient
    /// ([`gradient`](Self::gradient)), then lets the optimizer update `net`.
    /// Returns the cost before the update. Allocates nothing.
    ///
    /// # Errors
    /// As [`gradient`](Self::gradient); on error `net` is left unchanged.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut net = (Dense::<1, 1, f64> { weight: [[0.0]], bias: [0.0] },);
    /// let mut trainer = Trainer::new(Quadratic, Sgd::new(0.5));
    /// // C = ½(0 − 2)² = 2; ∂C/∂w = −2·1, ∂C/∂b = −2; w, b ← 0 − 0.5·(−2) = 1.
    /// let cost = trainer.step(&mut net, [(&[1.0], &[2.0])])?;
    /// assert_eq!(cost, 2.0);
    /// assert_eq!((net.0.weight, net.0.bias), ([[1.0]], [1.0]));
    /// # Ok::<(), constnet::TrainError>(())
    /// ```
    pub fn step<'a, I, S, Y, B>(&mut self, net: &mut N, batch: B) -> Result<I::Scalar, TrainError>
    where
        I: Tensor,
        S: Sample<I> + 'a,
        Y: 'a,
        N: Layer<I>,
        L: Loss<N::Output, Y>,
        O: Optimizer<I::Scalar>,
        B: IntoIterator<Item = (&'a S, &'a Y)>,
        B::IntoIter: ExactSizeIterator,
    {
        self.step_with(net, batch, |_, _| {})
    }

    /// [`step`](Self::step), calling `observe(output, target)` for each
    /// sample with the output of the training forward pass (before the
    /// update). Allocates nothing.
    ///
    /// # Errors
    /// As [`step`](Self::step).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut net = (Dense::<1, 2, f64> { weight: [[1.0], [-1.0]], bias: [0.0; 2] },);
    /// let label = Class::<2>::new(0).ok_or("label")?;
    /// let mut trainer = Trainer::new(Quadratic, Sgd::new(0.1));
    /// let mut correct = 0;
    /// trainer.step_with(&mut net, [(&[1.0], &label)], |out, y| {
    ///     correct += usize::from(Class::argmax(out) == *y);
    /// })?;
    /// assert_eq!(correct, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn step_with<'a, I, S, Y, B>(
        &mut self,
        net: &mut N,
        batch: B,
        observe: impl FnMut(&N::Output, &Y),
    ) -> Result<I::Scalar, TrainError>
    where
        I: Tensor,
        S: Sample<I> + 'a,
        Y: 'a,
        N: Layer<I>,
        L: Loss<N::Output, Y>,
        O: Optimizer<I::Scalar>,
        B: IntoIterator<Item = (&'a S, &'a Y)>,
        B::IntoIter: ExactSizeIterator,
    {
        super::step::step_with(
            net,
            &self.loss,
            &mut self.optimizer,
            &mut self.state,
            &mut self.grads,
            batch,
            observe,
        )
    }

    /// One epoch: shuffles the sample order with `rng`, then steps through
    /// `inputs` and `targets` in mini-batches of `batch_size` (the last one
    /// may be smaller). Returns the mean of the mini-batch costs. `epoch` (from
    /// 1) is only used to locate errors.
    ///
    /// The same `rng` state, network and data give bit-identical results.
    /// The shuffled order is kept in the trainer: only an epoch over more
    /// samples than any before allocates (once, for the order).
    ///
    /// # Errors
    /// [`TrainError::ZeroBatchSize`], [`TrainError::LengthMismatch`],
    /// [`TrainError::EmptyBatch`] for an empty data set, and the divergence
    /// errors of [`gradient`](Self::gradient) located at `epoch` and batch;
    /// on divergence `net` holds the parameters from before that batch.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    ///
    /// // XOR with a 2-4-1 sigmoid network.
    /// let inputs = [[0.0_f64, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    /// let targets = [[0.0], [1.0], [1.0], [0.0]];
    /// let mut rng = ChaCha8Rng::seed_from_u64(3);
    /// let mut net = <(Dense<2, 4, f64>, Sigmoid, Dense<4, 1, f64>, Sigmoid)>::random(Init::StandardNormal, &mut rng);
    /// let mut trainer = Trainer::new(Quadratic, Sgd::new(5.0));
    /// for epoch in 1..=2000 {
    ///     trainer.epoch(&mut net, &inputs, &targets, 4, &mut rng, epoch)?;
    /// }
    /// for (x, y) in inputs.iter().zip(&targets) {
    ///     assert!((net.forward(x)[0] - y[0]).abs() < 0.1);
    /// }
    /// # Ok::<(), constnet::TrainError>(())
    /// ```
    pub fn epoch<I, S, Y>(
        &mut self,
        net: &mut N,
        inputs: &[S],
        targets: &[Y],
        batch_size: usize,
        rng: &mut impl Rng,
        epoch: usize,
    ) -> Result<I::Scalar, TrainError>
    where
        I: Tensor,
        S: Sample<I>,
        N: Layer<I>,
        L: Loss<N::Output, Y>,
        O: Optimizer<I::Scalar>,
    {
        self.epoch_with(
            net,
            inputs,
            targets,
            batch_size,
            rng,
            epoch,
            |_, _| {},
            |_, _, _| {},
        )
    }

    /// [`epoch`](Self::epoch) with two observers: `observe(output, target)`
    /// per sample and `on_batch(batch, batches, cost)` after each mini-batch
    /// (batch counted from 1).
    #[allow(clippy::too_many_arguments)] // private; the public entry points are small
    pub(crate) fn epoch_with<I, S, Y>(
        &mut self,
        net: &mut N,
        inputs: &[S],
        targets: &[Y],
        batch_size: usize,
        rng: &mut impl Rng,
        epoch: usize,
        mut observe: impl FnMut(&N::Output, &Y),
        mut on_batch: impl FnMut(usize, usize, I::Scalar),
    ) -> Result<I::Scalar, TrainError>
    where
        I: Tensor,
        S: Sample<I>,
        N: Layer<I>,
        L: Loss<N::Output, Y>,
        O: Optimizer<I::Scalar>,
    {
        if batch_size == 0 {
            return Err(TrainError::ZeroBatchSize);
        }
        if inputs.len() != targets.len() {
            return Err(TrainError::LengthMismatch {
                inputs: inputs.len(),
                targets: targets.len(),
            });
        }
        if inputs.is_empty() {
            return Err(TrainError::EmptyBatch);
        }
        // The order's buffer is taken out of the trainer for the epoch, so
        // that the steps can borrow the trainer, and put back afterwards
        // (on an error too).
        let mut order = core::mem::take(&mut self.order);
        order.clear();
        order.extend(0..inputs.len());
        order.shuffle(rng);
        let batches = order.len().div_ceil(batch_size);
        let mut sum = I::Scalar::zero();
        let mut failed = None;
        let mut chunks = order.chunks(batch_size).enumerate().peekable();
        while let Some((b, chunk)) = chunks.next() {
            // The samples are scattered over a data set much bigger than
            // the caches: start loading the next batch's while this one
            // runs. Only the head of each sample: that starts the hardware
            // prefetcher on the rest, while prefetching every line stalls
            // on the number of outstanding misses.
            if let Some((_, next)) = chunks.peek() {
                for &i in *next {
                    crate::kernel::prefetch_head(&inputs[i], PREFETCH_BYTES);
                }
            }
            let batch = chunk.iter().map(|&i| (&inputs[i], &targets[i]));
            match self.step_with(net, batch, &mut observe) {
                Ok(cost) => {
                    sum = sum + cost;
                    on_batch(b + 1, batches, cost);
                }
                Err(e) => {
                    failed = Some(e.at(epoch, b + 1));
                    break;
                }
            }
        }
        self.order = order;
        match failed {
            Some(e) => Err(e),
            None => Ok(sum / cast::<I::Scalar>(batches)),
        }
    }
}

/// How much of each sample of the next mini-batch [`Trainer::epoch`] asks
/// the processor to start loading (eight 64-byte cache lines).
const PREFETCH_BYTES: usize = 512;
