//! AVX2 + FMA kernels for `f32` on x86-64.
//!
//! Every function here that uses SIMD is `#[target_feature(enable = "avx2,fma")]`
//! and reached only through [`Avx2`], a token that exists only when the
//! processor has both features. Loads and stores use unaligned access on
//! pointers whose ranges are checked against the slice lengths first.

use core::sync::atomic::{AtomicU8, Ordering};

use core::arch::x86_64::{
    __m128, __m128i, __m256, __m256i, _MM_HINT_T1, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32,
    _mm_fmadd_ss, _mm_loadl_epi64, _mm_movehl_ps, _mm_prefetch, _mm_set_ss, _mm_shuffle_ps,
    _mm_storeu_ps, _mm256_add_ps, _mm256_broadcast_ss, _mm256_castps_si256, _mm256_castps256_ps128,
    _mm256_cmpgt_epi32, _mm256_cvtepi32_ps, _mm256_cvtepu8_epi32, _mm256_extractf128_ps,
    _mm256_fmadd_ps, _mm256_fnmadd_ps, _mm256_loadu_ps, _mm256_maskload_ps, _mm256_mul_ps,
    _mm256_or_ps, _mm256_permute2f128_ps, _mm256_set1_epi32, _mm256_set1_ps, _mm256_setr_epi32,
    _mm256_setzero_ps, _mm256_shuffle_ps, _mm256_storeu_ps, _mm256_sub_ps, _mm256_testz_si256,
    _mm256_xor_si256,
};

/// f32 lanes of a 256-bit register.
const W: usize = 8;

/// Proof that this processor runs AVX2 and FMA.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx2(());

impl Avx2 {
    /// The token, if the processor has AVX2 and FMA. The processor is
    /// asked once per process: later calls are one atomic load (the kernels
    /// ask for the token at every call, which for a small layer is a good
    /// part of its cost).
    #[inline]
    pub(super) fn new() -> Option<Self> {
        /// 0: not asked yet, 1: no, 2: yes.
        static AVAILABLE: AtomicU8 = AtomicU8::new(0);
        let available = match AVAILABLE.load(Ordering::Relaxed) {
            0 => {
                #[cfg(feature = "std")]
                let available =
                    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
                #[cfg(not(feature = "std"))]
                let available = cfg!(all(target_feature = "avx2", target_feature = "fma"));
                AVAILABLE.store(1 + u8::from(available), Ordering::Relaxed);
                available
            }
            state => state == 2,
        };
        available.then_some(Self(()))
    }

    /// See [`super::map_fixed`]: [`Self::map`] on an array, whose length
    /// the compiler then knows.
    #[inline]
    pub(super) fn map_fixed<const N: usize>(self, v: &mut [f32; N], f: impl Fn(f32) -> f32) {
        // SAFETY: the token proves AVX2 + FMA.
        unsafe { map_fixed(v, f) }
    }

    /// See [`super::adam_update`]: the portable loop, compiled for AVX2.
    pub(super) fn adam_update(
        self,
        p: &mut [f32],
        g: &[f32],
        m: &mut [f32],
        v: &mut [f32],
        h: &super::AdamStep<f32>,
    ) {
        // SAFETY: the token proves AVX2 + FMA.
        unsafe { adam_update(p, g, m, v, h) }
    }

    /// See [`super::all_finite`]: the portable loop, compiled for AVX2.
    #[inline]
    pub(super) fn all_finite(self, x: &[f32]) -> bool {
        // SAFETY: the token proves AVX2 + FMA.
        unsafe { all_finite(x) }
    }

    /// See [`super::map`]: the portable loop, compiled for AVX2.
    #[inline]
    pub(super) fn map(self, v: &mut [f32], f: impl Fn(f32) -> f32) {
        // SAFETY: the token proves AVX2 + FMA.
        unsafe { map(v, f) }
    }

    /// See [`super::map2`]: the portable loop, compiled for AVX2.
    #[inline]
    pub(super) fn map2(self, d: &mut [f32], y: &[f32], f: impl Fn(f32, f32) -> f32) {
        // SAFETY: the token proves AVX2 + FMA.
        unsafe { map2(d, y, f) }
    }

    /// See [`super::axpy`].
    pub(super) fn axpy(self, alpha: f32, x: &[f32], y: &mut [f32]) {
        let n = x.len().min(y.len());
        // SAFETY: the token proves AVX2 + FMA; `axpy` reads and writes `n`
        // elements, and both slices hold at least `n`.
        unsafe { axpy(alpha, x.as_ptr(), y.as_mut_ptr(), n) }
    }

    /// See [`super::axpy_finite`].
    pub(super) fn axpy_finite(self, alpha: f32, x: &[f32], y: &[f32]) -> bool {
        let n = x.len().min(y.len());
        // SAFETY: the token proves AVX2 + FMA; `axpy_finite` reads `n`
        // elements of each, and both slices hold at least `n`.
        unsafe { axpy_finite(alpha, x.as_ptr(), y.as_ptr(), n) }
    }

    /// See [`super::adam_finite`]: the portable loop, compiled for AVX2.
    pub(super) fn adam_finite(
        self,
        p: &[f32],
        g: &[f32],
        m: &[f32],
        v: &[f32],
        h: &super::AdamStep<f32>,
    ) -> bool {
        // SAFETY: the token proves AVX2 + FMA.
        unsafe { adam_finite(p, g, m, v, h) }
    }

