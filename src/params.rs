//! Parameters: what training changes, visited as flat slices.

use num_traits::Float;
use rand::Rng;

use crate::Init;

/// A value made of trainable parameter tensors of scalar type `T`: a layer or
/// a whole network.
///
/// Gradients and optimizer state have exactly the shapes of the parameters, so
/// constnet stores them in a value of the same type: the gradient of a
/// `(Dense<784, 30>, Sigmoid)` is another `(Dense<784, 30>, Sigmoid)`. The
/// visitors hand out each parameter tensor as a flat slice, which is all an
/// optimizer needs: one optimizer serves every layer.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// type Net = (Dense<4, 3>, Sigmoid, Dense<3, 2>);
/// assert_eq!(Net::NUM_PARAMS, (4 * 3 + 3) + (3 * 2 + 2));
///
/// let mut net = Net::zeros();
/// net.visit_mut(&mut |p: &mut [f32]| p.fill(0.5));
/// let mut sum = 0.0;
/// net.visit(&mut |p: &[f32]| sum += p.iter().sum::<f32>());
/// assert_eq!(sum, 0.5 * Net::NUM_PARAMS as f32);
/// ```
pub trait Params<T: Float>: Clone {
    /// The number of scalar parameters.
    const NUM_PARAMS: usize;

    /// A value whose parameters are all zero (activations and other
    /// parameter-free layers take their default settings).
    #[must_use]
    fn zeros() -> Self;

    /// Calls `f` once per parameter tensor, as a flat slice, in a fixed order.
    fn visit(&self, f: &mut impl FnMut(&[T]));

    /// Calls `f` on the same parameter tensor of each of `items`, for every
    /// tensor in the order of [`visit`](Self::visit).
    ///
    /// This is how an optimizer walks parameters, gradients and its own state
    /// together: `Params::visit_n([params, grads, momentum], f)` hands `f`
    /// three slices of equal length at a time.
    fn visit_n<const N: usize>(items: [&mut Self; N], f: &mut impl FnMut([&mut [T]; N]));

    /// Calls `f` once per parameter tensor, mutably, in the order of
    /// [`visit`](Self::visit).
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        Self::visit_n([self], &mut |[p]| f(p));
    }

    /// Draws every parameter from `init`, using `rng` in the order of
    /// [`visit`](Self::visit); the same seed gives the same parameters.
    fn init(&mut self, init: Init, rng: &mut impl Rng);

    /// A value initialised by `init` from `rng`: shorthand for
    /// [`zeros`](Self::zeros) then [`init`](Self::init).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    ///
    /// let a = Dense::<3, 2>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(7));
    /// let b = Dense::<3, 2>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(7));
    /// assert_eq!(a.weight, b.weight);
    /// ```
    #[must_use]
    fn random(init: Init, rng: &mut impl Rng) -> Self {
        let mut value = Self::zeros();
        value.init(init, rng);
        value
    }

    /// Sets every parameter to zero.
    fn set_zero(&mut self) {
        self.visit_mut(&mut |p| p.fill(T::zero()));
    }
}
