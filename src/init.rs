//! Initialisation schemes for parameters.

use num_traits::Float;
use rand::Rng;
use rand::distr::StandardUniform;
use rand_distr::{Distribution, StandardNormal};

use crate::{Role, TensorSpec};

/// How [`Params::init`](crate::Params::init) draws parameters.
///
/// Schemes that depend on a layer's fan-in or fan-out get them from the layer
/// itself, so one `Init` value initialises a whole network. For a
/// [`Dense<IN, OUT>`](crate::Dense), `fan_in = IN` and `fan_out = OUT`.
///
/// | scheme | weights | weight variance | biases |
/// | --- | --- | --- | --- |
/// | [`StandardNormal`](Self::StandardNormal) | N(0, 1) | 1 | N(0, 1) |
/// | [`ScaledNormal`](Self::ScaledNormal) | N(0, 1/fan_in) | 1/fan_in | N(0, 1) |
/// | [`GlorotUniform`](Self::GlorotUniform) | U(−l, l), `l = √(6/(fan_in + fan_out))` | 2/(fan_in + fan_out) | 0 |
/// | [`GlorotNormal`](Self::GlorotNormal) | truncated normal | 2/(fan_in + fan_out) | 0 |
/// | [`HeUniform`](Self::HeUniform) | U(−l, l), `l = √(6/fan_in)` | 2/fan_in | 0 |
/// | [`HeNormal`](Self::HeNormal) | truncated normal | 2/fan_in | 0 |
///
/// The Glorot and He schemes are Keras' initializers of the same names
/// (`glorot_uniform` is Keras' default for `Dense`), with Keras' zero biases.
/// Their normal variants follow Keras in drawing from a normal distribution
/// truncated at two standard deviations and widened so that the variance is
/// still the one in the table; PyTorch's `xavier_normal_` and
/// `kaiming_normal_` draw from an untruncated normal of that variance.
///
/// Every scheme draws in `f64` and rounds to the layer's scalar type, weights
/// first then biases, in the order of [`Params::visit`](crate::Params::visit);
/// zero biases consume no random numbers. So the same seed gives the same
/// parameters, and an `f32` network the `f64` one's values, rounded.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
///
/// let mut rng = ChaCha8Rng::seed_from_u64(1);
/// let layer = Dense::<100, 50, f64>::random(Init::StandardNormal, &mut rng);
/// let mean = layer.weight.as_flattened().iter().sum::<f64>() / 5000.0;
/// assert!(mean.abs() < 0.1);
///
/// // One scheme for a whole network; each layer uses its own fans.
/// type Net = (Dense<784, 100>, Relu, Dense<100, 10>);
/// let net = Net::random(Init::HeUniform, &mut rng);
/// let limit = (6.0_f32 / 784.0).sqrt();
/// assert!(net.0.weight.as_flattened().iter().all(|w| w.abs() <= limit));
/// assert_eq!(net.2.bias, [0.0; 10]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Init {
    /// Weights and biases drawn independently from the standard normal
    /// distribution N(0, 1): the scheme the lecture's network is trained with.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// let layer = Dense::<2, 1, f64>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
    /// assert!(layer.bias[0] != 0.0);
    /// ```
    StandardNormal,

    /// Weights from N(0, 1/fan_in), biases from N(0, 1): Nielsen's "default
    /// weight initializer". A weighted sum of `fan_in` inputs of size about 1
    /// then has variance about 1, so sigmoid neurons do not start saturated.
    ///
    /// The draws are those of [`StandardNormal`](Self::StandardNormal) with
    /// the weights divided by `√fan_in`: the same seed gives the same biases.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// let plain = Dense::<4, 1, f64>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(3));
    /// let scaled = Dense::<4, 1, f64>::random(Init::ScaledNormal, &mut ChaCha8Rng::seed_from_u64(3));
    /// assert_eq!(scaled.weight[0][1], plain.weight[0][1] / 2.0); // √4 = 2
    /// assert_eq!(scaled.bias, plain.bias);
    /// ```
    ScaledNormal,

    /// Glorot (Xavier) uniform: weights from U(−l, l) with
    /// `l = √(6 / (fan_in + fan_out))`, so variance `2 / (fan_in + fan_out)`;
    /// biases 0. Keras' default for dense layers; meant for `tanh` and
    /// sigmoid networks.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// let layer = Dense::<20, 10, f64>::random(Init::GlorotUniform, &mut ChaCha8Rng::seed_from_u64(0));
    /// let limit = (6.0_f64 / 30.0).sqrt();
    /// assert!(layer.weight.as_flattened().iter().all(|w| w.abs() <= limit));
    /// assert_eq!(layer.bias, [0.0; 10]);
    /// ```
    GlorotUniform,

    /// Glorot (Xavier) normal: weights of variance `2 / (fan_in + fan_out)`
    /// from a normal distribution truncated at two standard deviations, as in
    /// Keras (`σ = √(2 / (fan_in + fan_out)) / 0.879 625 661`, cut at `±2σ`);
    /// biases 0.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// let layer = Dense::<20, 10, f64>::random(Init::GlorotNormal, &mut ChaCha8Rng::seed_from_u64(0));
    /// let cut = 2.0 * (2.0_f64 / 30.0).sqrt() / 0.879_625_661_034_239_8;
    /// assert!(layer.weight.as_flattened().iter().all(|w| w.abs() <= cut));
    /// assert_eq!(layer.bias, [0.0; 10]);
    /// ```
    GlorotNormal,

    /// He (Kaiming) uniform: weights from U(−l, l) with `l = √(6 / fan_in)`,
    /// so variance `2 / fan_in`; biases 0. Meant for ReLU networks.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// let layer = Dense::<24, 5, f64>::random(Init::HeUniform, &mut ChaCha8Rng::seed_from_u64(0));
    /// assert!(layer.weight.as_flattened().iter().all(|w| w.abs() <= 0.5)); // √(6/24)
    /// assert_eq!(layer.bias, [0.0; 5]);
    /// ```
    HeUniform,

    /// He (Kaiming) normal: weights of variance `2 / fan_in` from a normal
    /// distribution truncated at two standard deviations, as in Keras
    /// (`σ = √(2 / fan_in) / 0.879 625 661`, cut at `±2σ`); biases 0.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// let layer = Dense::<8, 5, f64>::random(Init::HeNormal, &mut ChaCha8Rng::seed_from_u64(0));
    /// let cut = 2.0 * 0.5 / 0.879_625_661_034_239_8; // √(2/8) = 0.5
    /// assert!(layer.weight.as_flattened().iter().all(|w| w.abs() <= cut));
    /// assert_eq!(layer.bias, [0.0; 5]);
    /// ```
    HeNormal,
}