    /// See [`super::unit_from_bytes`].
    pub(super) fn unit_from_bytes(self, bytes: &[u8], out: &mut [f32]) {
        let n = bytes.len().min(out.len());
        // SAFETY: the token proves AVX2 + FMA; `unit_from_bytes` reads `n`
        // bytes and writes `n` f32, and both slices hold at least `n`.
        unsafe { unit_from_bytes(bytes.as_ptr(), out.as_mut_ptr(), n) }
    }

    /// See [`super::dense_forward`]; lengths are checked there.
    pub(super) fn dense_forward(
        self,
        w: &[f32],
        bias: &[f32],
        x: &[f32],
        y: &mut [f32],
        inputs: usize,
        batch: usize,
    ) {
        let out = bias.len();
        debug_assert!(w.len() == out * inputs && x.len() == batch * inputs);
        debug_assert!(y.len() == batch * out);
        let mut b = 0;
        // Six samples share each load of a weight row and two rows each load
        // of a sample (8 loads per 12 FMAs): a weight matrix too big for L1
        // then streams from L2 once per six samples.
        // (Eight samples go as two blocks of four, not six and two.)
        while b + 6 <= batch && batch - b != 8 {
            forward_samples::<6, 2>(self, w, bias, x, y, inputs, b, 0);
            b += 6;
        }
        while b + 4 <= batch {
            forward_samples::<4, 3>(self, w, bias, x, y, inputs, b, 0);
            b += 4;
        }
        while b + 2 <= batch {
            forward_samples::<2, 4>(self, w, bias, x, y, inputs, b, 0);
            b += 2;
        }
        // Single samples: eight rows at once, their sums reduced together,
        // then the remaining rows by four, two and one.
        while b < batch {
            let xs = &x[b * inputs..][..inputs];
            let done = self.rows_by_eight(w, bias, xs, &mut y[b * out..][..out], inputs);
            forward_samples::<1, 4>(self, w, bias, x, y, inputs, b, done);
            b += 1;
        }
    }

    /// See [`super::dense_forward_one`]: one sample through a layer whose
    /// sizes are constants, so every loop has a fixed trip count (a small
    /// layer's are unrolled whole) and no length is checked at run time.
    /// The rows go eight at a time ([`dense8`]), then by four, two and one,
    /// as [`Self::dense_forward`] takes a single sample: the same sums.
    #[inline]
    pub(super) fn dense_forward_one<const IN: usize, const OUT: usize>(
        self,
        w: &[[f32; IN]; OUT],
        bias: &[f32; OUT],
        x: &[f32; IN],
        y: &mut [f32; OUT],
    ) {
        // SAFETY: the token proves AVX2 + FMA.
        unsafe { dense_one(self, w, bias, x, y) }
    }

    /// One sample `x` (of `n` elements, `n` a [`Len`]) through the first
    /// `8·k` rows of the layer, eight at a time, with eight independent
    /// accumulators whose sums are reduced together (five shuffles and adds
    /// for eight sums, where one sum alone takes four). Returns the number
    /// of rows done. Inlined into its callers: with a [`Fixed`] length
    /// ([`dense_one`]) every bound below is a constant.
    #[inline(always)]
    fn rows_by_eight(
        self,
        w: &[f32],
        bias: &[f32],
        x: &[f32],
        y: &mut [f32],
        n: impl Len,
    ) -> usize {
        let (inputs, out) = (n.get(), bias.len());
        let x = &x[..inputs];
        let mut o = 0;
        while o + 8 <= out {
            // One slice of the eight rows: one bounds check, not eight.
            let rows = &w[o * inputs..][..8 * inputs];
            let (b8, y8) = (&bias[o..][..8], &mut y[o..][..8]);
            // SAFETY: the token proves AVX2 + FMA; the slicing above checked
            // that `rows` holds eight rows of `inputs` elements, `x` holds
            // `inputs` too, and `b8` and `y8` hold eight.
            unsafe { dense8(rows.as_ptr(), x.as_ptr(), n, b8.as_ptr(), y8.as_mut_ptr()) };
            o += 8;
        }
        o
    }

    /// `gw[o·inputs + i] (+)= Σ_b dy[b·out + o]·x[b·inputs + i]`, added in
    /// when `add`, else stored; returns whether every value written is
    /// finite. Lengths are checked in [`super::dense_backward_params`].
    pub(super) fn dense_backward_weights(
        self,
        x: &[f32],
        dy: &[f32],
        gw: &mut [f32],
        inputs: usize,
        add: bool,
    ) -> bool {
        weight_gradient(self, x, dy, gw, inputs, add)
    }

    /// See [`super::dense_backward_input`]; lengths are checked there.
    pub(super) fn dense_backward_input(self, w: &[f32], dy: &[f32], dx: &mut [f32], inputs: usize) {
        let out = w.len() / inputs;
        for (ds, dxs) in dy.chunks_exact(out).zip(dx.chunks_exact_mut(inputs)) {
            // SAFETY: token proves the features; `w` holds `out` rows of
            // `inputs`, `ds` holds `out` coefficients, `dxs` holds `inputs`.
            unsafe { combine_rows(w.as_ptr(), ds, dxs.as_mut_ptr(), inputs) };
        }
    }
}

