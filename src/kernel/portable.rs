//! Portable kernels, vectorised by the compiler.

use num_traits::Float;

// `mul_add` is not used: without FMA enabled at compile time it becomes a
// slow library call.

/// Number of independent accumulators in reductions: enough to fill a
/// 256-bit register of f32 and hide the latency of floating-point additions.
const LANES: usize = 8;

/// `Σ a[i]·b[i]` over the common length of `a` and `b`.
///
/// The sum is split over [`LANES`] partial sums (then added pairwise), so the
/// result may differ from a sequential sum in the last bits.
#[inline]
pub(crate) fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [T::zero(); LANES];
    let (a_chunks, a_tail) = a.as_chunks::<LANES>();
    let (b_chunks, b_tail) = b.as_chunks::<LANES>();
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for k in 0..LANES {
            acc[k] = acc[k] + x[k] * y[k];
        }
    }
    for (k, (&x, &y)) in a_tail.iter().zip(b_tail).enumerate() {
        acc[k] = acc[k] + x * y;
    }
    // Pairwise: ((0+4)+(2+6)) + ((1+5)+(3+7)).
    pairwise_sum(acc)
}

/// The sum of `K` partial sums (`K` a power of two), halves added lane by
/// lane: part `k` with part `k + K/2`, and so on. A fixed order; and unlike
/// a sequential fold, it leaves the loop that filled the parts vectorised.
#[inline(always)]
fn pairwise_sum<T: Float, const K: usize>(mut acc: [T; K]) -> T {
    let mut width = K;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            acc[k] = acc[k] + acc[k + width];
        }
    }
    acc[0]
}

/// `y[i] += alpha·x[i]` over the common length of `x` and `y`.
#[inline]
pub(crate) fn axpy<T: Float>(alpha: T, x: &[T], y: &mut [T]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = *yi + alpha * xi;
    }
}

/// See [`super::axpy_finite`].
#[inline(always)]
pub(crate) fn axpy_finite<T: Float>(alpha: T, x: &[T], y: &[T]) -> bool {
    let mut finite = true;
    for (&yi, &xi) in y.iter().zip(x) {
        finite &= (yi + alpha * xi).is_finite();
    }
    finite
}

/// See [`super::adam_finite`]: the loops of [`adam_update`], writing
/// nothing.
#[inline(always)]
pub(crate) fn adam_finite<T: Float>(
    p: &[T],
    g: &[T],
    m: &[T],
    v: &[T],
    h: &super::AdamStep<T>,
) -> bool {
    let shrink = h.shrink.unwrap_or_else(T::zero);
    // A sufficient test first, with no square root or division: with
    // finite moments and v ≥ 0, |α·m/(√v + ε)| ≤ |α/ε|·|m|, so a parameter
    // whose bound stays below a quarter of the largest float stays finite
    // (the roundings add a few ulps at most). NaNs make the comparisons
    // false, and so take the exact test.
    let largest = T::max_value();
    let quarter = largest / (T::one() + T::one() + T::one() + T::one());
    let gain = (h.alpha / h.epsilon).abs();
    let keep = T::one() + shrink.abs();
    let mut surely = true;
    for (((&w, &g), &m), &v) in p.iter().zip(g).zip(m).zip(v) {
        let m = h.beta_1 * m + h.one_minus_beta_1 * g;
        let v = h.beta_2 * v + h.one_minus_beta_2 * g * g;
        surely &= (v >= T::zero())
            & (v <= largest)
            & (m.abs() <= largest)
            & (w.abs() * keep + gain * m.abs() <= quarter);
    }
    if surely {
        return true;
    }
    // The exact test: the update's own arithmetic.
    let mut finite = true;
    for (((&w, &g), &m), &v) in p.iter().zip(g).zip(m).zip(v) {
        let m = h.beta_1 * m + h.one_minus_beta_1 * g;
        let v = h.beta_2 * v + h.one_minus_beta_2 * g * g;
        let w = match h.shrink {
            None => w - h.alpha * m / (v.sqrt() + h.epsilon),
            Some(_) => w - shrink * w - h.alpha * m / (v.sqrt() + h.epsilon),
        };
        finite &= m.is_finite() & v.is_finite() & w.is_finite();
    }
    finite
}

/// See [`super::map`].
#[inline]
pub(crate) fn map<T: Copy>(v: &mut [T], f: impl Fn(T) -> T) {
    for x in v {
        *x = f(*x);
    }
}

/// See [`super::map2`].
#[inline]
pub(crate) fn map2<T: Copy>(d: &mut [T], y: &[T], f: impl Fn(T, T) -> T) {
    for (d, &y) in d.iter_mut().zip(y) {
        *d = f(*d, y);
    }
}

/// See [`super::dense_forward`]. Each output is a [`dot`] of a weight row
/// with a sample.
pub(crate) fn dense_forward<T: Float>(w: &[T], bias: &[T], x: &[T], y: &mut [T], inputs: usize) {
    let out = bias.len();
    for (xs, ys) in x.chunks_exact(inputs).zip(y.chunks_exact_mut(out)) {
        for ((yo, row), &b) in ys.iter_mut().zip(w.chunks_exact(inputs)).zip(bias) {
            *yo = b + dot(row, xs);
        }
    }
}

