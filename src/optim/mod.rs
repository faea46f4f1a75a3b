//! Optimizers: how parameters move given their gradients.

mod sgd;

pub use sgd::Sgd;

/// Updates parameters `P` from their gradients (a value of the same type, see
/// [`Params`](crate::Params)).
///
/// An optimizer walks parameters and gradients as flat slices with
/// [`Params::visit_n`](crate::Params::visit_n), so one optimizer serves every
/// layer and network. A step never allocates; optimizers that keep state keep
/// it in values of type `P` too.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let mut layer = Dense::<1, 1, f64> { weight: [[1.0]], bias: [0.0] };
/// let mut grads = Dense::<1, 1, f64> { weight: [[2.0]], bias: [-1.0] };
/// Sgd::new(0.5).step(&mut layer, &mut grads);
/// assert_eq!((layer.weight, layer.bias), ([[0.0]], [0.5]));
/// ```
pub trait Optimizer<P> {
    /// The scalar type of the learning rate and the parameters.
    type Scalar: num_traits::Float;

    /// One update of `params` given `grads` = ∂C/∂params. `grads` is mutable
    /// so optimizers may transform it in place; callers treat it as consumed.
    fn step(&mut self, params: &mut P, grads: &mut P);

    /// The current learning rate η.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let sgd = Sgd::new(0.5_f32);
    /// assert_eq!(Optimizer::<Dense<1, 1>>::learning_rate(&sgd), 0.5);
    /// ```
    #[must_use]
    fn learning_rate(&self) -> Self::Scalar;

    /// Sets the learning rate η, e.g. from a schedule between epochs.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut sgd = Sgd::new(0.5_f32);
    /// Optimizer::<Dense<1, 1>>::set_learning_rate(&mut sgd, 0.1);
    /// assert_eq!(sgd.learning_rate, 0.1);
    /// ```
    fn set_learning_rate(&mut self, learning_rate: Self::Scalar);
}