/// The standard deviation of N(0, 1) truncated to `[−2, 2]`: Keras divides
/// by it so that the truncated draws keep the intended variance.
const TRUNCATED_STD: f64 = 0.879_625_661_034_239_8;

impl Init {
    /// Fills the weights and biases of a layer with `fan_in` inputs and
    /// `fan_out` outputs (each taken as at least 1).
    /// Fills `values`, the tensor `spec` describes, as its [`Role`] says:
    /// weights with the fans of its shape, biases by the scheme's bias
    /// rule, gains with ones.
    pub(crate) fn fill<T: Float>(
        self,
        spec: &TensorSpec<'_>,
        values: &mut [T],
        rng: &mut impl Rng,
    ) {
        match spec.role {
            Role::Weight => {
                let (fan_in, fan_out) = fans(spec.shape);
                self.fill_weight(values, fan_in, fan_out, rng);
            }
            Role::Bias => self.fill_bias(values, rng),
            Role::Ones => values.fill(T::one()),
        }
    }

    /// Weights, with fans `fan_in` and `fan_out`.
    fn fill_weight<T: Float>(
        self,
        weight: &mut [T],
        fan_in: usize,
        fan_out: usize,
        rng: &mut impl Rng,
    ) {
        let fan_in = fan_in.max(1) as f64;
        let fan_sum = fan_in + fan_out.max(1) as f64;
        match self {
            Self::StandardNormal => fill_with(weight, || normal(rng)),
            Self::ScaledNormal => {
                let std = fan_in.sqrt().recip();
                fill_with(weight, || std * normal(rng));
            }
            Self::GlorotUniform => {
                let limit = (6.0 / fan_sum).sqrt();
                fill_with(weight, || symmetric_uniform(rng, limit));
            }
            Self::GlorotNormal => {
                let std = (2.0 / fan_sum).sqrt() / TRUNCATED_STD;
                fill_with(weight, || std * truncated_standard_normal(rng));
            }
            Self::HeUniform => {
                let limit = (6.0 / fan_in).sqrt();
                fill_with(weight, || symmetric_uniform(rng, limit));
            }
            Self::HeNormal => {
                let std = (2.0 / fan_in).sqrt() / TRUNCATED_STD;
                fill_with(weight, || std * truncated_standard_normal(rng));
            }
        }
    }

