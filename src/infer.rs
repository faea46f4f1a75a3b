//! Inference over many samples: in blocks (weights reused across samples)
//! and on several threads.

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
    let (inputs, outputs) = (&inputs[..n], &mut outputs[..n]);
    let (blocks, rest) = inputs.as_chunks::<BLOCK>();
    let (out_blocks, out_rest) = outputs.split_at_mut(blocks.len() * BLOCK);
    for (x, y) in blocks.iter().zip(out_blocks.chunks_exact_mut(BLOCK)) {
        for (y, value) in y.iter_mut().zip(net.forward_batch(x)) {
            *y = value;
        }
    }
    for (x, y) in rest.iter().zip(out_rest) {
        *y = net.forward(x);
    }
}

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