/// Outputs `first..` of samples `b..b + S` (see [`super::dense_forward`]):
/// tiles of `R` weight rows × `S` samples, then the remaining rows in pairs
/// and singly (a pair keeps four independent accumulators busy, a single
/// row only two).
///
/// Meanwhile the next `S` samples of `x` (those of the next call) are
/// prefetched into L2, a share before each tile of rows: samples streamed
/// from memory, such as a data set too big for the caches, then arrive
/// before they are needed, and in L2 they do not evict the current samples
/// from L1.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // private; the tile shape and where to start
fn forward_samples<const S: usize, const R: usize>(
    token: Avx2,
    w: &[f32],
    bias: &[f32],
    x: &[f32],
    y: &mut [f32],
    inputs: usize,
    b: usize,
    first: usize,
) {
    let out = bias.len();
    let xs: [*const f32; S] = core::array::from_fn(|s| x[(b + s) * inputs..][..inputs].as_ptr());
    let next = x.get((b + S) * inputs..).unwrap_or_default();
    let next = &next[..next.len().min(S * inputs)];
    // Cache lines of `next` per tile of R rows.
    let share = next
        .len()
        .div_ceil(LINE)
        .div_ceil(((out - first) / R).max(1));
    let mut prefetched = 0;
    let mut o = first;
    while o + R <= out {
        prefetched = prefetch_lines(next, prefetched, share);
        // SAFETY: each `xs` pointer was sliced to `inputs` elements above.
        unsafe { forward_rows::<R, S>(token, w, bias, xs, y, inputs, b, o) };
        o += R;
    }
    prefetch_lines(next, prefetched, usize::MAX);
    while o + 2 <= out {
        // SAFETY: each `xs` pointer was sliced to `inputs` elements above.
        unsafe { forward_rows::<2, S>(token, w, bias, xs, y, inputs, b, o) };
        o += 2;
    }
    if o < out {
        // SAFETY: each `xs` pointer was sliced to `inputs` elements above.
        unsafe { forward_rows::<1, S>(token, w, bias, xs, y, inputs, b, o) };
    }
}

/// f32 per 64-byte cache line.
const LINE: usize = 16;

/// Prefetches into L2 (as [`super::prefetch`]) up to `count` cache lines'
/// worth of `data` (16 elements each), from its element `start` on;
/// returns where the next call starts (at most `data.len()`). One hint
/// per 16 elements in a plain loop, leaner between the tiles it runs in
/// than the general [`super::prefetch`].
#[inline(always)]
fn prefetch_lines(data: &[f32], start: usize, count: usize) -> usize {
    let end = start
        .saturating_add(count.saturating_mul(LINE))
        .min(data.len());
    let mut i = start;
    while i < end {
        // SAFETY: SSE is part of x86-64; a prefetch never faults and reads
        // nothing the program sees, and i < end <= data.len().
        unsafe { _mm_prefetch::<_MM_HINT_T1>(data.as_ptr().add(i).cast::<i8>()) };
        i += LINE;
    }
    end
}

/// Outputs `o..o + R` of samples `b..b + S`, whose first elements `xs`
/// point at.
///
/// # Safety
/// Every pointer in `xs` is valid for reading `inputs` f32.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // private; one call per tile shape
unsafe fn forward_rows<const R: usize, const S: usize>(
    _: Avx2,
    w: &[f32],
    bias: &[f32],
    xs: [*const f32; S],
    y: &mut [f32],
    inputs: usize,
    b: usize,
    o: usize,
) {
    let out = bias.len();
    let rows: [*const f32; R] = core::array::from_fn(|r| w[(o + r) * inputs..][..inputs].as_ptr());
    // SAFETY: the token proves AVX2 + FMA; every row pointer starts `inputs`
    // elements (the slicing above checked it), and so does every sample's
    // (the caller's contract).
    let t = unsafe { tile::<R, S>(rows, xs, inputs) };
    let bias = &bias[o..][..R];
    for s in 0..S {
        let ys = &mut y[(b + s) * out + o..][..R];
        for r in 0..R {
            ys[r] = bias[r] + t[r][s];
        }
    }
}

/// [`Avx2::dense_forward_one`].
#[target_feature(enable = "avx2,fma")]
fn dense_one<const IN: usize, const OUT: usize>(
    token: Avx2,
    w: &[[f32; IN]; OUT],
    bias: &[f32; OUT],
    x: &[f32; IN],
    y: &mut [f32; OUT],
) {
    let w = w.as_flattened();
    let mut o = token.rows_by_eight(w, bias, x, y, Fixed::<IN>);
    let xs = [x.as_ptr()];
    while o + 4 <= OUT {
        // SAFETY: `xs` points at the IN elements of `x`.
        unsafe { forward_rows::<4, 1>(token, w, bias, xs, y, IN, 0, o) };
        o += 4;
    }
    while o + 2 <= OUT {
        // SAFETY: as above.
        unsafe { forward_rows::<2, 1>(token, w, bias, xs, y, IN, 0, o) };
        o += 2;
    }
    if o < OUT {
        // SAFETY: as above.
        unsafe { forward_rows::<1, 1>(token, w, bias, xs, y, IN, 0, o) };
    }
}

