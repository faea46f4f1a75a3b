//! Inference over many samples: in blocks (weights reused across samples)
//! and, with the `std` feature, on several threads.

#[cfg(feature = "std")]
use std::num::NonZeroUsize;

use crate::{Layer, Tensor};

/// Samples per [`Layer::forward_batch`] call.
const BLOCK: usize = 12;

/// `outputs[k] = net.forward(&inputs[k])` for every `k` below the shorter
/// length, computed in blocks of 12 samples. Allocates nothing.
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
/// [`BLOCK`] samples (see [`Layer::forward_batch`]). Allocates nothing.
pub(crate) fn for_each_output<N, I>(net: &N, inputs: &[I], mut f: impl FnMut(usize, &N::Output))
where
    I: Tensor,
    N: Layer<I>,
{
    let (blocks, rest) = inputs.as_chunks::<BLOCK>();
    for (b, x) in blocks.iter().enumerate() {
        for (j, y) in net.forward_batch(x).iter().enumerate() {
            f(b * BLOCK + j, y);
        }
    }
    let done = blocks.len() * BLOCK;
    for (j, x) in rest.iter().enumerate() {
        f(done + j, &net.forward(x));
    }
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
    // Whole blocks per thread, so every share but the last is all blocks.
    let share = n.div_ceil(threads.get()).div_ceil(BLOCK) * BLOCK;
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