    /// Biases: N(0, 1) for the normal schemes of the lecture, else zero.
    fn fill_bias<T: Float>(self, bias: &mut [T], rng: &mut impl Rng) {
        match self {
            Self::StandardNormal | Self::ScaledNormal => fill_with(bias, || normal(rng)),
            _ => bias.fill(T::zero()),
        }
    }
}

/// PyTorch's fans of a weight of shape `[out, in, …rest]`:
/// `(in·Πrest, out·Πrest)`; `(1, n)` for a 1-D shape `[n]`.
fn fans(shape: &[usize]) -> (usize, usize) {
    let rest: usize = shape.get(2..).map_or(1, |r| r.iter().product());
    let out = shape.first().copied().unwrap_or(1);
    let fan_in = shape.get(1).copied().unwrap_or(1) * rest;
    (fan_in, out * rest)
}

/// One draw from N(0, 1).
fn normal(rng: &mut impl Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// Sets each element of `p`, in order, to `draw()` rounded to `T`.
fn fill_with<T: Float>(p: &mut [T], mut draw: impl FnMut() -> f64) {
    for v in p {
        *v = T::from(draw()).unwrap_or_else(T::zero);
    }
}

/// One draw from U(−limit, limit).
fn symmetric_uniform(rng: &mut impl Rng, limit: f64) -> f64 {
    let u: f64 = StandardUniform.sample(rng); // [0, 1)
    limit * (2.0 * u - 1.0)
}

/// One draw from N(0, 1) truncated to `[−2, 2]`, by rejection: about 1.05
/// draws from N(0, 1) per value. The draw count depends only on the RNG's
/// output, so a seed still fixes the result. The loop is bounded all the
/// same: after 64 rejections in a row (chance below 1e-85) the last draw is
/// clamped.
fn truncated_standard_normal(rng: &mut impl Rng) -> f64 {
    let mut z: f64 = 0.0;
    for _ in 0..64 {
        z = normal(rng);
        if z.abs() <= 2.0 {
            return z;
        }
    }
    z.clamp(-2.0, 2.0)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    use super::*;
    use crate::{Dense, Params};

    /// Values of `StandardNormal` recorded from the code before the other
    /// schemes were added: `Dense<3, 2>` from `ChaCha8Rng::seed_from_u64(42)`.
    /// The lecture's results depend on them bit for bit.
    #[test]
    fn standard_normal_is_unchanged() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let layer = Dense::<3, 2, f64>::random(Init::StandardNormal, &mut rng);
        assert_eq!(
            layer.weight,
            [
                [
                    0.47798123835102174,
                    1.3340706102318078,
                    -0.21086668327103028
                ],
                [0.4763469238088213, -0.5120906220561634, -0.9339784493906981]
            ]
        );
        assert_eq!(layer.bias, [-1.0023778441376028, 0.9166635595931693]);

        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let layer = Dense::<3, 2, f32>::random(Init::StandardNormal, &mut rng);
        assert_eq!(
            layer
                .weight
                .as_flattened()
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>(),
            [
                1056225781, 1068155603, 3193433456, 1056170942, 3204651103, 3211729206
            ]
        );
        assert_eq!(layer.bias.map(f32::to_bits), [3212856811, 1063955063]);

        // A whole network: layers draw in order.
        type Net = (Dense<4, 3, f64>, crate::Sigmoid, Dense<3, 2, f64>);
        let net = Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
        let mut bits = Vec::new();
        net.visit(|_, p: &[f64]| bits.extend(p.iter().map(|v| v.to_bits())));
        assert_eq!(
            bits,
            [
                4604479905892986980,
                13817730424566361143,
                4599127934073304539,
                13832241116314512545,
                4608084677433962115,
                4592647058628904916,
                4608794234456714045,
                4607118611637032490,
                4607498499722116933,
                13835191943446006034,
                4609499755658184914,
                4606438521709578723,
                4589172380251279672,
                13821405220834831219,
                4608317072085833866,
                4603218375271070530,
                13824111600291357000,
                13821395568488523904,
                4597991010541802392,
                4611460569307853364,
                4606995736957061151,
                4608920267755051790,
                4589970384071910878
            ]
        );
    }

    const ALL: [Init; 6] = [
        Init::StandardNormal,
        Init::ScaledNormal,
        Init::GlorotUniform,
        Init::GlorotNormal,
        Init::HeUniform,
        Init::HeNormal,
    ];

    /// Runs `f` on a thread with room for a `Dense<400, 300, f64>` (940 KiB)
    /// and its copies on the stack.
    fn with_big_stack(f: impl FnOnce() + Send + 'static) {
        let thread = std::thread::Builder::new().stack_size(32 << 20).spawn(f);
        if let Err(panic) = thread.and_then(|t| {
            t.join()
                .map_err(|e| std::io::Error::other(format!("{e:?}")))
        }) {
            panic!("{panic}");
        }
    }

    fn mean_and_variance(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    #[test]
    fn weight_statistics_match_each_scheme() {
        with_big_stack(|| {
            const IN: usize = 400;
            const OUT: usize = 300;
            let (fan_in, fan_sum) = (IN as f64, (IN + OUT) as f64);
            // (scheme, variance, uniform limit, truncation cut, zero biases)
            let glorot_std = (2.0 / fan_sum).sqrt() / TRUNCATED_STD;
            let he_std = (2.0 / fan_in).sqrt() / TRUNCATED_STD;
            let cases = [
                (Init::StandardNormal, 1.0, None, None, false),
                (Init::ScaledNormal, 1.0 / fan_in, None, None, false),
                (
                    Init::GlorotUniform,
                    2.0 / fan_sum,
                    Some((6.0 / fan_sum).sqrt()),
                    None,
                    true,
                ),
                (
                    Init::GlorotNormal,
                    2.0 / fan_sum,
                    None,
                    Some(2.0 * glorot_std),
                    true,
                ),
                (
                    Init::HeUniform,
                    2.0 / fan_in,
                    Some((6.0 / fan_in).sqrt()),
                    None,
                    true,
                ),
                (Init::HeNormal, 2.0 / fan_in, None, Some(2.0 * he_std), true),
            ];
            for (k, (init, variance, limit, cut, zero_bias)) in cases.into_iter().enumerate() {
                let mut rng = ChaCha8Rng::seed_from_u64(100 + k as u64);
                let layer = Dense::<IN, OUT, f64>::random(init, &mut rng);
                let w = layer.weight.as_flattened();
                let (mean, var) = mean_and_variance(w);
                let sd_of_mean = (variance / w.len() as f64).sqrt();
                assert!(mean.abs() < 5.0 * sd_of_mean, "{init:?}: mean {mean}");
                assert!(
                    (var / variance - 1.0).abs() < 0.03,
                    "{init:?}: variance {var}, expected {variance}"
                );
                if let Some(limit) = limit {
                    // U(−l, l) has variance l²/3.
                    assert!((limit * limit / 3.0 - variance).abs() < 1e-15);
                    assert!(
                        w.iter().all(|x| x.abs() <= limit),
                        "{init:?}: outside ±{limit}"
                    );
                    let max = w.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
                    assert!(max > 0.99 * limit, "{init:?}: the range is not used up");
                }
                if let Some(cut) = cut {
                    assert!(w.iter().all(|x| x.abs() <= cut), "{init:?}: beyond ±{cut}");
                    let max = w.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
                    assert!(max > 0.99 * cut, "{init:?}: not a truncated normal");
                }
                if zero_bias {
                    assert!(layer.bias.iter().all(|&b| b == 0.0), "{init:?}: biases");
                } else {
                    let (mean, var) = mean_and_variance(&layer.bias);
                    assert!(
                        mean.abs() < 0.3 && (var - 1.0).abs() < 0.3,
                        "{init:?}: biases {mean} {var}"
                    );
                }
            }
        });
    }

    #[test]
    fn same_seed_same_parameters_and_f32_is_f64_rounded() {
        for init in ALL {
            let a = Dense::<30, 20, f64>::random(init, &mut ChaCha8Rng::seed_from_u64(5));
            let b = Dense::<30, 20, f64>::random(init, &mut ChaCha8Rng::seed_from_u64(5));
            assert_eq!(a, b, "{init:?}");
            let c = Dense::<30, 20, f64>::random(init, &mut ChaCha8Rng::seed_from_u64(6));
            assert_ne!(a.weight, c.weight, "{init:?}");
            let s = Dense::<30, 20, f32>::random(init, &mut ChaCha8Rng::seed_from_u64(5));
            for (x, y) in a.weight.as_flattened().iter().zip(s.weight.as_flattened()) {
                assert_eq!(*x as f32, *y, "{init:?}");
            }
        }
    }

    #[test]
    fn init_overwrites_previous_values() {
        for init in ALL {
            let mut layer = Dense::<6, 4, f64>::zeros();
            layer.visit_mut(|_, p| p.fill(9.0));
            layer.init(init, &mut ChaCha8Rng::seed_from_u64(1));
            let fresh = Dense::<6, 4, f64>::random(init, &mut ChaCha8Rng::seed_from_u64(1));
            assert_eq!(layer, fresh, "{init:?}");
        }
    }

    #[test]
    fn fans_come_from_the_layer() {
        // Glorot uses fan_in + fan_out, He only fan_in: check on a layer whose
        // fans differ, where the limits tell them apart.
        let glorot =
            Dense::<10, 90, f64>::random(Init::GlorotUniform, &mut ChaCha8Rng::seed_from_u64(2));
        let limit = (6.0_f64 / 100.0).sqrt();
        let max = glorot
            .weight
            .as_flattened()
            .iter()
            .fold(0.0_f64, |m, x| m.max(x.abs()));
        assert!(max <= limit && max > 0.95 * limit, "{max} vs {limit}");
        let he = Dense::<10, 90, f64>::random(Init::HeUniform, &mut ChaCha8Rng::seed_from_u64(2));
        let limit = (6.0_f64 / 10.0).sqrt();
        let max = he
            .weight
            .as_flattened()
            .iter()
            .fold(0.0_f64, |m, x| m.max(x.abs()));
        assert!(max <= limit && max > 0.95 * limit, "{max} vs {limit}");
    }
}