/// `y[r] = bias[r] + Σ_{i<n} w[r][i]·x[i]` for `r < 8`: eight dot products
/// with one accumulator each, reduced together by horizontal adds.
///
/// Row `r` of the weights starts at `w + r·n`. `n` is a [`Len`]: a
/// constant for a layer whose size the caller knows at compile time (the
/// loops then have fixed trip counts), else a `usize`.
///
/// # Safety
/// AVX2 and FMA are available; `w` is valid for reading `8·n` f32, `x`
/// for reading `n`, `bias` for reading 8 and `y` for writing 8.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn dense8(w: *const f32, x: *const f32, n: impl Len, bias: *const f32, y: *mut f32) {
    let n = n.get();
    // SAFETY: r·n + n <= 8·n for r < 8 (the contract).
    let w: [*const f32; 8] = core::array::from_fn(|r| unsafe { w.add(r * n) });
    let mut acc = [_mm256_setzero_ps(); 8];
    let mut i = 0;
    while i + W <= n {
        // SAFETY: i + W <= n for `x` and every row.
        let xv = unsafe { _mm256_loadu_ps(x.add(i)) };
        for (a, row) in acc.iter_mut().zip(w) {
            // SAFETY: as above.
            *a = _mm256_fmadd_ps(unsafe { _mm256_loadu_ps(row.add(i)) }, xv, *a);
        }
        i += W;
    }
    let sums = hsum8(acc);
    if i == n {
        // SAFETY: `bias` and `y` hold eight f32.
        unsafe { _mm256_storeu_ps(y, _mm256_add_ps(_mm256_loadu_ps(bias), sums)) };
        return;
    }
    let mut out = [0.0; 8];
    // SAFETY: `out` holds eight f32.
    unsafe { _mm256_storeu_ps(out.as_mut_ptr(), sums) };
    for (r, (o, row)) in out.iter_mut().zip(w).enumerate() {
        for j in i..n {
            // SAFETY: j < n.
            *o = fma(unsafe { *row.add(j) }, unsafe { *x.add(j) }, *o);
        }
        // SAFETY: r < 8.
        unsafe { *y.add(r) = *bias.add(r) + *o };
    }
}

/// A length: known at run time (`usize`) or at compile time ([`Fixed`]).
trait Len: Copy {
    /// The length.
    fn get(self) -> usize;
}

impl Len for usize {
    #[inline(always)]
    fn get(self) -> usize {
        self
    }
}

/// The length `N`, a constant.
#[derive(Clone, Copy)]
struct Fixed<const N: usize>;

impl<const N: usize> Len for Fixed<N> {
    #[inline(always)]
    fn get(self) -> usize {
        N
    }
}

/// `a·b + c` with one rounding (the FMA instruction; `f32::mul_add` needs
/// std).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn fma(a: f32, b: f32, c: f32) -> f32 {
    _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)))
}

/// Sum of the eight lanes.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn hsum(v: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps::<1>(s, s)))
}

/// Lane `k` of the result: the sum of the eight lanes of `v[k]`, added as
/// [`hsum`] adds them (lane `j` with `j + 4`, then those sums two apart,
/// then the last two), so to the bit what `hsum(v[k])` gives. That tree
/// pairs lanes by their distance only, so rotating the lanes of a vector
/// does not change its sum (float addition is commutative): see [`tile`].
#[inline]
#[target_feature(enable = "avx2,fma")]
fn hsum8(v: [__m256; 8]) -> __m256 {
    // u[k]: the four sums of lane j with lane j + 4 of v[k] (low half) and
    // of v[k + 4] (high half).
    let u: [__m256; 4] = core::array::from_fn(|k| {
        _mm256_add_ps(
            _mm256_permute2f128_ps::<0x20>(v[k], v[k + 4]),
            _mm256_permute2f128_ps::<0x31>(v[k], v[k + 4]),
        )
    });
    // Then lanes two apart: per half, [k, k, k + 1, k + 1] (k = 0 or 2).
    let two = |a: __m256, b: __m256| {
        _mm256_add_ps(
            _mm256_shuffle_ps::<0x44>(a, b),
            _mm256_shuffle_ps::<0xEE>(a, b),
        )
    };
    let (t0, t1) = (two(u[0], u[1]), two(u[2], u[3]));
    // Then neighbours: per half, [0, 1, 2, 3] (low) and [4, 5, 6, 7] (high).
    _mm256_add_ps(
        _mm256_shuffle_ps::<0x88>(t0, t1),
        _mm256_shuffle_ps::<0xDD>(t0, t1),
    )
}

/// Lane `k` of the result: the sum of the eight lanes of `v[k]`, added as
/// in [`hsum8`] (and [`hsum`]).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn hsum4(v: [__m256; 4]) -> __m128 {
    // As in `hsum8`: u[k] holds lane j plus lane j + 4 of v[k] (low half)
    // and of v[k + 2] (high half), then t lanes two apart.
    let u: [__m256; 2] = core::array::from_fn(|k| {
        _mm256_add_ps(
            _mm256_permute2f128_ps::<0x20>(v[k], v[k + 2]),
            _mm256_permute2f128_ps::<0x31>(v[k], v[k + 2]),
        )
    });
    let t = _mm256_add_ps(
        _mm256_shuffle_ps::<0x44>(u[0], u[1]),
        _mm256_shuffle_ps::<0xEE>(u[0], u[1]),
    );
    let (lo, hi) = (_mm256_castps256_ps128(t), _mm256_extractf128_ps::<1>(t));
    _mm_add_ps(
        _mm_shuffle_ps::<0x88>(lo, hi),
        _mm_shuffle_ps::<0xDD>(lo, hi),
    )
}

/// Lanes `0..k` set (all ones), lanes `k..8` clear: the mask of a
/// partial vector of `k < 8` elements for `_mm256_maskload_ps`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn mask_below(k: usize) -> __m256i {
    // k < 8 (the callers' contract), so the cast is exact.
    let k = _mm256_set1_epi32(k as i32);
    _mm256_cmpgt_epi32(k, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
}

/// The shortest rows for which [`tile`] aligns its loads to the samples.
const ALIGN_FROM: usize = 8 * W;

