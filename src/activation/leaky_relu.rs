//! The leaky rectified linear unit.

use num_traits::Float;

use super::Activation;

/// The leaky rectified linear unit, elementwise:
/// `leaky_relu(x) = x` for `x ≥ 0` and `slope·x` for `x < 0`. Its derivative
/// is 1 where `x > 0` and `slope` elsewhere (`slope` at the kink, as
/// [`Relu`](crate::Relu) takes 0 there).
///
/// The slope is a setting, not a trainable parameter: [`Params`](crate::Params)
/// visits nothing, and optimizers never change it.
///
/// # Slope
/// - [`LeakyRelu::default()`] has slope [`DEFAULT_SLOPE`](Self::DEFAULT_SLOPE)
///   `= 0.3`, the default of Keras' `LeakyReLU` (`negative_slope=0.3`).
///   PyTorch's `nn.LeakyReLU` defaults to `0.01`: write `LeakyRelu::new(0.01)`.
/// - The slope must be finite and `≥ 0`: the derivative is computed from the
///   cached output, which only works while `y` has the sign of `x`. Slope 0
///   is [`Relu`](crate::Relu); slopes above 1 are allowed.
///   [`new`](Self::new) rejects other values when the code is compiled (in a
///   `const`) or with a panic, [`try_new`](Self::try_new) returns `None`.
/// - [`Params::zeros`](crate::Params::zeros), and so
///   [`Params::random`](crate::Params::random), build a `LeakyRelu` with the
///   **default** slope: a network type names no slope. Set another slope on
///   the value, as below, or build the tuple yourself.
/// - The slope is stored as `f64` and rounded to the network's scalar type
///   when applied, so `LeakyRelu::new(0.01)` means `0.01_f32` in an `f32`
///   network and `0.01_f64` in an `f64` one.
///
/// NaN inputs stay NaN.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::activation::LeakyRelu;
/// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
///
/// let pytorch = LeakyRelu::new(0.01);
/// assert_eq!(pytorch.forward(&[-2.0_f32, 3.0]), [-0.02, 3.0]);
/// assert_eq!(LeakyRelu::default().forward(&[-2.0_f64, 3.0]), [-0.6, 3.0]); // Keras: 0.3
///
/// // In a network: `random` gives the default slope, then set the one you want.
/// type Net = (Dense<4, 8>, LeakyRelu, Dense<8, 2>);
/// let mut net = Net::random(Init::HeNormal, &mut ChaCha8Rng::seed_from_u64(0));
/// assert_eq!(net.1, LeakyRelu::default());
/// net.1 = LeakyRelu::new(0.01);
/// let y: [f32; 2] = net.forward(&[1.0, -1.0, 0.5, 0.0]);
/// # let _ = y;
///
/// // A slope read at run time is checked without panicking.
/// assert_eq!(LeakyRelu::try_new(-0.1), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    slope: f64,
}

impl LeakyRelu {
    /// The slope of [`LeakyRelu::default()`]: `0.3`, as in Keras (PyTorch
    /// uses `0.01`).
    ///
    /// ```
    /// use constnet::activation::LeakyRelu;
    /// assert_eq!(LeakyRelu::default().slope(), LeakyRelu::DEFAULT_SLOPE);
    /// ```
    pub const DEFAULT_SLOPE: f64 = 0.3;

    /// A leaky ReLU with slope `slope` for negative inputs.
    ///
    /// # Panics
    /// If `slope` is negative, NaN or infinite. In a `const` item that is a
    /// compile error; use [`try_new`](Self::try_new) for slopes known only at
    /// run time.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::activation::LeakyRelu;
    ///
    /// const LEAKY: LeakyRelu = LeakyRelu::new(0.01);
    /// assert_eq!(LEAKY.forward(&[-100.0_f64]), [-1.0]);
    /// ```
    #[must_use]
    pub const fn new(slope: f64) -> Self {
        match Self::try_new(slope) {
            Some(leaky) => leaky,
            None => panic!("the slope of a LeakyRelu must be finite and >= 0"),
        }
    }

    /// A leaky ReLU with slope `slope`, or `None` if `slope` is negative, NaN
    /// or infinite.
    ///
    /// ```
    /// use constnet::activation::LeakyRelu;
    ///
    /// let leaky = LeakyRelu::try_new(0.2).ok_or("bad slope")?;
    /// assert_eq!(leaky.slope(), 0.2);
    /// assert_eq!(LeakyRelu::try_new(-0.2), None);
    /// assert_eq!(LeakyRelu::try_new(f64::NAN), None);
    /// # Ok::<(), &str>(())
    /// ```
    #[must_use]
    pub const fn try_new(slope: f64) -> Option<Self> {
        if slope >= 0.0 && slope.is_finite() {
            Some(Self { slope })
        } else {
            None
        }
    }

