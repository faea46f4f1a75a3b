//! The block driver: runs samples through a network in blocks of `K` at
//! once (`[I; K]`, a compile-time size), which lets each layer reuse every
//! weight it loads across the block. It owns the block sizes, the stack
//! budget a block may use, and how a block's inputs are gathered; training
//! ([`train::gradient`](crate::train::gradient)), evaluation and inference
//! ([`infer`](crate::infer)) all run through it.

use crate::{Layer, Sample, Tensor, kernel};

/// The stack bytes a block may keep live: blocks of a network whose values
/// would take more run as smaller blocks, so wide networks run on small
/// thread stacks.
const STACK_BUDGET: usize = 256 * 1024;

/// The block sizes tried in turn, largest first: as many blocks of the
/// first size as fit the samples (and the stack budget), then of the next,
/// and so on; every ladder ends in 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ladder {
    /// A training mini-batch (at most [`TRAIN_BLOCK`] samples at a time):
    /// 32, 16, 10, 8, 4, 2, 1. The lecture's batch of 10 is one block,
    /// not 8 + 2.
    Train,
    /// Inference on inputs read in place: long runs of 96 (the kernels
    /// prefetch the next samples while computing the current ones), then
    /// 12, then 1.
    Infer,
    /// Inference on samples converted into a buffer (see
    /// [`Sample::as_inputs`]): 48, a multiple of the kernels' tiles of six
    /// that fits the budget with MNIST's 784 `f32` inputs, then 12, then 1.
    InferConverted,
}

impl Ladder {
    fn sizes(self) -> &'static [usize] {
        match self {
            Self::Train => &[32, 16, 10, 8, 4, 2, 1],
            Self::Infer => &[96, 12, 1],
            Self::InferConverted => &[48, 12, 1],
        }
    }
}

/// The most samples of a training mini-batch gathered at once.
pub(crate) const TRAIN_BLOCK: usize = 32;

/// What runs on each block.
pub(crate) trait Job<I: Tensor> {
    /// Runs on the block of samples `start..start + K`.
    fn run<const K: usize>(&mut self, start: usize, x: &[I; K]);
}

/// Where the samples come from.
pub(crate) trait Source<I: Tensor> {
    /// The stored sample type.
    type Sample: Sample<I>;
    /// How many samples.
    fn len(&self) -> usize;
    /// Sample `k < len()`.
    fn get(&self, k: usize) -> &Self::Sample;
    /// Samples `start..start + K` as inputs in place, when they are the
    /// network's inputs and lie next to each other.
    fn borrowed<const K: usize>(&self, start: usize) -> Option<&[I; K]>;
}

/// A slice of samples: borrowed in place when they are inputs.
impl<I: Tensor, S: Sample<I>> Source<I> for [S] {
    type Sample = S;

    fn len(&self) -> usize {
        <[S]>::len(self)
    }

    fn get(&self, k: usize) -> &S {
        &self[k]
    }

    fn borrowed<const K: usize>(&self, start: usize) -> Option<&[I; K]> {
        // (A slice of another length, against `as_inputs`' contract, is
        // converted instead of trusted.)
        let inputs = S::as_inputs(self).filter(|x| x.len() == self.len())?;
        inputs.get(start..start + K)?.try_into().ok()
    }
}

/// Runs `job` on blocks covering all of `source`'s samples, in order, with
/// the block sizes of `ladder`. Allocates nothing.
pub(crate) fn run<N, I, Src, J>(source: &Src, ladder: Ladder, job: &mut J)
where
    I: Tensor,
    N: Layer<I>,
    Src: Source<I> + ?Sized,
    J: Job<I>,
{
    let mut done = 0;
    for &size in ladder.sizes() {
        done += match size {
            96 => blocks::<96, N, I, Src, J>(source, done, job),
            48 => blocks::<48, N, I, Src, J>(source, done, job),
            32 => blocks::<32, N, I, Src, J>(source, done, job),
            16 => blocks::<16, N, I, Src, J>(source, done, job),
            12 => blocks::<12, N, I, Src, J>(source, done, job),
            10 => blocks::<10, N, I, Src, J>(source, done, job),
            8 => blocks::<8, N, I, Src, J>(source, done, job),
            4 => blocks::<4, N, I, Src, J>(source, done, job),
            2 => blocks::<2, N, I, Src, J>(source, done, job),
            _ => blocks::<1, N, I, Src, J>(source, done, job),
        };
    }
}

/// Whether a block of `K` samples keeps its main values within
/// [`STACK_BUDGET`]: `inputs` bytes of copied inputs, the network's cache,
/// and two arrays of outputs (the outputs and their gradients, or the
/// outputs of two consecutive layers). A compile-time constant per network.
pub(crate) fn fits<const K: usize, N: Layer<I>, I: Tensor>(inputs: usize) -> bool {
    K == 1 || inputs + size_of::<N::Cache<K>>() + 2 * size_of::<[N::Output; K]>() <= STACK_BUDGET
}

/// As many whole blocks of `K` samples as `source` holds from `start` on
/// (none if a block would not fit the stack budget); returns how many
/// samples that was. Inputs lying in place are read there; other samples
/// are gathered into a block aligned to a cache line: inputs cloned straight
/// into their slots, other samples converted into a buffer of zeros made
/// once for all the blocks.
///
/// Never inlined: each block size has its own stack frame, and inlined into
/// [`run`] the frames of all sizes would be live at once.
#[inline(never)]
fn blocks<const K: usize, N, I, Src, J>(source: &Src, start: usize, job: &mut J) -> usize
where
    I: Tensor,
    N: Layer<I>,
    Src: Source<I> + ?Sized,
    J: Job<I>,
{
    let count = (source.len() - start) / K;
    if count == 0 {
        return 0;
    }
    if source.borrowed::<K>(start).is_some() {
        if !fits::<K, N, I>(0) {
            return 0;
        }
        for b in 0..count {
            let s = start + b * K;
            if let Some(x) = source.borrowed::<K>(s) {
                job.run(s, x);
            }
        }
    } else if Src::Sample::as_inputs(&[]).is_some() {
        if !fits::<K, N, I>(size_of::<[I; K]>()) {
            return 0;
        }
        for b in 0..count {
            let s = start + b * K;
            let mut slots = CacheAligned(kernel::slots::<I, K>());
            let x = kernel::fill(&mut slots.0, |k| source.get(s + k).to_input(), |_, _| {});
            job.run(s, &x);
        }
    } else {
        if !fits::<K, N, I>(size_of::<[I; K]>()) {
            return 0;
        }
        // One buffer for all blocks: each overwrites every input.
        let mut slots = CacheAligned(kernel::slots::<I, K>());
        let mut x = kernel::fill(&mut slots.0, |_| I::zeros(), |_, _| {});
        for b in 0..count {
            let s = start + b * K;
            for (k, input) in x.iter_mut().enumerate() {
                source.get(s + k).write_input(input);
            }
            job.run(s, &x);
        }
    }
    count * K
}

/// A value starting on a 64-byte cache line. Blocks gathered from a data
/// set are kept in one: when a sample's size is a multiple of 64 bytes (784
/// `f32` are 49 lines) every sample then starts on a line, and no vector
/// load in the kernels straddles two lines.
#[repr(C, align(64))]
struct CacheAligned<T>(T);
