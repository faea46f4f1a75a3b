//! Inference over many samples: in blocks (weights reused across samples)
//! and, with the `std` feature, on several threads.

#[cfg(feature = "std")]
use std::num::NonZeroUsize;

use crate::{Layer, Tensor};

/// Samples per [`Layer::forward_batch`] call: a long run of samples, so
/// the kernels' prefetching of the next samples while computing the current
/// ones (see the AVX2 `dense_forward`) covers all but the first few.
const BLOCK: usize = 96;

/// Samples per call after the last whole [`BLOCK`], and for networks whose
/// blocks of [`BLOCK`] would not fit the stack budget
/// ([`crate::layer::STACK_BUDGET`]).
const SMALL_BLOCK: usize = 12;

/// `outputs[k] = net.forward(&inputs[k])` for every `k` below the shorter
/// length, computed in blocks of 96 samples (12 for wide networks).
/// Allocates nothing.
///
/// # Examples
/// ```
/// use constnet::infer::forward_all;
/// use constnet::prelude::*;
///
/// let net = (Dense::<2, 1, f64> { weight: [[1.0, 2.0]], bias: [0.0] },);
/// let inputs: Vec<[f64; 2]> = (0..20).map(|i| [i as f64, 1.0]).collect();
/// let mut outputs = vec![[0.0]; 20];
/// forward_all(&net, &inputs, &mut outputs);
/// assert_eq!(outputs[19], [21.0]);
/// ```
pub fn forward_all<N, I>(net: &N, inputs: &[I], outputs: &mut [N::Output])
where
    I: Tensor,
    N: Layer<I>,
{
    let n = inputs.len().min(outputs.len());
    for_each_output(net, &inputs[..n], |k, y| outputs[k] = y.clone());
}

/// Calls `f(k, output)` for each input `k`, running the network on blocks of
/// [`BLOCK`] samples, then [`SMALL_BLOCK`], then single ones (see
/// [`Layer::forward_batch`]). Allocates nothing.
pub(crate) fn for_each_output<N, I>(net: &N, inputs: &[I], mut f: impl FnMut(usize, &N::Output))
where
    I: Tensor,
    N: Layer<I>,
{
    let mut done = 0;
    if fits_stack::<BLOCK, N, I>() {
        done = blocks::<BLOCK, _, _>(net, inputs, &mut f);
    }
    done += blocks::<SMALL_BLOCK, _, _>(net, &inputs[done..], &mut |k, y| f(done + k, y));
    for (j, x) in inputs[done..].iter().enumerate() {
        f(done + j, &net.forward(x));
    }
}

/// [`for_each_output`] over the whole blocks of `K` samples at the start of
/// `inputs`; returns how many samples that was.
///
/// Never inlined: each block size has its own stack frame, and inlined into
/// [`for_each_output`] the frames of both sizes would be live at once.
#[inline(never)]
fn blocks<const K: usize, N, I>(
    net: &N,
    inputs: &[I],
    f: &mut impl FnMut(usize, &N::Output),
) -> usize
where
    I: Tensor,
    N: Layer<I>,
{
    let (blocks, _) = inputs.as_chunks::<K>();
    for (b, x) in blocks.iter().enumerate() {
        for (j, y) in net.forward_batch(x).iter().enumerate() {
            f(b * K + j, y);
        }
    }
    blocks.len() * K
}

/// Whether an inference block of `K` samples fits the stack budget (its
/// inputs are borrowed, not copied).
fn fits_stack<const K: usize, N: Layer<I>, I: Tensor>() -> bool {
    crate::layer::block_fits_stack::<K, N, I>(0)
}