/// `out[r][s] = Σ_{i<n} w[r][i]·x[s][i]`: an R × S block of dot products
/// sharing loads, with R·S independent accumulators.
///
/// The loop starts with a partial vector (masked loads) that ends where
/// `x[0]` reaches a 32-byte boundary, so the full-vector loads of the
/// samples never straddle a cache line when, as in a batch of samples with
/// `n·4` a multiple of 32 bytes, every `x[s]` has the alignment of `x[0]`
/// (a straddling load costs a second load slot). The elements after the last full vector are a masked
/// partial vector too, so every sum stays in vector lanes.
///
/// The sums do not depend on that alignment, to the bit: lane `j` of an
/// accumulator always sums the elements `i ≡ j + head (mod 8)` in
/// increasing order (the head's elements are loaded straight into those
/// lanes), which is an aligned start's accumulator with its lanes rotated
/// by `head`; and the reduction ([`hsum8`], [`hsum4`], [`hsum`]) adds
/// lanes by their distance only (`j` with `j + 4`, then two apart, then
/// one), so a rotation does not change the sum. (Otherwise a network's
/// outputs, and its training, would change with where a build places its
/// arrays.) Short rows and small tiles, whose two sets of accumulators
/// split the vectors by their position, start unaligned instead.
///
/// # Safety
/// AVX2 and FMA are available; every pointer is valid for reading `n` f32.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn tile<const R: usize, const S: usize>(
    w: [*const f32; R],
    x: [*const f32; S],
    n: usize,
) -> [[f32; S]; R] {
    let mut acc = [[_mm256_setzero_ps(); S]; R];
    // The vectors of every row and sample that start `back` elements
    // before element `i`, only the lanes of mask `m` read: a masked-off
    // lane is neither read nor faults, and adds 0. The callers keep the
    // lanes read within the n elements; the pointer arithmetic wraps, so
    // a vector starting before element 0 does not leave the allocation.
    let masked = |acc: &mut [[__m256; S]; R], i: usize, back: usize, m: __m256i| {
        let mut wv = [_mm256_setzero_ps(); R];
        for r in 0..R {
            // SAFETY: the lanes read are elements of w[r] below n (the
            // callers' masks).
            wv[r] = unsafe { _mm256_maskload_ps(w[r].wrapping_add(i).wrapping_sub(back), m) };
        }
        for s in 0..S {
            // SAFETY: as above, for x[s].
            let xv = unsafe { _mm256_maskload_ps(x[s].wrapping_add(i).wrapping_sub(back), m) };
            for r in 0..R {
                acc[r][s] = _mm256_fmadd_ps(wv[r], xv, acc[r][s]);
            }
        }
    };
    // Elements up to the next 32-byte boundary of x[0] (0 if aligned). A
    // single sample is not worth the partial vector (its loads are fewer
    // than the weights'), nor is a short row (a few vectors, whose
    // unaligned loads cost less); a small tile's two sets of accumulators
    // would change with the alignment.
    let head = if S > 1 && R * S > 4 && n >= ALIGN_FROM {
        ((x[0] as usize / 4).wrapping_neg() % W).min(n)
    } else {
        0
    };
    if head > 0 {
        // Element e < head goes to lane e + 8 − head, where the full
        // vectors from `head` on add the elements e + 8, e + 16, …: the
        // vector that ends at element `head` (head < n), its lanes before
        // element 0 masked off.
        let back = W - head;
        masked(
            &mut acc,
            0,
            back,
            _mm256_xor_si256(mask_below(back), _mm256_set1_epi32(-1)),
        );
    }
    let mut i = head;
    if R * S <= 4 {
        // Few accumulators: a second set keeps both FMA units busy despite
        // the 4-cycle latency of each chain.
        let mut acc2 = [[_mm256_setzero_ps(); S]; R];
        while i + 2 * W <= n {
            let mut xv = [[_mm256_setzero_ps(); S]; 2];
            for s in 0..S {
                // SAFETY: i + 2W <= n and x[s] is valid for n reads.
                xv[0][s] = unsafe { _mm256_loadu_ps(x[s].add(i)) };
                xv[1][s] = unsafe { _mm256_loadu_ps(x[s].add(i + W)) };
            }
            for r in 0..R {
                // SAFETY: as above, for w[r].
                let (w0, w1) = unsafe {
                    (
                        _mm256_loadu_ps(w[r].add(i)),
                        _mm256_loadu_ps(w[r].add(i + W)),
                    )
                };
                for s in 0..S {
                    acc[r][s] = _mm256_fmadd_ps(w0, xv[0][s], acc[r][s]);
                    acc2[r][s] = _mm256_fmadd_ps(w1, xv[1][s], acc2[r][s]);
                }
            }
            i += 2 * W;
        }
        for r in 0..R {
            for s in 0..S {
                acc[r][s] = _mm256_add_ps(acc[r][s], acc2[r][s]);
            }
        }
    }
    while i + W <= n {
        // R weight vectors stay in registers while the S samples stream
        // through one register: R·S + R + 1 registers in all.
        let mut wv = [_mm256_setzero_ps(); R];
        for r in 0..R {
            // SAFETY: i + W <= n and w[r] is valid for n reads.
            wv[r] = unsafe { _mm256_loadu_ps(w[r].add(i)) };
        }
        for s in 0..S {
            // SAFETY: as above, for x[s].
            let xv = unsafe { _mm256_loadu_ps(x[s].add(i)) };
            for r in 0..R {
                acc[r][s] = _mm256_fmadd_ps(wv[r], xv, acc[r][s]);
            }
        }
        i += W;
    }
    if i < n {
        // Elements i..n, n − i < 8, in lanes 0..n − i.
        masked(&mut acc, i, 0, mask_below(n - i));
    }
    // The R·S sums, eight and then four at a time (a reduction tree shared
    // by several accumulators takes about a fifth of the shuffles and adds
    // of one `hsum` each), then singly.
    let mut out = [[0.0; S]; R];
    let acc = |k: usize| acc[k / S][k % S];
    let mut put = |k: usize, sums: &[f32]| {
        for (j, &v) in sums.iter().enumerate() {
            out[(k + j) / S][(k + j) % S] = v;
        }
    };
    let mut k = 0;
    while k + 8 <= R * S {
        let mut sums = [0.0; 8];
        let v = hsum8(core::array::from_fn(|j| acc(k + j)));
        // SAFETY: `sums` holds eight f32.
        unsafe { _mm256_storeu_ps(sums.as_mut_ptr(), v) };
        put(k, &sums);
        k += 8;
    }
    if k + 4 <= R * S {
        let mut sums = [0.0; 4];
        let v = hsum4(core::array::from_fn(|j| acc(k + j)));
        // SAFETY: `sums` holds four f32.
        unsafe { _mm_storeu_ps(sums.as_mut_ptr(), v) };
        put(k, &sums);
        k += 4;
    }
    while k < R * S {
        put(k, &[hsum(acc(k))]);
        k += 1;
    }
    out
}

