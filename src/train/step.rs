//! One mini-batch gradient and one training step, into a gradient buffer the
//! caller owns: no heap, so they work without `std` and `alloc`.
//! [`Trainer`](crate::Trainer) is built on them.

use num_traits::{Float, One, ToPrimitive, Zero};

use super::TrainError;
use crate::{Gradients, Layer, Loss, Optimizer, Sample, Tensor};

/// Computes the mini-batch cost `C = (1/m) Σₓ ℓ(ŷ(x), y(x))` of `net` under
/// `loss` on `batch`, a sequence of `m` `(sample, target)` pairs, and stores
/// its gradient `∂C/∂θ` in `grads` (overwritten, not added to). `net` is not
/// changed. Allocates nothing, needs neither `std` nor `alloc`.
///
/// `grads` is a value of the network's own type (see
/// [`Params`](crate::Params)), e.g. `Net::zeros()`, typically kept and reused
/// across steps. The batch runs through the network in blocks of up to 32
/// samples ([`Layer::forward_train`] and [`Layer::backward_params`] on
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
    run(Pass::Gradient(net), loss, grads, batch, |_, _| {}).map(|(cost, _)| cost)
}

/// One step of mini-batch gradient descent without a heap: [`gradient`] of
/// `net` under `loss` on `batch` into `grads`, then
/// [`optimizer.step`](Optimizer::step) on `net`. Returns the cost before the
/// update. This is [`Trainer::step`](crate::Trainer::step) with the gradient
/// buffer, loss and optimizer held by the caller, e.g. in a `static` on a
/// target without `alloc`. After the step `grads` holds no particular
/// values.
///
/// With plain SGD ([`Optimizer::plain_rate`], e.g. [`Sgd`](crate::Sgd)
/// without weight decay) and a batch that runs as one block (up to 32
/// samples: 32, 16, 10, 8, 4, 2 or 1), the update is applied inside the
/// backward pass instead ([`Layer::backward_params_sgd`]): the first
/// layer's weight gradient is subtracted tile by tile as it is summed and
/// never stored. The network gets the same bits; the lecture's epoch took
/// about 0.9 of the time.
///
/// # Errors
/// As [`gradient`]; on error `net` is left unchanged.
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
/// let cost = train::step(&mut net, &Quadratic, &mut sgd, &mut grads, [(&[1.0], &[2.0])])?;
/// assert_eq!(cost, 2.0);
/// assert_eq!((net.0.weight, net.0.bias), ([[1.0]], [1.0]));
/// // The cost has gone down.
/// assert_eq!(train::gradient(&net, &Quadratic, &mut grads, [(&[1.0], &[2.0])])?, 0.0);
/// # Ok::<(), constnet::TrainError>(())
/// ```
pub fn step<'a, N, L, O, I, S, Y, B>(
    net: &mut N,
    loss: &L,
    optimizer: &mut O,
    grads: &mut N,
    batch: B,
) -> Result<I::Scalar, TrainError>
where
    I: Tensor,
    S: Sample<I> + 'a,
    Y: 'a,
    N: Layer<I>,
    L: Loss<N::Output, Y>,
    O: Optimizer<N>,
    B: IntoIterator<Item = (&'a S, &'a Y)>,
    B::IntoIter: ExactSizeIterator,
{
    step_with(net, loss, optimizer, grads, batch, |_, _| {})
}

/// [`step`], calling `observe(output, target)` for each sample of the
/// batch. With plain SGD ([`Optimizer::plain_rate`]) and a batch that runs
/// as one block, the update is applied during the backward pass
/// ([`Layer::backward_params_sgd`]) instead of by `optimizer.step`: the same
/// bits, without storing the first layer's weight gradient.
pub(crate) fn step_with<'a, N, L, O, I, S, Y, B>(
    net: &mut N,
    loss: &L,
    optimizer: &mut O,
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
    O: Optimizer<N>,
    B: IntoIterator<Item = (&'a S, &'a Y)>,
    B::IntoIter: ExactSizeIterator,
{
    let pass = match optimizer.plain_rate().and_then(num_traits::cast) {
        Some(rate) => Pass::Descend(&mut *net, rate),
        None => Pass::Gradient(&*net),
    };
    let (cost, applied) = run(pass, loss, grads, batch, observe)?;
    if !applied {
        optimizer.step(net, grads);
    }
    Ok(cost)
}

