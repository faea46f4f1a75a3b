//! Numeric kernels: every inner loop of constnet, and all of its SIMD.
//!
//! Layers call the functions here on flat slices. Each has a precise contract
//! (below), a portable implementation written so the compiler vectorises it
//! (independent accumulators instead of one dependent chain of additions,
//! which the compiler may not reorder), and for `f32` on x86-64 an AVX2 + FMA
//! implementation chosen at run time when the processor has both. This module
//! is the only place in the crate with `unsafe` code (in `avx2`; in
//! `zeroed`, which builds networks of any size directly on the heap; in
//! `in_place`, which builds blocks of samples where they live; and the
//! cache-prefetch hint [`prefetch`]).
//!
//! [`force_portable`] (or the environment variable `CONSTNET_PORTABLE=1`)
//! switches every kernel to the portable code, for tests and comparisons;
//! [`backend`] tells which one runs.
//!
//! Without the `std` feature there is no run-time feature detection: the
//! AVX2 kernels run when the build itself enables AVX2 and FMA (e.g.
//! `-C target-cpu=native` or `-C target-feature=+avx2,+fma`), else the
//! portable ones, which the compiler vectorises for the enabled features.

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod avx2;
#[allow(unsafe_code)]
mod in_place;
mod math;
mod portable;
mod scalar;
#[allow(unsafe_code)]
mod zeroed;

use core::sync::atomic::{AtomicU8, Ordering};

pub(crate) use in_place::{fill, slots};
pub use scalar::Scalar;
pub(crate) use zeroed::TupleInPlace;
pub use zeroed::zeroed_in;
#[cfg(feature = "alloc")]
pub(crate) use zeroed::{boxed_in_place, boxed_slice_in_place};

/// Which implementation the kernels use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// Portable Rust, vectorised by the compiler for the build target.
    Portable,
    /// Hand-written AVX2 + FMA (x86-64, `f32` only; `f64` stays portable).
    Avx2Fma,
}

/// 0: not yet detected, 1: portable, 2: AVX2 + FMA, 3: portable forced.
static STATE: AtomicU8 = AtomicU8::new(0);

/// Forces the portable kernels (`true`) or returns to automatic selection
/// (`false`), for the whole process.
///
/// ```
/// use constnet::kernel::{Backend, backend, force_portable};
/// force_portable(true);
/// assert_eq!(backend(), Backend::Portable);
/// force_portable(false);
/// ```
pub fn force_portable(force: bool) {
    STATE.store(if force { 3 } else { 0 }, Ordering::Relaxed);
}