/// `y[i] += alpha·x[i]` for `i < n`.
///
/// # Safety
/// AVX2 and FMA are available; `x` is valid for reading and `y` for reading
/// and writing `n` f32, and they do not overlap.
#[target_feature(enable = "avx2,fma")]
unsafe fn axpy(alpha: f32, x: *const f32, y: *mut f32, n: usize) {
    let a = _mm256_set1_ps(alpha);
    let mut i = 0;
    while i + W <= n {
        // SAFETY: i + W <= n.
        unsafe {
            let v = _mm256_fmadd_ps(a, _mm256_loadu_ps(x.add(i)), _mm256_loadu_ps(y.add(i)));
            _mm256_storeu_ps(y.add(i), v);
        }
        i += W;
    }
    for j in i..n {
        // SAFETY: j < n.
        unsafe { *y.add(j) = fma(alpha, *x.add(j), *y.add(j)) };
    }
}

/// Whether every `y[i] + alpha·x[i]`, rounded as [`axpy`] rounds, is
/// finite, for `i < n`; writes nothing. Each `v − v` (0 for a finite `v`,
/// NaN otherwise) is ORed into one register: a chain of one-cycle ORs, no
/// early exit.
///
/// # Safety
/// AVX2 and FMA are available; `x` and `y` are valid for reading `n` f32.
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::eq_op)] // `v − v` is the finiteness check
unsafe fn axpy_finite(alpha: f32, x: *const f32, y: *const f32, n: usize) -> bool {
    let a = _mm256_set1_ps(alpha);
    let mut check = _mm256_setzero_ps();
    let mut i = 0;
    while i + W <= n {
        // SAFETY: i + W <= n.
        unsafe {
            let v = _mm256_fmadd_ps(a, _mm256_loadu_ps(x.add(i)), _mm256_loadu_ps(y.add(i)));
            check = _mm256_or_ps(check, _mm256_sub_ps(v, v));
        }
        i += W;
    }
    let bits = _mm256_castps_si256(check);
    let mut finite = _mm256_testz_si256(bits, bits) == 1;
    for j in i..n {
        // SAFETY: j < n.
        finite &= unsafe { fma(alpha, *x.add(j), *y.add(j)) }.is_finite();
    }
    finite
}

/// [`super::portable::adam_finite`] compiled with AVX2 enabled.
#[target_feature(enable = "avx2,fma")]
fn adam_finite(p: &[f32], g: &[f32], m: &[f32], v: &[f32], h: &super::AdamStep<f32>) -> bool {
    super::portable::adam_finite(p, g, m, v, h)
}

/// `out[i] = bytes[i] / 255` for `i < n`, correctly rounded: `q = b·r`
/// with `r` the f32 nearest `1/255`, then one Newton step on the residual,
/// `q + (b − 255·q)·r`, both with one rounding (FMA). For every byte this is
/// the quotient `b / 255` that a division gives (the kernel tests check all
/// 256), at the cost of a multiplication and two FMAs per vector.
///
/// # Safety
/// AVX2 and FMA are available; `bytes` is valid for reading `n` bytes and
/// `out` for writing `n` f32.
#[target_feature(enable = "avx2,fma")]
unsafe fn unit_from_bytes(bytes: *const u8, out: *mut f32, n: usize) {
    let r = _mm256_set1_ps(1.0 / 255.0);
    let d = _mm256_set1_ps(255.0);
    let mut i = 0;
    while i + W <= n {
        // SAFETY: i + W <= n: eight bytes read, eight f32 written.
        unsafe {
            let b = _mm_loadl_epi64(bytes.add(i).cast::<__m128i>());
            let x = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b));
            let q = _mm256_mul_ps(x, r);
            let e = _mm256_fnmadd_ps(q, d, x);
            _mm256_storeu_ps(out.add(i), _mm256_fmadd_ps(e, r, q));
        }
        i += W;
    }
    for j in i..n {
        // SAFETY: j < n.
        unsafe { *out.add(j) = f32::from(*bytes.add(j)) / 255.0 };
    }
}

