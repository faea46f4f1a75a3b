//! The logistic sigmoid.

use super::Activation;

/// The logistic sigmoid `σ(x) = 1 / (1 + e^(−x))`, elementwise; its
/// derivative is `σ'(x) = σ(x)·(1 − σ(x))`.
///
/// The lecture's activation. Outputs lie in `[0, 1]`, never NaN for a
/// number; large negative inputs give a value near 0 (exactly 0 in `f64`,
/// about 4·10⁻³⁹, a subnormal, in `f32`). For `f32` the
/// exponential is the crate's own branch-free one (within 2 ulp of `exp`,
/// so a whole layer's sigmoids run eight at a time with AVX2); for `f64`
/// it is the standard library's.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let y = Sigmoid.forward(&[0.0_f32, 100.0, -1000.0]);
/// assert_eq!(y[..2], [0.5, 1.0]);
/// assert!(0.0 <= y[2] && y[2] < 1e-37);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Sigmoid;

impl Activation for Sigmoid {
    #[inline]
    fn apply<T: crate::Scalar>(self, x: T) -> T {
        T::one() / (T::one() + (-x).kernel_exp())
    }

    #[inline]
    fn derivative<T: crate::Scalar>(self, y: T) -> T {
        y * (T::one() - y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Layer;

    #[test]
    fn f32_sigmoid_is_within_a_few_ulp_of_the_formula() {
        let mut x = -30.0_f32;
        while x < 30.0 {
            let want = 1.0 / (1.0 + (-f64::from(x)).exp());
            let got = f64::from(Sigmoid.apply(x));
            let tolerance = 4.0 * f64::from(f32::EPSILON) * want;
            assert!(
                (got - want).abs() <= tolerance,
                "σ({x}) = {got}, want {want}"
            );
            x += 0.001_9;
        }
    }

    #[test]
    fn limits_and_nan() {
        assert_eq!(Sigmoid.apply(0.0_f32), 0.5);
        assert_eq!(Sigmoid.apply(f32::INFINITY), 1.0);
        let tiny = Sigmoid.apply(f32::NEG_INFINITY);
        assert!((0.0..1e-37).contains(&tiny));
        assert!(Sigmoid.apply(f32::NAN).is_nan());
        assert!(Sigmoid.apply(f64::NAN).is_nan());
        assert_eq!(Sigmoid.apply(-1000.0_f64), 0.0);
    }

    #[test]
    fn layer_forward_equals_the_scalar_function() {
        let x: [f32; 37] = core::array::from_fn(|i| (i as f32 - 18.0) * 1.37);
        let want = x.map(|v| Sigmoid.apply(v));
        assert_eq!(Sigmoid.forward(&x), want);
        assert_eq!(Sigmoid.forward_batch(&[x, x]), [want, want]);
    }
}
