//! AVX2 + FMA kernels for `f32` on x86-64.
//!
//! Every function here that uses SIMD is `#[target_feature(enable = "avx2,fma")]`
//! and reached only through [`Avx2`], a token that exists only when the
//! processor has both features. Loads and stores use unaligned access on
//! pointers whose ranges are checked against the slice lengths first.

use core::arch::x86_64::{
    __m256, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps, _mm256_add_ps,
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
        // Four samples share each load of a weight row; three rows share
        // each load of a sample: 7 loads per 12 FMAs.
        while b + 4 <= batch {
            let xs = [sample(b), sample(b + 1), sample(b + 2), sample(b + 3)];
            let mut o = 0;
            while o < out {
                let rows = (out - o).min(3);
                // SAFETY: token proves the features; each pointer starts a
                // row or sample of `inputs` elements (slicing above checked).
                let t: &[[f32; 4]] = match rows {
                    3 => &unsafe { tile::<3, 4>([row(o), row(o + 1), row(o + 2)], xs, inputs) },
                    2 => &unsafe { tile::<2, 4>([row(o), row(o + 1)], xs, inputs) },
                    _ => &unsafe { tile::<1, 4>([row(o)], xs, inputs) },
                };
                for (r, t) in t.iter().enumerate() {
                    for (s, &v) in t.iter().enumerate() {
                        y[(b + s) * out + o + r] = bias[o + r] + v;
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
        let mut o = 0;
        while o < out {
            let rows = (out - o).min(2);
            let mut b = 0;
            // Two gradient rows and four samples per pass: each sample load
            // serves two rows, each row load four samples.
            while b < batch {
                let k = (batch - b).min(4);
                let mut coef = [[0.0; 4]; 2];
                let mut xs = [x.as_ptr(); 4];
                for j in 0..k {
                    for (r, c) in coef.iter_mut().enumerate().take(rows) {
                        c[j] = dy[(b + j) * out + o + r];
                    }
                    xs[j] = x[(b + j) * inputs..][..inputs].as_ptr();
                }
                let grows = &mut gw[o * inputs..][..rows * inputs];
                if rows == 2 {
                    let (g0, g1) = grows.split_at_mut(inputs);
                    // SAFETY: token proves the features; `g0` and `g1` are
                    // disjoint rows of `inputs`; each used sample holds
                    // `inputs` elements; unused lanes have coefficient 0 and
                    // point at sample 0, which also holds `inputs`.
                    unsafe { axpy_tile::<2>(coef, xs, [g0.as_mut_ptr(), g1.as_mut_ptr()], inputs) };
                } else {
                    // SAFETY: as above, for one row.
                    unsafe { axpy_tile::<1>([coef[0]], xs, [grows.as_mut_ptr()], inputs) };
                }
                b += k;
            }
            o += rows;
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

/// `y[r][i] += Σ_k c[r][k]·x[k][i]` for `i < n` and each of the `R` rows.
///
/// # Safety
/// AVX2 and FMA are available; each `x[k]` is valid for reading and each
/// `y[r]` for reading and writing `n` f32; no `y[r]` overlaps another or any
/// `x[k]`.
#[target_feature(enable = "avx2,fma")]
unsafe fn axpy_tile<const R: usize>(
    c: [[f32; 4]; R],
    x: [*const f32; 4],
    y: [*mut f32; R],
    n: usize,
) {
    let mut cv = [[_mm256_setzero_ps(); 4]; R];
    for r in 0..R {
        for k in 0..4 {
            cv[r][k] = _mm256_set1_ps(c[r][k]);
        }
    }
    let mut i = 0;
    while i + W <= n {
        let mut acc = [_mm256_setzero_ps(); R];
        for r in 0..R {
            // SAFETY: i + W <= n for every pointer.
            acc[r] = unsafe { _mm256_loadu_ps(y[r].add(i)) };
        }
        for k in 0..4 {
            // SAFETY: as above.
            let xv = unsafe { _mm256_loadu_ps(x[k].add(i)) };
            for r in 0..R {
                acc[r] = _mm256_fmadd_ps(cv[r][k], xv, acc[r]);
            }
        }
        for r in 0..R {
            // SAFETY: as above.
            unsafe { _mm256_storeu_ps(y[r].add(i), acc[r]) };
        }
        i += W;
    }
    for j in i..n {
        for r in 0..R {
            // SAFETY: j < n.
            unsafe {
                let mut v = *y[r].add(j);
                for k in 0..4 {
                    v = c[r][k].mul_add(*x[k].add(j), v);
                }
                *y[r].add(j) = v;
            }
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

/// [`super::portable::adam_update`] compiled with AVX2 enabled (the loop is
/// elementwise, so the result is bit-identical).
#[target_feature(enable = "avx2,fma")]
fn adam_update(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], h: &super::AdamStep<f32>) {
    super::portable::adam_update(p, g, m, v, h);
}
