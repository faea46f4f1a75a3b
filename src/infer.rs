//! Inference over many samples: in blocks (weights reused across samples)
//! and, with the `std` feature, on several threads.

#[cfg(feature = "std")]
use std::num::NonZeroUsize;

use crate::block::{self, Job, Ladder, Source};
use crate::{Layer, Sample, Tensor};

/// `outputs[k] = net.forward(&inputs[k].to_input())` for every `k` below
/// the shorter length, computed in blocks. Samples that are the network's
/// inputs are read in place, in blocks of 96 (12 for wide networks);
/// others ([`Sample`]s such as [`Pixels`](crate::Pixels)) are converted a
/// block at a time into a buffer on the stack, blocks of 48, then 12, and
/// one by one for inputs so wide that even 12 would not fit the stack
/// budget of 256 KiB (about 5,000 `f32` features). Allocates nothing.
///
/// The blocks give the same bits whatever their size and wherever the
/// samples lie; single samples (the last few, and the one-by-one case)
/// sum in another order, so they can differ in the last bits from the same
/// sample in a block.
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
pub fn forward_all<N, I, S>(net: &N, inputs: &[S], outputs: &mut [N::Output])
where
    I: Tensor,
    S: Sample<I>,
    N: Layer<I>,
{
    let n = inputs.len().min(outputs.len());
    for_each_output(net, &inputs[..n], |k, y| outputs[k] = y.clone());
}

/// Calls `f(k, output)` for each sample `k`, running the network on blocks
/// (see [`Ladder::Infer`] and [`Ladder::InferConverted`]). Allocates
/// nothing.
pub(crate) fn for_each_output<N, I, S>(net: &N, inputs: &[S], f: impl FnMut(usize, &N::Output))
where
    I: Tensor,
    S: Sample<I>,
    N: Layer<I>,
{
    let in_place = Source::<I>::borrowed::<1>(inputs, 0).is_some();
    let ladder = if in_place {
        Ladder::Infer
    } else {
        Ladder::InferConverted
    };
    block::run::<N, I, _, _>(inputs, ladder, &mut Outputs { net, f });
}

/// The inference job: each block's outputs handed to `f`.
struct Outputs<'n, N, F> {
    net: &'n N,
    f: F,
}

impl<N: Layer<I>, I: Tensor, F: FnMut(usize, &N::Output)> Job<I> for Outputs<'_, N, F> {
    fn run<const K: usize>(&mut self, start: usize, x: &[I; K]) {
        if K == 1 {
            // One sample: the single-sample kernels.
            if let Some(x) = x.first() {
                (self.f)(start, &self.net.forward(x));
            }
            return;
        }
        for (j, y) in self.net.forward_batch(x).iter().enumerate() {
            (self.f)(start + j, y);
        }
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
pub fn forward_all_parallel<N, I, S>(
    net: &N,
    inputs: &[S],
    outputs: &mut [N::Output],
    threads: NonZeroUsize,
) where
    I: Tensor,
    S: Sample<I> + Sync,
    N: Layer<I> + Sync,
    N::Output: Send,
{
    let n = inputs.len().min(outputs.len());
    // Whole small blocks per thread, so every share but the last runs no
    // single samples.
    let share = n.div_ceil(threads.get()).div_ceil(12) * 12;
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
    use crate::block::fits as fits_stack;

    const BLOCK: usize = 96;
    const SMALL_BLOCK: usize = 12;
    const CONVERTED_BLOCK: usize = 48;
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
        assert!(fits_stack::<BLOCK, Lecture, [f32; 784]>(0));
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
        assert!(!fits_stack::<BLOCK, Wide, [f32; 16]>(0));
        assert!(fits_stack::<SMALL_BLOCK, Wide, [f32; 16]>(0));
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let net = Wide::random(Init::HeUniform, &mut rng);
        agrees_with_forward(&net, SMALL_BLOCK + 3);
    }

    #[test]
    fn converted_samples_agree_with_their_inputs() {
        type Lecture = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);
        let buffer = size_of::<[[f32; 784]; CONVERTED_BLOCK]>();
        assert!(fits_stack::<CONVERTED_BLOCK, Lecture, [f32; 784]>(buffer));
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let net = Lecture::random(Init::StandardNormal, &mut rng);
        // Two converted blocks, one small one and five single samples; then
        // counts below one block of each size.
        for n in [
            2 * CONVERTED_BLOCK + SMALL_BLOCK + 5,
            CONVERTED_BLOCK - 1,
            3,
            0,
        ] {
            let pixels: Vec<Pixels<784>> = (0..n)
                .map(|k| Pixels(core::array::from_fn(|i| ((k * 37 + i * 11) % 256) as u8)))
                .collect();
            let inputs: Vec<[f32; 784]> = pixels.iter().map(Sample::to_input).collect();
            let mut from_pixels = vec![[f32::NAN; 10]; n];
            let mut from_inputs = vec![[f32::NAN; 10]; n];
            forward_all(&net, &pixels, &mut from_pixels);
            forward_all(&net, &inputs, &mut from_inputs);
            // The same blocks (and the same single samples at the end):
            // the same bits, though the bytes' blocks are converted into a
            // buffer of their own and the f32 samples are read in place.
            let bits =
                |y: &[[f32; 10]]| -> Vec<u32> { y.iter().flatten().map(|v| v.to_bits()).collect() };
            assert_eq!(bits(&from_pixels), bits(&from_inputs), "{n} samples");
        }
    }

    #[test]
    fn wide_networks_convert_in_small_blocks_or_singly() {
        // A block of 12 converted inputs of 16,384 f32 is 768 KiB: over the
        // stack budget, so every sample runs alone.
        type Huge = (Dense<16_384, 2>,);
        let buffer = size_of::<[[f32; 16_384]; SMALL_BLOCK]>();
        assert!(!fits_stack::<SMALL_BLOCK, Huge, [f32; 16_384]>(buffer));
        // 128 KiB: fits a test thread's stack.
        let net = Huge::random(Init::GlorotUniform, &mut ChaCha8Rng::seed_from_u64(4));
        let pixels: Vec<Pixels<16_384>> = (0..3)
            .map(|k| Pixels(core::array::from_fn(|i| ((k * 89 + i * 13) % 256) as u8)))
            .collect();
        let mut out = vec![[f32::NAN; 2]; 3];
        forward_all(&net, &pixels, &mut out);
        for (k, (y, p)) in out.iter().zip(&pixels).enumerate() {
            assert_eq!(*y, net.forward(&p.to_input()), "sample {k}");
        }
        assert_ne!(out[0], out[1]);
    }

    /// A `Sample` whose `as_inputs` breaks its contract (a shorter slice)
    /// is converted, not trusted: every sample still gets its output.
    #[test]
    fn a_wrong_length_from_as_inputs_is_not_trusted() {
        #[derive(Clone)]
        struct Liar([f32; 2]);
        impl Sample<[f32; 2]> for Liar {
            fn write_input(&self, input: &mut [f32; 2]) {
                *input = self.0;
            }
            fn as_inputs(_: &[Self]) -> Option<&[[f32; 2]]> {
                Some(&[])
            }
        }
        let net = (Dense::<2, 1> {
            weight: [[1.0, 2.0]],
            bias: [0.0],
        },);
        let samples: Vec<Liar> = (0..20).map(|k| Liar([k as f32, 1.0])).collect();
        let mut out = vec![[f32::NAN]; 20];
        forward_all(&net, &samples, &mut out);
        for (k, y) in out.iter().enumerate() {
            assert_eq!(y[0], k as f32 + 2.0);
        }
    }
}