/// What a training pass does with the network: computes the gradient
/// only, or also takes a step of plain gradient descent at the given rate
/// when the batch runs as a single block.
enum Pass<'n, N, T> {
    /// The gradient, into the caller's buffer.
    Gradient(&'n N),
    /// The gradient and, when the batch is one block, the step `θ ← θ − η·g`.
    Descend(&'n mut N, T),
}

impl<N, T> Pass<'_, N, T> {
    /// The network, to read.
    fn net(&self) -> &N {
        match self {
            Pass::Gradient(net) => net,
            Pass::Descend(net, _) => net,
        }
    }
}

/// The training pass over a mini-batch: its cost, with the gradient stored
/// in `grads`, or, for [`Pass::Descend`] on a batch that runs as a single
/// block, applied to the network (then the second value is `true`).
fn run<'a, N, L, I, S, Y, B>(
    mut pass: Pass<'_, N, I::Scalar>,
    loss: &L,
    grads: &mut N,
    batch: B,
    mut observe: impl FnMut(&N::Output, &Y),
) -> Result<(I::Scalar, bool), TrainError>
where
    I: Tensor,
    S: Sample<I> + 'a,
    Y: 'a,
    N: Layer<I>,
    L: Loss<N::Output, Y>,
    B: IntoIterator<Item = (&'a S, &'a Y)>,
    B::IntoIter: ExactSizeIterator,
{
    let batch = batch.into_iter();
    let m = batch.len();
    if m == 0 {
        return Err(TrainError::EmptyBatch);
    }
    let scale = I::Scalar::one() / cast::<I::Scalar>(m);
    let mut total = I::Scalar::zero();
    // The first block stores its gradient into `grads`, the others add.
    let mut stored = false;
    let mut finite = true;
    let mut applied = false;
    let mut batch = batch;
    loop {
        // Up to BLOCK samples, run as blocks of 32, 16, 10, 8, 4, 2 and 1:
        // each block is one forward and one backward pass, which loads every
        // weight once and adds into every gradient once. (10 is the
        // lecture's batch size, which then takes one block, not 8 + 2.)
        let mut pairs: [Option<(&S, &Y)>; BLOCK] = [None; BLOCK];
        let mut n = 0;
        for (slot, pair) in pairs.iter_mut().zip(&mut batch) {
            *slot = Some(pair);
            n += 1;
        }
        let mut done = 0;
        let fits = |size| match size {
            32 => fits_stack::<32, N, I>(),
            16 => fits_stack::<16, N, I>(),
            10 => fits_stack::<10, N, I>(),
            8 => fits_stack::<8, N, I>(),
            4 => fits_stack::<4, N, I>(),
            2 => fits_stack::<2, N, I>(),
            _ => true,
        };
        for size in [32, 16, 10, 8, 4, 2, 1] {
            while fits(size) && n - done >= size {
                let block = &pairs[done..done + size];
                // One block for the whole batch may take the step itself.
                let place = match (stored, size == m) {
                    (false, true) => Block::Only,
                    (false, false) => Block::First,
                    (true, _) => Block::Later,
                };
                macro_rules! block {
                    ($k:literal) => {
                        block_gradient::<$k, _, _, _, _, _>(
                            &mut pass,
                            loss,
                            grads,
                            block,
                            scale,
                            place,
                            &mut observe,
                        )
                    };
                }
                let (block_loss, block_finite, block_applied) = match size {
                    32 => block!(32),
                    16 => block!(16),
                    10 => block!(10),
                    8 => block!(8),
                    4 => block!(4),
                    2 => block!(2),
                    _ => block!(1),
                };
                total = total + block_loss;
                // Non-finite values stay so when later blocks add to them.
                finite &= block_finite;
                applied |= block_applied;
                done += size;
                stored = true;
            }
        }
        if n < BLOCK {
            break;
        }
    }
    let cost = total * scale;
    if !cost.is_finite() {
        return Err(TrainError::NonFiniteLoss {
            epoch: None,
            batch: None,
            loss: cost.to_f64().unwrap_or(f64::NAN),
        });
    }
    if !finite {
        return Err(TrainError::NonFiniteGradient {
            epoch: None,
            batch: None,
        });
    }
    Ok((cost, applied))
}

