//! Branch-free elementary functions for `f32`, written so a loop of them
//! vectorises (no calls, no branches, only arithmetic, comparisons that
//! become selects, and bit casts).
//!
//! The same code runs in the portable backend and, compiled with AVX2
//! enabled, in the AVX2 backend, so both give bit-identical results.

/// `eˣ` for `f32`, within 2 ulp of the correctly rounded value for every
/// `x` in [−87.34, 88.38] (the tests check a fine grid of that range);
/// outside it the argument is clamped, see below.
///
/// The argument is reduced as `x = n·ln 2 + r` with `n` an integer and
/// `|r| ≤ ½ ln 2` (`ln 2` split in two parts, so `r` is exact), `eʳ` is a
/// degree-7 minimax-style polynomial (the classic Cephes coefficients),
/// and `2ⁿ` is built from its bits.
///
/// Out of range: below `ln(f32::MIN_POSITIVE)` ≈ −87.34 the result is 0
/// (the true value is subnormal or smaller: a softmax term that vanishes),
/// above ≈ 88.38 it is `≈ 2.4·10³⁸` (never infinity, so a sigmoid of a
/// very negative input is tiny, not 0 from a division by infinity); `±∞`
/// go the same ways. NaN gives NaN.
#[inline]
#[must_use]
pub(crate) fn exp_f32(x: f32) -> f32 {
    const HI: f32 = 88.376_26;
    const LO: f32 = -87.336_55;
    // 1.5·2²³: adding it rounds to an integer held in the low mantissa bits.
    const MAGIC: f32 = 12_582_912.0;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Written as selects that keep NaN (a comparison with NaN is false).
    let underflow = x < LO;
    let x = if x > HI { HI } else { x };
    let x = if underflow { LO } else { x };
    let t = x * core::f32::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let e_r = p * (r * r) + r + 1.0;
    // n ∈ [−126, 127]: its biased exponent n + 127 is in [1, 254].
    let n_bits = t.to_bits().wrapping_sub(MAGIC.to_bits());
    let two_n = f32::from_bits(n_bits.wrapping_add(127) << 23);
    if underflow { 0.0 } else { e_r * two_n }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two positive normal floats.
    fn ulps(a: f32, b: f32) -> u32 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn exp_is_within_two_ulp_over_its_normal_range() {
        let mut worst = (0, 0.0);
        let mut x = -87.3_f32;
        while x < 88.3 {
            let want = f64::from(x).exp() as f32;
            let e = ulps(exp_f32(x), want);
            if e > worst.0 {
                worst = (e, x);
            }
            x += 0.000_37;
        }
        assert!(worst.0 <= 2, "{} ulp at x = {}", worst.0, worst.1);
    }

    #[test]
    fn exp_is_exact_where_it_must_be() {
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(-0.0), 1.0);
        for k in [-20_i32, -1, 1, 5, 30] {
            let x = k as f32 * core::f32::consts::LN_2;
            let want = f64::from(x).exp() as f32;
            assert!(ulps(exp_f32(x), want) <= 1, "x = {x}");
        }
    }

    #[test]
    fn exp_clamps_out_of_range_and_keeps_nan() {
        assert!(exp_f32(f32::NAN).is_nan());
        for x in [89.0, 1e10, f32::INFINITY, f32::MAX] {
            let y = exp_f32(x);
            assert!(y.is_finite() && y > 2.3e38, "exp({x}) = {y}");
        }
        for x in [-88.0, -1e10, f32::NEG_INFINITY, f32::MIN] {
            assert_eq!(exp_f32(x).to_bits(), 0, "exp({x})");
        }
        // The last argument in range still gives a normal number.
        let y = exp_f32(-87.336_55);
        assert!(y > 1.1e-38 && y < 1.2e-38, "{y}");
    }
}