/// `gb[o] += Σ_b dy[b·out + o]`.
pub(crate) fn bias_gradient<T: Float>(dy: &[T], gb: &mut [T]) {
    for ds in dy.chunks_exact(gb.len()) {
        for (g, &d) in gb.iter_mut().zip(ds) {
            *g = *g + d;
        }
    }
}

/// The weight part of [`super::dense_backward_params`]: one [`axpy`] per
/// sample and output (into zeros first, unless `add`).
pub(crate) fn dense_backward_weights<T: Float>(
    x: &[T],
    dy: &[T],
    gw: &mut [T],
    inputs: usize,
    add: bool,
) {
    if !add {
        gw.fill(T::zero());
    }
    let out = gw.len() / inputs;
    for (xs, ds) in x.chunks_exact(inputs).zip(dy.chunks_exact(out)) {
        for (grow, &d) in gw.chunks_exact_mut(inputs).zip(ds) {
            axpy(d, xs, grow);
        }
    }
}

/// See [`super::dense_backward_input`]: one [`axpy`] per sample and output.
pub(crate) fn dense_backward_input<T: Float>(w: &[T], dy: &[T], dx: &mut [T], inputs: usize) {
    let out = w.len() / inputs;
    for (ds, dxs) in dy.chunks_exact(out).zip(dx.chunks_exact_mut(inputs)) {
        dxs.fill(T::zero());
        for (row, &d) in w.chunks_exact(inputs).zip(ds) {
            axpy(d, row, dxs);
        }
    }
}

/// See [`super::adam_update`]. Elementwise, so every backend gives the same
/// bits.
#[inline(always)]
pub(crate) fn adam_update<T: Float>(
    p: &mut [T],
    g: &[T],
    m: &mut [T],
    v: &mut [T],
    h: &super::AdamStep<T>,
) {
    let n = p.len().min(g.len()).min(m.len()).min(v.len());
    let (p, g, m, v) = (&mut p[..n], &g[..n], &mut m[..n], &mut v[..n]);
    let moments = m.iter_mut().zip(v.iter_mut());
    match h.shrink {
        None => {
            for ((w, &g), (m, v)) in p.iter_mut().zip(g).zip(moments) {
                *m = h.beta_1 * *m + h.one_minus_beta_1 * g;
                *v = h.beta_2 * *v + h.one_minus_beta_2 * g * g;
                *w = *w - h.alpha * *m / (v.sqrt() + h.epsilon);
            }
        }
        Some(shrink) => {
            for ((w, &g), (m, v)) in p.iter_mut().zip(g).zip(moments) {
                *m = h.beta_1 * *m + h.one_minus_beta_1 * g;
                *v = h.beta_2 * *v + h.one_minus_beta_2 * g * g;
                *w = *w - shrink * *w - h.alpha * *m / (v.sqrt() + h.epsilon);
            }
        }
    }
}

/// Whether every element of `x` is finite. `v − v` is exactly 0 for a finite
/// `v` and NaN for an infinite or NaN one, so lane sums of it stay 0 exactly
/// when all are finite — a loop with no early exit, which vectorises. Four
/// times [`LANES`] partial sums, so that several vector additions are in
/// flight at once (the check reads a whole gradient every training step).
#[allow(clippy::eq_op)] // `v − v` is the point: 0 when finite, NaN otherwise
#[inline(always)]
pub(crate) fn all_finite<T: Float>(x: &[T]) -> bool {
    const SUMS: usize = 4 * LANES;
    let mut acc = [T::zero(); SUMS];
    let (chunks, tail) = x.as_chunks::<SUMS>();
    for c in chunks {
        for k in 0..SUMS {
            acc[k] = acc[k] + (c[k] - c[k]);
        }
    }
    for (k, &v) in tail.iter().enumerate() {
        acc[k] = acc[k] + (v - v);
    }
    acc.iter().all(|a| *a == T::zero())
}

/// See [`super::unit_from_bytes`]: the quotient by 255, which the compiler
/// vectorises as a division.
#[inline]
pub(crate) fn unit_from_bytes<T: Float>(bytes: &[u8], out: &mut [T]) {
    let scale = T::from(255_u8).unwrap_or_else(T::one);
    for (o, &b) in out.iter_mut().zip(bytes) {
        *o = T::from(b).unwrap_or_else(T::zero) / scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(n: usize, scale: f64) -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 7 + 3) % 11) as f64 * scale - 0.4)
            .collect()
    }

    #[test]
    fn dot_matches_sequential_sum_on_awkward_sizes() {
        for n in [0, 1, 7, 8, 9, 10, 30, 784] {
            let (a, b) = (sequence(n, 0.1), sequence(n + 3, -0.05));
            let reference: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let got = dot(&a, &b);
            assert!(
                (got - reference).abs() <= 1e-12 * (1.0 + reference.abs()),
                "n={n}: {got} vs {reference}"
            );
        }
    }

    #[test]
    fn axpy_matches_reference() {
        for n in [0, 1, 7, 30, 784] {
            let x = sequence(n, 0.3);
            let mut y = sequence(n, -0.2);
            let expected: Vec<f64> = y.iter().zip(&x).map(|(y, x)| y + 1.5 * x).collect();
            axpy(1.5, &x, &mut y);
            for (g, e) in y.iter().zip(&expected) {
                assert!((g - e).abs() <= 1e-12, "n={n}");
            }
        }
    }
}