/// The weight gradient `Σ_k dy[k]·x[k]ᵀ` of a block (see
/// [`super::dense_backward_params`]) into `m`, added in when `add`, else
/// stored; whether every gradient value is finite.
fn weight_gradient(
    _: Avx2,
    x: &[f32],
    dy: &[f32],
    m: &mut [f32],
    inputs: usize,
    add: bool,
) -> bool {
    let out = m.len() / inputs;
    let batch = x.len() / inputs;
    assert!(m.len() == out * inputs && x.len() == batch * inputs && dy.len() == batch * out);
    let (x, dy, m) = (x.as_ptr(), dy.as_ptr(), m.as_mut_ptr());
    let mut o = 0;
    let mut finite = true;
    // Six gradient rows at a time: each sample load serves six rows,
    // and each gradient element is loaded and stored once per batch.
    while o + 6 <= out {
        // SAFETY: the token proves the features; the lengths asserted above
        // are those `outer_rows` reads and writes, and o + 6 <= out.
        finite &= unsafe { outer_rows::<6>(x, dy, m, inputs, out, batch, o, add) };
        o += 6;
    }
    while o + 2 <= out {
        // SAFETY: as above, with o + 2 <= out.
        finite &= unsafe { outer_rows::<2>(x, dy, m, inputs, out, batch, o, add) };
        o += 2;
    }
    if o < out {
        // SAFETY: as above, with o + 1 <= out.
        finite &= unsafe { outer_rows::<1>(x, dy, m, inputs, out, batch, o, add) };
    }
    finite
}

/// Rows `o..o + R` of a weight gradient, `g[r][i] = Σ_{k<batch}
/// dy[k·out + o + r]·x[k·n + i]` for `r < R`, `i < n`, added into
/// `m[(o+r)·n + i]` when `add`, else stored there. Sixteen columns at
/// a time, the `R × 16` block of sums held in registers over the whole batch
/// (each `dy` value broadcast from memory), then eight, then single
/// columns. Storing (the first block of a mini-batch) neither reads `m` nor
/// needs it zeroed first. Returns whether every gradient value is finite,
/// checked in registers (`v − v` is 0 for finite `v`, NaN otherwise, and
/// sums of it stay 0 exactly when all are finite), so no second pass reads
/// `m`.
///
/// # Safety
/// AVX2 and FMA are available; `x` is valid for reading `batch·n` f32, `dy`
/// for reading `batch·out`, `m` for reading and writing `out·n`, not
/// overlapping the others; `o + R <= out`.
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)] // private; pointers, shape and mode
#[allow(clippy::eq_op)] // `v − v` is the finiteness check
unsafe fn outer_rows<const R: usize>(
    x: *const f32,
    dy: *const f32,
    m: *mut f32,
    n: usize,
    out: usize,
    batch: usize,
    o: usize,
    add: bool,
) -> bool {
    // The closures below are only called with r < R (so o + r < out),
    // k < batch and column i < n, which keeps every address inside the
    // lengths in the contract above.
    // SAFETY: (o + r)·n + i < out·n, the length of `m`.
    let g = |r: usize, i: usize| unsafe { m.add((o + r) * n + i) };
    // SAFETY: k·out + o + r < batch·out, the length of `dy`.
    let c = |k: usize, r: usize| unsafe { _mm256_broadcast_ss(&*dy.add(k * out + o + r)) };
    // Sums of `v − v` over every gradient value: 0 exactly when all are finite.
    let mut check = _mm256_setzero_ps();
    let mut check_tail = 0.0_f32;
    let mut i = 0;
    while i + 2 * W <= n {
        let mut acc = [[_mm256_setzero_ps(); 2]; R];
        if add {
            for (r, a) in acc.iter_mut().enumerate() {
                *a = unsafe { [_mm256_loadu_ps(g(r, i)), _mm256_loadu_ps(g(r, i + W))] };
            }
        }
        for k in 0..batch {
            let xs = unsafe { x.add(k * n + i) };
            let xv = unsafe { [_mm256_loadu_ps(xs), _mm256_loadu_ps(xs.add(W))] };
            for (r, a) in acc.iter_mut().enumerate() {
                let cv = c(k, r);
                a[0] = _mm256_fmadd_ps(cv, xv[0], a[0]);
                a[1] = _mm256_fmadd_ps(cv, xv[1], a[1]);
            }
        }
        for (r, a) in acc.iter().enumerate() {
            check = _mm256_add_ps(check, _mm256_sub_ps(a[0], a[0]));
            check = _mm256_add_ps(check, _mm256_sub_ps(a[1], a[1]));
            unsafe {
                _mm256_storeu_ps(g(r, i), a[0]);
                _mm256_storeu_ps(g(r, i + W), a[1]);
            }
        }
        i += 2 * W;
    }
    if i + W <= n {
        let mut acc = [_mm256_setzero_ps(); R];
        if add {
            for (r, a) in acc.iter_mut().enumerate() {
                *a = unsafe { _mm256_loadu_ps(g(r, i)) };
            }
        }
        for k in 0..batch {
            let xv = unsafe { _mm256_loadu_ps(x.add(k * n + i)) };
            for (r, a) in acc.iter_mut().enumerate() {
                *a = _mm256_fmadd_ps(c(k, r), xv, *a);
            }
        }
        for (r, a) in acc.iter().enumerate() {
            check = _mm256_add_ps(check, _mm256_sub_ps(*a, *a));
            unsafe { _mm256_storeu_ps(g(r, i), *a) };
        }
        i += W;
    }
    for j in i..n {
        for r in 0..R {
            unsafe {
                let mut v = if add { *g(r, j) } else { 0.0 };
                for k in 0..batch {
                    v = fma(*dy.add(k * out + o + r), *x.add(k * n + j), v);
                }
                check_tail += v - v;
                *g(r, j) = v;
            }
        }
    }
    hsum(check) == 0.0 && check_tail == 0.0
}