/// The backend the kernels use now: AVX2 + FMA when the processor has both,
/// [`force_portable`] is off and the environment variable
/// `CONSTNET_PORTABLE` is unset (or `0`); else portable. The choice is made
/// once per process, at the first call (which reads the environment and so
/// may allocate); later calls are a single atomic load. Without the `std`
/// feature nothing is detected at run time and nothing allocates: AVX2 + FMA
/// when the build enables both target features, else portable.
///
/// ```
/// use constnet::kernel::{Backend, backend};
/// let b = backend();
/// assert!(b == Backend::Portable || b == Backend::Avx2Fma);
/// ```
#[must_use]
#[inline]
pub fn backend() -> Backend {
    match STATE.load(Ordering::Relaxed) {
        2 => Backend::Avx2Fma,
        1 | 3 => Backend::Portable,
        _ => {
            let detected = detect();
            let state = if detected == Backend::Avx2Fma { 2 } else { 1 };
            // Keep a concurrent `force_portable(true)`.
            let _ = STATE.compare_exchange(0, state, Ordering::Relaxed, Ordering::Relaxed);
            detected
        }
    }
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn detect() -> Backend {
    if std::env::var_os("CONSTNET_PORTABLE").is_some_and(|v| v != "0") {
        Backend::Portable
    } else if avx2::Avx2::new().is_some() {
        Backend::Avx2Fma
    } else {
        Backend::Portable
    }
}

#[cfg(all(target_arch = "x86_64", not(feature = "std")))]
fn detect() -> Backend {
    if avx2::Avx2::new().is_some() {
        Backend::Avx2Fma
    } else {
        Backend::Portable
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detect() -> Backend {
    Backend::Portable
}

/// The AVX2 kernels, when they apply to `f32` data.
#[cfg(target_arch = "x86_64")]
#[inline]
fn simd() -> Option<avx2::Avx2> {
    if backend() == Backend::Avx2Fma {
        avx2::Avx2::new()
    } else {
        None
    }
}

/// Asks the processor to start loading `data` into its caches (L2 and
/// up), so a later read finds it there: for inputs that will be needed
/// after the current computation, such as the next mini-batch's samples,
/// which are scattered over a data set too big for any cache. A hint only:
/// it changes no value and does nothing on processors without it.
///
/// ```
/// let next_batch = vec![[0.5_f32; 784]; 10];
/// for x in &next_batch {
///     constnet::kernel::prefetch(x);
/// }
/// ```
#[inline]
pub fn prefetch<T>(data: &[T]) {
    prefetch_head(data, usize::MAX);
}

/// [`prefetch`] of the first `limit` bytes of `value` (all of it if
/// smaller), e.g. the head of a sample: the hardware prefetcher then
/// follows with the rest.
#[inline]
pub(crate) fn prefetch_head<T: ?Sized>(value: &T, limit: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        let bytes = core::mem::size_of_val(value).min(limit);
        let start = core::ptr::from_ref(value).cast::<i8>();
        // Every 64-byte line the bytes touch, the last one included when
        // `value` does not start on a line boundary.
        let last = bytes.saturating_sub(1);
        for offset in (0..bytes).step_by(64).chain(core::iter::once(last)) {
            // SAFETY: SSE is part of x86-64; a prefetch never faults and
            // reads nothing the program sees, and `offset < bytes` (or 0 for
            // an empty value) keeps the address within or at the start of
            // `value`.
            #[allow(unsafe_code)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T1>(start.add(offset));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (value, limit);
}

/// `out[i] = bytes[i] / 255` over the common length: grey levels `0..=255`
/// as values in `[0, 1]`, each the correctly rounded quotient (bit for bit
/// what `f32::from(b) / 255.0` gives, for `f64` likewise). The AVX2 code
/// multiplies by the rounded reciprocal and corrects the result with two
/// FMAs, which gives that quotient for every byte (tested for all 256), at
/// a fraction of the cost of a vector division.
#[inline]
pub(crate) fn unit_from_bytes<T: Scalar>(bytes: &[u8], out: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = simd()
        && let Some(out32) = T::as_f32_mut(out)
    {
        k.unit_from_bytes(bytes, out32);
        return;
    }
    portable::unit_from_bytes(bytes, out);
}

/// Whether every element of `x` is finite (no NaN, no infinity).
#[inline]
pub(crate) fn all_finite<T: Scalar>(x: &[T]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = simd()
        && let Some(x32) = T::as_f32(x)
    {
        return k.all_finite(x32);
    }
    portable::all_finite(x)
}

/// `y[i] += alpha·x[i]` over the common length of `x` and `y`.
#[inline]
pub(crate) fn axpy<T: Scalar>(alpha: T, x: &[T], y: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = simd()
        && let (Some(x32), Some(alpha)) = (T::as_f32(x), alpha.to_f32())
        && let Some(y32) = T::as_f32_mut(y)
    {
        k.axpy(alpha, x32, y32);
        return;
    }
    portable::axpy(alpha, x, y);
}

/// Whether [`axpy`]`(alpha, x, y)` would leave every `y[i]` finite, rounded
/// as [`axpy`] rounds; writes nothing.
pub(crate) fn axpy_finite<T: Scalar>(alpha: T, x: &[T], y: &[T]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = simd()
        && let Some(alpha) = alpha.to_f32()
        && let (Some(x32), Some(y32)) = (T::as_f32(x), T::as_f32(y))
    {
        return k.axpy_finite(alpha, x32, y32);
    }
    portable::axpy_finite(alpha, x, y)
}

/// Whether [`adam_update`] with the same arguments would leave every
/// parameter and moment finite; writes nothing.
pub(crate) fn adam_finite<T: Scalar>(p: &[T], g: &[T], m: &[T], v: &[T], h: &AdamStep<T>) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let (Some(k), Some(p32), Some(g32), Some(m32), Some(v32)) = (
        simd(),
        T::as_f32(p),
        T::as_f32(g),
        T::as_f32(m),
        T::as_f32(v),
    ) {
        return k.adam_finite(p32, g32, m32, v32, &(*h).to_f32());
    }
    portable::adam_finite(p, g, m, v, h)
}

/// `v[i] = f(v[i])` for every element: an elementwise function, such as an
/// activation, applied in place. For `f32` with the AVX2 backend the loop is
/// compiled with AVX2 enabled, so a branch-free `f` (such as the crate's
/// sigmoid) runs eight lanes at a time, with results bit-identical to the
/// portable loop.
#[inline]
pub(crate) fn map<T: Scalar>(v: &mut [T], f: impl Fn(T) -> T) {
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = simd()
        && let Some(v32) = T::as_f32_mut(v)
    {
        k.map(v32, |x| f(T::from_f32(x)).to_f32().unwrap_or(f32::NAN));
        return;
    }
    portable::map(v, f);
}

/// [`map`] on an array, e.g. one sample's activations: the length is a
/// constant, so the loop has no remainder to test for.
#[inline(always)]
pub(crate) fn map_fixed<T: Scalar, const N: usize>(v: &mut [T; N], f: impl Fn(T) -> T) {
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = simd()
        && let Some(v32) = T::as_f32_mut(v).and_then(|v| <&mut [f32; N]>::try_from(v).ok())
    {
        k.map_fixed(v32, |x| f(T::from_f32(x)).to_f32().unwrap_or(f32::NAN));
        return;
    }
    portable::map(v, f);
}

/// `d[i] = f(d[i], y[i])` over the common length: an elementwise function
/// of two arrays, such as an activation's backward pass `dy·σ'(y)`, in
/// place. Vectorised like [`map`].
#[inline]
pub(crate) fn map2<T: Scalar>(d: &mut [T], y: &[T], f: impl Fn(T, T) -> T) {
    #[cfg(target_arch = "x86_64")]
    if let Some(k) = simd()
        && let Some(y32) = T::as_f32(y)
        && let Some(d32) = T::as_f32_mut(d)
    {
        k.map2(d32, y32, |a, b| {
            f(T::from_f32(a), T::from_f32(b))
                .to_f32()
                .unwrap_or(f32::NAN)
        });
        return;
    }
    portable::map2(d, y, f);
}

/// The constants of one Adam step (see [`crate::optim::Adam`] for the
/// formula), precomputed once per step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AdamStep<T> {
    pub(crate) beta_1: T,
    pub(crate) beta_2: T,
    pub(crate) one_minus_beta_1: T,
    pub(crate) one_minus_beta_2: T,
    /// The bias-corrected step size `η·√(1−β₂ᵗ)/(1−β₁ᵗ)`.
    pub(crate) alpha: T,
    pub(crate) epsilon: T,
    /// `η·λ` of decoupled weight decay (AdamW), if any.
    pub(crate) shrink: Option<T>,
}

impl<T: Scalar> AdamStep<T> {
    /// The same step in `f32`.
    fn to_f32(self) -> AdamStep<f32> {
        let f = |v: T| v.to_f32().unwrap_or(f32::NAN);
        AdamStep {
            beta_1: f(self.beta_1),
            beta_2: f(self.beta_2),
            one_minus_beta_1: f(self.one_minus_beta_1),
            one_minus_beta_2: f(self.one_minus_beta_2),
            alpha: f(self.alpha),
            epsilon: f(self.epsilon),
            shrink: self.shrink.and_then(|s| s.to_f32()),
        }
    }
}

/// One Adam update of the parameters `p` from gradients `g`, with moments
/// `m` and `v`, over their common length:
/// `m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − shrink·p − α·m/(√v + ε)`.
pub(crate) fn adam_update<T: Scalar>(
    p: &mut [T],
    g: &[T],
    m: &mut [T],
    v: &mut [T],
    h: &AdamStep<T>,
) {
    #[cfg(target_arch = "x86_64")]
    if let (Some(k), Some(g32)) = (simd(), T::as_f32(g))
        && let (Some(p32), Some(m32), Some(v32)) =
            (T::as_f32_mut(p), T::as_f32_mut(m), T::as_f32_mut(v))
    {
        let h32 = (*h).to_f32();
        k.adam_update(p32, g32, m32, v32, &h32);
        return;
    }
    portable::adam_update(p, g, m, v, h);
}

/// Forward pass of a fully connected layer over a batch.
///
/// With `out = bias.len()`, `batch = x.len() / inputs`: for every sample `b`
/// and output `o`, `y[b·out + o] = bias[o] + Σᵢ w[o·inputs + i]·x[b·inputs + i]`.
/// `w` holds `out × inputs` weights row by row; `y` holds `batch × out`.
///
/// # Panics
/// If the slice lengths do not fit these shapes (a bug in the caller).
#[inline(always)]
pub(crate) fn dense_forward<T: Scalar>(w: &[T], bias: &[T], x: &[T], y: &mut [T], inputs: usize) {
    let out = bias.len();
    assert!(inputs > 0 && w.len() == out * inputs && x.len().is_multiple_of(inputs));
    assert_eq!(y.len(), x.len() / inputs * out);
    #[cfg(target_arch = "x86_64")]
    if let (Some(k), Some(w32), Some(b32), Some(x32)) =
        (simd(), T::as_f32(w), T::as_f32(bias), T::as_f32(x))
        && let Some(y32) = T::as_f32_mut(y)
    {
        k.dense_forward(w32, b32, x32, y32, inputs, x.len() / inputs);
        return;
    }
    portable::dense_forward(w, bias, x, y, inputs);
}

/// [`dense_forward`] of one sample, with the layer's sizes known at compile
/// time: a small model's inference call, where the cost is in the calls and
/// length checks around a few vector operations, not in the arithmetic.
/// The same sums as [`dense_forward`] on a batch of one.
#[inline(always)]
pub(crate) fn dense_forward_one<T: Scalar, const IN: usize, const OUT: usize>(
    w: &[[T; IN]; OUT],
    bias: &[T; OUT],
    x: &[T; IN],
    y: &mut [T; OUT],
) {
    #[cfg(target_arch = "x86_64")]
    if let (Some(k), Some(w32), Some(b32), Some(x32)) = (
        simd(),
        T::as_f32(w.as_flattened())
            .and_then(|w| <&[[f32; IN]; OUT]>::try_from(w.as_chunks().0).ok()),
        T::as_f32(bias).and_then(|b| <&[f32; OUT]>::try_from(b).ok()),
        T::as_f32(x).and_then(|x| <&[f32; IN]>::try_from(x).ok()),
    ) && let Some(y32) = T::as_f32_mut(y).and_then(|y| <&mut [f32; OUT]>::try_from(y).ok())
    {
        k.dense_forward_one(w32, b32, x32, y32);
        return;
    }
    portable::dense_forward(w.as_flattened(), bias, x, y, IN);
}

/// Parameter gradients of a fully connected layer over a batch, added in
/// (`add`) or stored; returns whether every gradient written is finite.
///
/// With `out = gb.len()`, `batch = x.len() / inputs`:
/// `gw[o·inputs + i] (+)= Σ_b dy[b·out + o]·x[b·inputs + i]` and
/// `gb[o] (+)= Σ_b dy[b·out + o]`. Storing gives the same bits as zeroing
/// the gradients and adding, without reading them.
///
/// # Panics
/// If the slice lengths do not fit these shapes (a bug in the caller).
pub(crate) fn dense_backward_params<T: Scalar>(
    x: &[T],
    dy: &[T],
    gw: &mut [T],
    gb: &mut [T],
    inputs: usize,
    add: bool,
) -> bool {
    let out = gb.len();
    assert!(inputs > 0 && gw.len() == out * inputs && x.len().is_multiple_of(inputs));
    assert_eq!(dy.len(), x.len() / inputs * out);
    if !add {
        gb.fill(T::zero());
    }
    portable::bias_gradient(dy, gb);
    let bias_finite = portable::all_finite(gb);
    #[cfg(target_arch = "x86_64")]
    if let (Some(k), Some(x32), Some(dy32)) = (simd(), T::as_f32(x), T::as_f32(dy))
        && let Some(gw32) = T::as_f32_mut(gw)
    {
        return k.dense_backward_weights(x32, dy32, gw32, inputs, add) & bias_finite;
    }
    portable::dense_backward_weights(x, dy, gw, inputs, add);
    portable::all_finite(gw) & bias_finite
}

/// Input gradient of a fully connected layer over a batch.
///
/// With `out = w.len() / inputs`, `batch = dy.len() / out`:
/// `dx[b·inputs + i] = Σₒ dy[b·out + o]·w[o·inputs + i]` (overwritten).
///
/// # Panics
/// If the slice lengths do not fit these shapes (a bug in the caller).
pub(crate) fn dense_backward_input<T: Scalar>(w: &[T], dy: &[T], dx: &mut [T], inputs: usize) {
    assert!(inputs > 0 && w.len().is_multiple_of(inputs));
    let out = w.len() / inputs;
    assert!(out > 0 && dy.len().is_multiple_of(out));
    assert_eq!(dx.len(), dy.len() / out * inputs);
    #[cfg(target_arch = "x86_64")]
    if let (Some(k), Some(w32), Some(dy32)) = (simd(), T::as_f32(w), T::as_f32(dy))
        && let Some(dx32) = T::as_f32_mut(dx)
    {
        k.dense_backward_input(w32, dy32, dx32, inputs);
        return;
    }
    portable::dense_backward_input(w, dy, dx, inputs);
}

#[cfg(test)]
mod tests;
