//! Every kernel against a scalar reference on awkward sizes, for the
//! portable and (where the processor has it) the AVX2 + FMA code.

use super::portable;

/// Deterministic values in [-1, 1) that are not round numbers.
fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state % 20_000) as f32 / 10_000.0 - 1.0
        })
        .collect()
}

/// Mixed tolerance: absolute for sums near zero, relative otherwise, scaled
/// by the number of terms summed.
fn close(got: f32, want: f64, terms: usize) -> bool {
    let tol = 4.0 * f64::from(f32::EPSILON) * (terms as f64).sqrt().max(1.0) * (1.0 + want.abs());
    (f64::from(got) - want).abs() <= tol
}

const SIZES: [usize; 9] = [1, 2, 7, 8, 9, 10, 30, 100, 784];

fn reference_forward(w: &[f32], bias: &[f32], x: &[f32], inputs: usize) -> Vec<f64> {
    let out = bias.len();
    let mut y = Vec::new();
    for xs in x.chunks_exact(inputs) {
        for o in 0..out {
            let dot: f64 = (0..inputs)
                .map(|i| f64::from(w[o * inputs + i]) * f64::from(xs[i]))
                .sum();
            y.push(f64::from(bias[o]) + dot);
        }
    }
    y
}

/// Runs `check` with the portable kernels and with the dispatching ones
/// (AVX2 + FMA where available).
fn each_backend(check: impl Fn(&str, &dyn Fn(&[f32], &[f32], &[f32], &mut [f32], usize))) {
    check("portable", &|w, b, x, y, n| {
        portable::dense_forward(w, b, x, y, n)
    });
    check("dispatch", &|w, b, x, y, n| {
        super::dense_forward(w, b, x, y, n)
    });
}

#[test]
fn dense_forward_matches_reference() {
    each_backend(|name, forward| {
        for &inputs in &SIZES {
            for out in [1, 3, 4, 5, 8, 10, 16, 17, 30] {
                for batch in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 16] {
                    let w = values(out * inputs, 1);
                    let bias = values(out, 2);
                    let x = values(batch * inputs, 3);
                    let mut y = vec![f32::NAN; batch * out];
                    forward(&w, &bias, &x, &mut y, inputs);
                    let want = reference_forward(&w, &bias, &x, inputs);
                    for (k, (&g, &r)) in y.iter().zip(&want).enumerate() {
                        assert!(
                            close(g, r, inputs),
                            "{name}: in {inputs} out {out} batch {batch} [{k}]: {g} vs {r}"
                        );
                    }
                }
            }
        }
    });
}

/// One sample through a layer of sizes `IN` × `OUT` known at compile time
/// ([`super::dense_forward_one`]): close to the reference, and the same
/// bits as the slice kernel on a batch of one (a network's output must not
/// depend on which of the two paths computed it).
fn single_matches_batch_of_one<const IN: usize, const OUT: usize>() {
    let w = values(OUT * IN, 11);
    let bias = values(OUT, 12);
    let x = values(IN, 13);
    let w_rows: [[f32; IN]; OUT] =
        core::array::from_fn(|o| core::array::from_fn(|i| w[o * IN + i]));
    let b: [f32; OUT] = core::array::from_fn(|o| bias[o]);
    let xs: [f32; IN] = core::array::from_fn(|i| x[i]);
    let mut one = [f32::NAN; OUT];
    super::dense_forward_one(&w_rows, &b, &xs, &mut one);
    let mut batch = vec![f32::NAN; OUT];
    super::dense_forward(&w, &bias, &x, &mut batch, IN);
    let want = reference_forward(&w, &bias, &x, IN);
    for (k, (&g, &r)) in one.iter().zip(&want).enumerate() {
        assert!(close(g, r, IN), "in {IN} out {OUT} [{k}]: {g} vs {r}");
    }
    assert_eq!(bits(&one), bits(&batch), "in {IN} out {OUT}");
}

