//! One mini-batch gradient and one training step, into a gradient buffer the
//! caller owns: no heap, so they work without `std` and `alloc`.
//! [`Trainer`](crate::Trainer) is built on them.

use num_traits::{Float, One, ToPrimitive, Zero};

use super::TrainError;
use crate::block::{self, Job, Ladder, Source, TRAIN_BLOCK};
use crate::{GradMode, Layer, Loss, Optimizer, Sample, Tensor, kernel};

/// Computes the mini-batch cost `C = (1/m) Σₓ ℓ(ŷ(x), y(x))` of `net` under
/// `loss` on `batch`, a sequence of `m` `(sample, target)` pairs, and stores
/// its gradient `∂C/∂θ` in `grads` (overwritten, not added to). `net` is not
/// changed. Allocates nothing, needs neither `std` nor `alloc`.
///
/// `grads` is a value of the network's own type (see
/// [`Params`](crate::Params)), e.g. `Net::zeros()`, typically kept and reused
/// across steps. The batch runs through the network in blocks of up to 32
/// samples ([`Layer::forward_train`] and [`Layer::backward`] on
/// `[I; 32]`, `[I; 16]`, `[I; 10]`, `[I; 8]`, …; smaller blocks only for
/// networks whose block would keep more than 256 KiB of inputs, activations and
/// output gradients on the stack), each sample's loss gradient scaled by
/// `1/m`. This
/// is what [`Trainer::gradient`](crate::Trainer::gradient) computes, bit for
/// bit. A sample is the network's input or anything that
/// [reads as one](crate::Sample), such as [`Pixels`](crate::Pixels):
/// each is converted when the block is copied.
///
/// # Errors
/// [`TrainError::EmptyBatch`] for an empty batch;
/// [`TrainError::NonFiniteLoss`] or [`TrainError::NonFiniteGradient`] if
/// the cost or a gradient is NaN or infinite.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::train;
///
/// type Net = (Dense<1, 1, f64>,);
/// let net: Net = (Dense { weight: [[2.0]], bias: [0.0] },);
/// let mut grads = Net::zeros();
/// // C = 1/(2·1)·(2·3 − 5)² = 0.5, ∂C/∂w = (2·3 − 5)·3 = 3, ∂C/∂b = 1.
/// let cost = train::gradient(&net, &Quadratic, &mut grads, [(&[3.0], &[5.0])])?;
/// assert_eq!(cost, 0.5);
/// assert_eq!((grads.0.weight, grads.0.bias), ([[3.0]], [1.0]));
/// # Ok::<(), constnet::TrainError>(())
/// ```
pub fn gradient<'a, N, L, I, S, Y, B>(
    net: &N,
    loss: &L,
    grads: &mut N,
    batch: B,
) -> Result<I::Scalar, TrainError>
where
    I: Tensor,
    S: Sample<I> + 'a,
    Y: 'a,
    N: Layer<I>,
    L: Loss<N::Output, Y>,
    B: IntoIterator<Item = (&'a S, &'a Y)>,
    B::IntoIter: ExactSizeIterator,
{
    run(net, loss, grads, batch, |_, _| {})
}

