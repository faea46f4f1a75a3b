//! Plain stochastic gradient descent.

use num_traits::Float;

use super::Optimizer;
use crate::{Params, kernel};

/// Stochastic gradient descent: `w ← w − η·∂C/∂w` for every parameter `w`.
///
/// # Generics
/// - `T`: the scalar type of the parameters.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let mut sgd = Sgd::new(3.0_f32); // the lecture's η
/// assert_eq!(sgd.learning_rate, 3.0);
/// let mut w = Dense::<1, 1> { weight: [[1.0]], bias: [1.0] };
/// let mut g = Dense::<1, 1> { weight: [[0.1]], bias: [0.0] };
/// sgd.step(&mut w, &mut g);
/// assert!((w.weight[0][0] - 0.7).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd<T> {
    /// The learning rate η.
    pub learning_rate: T,
}

impl<T> Sgd<T> {
    /// SGD with learning rate `learning_rate`.
    ///
    /// ```
    /// use constnet::optim::Sgd;
    /// assert_eq!(Sgd::new(0.1_f64).learning_rate, 0.1);
    /// ```
    #[must_use]
    pub const fn new(learning_rate: T) -> Self {
        Self { learning_rate }
    }
}

impl<T: Float, P: Params<T>> Optimizer<P> for Sgd<T> {
    type Scalar = T;

    fn step(&mut self, params: &mut P, grads: &mut P) {
        let rate = -self.learning_rate;
        P::visit_n([params, grads], &mut |[p, g]| kernel::axpy(rate, g, p));
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