#[test]
fn single_sample_kernel_matches_reference_and_batches_of_one() {
    // Rows by eight, four, two and one, and inputs with and without a
    // partial last vector.
    single_matches_batch_of_one::<1, 1>();
    single_matches_batch_of_one::<7, 3>();
    single_matches_batch_of_one::<8, 8>();
    single_matches_batch_of_one::<9, 7>();
    single_matches_batch_of_one::<10, 17>();
    single_matches_batch_of_one::<16, 16>();
    single_matches_batch_of_one::<30, 10>();
    single_matches_batch_of_one::<100, 31>();
    single_matches_batch_of_one::<784, 30>();
}

/// Samples at every offset from a 32-byte boundary (the AVX2 kernel aligns
/// its loads to the first sample with a partial vector) and batches long
/// enough that the kernel prefetches the next samples while computing.
#[test]
fn dense_forward_matches_reference_at_every_alignment() {
    each_backend(|name, forward| {
        for inputs in [1, 7, 9, 30, 100, 784] {
            for out in [1, 10, 30] {
                for batch in [1, 7, 13, 25] {
                    let w = values(out * inputs, 16);
                    let bias = values(out, 17);
                    let buffer = values(batch * inputs + 8, 18);
                    let want_y = |x: &[f32]| reference_forward(&w, &bias, x, inputs);
                    for offset in 0..8 {
                        let x = &buffer[offset..][..batch * inputs];
                        let mut y = vec![f32::NAN; batch * out];
                        forward(&w, &bias, x, &mut y, inputs);
                        for (k, (&g, &r)) in y.iter().zip(&want_y(x)).enumerate() {
                            assert!(
                                close(g, r, inputs),
                                "{name}: in {inputs} out {out} batch {batch} offset {offset} \
                                 [{k}]: {g} vs {r}"
                            );
                        }
                    }
                }
            }
        }
    });
}

/// The same samples give the same bits wherever they lie in memory: the
/// AVX2 kernel's alignment of its loads must not change the order of the
/// sums, or a network's results would depend on where a build happens to
/// place its arrays (training then is not reproducible across builds).
#[test]
fn dense_forward_is_independent_of_where_the_samples_lie() {
    for inputs in [1, 7, 9, 15, 30, 63, 64, 65, 71, 100, 784] {
        for out in [1, 2, 3, 10, 30] {
            for batch in [2, 3, 4, 6, 7, 8, 12, 13] {
                let w = values(out * inputs, 19);
                let bias = values(out, 20);
                let x = values(batch * inputs, 21);
                let mut buffer = vec![0.0; batch * inputs + 8];
                let mut first: Option<Vec<u32>> = None;
                for offset in 0..8 {
                    buffer[offset..][..batch * inputs].copy_from_slice(&x);
                    let mut y = vec![f32::NAN; batch * out];
                    super::dense_forward(
                        &w,
                        &bias,
                        &buffer[offset..][..batch * inputs],
                        &mut y,
                        inputs,
                    );
                    let y = bits(&y);
                    match &first {
                        None => first = Some(y),
                        Some(want) => assert_eq!(
                            &y, want,
                            "in {inputs} out {out} batch {batch} offset {offset}"
                        ),
                    }
                }
            }
        }
    }
}