/// One step of mini-batch gradient descent without a heap: [`gradient`] of
/// `net` under `loss` on `batch` into `grads`, then
/// [`optimizer.step`](Optimizer::step) on `net` with the optimizer's
/// `state` ([`Optimizer::slots`] values shaped like the network, all zero
/// before the first step). Returns the cost before the update. This is
/// [`Trainer::step`](crate::Trainer::step) with the gradient buffer,
/// state, loss and optimizer held by the caller, e.g. in a `static` on a
/// target without `alloc`. After the step `grads` holds no particular
/// values (the optimizer may use it as scratch space).
///
/// # Errors
/// As [`gradient`]; [`TrainError::NonFiniteUpdate`] when the update would
/// make a parameter or state value non-finite; [`TrainError::OptimizerState`]
/// when `state` holds fewer values than the optimizer needs. On error `net`
/// and `state` are left unchanged, so a step never leaves a value that is
/// not finite behind.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::train;
///
/// type Net = (Dense<1, 1, f64>,);
/// let mut net: Net = (Dense::zeros(),);
/// let mut grads = Net::zeros();
/// let mut sgd = Sgd::new(0.5);
/// // C = ½(0 − 2)² = 2; ∂C/∂w = −2·1, ∂C/∂b = −2; w, b ← 0 − 0.5·(−2) = 1.
/// let cost = train::step(&mut net, &Quadratic, &mut sgd, &mut [], &mut grads, [(&[1.0], &[2.0])])?;
/// assert_eq!(cost, 2.0);
/// assert_eq!((net.0.weight, net.0.bias), ([[1.0]], [1.0]));
/// // The cost has gone down.
/// assert_eq!(train::gradient(&net, &Quadratic, &mut grads, [(&[1.0], &[2.0])])?, 0.0);
///
/// // Adam keeps two values shaped like the network.
/// let mut state = [Net::zeros(), Net::zeros()];
/// train::step(&mut net, &Quadratic, &mut Adam::new(0.1), &mut state, &mut grads, [(&[1.0], &[3.0])])?;
/// assert!(net.0.bias[0] > 1.0);
/// # Ok::<(), constnet::TrainError>(())
/// ```
pub fn step<'a, N, L, O, I, S, Y, B>(
    net: &mut N,
    loss: &L,
    optimizer: &mut O,
    state: &mut [N],
    grads: &mut N,
    batch: B,
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
    step_with(net, loss, optimizer, state, grads, batch, |_, _| {})
}

/// [`step`], calling `observe(output, target)` for each sample of the
/// batch.
pub(crate) fn step_with<'a, N, L, O, I, S, Y, B>(
    net: &mut N,
    loss: &L,
    optimizer: &mut O,
    state: &mut [N],
    grads: &mut N,
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
    if state.len() < optimizer.slots() {
        return Err(TrainError::OptimizerState {
            expected: optimizer.slots(),
            found: state.len(),
        });
    }
    let cost = run(net, loss, grads, batch, observe)?;
    if !optimizer.step(net, grads, state) {
        return Err(TrainError::NonFiniteUpdate {
            epoch: None,
            batch: None,
        });
    }
    Ok(cost)
}

/// The training pass over a mini-batch: its cost, with the gradient stored
/// in `grads`.
fn run<'a, N, L, I, S, Y, B>(
    net: &N,
    loss: &L,
    grads: &mut N,
    batch: B,
    observe: impl FnMut(&N::Output, &Y),
) -> Result<I::Scalar, TrainError>
where
    I: Tensor,
    S: Sample<I> + 'a,
    Y: 'a,
    N: Layer<I>,
    L: Loss<N::Output, Y>,
    B: IntoIterator<Item = (&'a S, &'a Y)>,
    B::IntoIter: ExactSizeIterator,
{
    let mut batch = batch.into_iter();
    let m = batch.len();
    if m == 0 {
        return Err(TrainError::EmptyBatch);
    }
    let scale = I::Scalar::one() / cast::<I::Scalar>(m);
    let mut observe = observe;
    let mut sums = Sums {
        bad_input: None,
        mode: GradMode::Store,
        total: I::Scalar::zero(),
        finite: true,
    };
    let mut pairs = [None; TRAIN_BLOCK];
    let mut done = 0;
    loop {
        // Up to TRAIN_BLOCK samples at a time, run as blocks (see
        // `Ladder::Train`): each block is one forward and one backward
        // pass, which loads every weight once and puts into every gradient
        // once.
        let mut n = 0;
        for (slot, pair) in pairs.iter_mut().zip(&mut batch) {
            *slot = Some(pair);
            n += 1;
        }
        let mut pass = Pass {
            net,
            loss,
            grads: &mut *grads,
            scale,
            pairs: &pairs[..n],
            sums: &mut sums,
            observe: &mut observe,
        };
        block::run::<N, I, _, _>(&Pairs(&pairs[..n]), Ladder::Train, &mut pass);
        sums.bad_input = sums.bad_input.map(|k| k + done);
        done += n;
        if n < TRAIN_BLOCK || sums.bad_input.is_some() {
            break;
        }
    }
    if let Some(sample) = sums.bad_input {
        return Err(TrainError::NonFiniteInput {
            epoch: None,
            batch: None,
            sample,
        });
    }
    let cost = sums.total * scale;
    if !cost.is_finite() {
        return Err(TrainError::NonFiniteLoss {
            epoch: None,
            batch: None,
            loss: cost.to_f64().unwrap_or(f64::NAN),
        });
    }
    if !sums.finite {
        return Err(TrainError::NonFiniteGradient {
            epoch: None,
            batch: None,
        });
    }
    Ok(cost)
}

