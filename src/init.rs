//! Initialisation schemes for parameters.

use num_traits::Float;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// How [`Params::init`](crate::Params::init) draws parameters.
///
/// Schemes that depend on a layer's fan-in or fan-out get them from the layer
/// itself, so one `Init` value initialises a whole network.
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
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Init {
    /// Weights and biases drawn independently from the standard normal
    /// distribution N(0, 1): the scheme the lecture's network is trained with.
    StandardNormal,
}

impl Init {
    /// Fills the weights and biases of a layer with `fan_in` inputs.
    pub(crate) fn fill<T: Float>(
        self,
        weight: &mut [T],
        bias: &mut [T],
        _fan_in: usize,
        rng: &mut impl Rng,
    ) {
        match self {
            Self::StandardNormal => {
                for p in weight.iter_mut().chain(bias.iter_mut()) {
                    *p = standard_normal(rng);
                }
            }
        }
    }
}

/// One draw from N(0, 1), made in f64 so f32 and f64 networks built from the
/// same seed start from the same values (up to rounding).
fn standard_normal<T: Float>(rng: &mut impl Rng) -> T {
    let z: f64 = StandardNormal.sample(rng);
    T::from(z).unwrap_or_else(T::zero)
}