#[test]
fn dense_backward_matches_reference() {
    for &inputs in &SIZES {
        for out in [1, 3, 7, 10, 13, 30] {
            for batch in [1, 3, 4, 5, 8] {
                let w = values(out * inputs, 4);
                let x = values(batch * inputs, 5);
                let dy = values(batch * out, 6);
                let start_w = values(out * inputs, 7);
                let start_b = values(out, 8);
                let cases = [("portable", true), ("dispatch", false)];
                for ((name, portable_only), add) in
                    cases.into_iter().flat_map(|c| [(c, true), (c, false)])
                {
                    // Storing must not read the old gradient: start from NaN.
                    let (mut gw, mut gb) = if add {
                        (start_w.clone(), start_b.clone())
                    } else {
                        (vec![f32::NAN; out * inputs], vec![f32::NAN; out])
                    };
                    let start = |v: &[f32], k: usize| if add { f64::from(v[k]) } else { 0.0 };
                    let mut dx = vec![f32::NAN; batch * inputs];
                    if portable_only {
                        if !add {
                            gb.fill(0.0);
                        }
                        portable::bias_gradient(&dy, &mut gb);
                        portable::dense_backward_weights(&x, &dy, &mut gw, inputs, add);
                        portable::dense_backward_input(&w, &dy, &mut dx, inputs);
                    } else {
                        let finite =
                            super::dense_backward_params(&x, &dy, &mut gw, &mut gb, inputs, add);
                        assert!(finite, "{name} in {inputs} out {out} batch {batch}");
                        super::dense_backward_input(&w, &dy, &mut dx, inputs);
                    }
                    for o in 0..out {
                        let db: f64 = (0..batch).map(|b| f64::from(dy[b * out + o])).sum();
                        assert!(
                            close(gb[o], start(&start_b, o) + db, batch),
                            "{name} gb add={add}"
                        );
                        for i in 0..inputs {
                            let g: f64 = (0..batch)
                                .map(|b| f64::from(dy[b * out + o]) * f64::from(x[b * inputs + i]))
                                .sum();
                            let want = start(&start_w, o * inputs + i) + g;
                            assert!(
                                close(gw[o * inputs + i], want, batch),
                                "{name} gw in {inputs} out {out} batch {batch} add={add}"
                            );
                        }
                    }
                    for b in 0..batch {
                        for i in 0..inputs {
                            let want: f64 = (0..out)
                                .map(|o| f64::from(dy[b * out + o]) * f64::from(w[o * inputs + i]))
                                .sum();
                            assert!(
                                close(dx[b * inputs + i], want, out),
                                "{name} dx in {inputs} out {out} batch {batch}"
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The weight-gradient kernel checks what it writes: a NaN or infinity in
/// an input or an output gradient, or a product that overflows, anywhere in
/// the block (a vector column, a tail column, any row), is reported, and in
/// both modes.
#[test]
fn dense_backward_params_reports_non_finite_gradients() {
    for inputs in [1, 7, 8, 16, 30, 37] {
        for out in [1, 2, 7] {
            let batch = 3;
            let x = values(batch * inputs, 9);
            let dy = values(batch * out, 10);
            let run = |x: &[f32], dy: &[f32], add: bool| {
                let (mut gw, mut gb) = (vec![0.5; out * inputs], vec![0.5; out]);
                super::dense_backward_params(x, dy, &mut gw, &mut gb, inputs, add)
            };
            for add in [false, true] {
                assert!(run(&x, &dy, add), "in {inputs} out {out}");
                for i in 0..x.len() {
                    for bad in [f32::NAN, f32::INFINITY, 3e38] {
                        let mut x = x.clone();
                        x[i] = bad;
                        let mut dy = dy.clone();
                        // 3e38 overflows only once multiplied by 10.
                        dy.iter_mut().for_each(|d| *d = 10.0 + d.abs());
                        assert!(!run(&x, &dy, add), "x[{i}] = {bad}, in {inputs} out {out}");
                    }
                }
                for k in 0..dy.len() {
                    let mut dy = dy.clone();
                    dy[k] = f32::NEG_INFINITY;
                    assert!(!run(&x, &dy, add), "dy[{k}], in {inputs} out {out}");
                }
            }
        }
    }
}

#[test]
fn dot_and_axpy_match_reference() {
    for &n in &SIZES {
        let (a, b) = (values(n + 3, 9), values(n, 10));
        let want: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        assert!(close(portable::dot(&a, &b), want, n));
        for dispatch in [false, true] {
            let mut y = values(n, 11);
            let start = y.clone();
            if dispatch {
                super::axpy(0.37, &a, &mut y);
            } else {
                portable::axpy(0.37, &a, &mut y);
            }
            for i in 0..n {
                assert!(close(y[i], f64::from(start[i]) + 0.37 * f64::from(a[i]), 2));
            }
        }
    }
}

#[test]
fn simd_and_portable_agree_closely() {
    // Where AVX2 runs, it must agree with the portable code to within
    // rounding: the two differ only in summation order and FMA.
    let (inputs, out, batch) = (784, 30, 8);
    let (w, bias, x) = (
        values(out * inputs, 12),
        values(out, 13),
        values(batch * inputs, 14),
    );
    let mut a = vec![0.0; batch * out];
    let mut b = vec![0.0; batch * out];
    portable::dense_forward(&w, &bias, &x, &mut a, inputs);
    super::dense_forward(&w, &bias, &x, &mut b, inputs);
    for (p, s) in a.iter().zip(&b) {
        assert!((p - s).abs() <= 1e-4 * (1.0 + p.abs()), "{p} vs {s}");
    }
}

#[test]
fn all_finite_finds_every_non_finite_value() {
    for n in [0, 1, 7, 8, 9, 30, 31, 32, 33, 65, 784] {
        let mut v = values(n, 15);
        assert!(portable::all_finite(&v), "n={n}");
        assert!(super::all_finite(&v), "n={n}");
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for i in 0..n {
                let keep = v[i];
                v[i] = bad;
                assert!(!portable::all_finite(&v), "n={n} i={i} {bad}");
                assert!(!super::all_finite(&v), "n={n} i={i} {bad}");
                v[i] = keep;
            }
        }
    }
    assert!(super::all_finite(&[
        f64::MAX,
        f64::MIN,
        -0.0,
        f64::MIN_POSITIVE
    ]));
}

#[test]
fn elementwise_maps_are_bit_identical_on_both_backends() {
    let mut x = values(1003, 9);
    // Special values, at both ends of exp's clamping range and beyond.
    let special = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        89.0,
        -89.0,
        88.5,
        -87.5,
        1e30,
        -1e30,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE / 4.0,
        -0.0,
    ];
    x[..special.len()].copy_from_slice(&special);
    let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let sigmoid = |v: f32| 1.0 / (1.0 + super::math::exp_f32(-v * 20.0));
    let (mut a, mut b) = (x.clone(), x.clone());
    portable::map(&mut a, sigmoid);
    super::map(&mut b, sigmoid);
    assert_eq!(bits(&a), bits(&b));
    // On arrays too, whose length the compiler knows.
    let mut fixed: [f32; 1003] = core::array::from_fn(|i| x[i]);
    super::map_fixed(&mut fixed, sigmoid);
    assert_eq!(bits(&a), bits(&fixed));
    let mut short: [f32; 13] = core::array::from_fn(|i| x[i]);
    super::map_fixed(&mut short, sigmoid);
    assert_eq!(bits(&a[..13]), bits(&short));
    assert!(a[0].is_nan() && a[1] == 1.0 && a[2] >= 0.0 && a[2] < 1e-37);
    let derivative = |d: f32, y: f32| d * y * (1.0 - y);
    let (mut da, mut db) = (x.clone(), x.clone());
    portable::map2(&mut da, &a, derivative);
    super::map2(&mut db, &b, derivative);
    assert_eq!(bits(&da), bits(&db));
}

/// The dispatching tests above compare against the AVX2 kernels only if
/// detection picks them: make sure it does on a processor that has them.
#[test]
#[cfg(all(feature = "std", target_arch = "x86_64"))]
fn detection_picks_avx2_where_the_processor_has_it() {
    let forced_off = std::env::var_os("CONSTNET_PORTABLE").is_some_and(|v| v != "0");
    let has = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
    let want = if has && !forced_off {
        super::Backend::Avx2Fma
    } else {
        super::Backend::Portable
    };
    assert_eq!(super::backend(), want);
}

/// Without std there is no run-time detection: a build that enables AVX2 and
/// FMA uses the AVX2 kernels (`.ci/run` builds this configuration).
#[test]
#[cfg(all(
    not(feature = "std"),
    target_arch = "x86_64",
    target_feature = "avx2",
    target_feature = "fma"
))]
fn without_std_a_build_with_avx2_uses_it() {
    assert_eq!(super::backend(), super::Backend::Avx2Fma);
    let (x, mut a, mut b) = (values(77, 3), values(77, 4), values(77, 4));
    super::axpy(0.5, &x, &mut a);
    portable::axpy(0.5, &x, &mut b);
    for (a, b) in a.iter().zip(&b) {
        assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0));
    }
}

#[test]
fn unit_from_bytes_is_the_quotient_by_255_for_every_byte() {
    // All 256 values, at every offset of a vector and with a tail.
    let bytes: Vec<u8> = (0..=255).chain(0..=40).collect();
    for start in 0..9 {
        let b = &bytes[start..];
        let want: Vec<f32> = b.iter().map(|&v| f32::from(v) / 255.0).collect();
        let mut got = vec![f32::NAN; b.len()];
        super::unit_from_bytes(b, &mut got);
        assert_eq!(bits(&got), bits(&want), "offset {start}");
        let mut got = vec![f32::NAN; b.len()];
        portable::unit_from_bytes(b, &mut got);
        assert_eq!(bits(&got), bits(&want), "portable, offset {start}");
        let want64: Vec<f64> = b.iter().map(|&v| f64::from(v) / 255.0).collect();
        let mut got64 = vec![f64::NAN; b.len()];
        super::unit_from_bytes(b, &mut got64);
        assert_eq!(got64, want64, "f64, offset {start}");
    }
    // Only the common length is written.
    let mut out = [7.0_f32; 4];
    super::unit_from_bytes(&[255, 0], &mut out);
    assert_eq!(out, [1.0, 0.0, 7.0, 7.0]);
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// The update checks predict exactly whether the update they guard makes a
/// value that is not finite, on every backend, for values far from and
/// near the largest float, at every position of a vector and its tail.
#[test]
fn update_checks_predict_the_updates() {
    for n in [1, 7, 8, 9, 30, 100] {
        for bad in 0..n {
            for scale in [1.0_f32, 1e38] {
                let mut x = values(n, 11);
                x[bad] = 0.75;
                let mut y = values(n, 12);
                y[bad] = 3.3e38 * scale.signum();
                let alpha = 2.0 * scale;
                // The dispatching check against the portable one, and both
                // against what axpy then computes.
                let checked = super::axpy_finite(alpha, &x, &y);
                let mut updated = y.clone();
                super::axpy(alpha, &x, &mut updated);
                assert_eq!(
                    checked,
                    updated.iter().all(|v| v.is_finite()),
                    "n={n} bad={bad} {scale}"
                );
                assert_eq!(checked, scale == 1.0, "n={n} bad={bad} {scale}");
                let mut portable_y = y.clone();
                portable::axpy(alpha, &x, &mut portable_y);
                assert_eq!(
                    portable::axpy_finite(alpha, &x, &y),
                    portable_y.iter().all(|v| v.is_finite()),
                    "portable n={n} bad={bad} {scale}"
                );

                let h = super::AdamStep {
                    beta_1: 0.9_f32,
                    beta_2: 0.999,
                    one_minus_beta_1: 0.1,
                    one_minus_beta_2: 0.001,
                    alpha: scale * 1e-3,
                    epsilon: 1e-7,
                    shrink: None,
                };
                let mut g = values(n, 13);
                // Its square times 1 − β₂ overflows at the large scale.
                g[bad] = if scale > 1.0 { 1e21 } else { 10.0 };
                let (mut p, mut m, mut v) = (values(n, 14), values(n, 15), values(n, 16));
                v.iter_mut().for_each(|v| *v = v.abs());
                let checked = super::adam_finite(&p, &g, &m, &v, &h);
                assert_eq!(
                    checked,
                    portable::adam_finite(&p, &g, &m, &v, &h),
                    "n={n} bad={bad}"
                );
                super::adam_update(&mut p, &g, &mut m, &mut v, &h);
                let all = p.iter().chain(&m).chain(&v).all(|x| x.is_finite());
                assert_eq!(checked, all, "adam n={n} bad={bad} {scale}");
                assert_eq!(checked, scale == 1.0, "adam n={n} bad={bad} {scale}");
            }
        }
    }
}