/// The `(sample, target)` pairs of the blocks being gathered; every slot
/// is `Some`.
struct Pairs<'p, 'a, S, Y>(&'p [Option<(&'a S, &'a Y)>]);

impl<I: Tensor, S: Sample<I>, Y> Source<I> for Pairs<'_, '_, S, Y> {
    type Sample = S;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, k: usize) -> &S {
        match self.0[k] {
            Some((sample, _)) => sample,
            None => unreachable!("every gathered slot holds a pair"),
        }
    }

    fn borrowed<const K: usize>(&self, _: usize) -> Option<&[I; K]> {
        None
    }
}

/// What the blocks of a training pass add up.
struct Sums<T> {
    /// The first sample (in the mini-batch) whose loss is not finite
    /// because its input is not.
    bad_input: Option<usize>,
    /// The first block stores its gradient into `grads`, the others add.
    mode: GradMode,
    /// The summed loss so far.
    total: T,
    /// Every gradient so far is finite (non-finite values stay so when
    /// later blocks add to them).
    finite: bool,
}

/// A training pass over the pairs gathered at once.
struct Pass<'p, 'a, N, L, S, Y, T, F> {
    net: &'p N,
    loss: &'p L,
    grads: &'p mut N,
    /// `1/m`, the weight of each sample's loss.
    scale: T,
    pairs: &'p [Option<(&'a S, &'a Y)>],
    sums: &'p mut Sums<T>,
    observe: &'p mut F,
}

impl<N, L, I, S, Y, F> Job<I> for Pass<'_, '_, N, L, S, Y, I::Scalar, F>
where
    I: Tensor,
    N: Layer<I>,
    L: Loss<N::Output, Y>,
    S: Sample<I>,
    F: FnMut(&N::Output, &Y),
{
    /// Forward and backward pass of one block: `scale·∂ℓ/∂θ` stored into
    /// or added to `grads`.
    fn run<const K: usize>(&mut self, start: usize, x: &[I; K]) {
        let (out, cache) = self.net.forward_train(x);
        let mut dy: [N::Output; K] = core::array::from_fn(|_| N::Output::zeros());
        for (k, (out, dy)) in out.iter().zip(&mut dy).enumerate() {
            if let Some(&Some((_, y))) = self.pairs.get(start + k) {
                (self.observe)(out, y);
                let (loss, gradient) = self.loss.loss_and_gradient(out, y);
                // Only when the loss is not finite are the inputs checked.
                if !loss.is_finite()
                    && self.sums.bad_input.is_none()
                    && !kernel::all_finite(x[k].as_slice())
                {
                    self.sums.bad_input = Some(start + k);
                }
                self.sums.total = self.sums.total + loss;
                *dy = gradient;
                for d in dy.as_mut_slice() {
                    *d = *d * self.scale;
                }
            }
        }
        let sums = &mut *self.sums;
        sums.finite &= self
            .net
            .backward(x, &cache, &dy, self.grads, sums.mode, None);
        sums.mode = GradMode::Add;
    }
}

/// `n` as a float; counts of samples are always representable.
pub(crate) fn cast<T: Float>(n: usize) -> T {
    T::from(n).unwrap_or_else(T::max_value)
}

/// The optimizer state a step needs, built on the heap in place:
/// `slots` zero values shaped like the network.
#[cfg(feature = "alloc")]
pub(crate) fn boxed_state<N: crate::Params<T>, T: crate::Scalar>(
    slots: usize,
) -> alloc::boxed::Box<[N]> {
    crate::kernel::boxed_slice_in_place(slots, N::zeros_in)
}