/// `y[i] = Σ_{o<c.len()} c[o]·w[o·n + i]` for `i < n`: a combination of the
/// rows of a row-major matrix, four vectors of `y` at a time.
///
/// # Safety
/// AVX2 and FMA are available; `w` is valid for reading `c.len()·n` f32 and
/// `y` for writing `n`, not overlapping `w`.
#[target_feature(enable = "avx2,fma")]
unsafe fn combine_rows(w: *const f32, c: &[f32], y: *mut f32, n: usize) {
    let mut i = 0;
    while i + 4 * W <= n {
        let mut acc = [_mm256_setzero_ps(); 4];
        for (o, &co) in c.iter().enumerate() {
            let cv = _mm256_set1_ps(co);
            for (k, a) in acc.iter_mut().enumerate() {
                // SAFETY: o < c.len() and i + 4W <= n.
                *a = _mm256_fmadd_ps(cv, unsafe { _mm256_loadu_ps(w.add(o * n + i + k * W)) }, *a);
            }
        }
        for (k, a) in acc.iter().enumerate() {
            // SAFETY: i + 4W <= n.
            unsafe { _mm256_storeu_ps(y.add(i + k * W), *a) };
        }
        i += 4 * W;
    }
    while i + W <= n {
        let mut acc = _mm256_setzero_ps();
        for (o, &co) in c.iter().enumerate() {
            // SAFETY: o < c.len() and i + W <= n.
            acc = _mm256_fmadd_ps(
                _mm256_set1_ps(co),
                unsafe { _mm256_loadu_ps(w.add(o * n + i)) },
                acc,
            );
        }
        // SAFETY: i + W <= n.
        unsafe { _mm256_storeu_ps(y.add(i), acc) };
        i += W;
    }
    for j in i..n {
        let mut v = 0.0;
        for (o, &co) in c.iter().enumerate() {
            // SAFETY: o < c.len() and j < n.
            v = fma(co, unsafe { *w.add(o * n + j) }, v);
        }
        // SAFETY: j < n.
        unsafe { *y.add(j) = v };
    }
}

/// [`super::portable::adam_update`] compiled with AVX2 enabled (the loop is
/// elementwise, so the result is bit-identical).
#[target_feature(enable = "avx2,fma")]
fn adam_update(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], h: &super::AdamStep<f32>) {
    super::portable::adam_update(p, g, m, v, h);
}

/// [`super::portable::all_finite`] compiled with AVX2 enabled (eight lanes
/// of `v − v` summed per vector, no early exit).
#[target_feature(enable = "avx2,fma")]
fn all_finite(x: &[f32]) -> bool {
    super::portable::all_finite(x)
}

/// [`super::portable::map`] compiled with AVX2 enabled (`f` is inlined into
/// the loop, which then runs eight lanes at a time).
#[target_feature(enable = "avx2,fma")]
fn map(v: &mut [f32], f: impl Fn(f32) -> f32) {
    super::portable::map(v, f);
}

/// [`map`] on an array of a length known at compile time.
#[target_feature(enable = "avx2,fma")]
fn map_fixed<const N: usize>(v: &mut [f32; N], f: impl Fn(f32) -> f32) {
    super::portable::map(v, f);
}

/// [`super::portable::map2`] compiled with AVX2 enabled.
#[target_feature(enable = "avx2,fma")]
fn map2(d: &mut [f32], y: &[f32], f: impl Fn(f32, f32) -> f32) {
    super::portable::map2(d, y, f);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Eight vectors of values of very different sizes, so that the order
    /// of the additions shows in the rounded sums.
    fn vectors(seed: u32) -> [[f32; 8]; 8] {
        let mut state = seed.wrapping_mul(2_654_435_761) | 1;
        core::array::from_fn(|_| {
            core::array::from_fn(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let scale = [1.0, 1e-3, 1e4, 3e-7][(state % 4) as usize];
                ((state >> 8) % 20_000) as f32 / 10_000.0 * scale - scale
            })
        })
    }

    #[test]
    fn grouped_sums_and_rotated_sums_equal_hsum_to_the_bit() {
        if Avx2::new().is_none() {
            return;
        }
        // The test means something only if the order of the additions
        // changes sums of these values: count the seeds where adding
        // the lanes one after the other differs from `hsum`.
        let mut order_shows = 0;
        for seed in 0..500 {
            let lanes = vectors(seed);
            let in_order = lanes[0].iter().fold(0.0_f32, |s, &x| s + x);
            // SAFETY: AVX2 and FMA are available (checked above); every
            // array holds eight f32.
            unsafe {
                let v: [__m256; 8] = core::array::from_fn(|k| _mm256_loadu_ps(lanes[k].as_ptr()));
                let single: [f32; 8] = core::array::from_fn(|k| hsum(v[k]));
                order_shows += usize::from(in_order.to_bits() != single[0].to_bits());
                let (mut eight, mut four) = ([0.0_f32; 8], [0.0_f32; 4]);
                _mm256_storeu_ps(eight.as_mut_ptr(), hsum8(v));
                _mm_storeu_ps(four.as_mut_ptr(), hsum4([v[0], v[1], v[2], v[3]]));
                assert_eq!(
                    eight.map(f32::to_bits),
                    single.map(f32::to_bits),
                    "seed {seed}"
                );
                assert_eq!(
                    four.map(f32::to_bits),
                    single[..4].iter().map(|s| s.to_bits()).collect::<Vec<_>>()[..]
                );
                // A tile's accumulators hold an aligned start's sums with
                // their lanes rotated: the reduction must not see it.
                for shift in 1..8 {
                    let rotated: [f32; 8] = core::array::from_fn(|j| lanes[0][(j + 8 - shift) % 8]);
                    let r = _mm256_loadu_ps(rotated.as_ptr());
                    assert_eq!(
                        hsum(r).to_bits(),
                        single[0].to_bits(),
                        "seed {seed}, shift {shift}"
                    );
                }
            }
        }
        assert!(
            order_shows > 100,
            "only {order_shows} of 500 sums depend on the order"
        );
    }
}