/// Where a block stands in its mini-batch.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    /// The whole mini-batch: stores its gradient, and may take the step.
    Only,
    /// The first of several: stores its gradient.
    First,
    /// A later one: adds its gradient.
    Later,
}

/// Forward and backward pass of one block of `K` samples (`pairs` holds
/// exactly `K`, all `Some`), storing `scale·∂ℓ/∂θ` in `grads` or adding it
/// (by `block`); returns the block's summed loss, whether every gradient
/// in `grads` is finite afterwards, and whether the block took the step of
/// a [`Pass::Descend`] (only a [`Block::Only`] with a finite loss does, by
/// [`Layer::backward_params_sgd`]).
///
/// Never inlined: each block size has its own stack frame (the inputs, the
/// network's cache and the output gradients of `K` samples), and inlined
/// into [`run`] the frames of all sizes would be live at once.
#[inline(never)]
fn block_gradient<const K: usize, N, L, I, S, Y>(
    pass: &mut Pass<'_, N, I::Scalar>,
    loss: &L,
    grads: &mut N,
    pairs: &[Option<(&S, &Y)>],
    scale: I::Scalar,
    block: Block,
    observe: &mut impl FnMut(&N::Output, &Y),
) -> (I::Scalar, bool, bool)
where
    I: Tensor,
    S: Sample<I>,
    N: Layer<I>,
    L: Loss<N::Output, Y>,
{
    let pair = |k: usize| pairs.get(k).copied().flatten();
    let Some((first, _)) = pair(0) else {
        return (I::Scalar::zero(), true, false);
    };
    let mut slots = crate::layer::CacheAligned::<[I; K]>::slots();
    let x = crate::layer::CacheAligned::fill_in(&mut slots, |k| pair(k).map_or(first, |p| p.0));
    let x: &[I; K] = &x;
    let (out, cache) = pass.net().forward_train(x);
    let mut dy: [N::Output; K] = core::array::from_fn(|_| N::Output::zeros());
    let mut total = I::Scalar::zero();
    for (k, (out, dy)) in out.iter().zip(&mut dy).enumerate() {
        if let Some((_, y)) = pair(k) {
            observe(out, y);
            let (loss, gradient) = loss.loss_and_gradient(out, y);
            total = total + loss;
            *dy = gradient;
            for d in dy.as_mut_slice() {
                *d = *d * scale;
            }
        }
    }
    if let Pass::Descend(net, rate) = pass
        && block == Block::Only
        && total.is_finite()
    {
        let finite = net.backward_params_sgd(x, &cache, &dy, grads, *rate);
        return (total, finite, finite);
    }
    let mode = if block == Block::Later {
        Gradients::Add
    } else {
        Gradients::Store
    };
    let finite = pass
        .net()
        .backward_params_train(x, &cache, &dy, grads, mode);
    (total, finite, false)
}

/// Whether a training block of `K` samples fits the stack budget: its
/// inputs (copied out of the batch), its cache and its output gradients.
fn fits_stack<const K: usize, N: Layer<I>, I: Tensor>() -> bool {
    crate::layer::block_fits_stack::<K, N, I>(size_of::<[I; K]>())
}

/// The most samples run through the network in one pass.
const BLOCK: usize = 32;

/// `n` as a float; counts of samples are always representable.
pub(crate) fn cast<T: Float>(n: usize) -> T {
    T::from(n).unwrap_or_else(T::max_value)
}
