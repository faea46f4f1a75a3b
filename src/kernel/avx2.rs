//! AVX2 + FMA kernels for `f32` on x86-64.
//!
//! Every function here that uses SIMD is `#[target_feature(enable = "avx2,fma")]`
//! and reached only through [`Avx2`], a token that exists only when the
//! processor has both features. Loads and stores use unaligned access on
//! pointers whose ranges are checked against the slice lengths first.

use core::arch::x86_64::{
    __m256, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps,
    _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps, _mm256_loadu_ps,
    _mm256_set1_ps, _mm256_setzero_ps, _mm256_storeu_ps,
};

/// f32 lanes of a 256-bit register.
const W: usize = 8;

/// Proof that this processor runs AVX2 and FMA.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx2(());

impl Avx2 {
    /// The token, if the processor has AVX2 and FMA.
    pub(super) fn new() -> Option<Self> {
        (std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma"))
            .then_some(Self(()))
    }

    /// See [`super::axpy`].
    pub(super) fn axpy(self, alpha: f32, x: &[f32], y: &mut [f32]) {
        let n = x.len().min(y.len());
        // SAFETY: the token proves AVX2 + FMA; `axpy` reads and writes `n`
        // elements, and both slices hold at least `n`.
        unsafe { axpy(alpha, x.as_ptr(), y.as_mut_ptr(), n) }
    }

    /// See [`super::dense_forward`]; lengths are checked there.
    pub(super) fn dense_forward(
        self,
        w: &[f32],
        bias: &[f32],
        x: &[f32],
        y: &mut [f32],
        inputs: usize,
    ) {
        let out = bias.len();
        let batch = x.len() / inputs;
        debug_assert!(w.len() == out * inputs && y.len() == batch * out);
        let row = |o: usize| w[o * inputs..][..inputs].as_ptr();
        let sample = |b: usize| x[b * inputs..][..inputs].as_ptr();
        let mut b = 0;
        // Four samples share each load of a weight row; two rows share each
        // load of a sample: 6 loads per 8 FMAs.
        while b + 4 <= batch {
            let xs = [sample(b), sample(b + 1), sample(b + 2), sample(b + 3)];
            let mut o = 0;
            while o < out {
                let rows = (out - o).min(2);
                // SAFETY: token proves the features; each pointer starts a
                // row or sample of `inputs` elements (slicing above checked).
                if rows == 2 {
                    let t = unsafe { tile::<2, 4>([row(o), row(o + 1)], xs, inputs) };
                    for (r, t) in t.iter().enumerate() {
                        for (s, &v) in t.iter().enumerate() {
                            y[(b + s) * out + o + r] = bias[o + r] + v;
                        }
                    }
                } else {
                    let t = unsafe { tile::<1, 4>([row(o)], xs, inputs) };
                    for (s, &v) in t[0].iter().enumerate() {
                        y[(b + s) * out + o] = bias[o] + v;
                    }
                }
                o += rows;
            }
            b += 4;
        }
        // Single samples: four rows at once, independent accumulators.
        while b < batch {
            let xs = [sample(b)];
            let mut o = 0;
            while o + 4 <= out {
                // SAFETY: as above.
                let t = unsafe {
                    tile::<4, 1>([row(o), row(o + 1), row(o + 2), row(o + 3)], xs, inputs)
                };
                for (r, t) in t.iter().enumerate() {
                    y[b * out + o + r] = bias[o + r] + t[0];
                }
                o += 4;
            }
            while o < out {
                // SAFETY: as above.
                let t = unsafe { tile::<1, 1>([row(o)], xs, inputs) };
                y[b * out + o] = bias[o] + t[0][0];
                o += 1;
            }
            b += 1;
        }
    }

    /// `gw[o·inputs + i] += Σ_b dy[b·out + o]·x[b·inputs + i]`; lengths are
    /// checked in [`super::dense_backward_params`].
    pub(super) fn dense_backward_weights(
        self,
        x: &[f32],
        dy: &[f32],
        gw: &mut [f32],
        inputs: usize,
    ) {
        let out = gw.len() / inputs;
        let batch = x.len() / inputs;
        debug_assert!(dy.len() == batch * out);
        for o in 0..out {
            let grow = &mut gw[o * inputs..][..inputs];
            let mut b = 0;
            // Four samples per pass over the gradient row: one load and one
            // store of the row per four FMAs.
            while b < batch {
                let k = (batch - b).min(4);
                let mut coef = [0.0; 4];
                let mut xs = [x.as_ptr(); 4];
                for j in 0..k {
                    coef[j] = dy[(b + j) * out + o];
                    xs[j] = x[(b + j) * inputs..][..inputs].as_ptr();
                }
                // SAFETY: token proves the features; `grow` and each used
                // sample hold `inputs` elements; unused lanes have coefficient
                // 0 and point at sample 0, which also holds `inputs`.
                unsafe { axpy4(coef, xs, grow.as_mut_ptr(), inputs) };
                b += k;
            }
        }
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

/// Sum of the eight lanes.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn hsum(v: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps::<1>(s, s)))
}

/// `out[r][s] = Σ_{i<n} w[r][i]·x[s][i]`: an R × S block of dot products
/// sharing loads, with R·S independent accumulators.
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
    let mut i = 0;
    while i + W <= n {
        let mut xv = [_mm256_setzero_ps(); S];
        for s in 0..S {
            // SAFETY: i + W <= n and x[s] is valid for n reads.
            xv[s] = unsafe { _mm256_loadu_ps(x[s].add(i)) };
        }
        for r in 0..R {
            // SAFETY: as above, for w[r].
            let wv = unsafe { _mm256_loadu_ps(w[r].add(i)) };
            for s in 0..S {
                acc[r][s] = _mm256_fmadd_ps(wv, xv[s], acc[r][s]);
            }
        }
        i += W;
    }
    let mut out = [[0.0; S]; R];
    for r in 0..R {
        for s in 0..S {
            let mut sum = hsum(acc[r][s]);
            for j in i..n {
                // SAFETY: j < n.
                sum += unsafe { *w[r].add(j) * *x[s].add(j) };
            }
            out[r][s] = sum;
        }
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
        unsafe { *y.add(j) = alpha.mul_add(*x.add(j), *y.add(j)) };
    }
}

/// `y[i] += Σ_k c[k]·x[k][i]` for `i < n`.
///
/// # Safety
/// AVX2 and FMA are available; each `x[k]` is valid for reading and `y` for
/// reading and writing `n` f32; `y` overlaps none of them.
#[target_feature(enable = "avx2,fma")]
unsafe fn axpy4(c: [f32; 4], x: [*const f32; 4], y: *mut f32, n: usize) {
    let cv = [
        _mm256_set1_ps(c[0]),
        _mm256_set1_ps(c[1]),
        _mm256_set1_ps(c[2]),
        _mm256_set1_ps(c[3]),
    ];
    let mut i = 0;
    while i + W <= n {
        // SAFETY: i + W <= n for every pointer.
        unsafe {
            let mut acc = _mm256_loadu_ps(y.add(i));
            for k in 0..4 {
                acc = _mm256_fmadd_ps(cv[k], _mm256_loadu_ps(x[k].add(i)), acc);
            }
            _mm256_storeu_ps(y.add(i), acc);
        }
        i += W;
    }
    for j in i..n {
        // SAFETY: j < n.
        unsafe {
            let mut v = *y.add(j);
            for k in 0..4 {
                v = c[k].mul_add(*x[k].add(j), v);
            }
            *y.add(j) = v;
        }
    }
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
            v = co.mul_add(unsafe { *w.add(o * n + j) }, v);
        }
        // SAFETY: j < n.
        unsafe { *y.add(j) = v };
    }
}