#[cfg(feature = "std")]
/// [`forward_all`] split over `threads` threads (scoped: all have finished
/// when this returns). Each thread handles a contiguous share of the samples.
///
/// # Examples
/// ```
/// use std::num::NonZeroUsize;
/// use constnet::infer::{forward_all, forward_all_parallel};
/// use constnet::prelude::*;
///
/// let net = <(Dense<4, 8>, Relu, Dense<8, 3>)>::zeros();
/// let inputs = vec![[0.5_f32; 4]; 1000];
/// let (mut a, mut b) = (vec![[0.0; 3]; 1000], vec![[0.0; 3]; 1000]);
/// forward_all(&net, &inputs, &mut a);
/// forward_all_parallel(&net, &inputs, &mut b, NonZeroUsize::new(2).ok_or("zero")?);
/// assert_eq!(a, b);
/// # Ok::<(), &str>(())
/// ```
pub fn forward_all_parallel<N, I>(
    net: &N,
    inputs: &[I],
    outputs: &mut [N::Output],
    threads: NonZeroUsize,
) where
    I: Tensor + Sync,
    N: Layer<I> + Sync,
    N::Output: Send,
{
    let n = inputs.len().min(outputs.len());
    // Whole small blocks per thread, so every share but the last runs no
    // single samples.
    let share = n.div_ceil(threads.get()).div_ceil(SMALL_BLOCK) * SMALL_BLOCK;
    if share == 0 || share >= n {
        forward_all(net, inputs, outputs);
        return;
    }
    std::thread::scope(|scope| {
        for (x, y) in inputs[..n]
            .chunks(share)
            .zip(outputs[..n].chunks_mut(share))
        {
            scope.spawn(move || forward_all(net, x, y));
        }
    });
}

#[cfg(feature = "std")]
/// The number of threads the machine offers (at least 1), for
/// [`forward_all_parallel`].
///
/// ```
/// assert!(constnet::infer::available_threads().get() >= 1);
/// ```
#[must_use]
pub fn available_threads() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

#[cfg(test)]
mod tests {
    use rand::{SeedableRng, rngs::ChaCha8Rng};

    use super::*;
    use crate::prelude::*;

    /// Deterministic inputs in [0, 1) that are not round numbers.
    fn inputs<const N: usize>(n: usize) -> Vec<[f32; N]> {
        (0..n)
            .map(|k| core::array::from_fn(|i| ((k * 31 + i * 7) % 97) as f32 / 97.0))
            .collect()
    }

    /// `forward_all` agrees with one `forward` per sample, to within
    /// rounding (the kernels sum in a different order for single samples).
    fn agrees_with_forward<const IN: usize, const OUT: usize, N>(net: &N, n: usize)
    where
        N: Layer<[f32; IN], Output = [f32; OUT]>,
    {
        let x = inputs::<IN>(n);
        let mut y = vec![[f32::NAN; OUT]; n];
        forward_all(net, &x, &mut y);
        for (k, (x, y)) in x.iter().zip(&y).enumerate() {
            for (got, want) in y.iter().zip(net.forward(x)) {
                assert!(
                    (got - want).abs() <= 1e-5 * (1.0 + want.abs()),
                    "sample {k} of {n}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn blocks_of_every_size_agree_with_single_samples() {
        type Lecture = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);
        assert!(fits_stack::<BLOCK, Lecture, [f32; 784]>());
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let net = Lecture::random(Init::StandardNormal, &mut rng);
        // Two large blocks, one small one and five single samples; then
        // counts below one block of each size.
        for n in [2 * BLOCK + SMALL_BLOCK + 5, BLOCK - 1, SMALL_BLOCK - 1, 0] {
            agrees_with_forward(&net, n);
        }
    }

    #[test]
    fn wide_networks_run_in_small_blocks() {
        type Wide = (Dense<16, 1024>, Relu, Dense<1024, 3>);
        assert!(!fits_stack::<BLOCK, Wide, [f32; 16]>());
        assert!(fits_stack::<SMALL_BLOCK, Wide, [f32; 16]>());
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let net = Wide::random(Init::HeUniform, &mut rng);
        agrees_with_forward(&net, SMALL_BLOCK + 3);
    }
}