    /// The slope for negative inputs.
    ///
    /// ```
    /// use constnet::activation::LeakyRelu;
    /// assert_eq!(LeakyRelu::new(0.01).slope(), 0.01);
    /// ```
    #[must_use]
    pub const fn slope(self) -> f64 {
        self.slope
    }

    /// The slope in the scalar type `T`.
    #[inline]
    fn slope_as<T: Float>(self) -> T {
        // f64 → f32/f64 never fails; the fallback is for exotic `Float`s.
        T::from(self.slope).unwrap_or_else(T::zero)
    }
}

impl Default for LeakyRelu {
    /// Slope [`DEFAULT_SLOPE`](Self::DEFAULT_SLOPE) = 0.3 (Keras' default).
    ///
    /// ```
    /// use constnet::activation::LeakyRelu;
    /// assert_eq!(LeakyRelu::default(), LeakyRelu::new(0.3));
    /// ```
    fn default() -> Self {
        Self::new(Self::DEFAULT_SLOPE)
    }
}

impl Activation for LeakyRelu {
    #[inline]
    fn apply<T: crate::Scalar>(self, x: T) -> T {
        if x < T::zero() {
            self.slope_as::<T>() * x
        } else {
            x
        }
    }

    /// From the output: `y > 0` exactly when `x > 0`, because the slope is
    /// `≥ 0`.
    #[inline]
    fn derivative<T: crate::Scalar>(self, y: T) -> T {
        if y > T::zero() {
            T::one()
        } else {
            self.slope_as()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Layer, Params, Relu};

    #[test]
    fn values_and_derivatives() {
        let leaky = LeakyRelu::new(0.1);
        let x = [-3.0_f64, -0.5, 0.0, 0.5, 2.0];
        let (y, cache) = leaky.forward_train(&[x]);
        assert_eq!(y, [[-0.30000000000000004, -0.05, 0.0, 0.5, 2.0]]);
        let dx = crate::layer::input_gradient(
            &leaky,
            &[x],
            &cache,
            &[[1.0; 5]],
            &mut LeakyRelu::default(),
        );
        assert_eq!(dx, [[0.1, 0.1, 0.1, 1.0, 1.0]]);
        assert!(leaky.forward(&[f32::NAN])[0].is_nan());
    }

    #[test]
    fn slope_zero_is_relu() {
        let x = [-2.0_f32, -0.0, 0.0, 1.5];
        let zero = LeakyRelu::new(0.0);
        assert_eq!(zero.forward(&x), Relu.forward(&x));
        let (y, c) = zero.forward_train(&[x]);
        let (_, rc) = Relu.forward_train(&[x]);
        assert_eq!(y, [Relu.forward(&x)]);
        let dy = [[3.0; 4]];
        assert_eq!(
            crate::layer::input_gradient(&zero, &[x], &c, &dy, &mut zero.clone()),
            crate::layer::input_gradient(&Relu, &[x], &rc, &dy, &mut Relu)
        );
    }

    #[test]
    fn slope_is_rounded_to_the_scalar_type() {
        let leaky = LeakyRelu::new(0.01);
        assert_eq!(leaky.apply(-1.0_f32), -0.01_f32);
        assert_eq!(leaky.apply(-1.0_f64), -0.01_f64);
    }

    #[test]
    fn invalid_slopes_are_rejected() {
        for bad in [-0.01, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(LeakyRelu::try_new(bad), None, "{bad}");
        }
        assert!(std::panic::catch_unwind(|| LeakyRelu::new(-1.0)).is_err());
        assert_eq!(LeakyRelu::try_new(5.0).map(LeakyRelu::slope), Some(5.0));
    }

    #[test]
    fn parameter_free_with_default_slope_from_zeros() {
        assert_eq!(<LeakyRelu as Params<f32>>::NUM_PARAMS, 0);
        assert_eq!(<LeakyRelu as Params<f64>>::zeros(), LeakyRelu::default());
        let mut leaky = LeakyRelu::new(0.05);
        let mut visited = 0;
        Params::<f64>::visit(&leaky, |_, _| visited += 1);
        Params::<f64>::set_zero(&mut leaky);
        assert_eq!((visited, leaky.slope()), (0, 0.05));
    }
}
