//! Plain stochastic gradient descent.

use super::{Momentum, Optimizer, SgdMomentum, add_weight_decay, cast};
use crate::{Params, Scalar, kernel};

/// Stochastic gradient descent: `w ← w − η·∂C/∂w` for every parameter `w`.
///
/// With L2 weight decay `λ` ([`with_weight_decay`](Self::with_weight_decay)):
/// `w ← w − η·(∂C/∂w + λ·w)`. Stateless; for momentum see
/// [`with_momentum`](Self::with_momentum).
///
/// Keras' `SGD()`: `learning_rate` 0.01 ([`Default`]), `momentum` 0,
/// `weight_decay` `None`.
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
#[non_exhaustive]
pub struct Sgd<T> {
    /// The learning rate η (Keras `learning_rate`).
    pub learning_rate: T,
    /// Coupled L2 weight decay λ: the update uses `g + λ·w`. `None` (the
    /// default) for none.
    pub weight_decay: Option<T>,
}

impl<T> Sgd<T> {
    /// SGD with learning rate `learning_rate` and no weight decay.
    ///
    /// ```
    /// use constnet::optim::Sgd;
    /// assert_eq!(Sgd::new(0.1_f64).learning_rate, 0.1);
    /// ```
    #[must_use]
    pub const fn new(learning_rate: T) -> Self {
        Self {
            learning_rate,
            weight_decay: None,
        }
    }

    /// The same optimizer with coupled L2 weight decay `λ = weight_decay`:
    /// `w ← w − η·(g + λ·w)`.
    ///
    /// ```
    /// use constnet::prelude::*;
    ///
    /// let mut sgd = Sgd::new(0.5_f64).with_weight_decay(0.1);
    /// let mut w = Dense::<1, 1, f64> { weight: [[2.0]], bias: [0.0] };
    /// let mut g = Dense::<1, 1, f64>::zeros();
    /// sgd.step(&mut w, &mut g);
    /// assert_eq!(w.weight, [[1.9]]); // 2 − 0.5·(0 + 0.1·2)
    /// ```
    #[must_use]
    pub fn with_weight_decay(self, weight_decay: T) -> Self {
        Self {
            weight_decay: Some(weight_decay),
            ..self
        }
    }

    /// Sets the learning rate η; the same as
    /// [`Optimizer::set_learning_rate`], which for `Sgd` (an optimizer of
    /// every network type) would need the network type named.
    ///
    /// ```
    /// use constnet::optim::schedule::{Schedule, StepDecay};
    /// use constnet::prelude::*;
    ///
    /// let mut sgd = Sgd::new(3.0_f32);
    /// let schedule = StepDecay { initial: 3.0, factor: 0.1, every: 10 };
    /// sgd.set_learning_rate(schedule.rate(11));
    /// assert!((sgd.learning_rate - 0.3).abs() < 1e-6);
    /// ```
    pub fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}

impl<T: Scalar> Sgd<T> {
    /// SGD with momentum `μ = momentum` of the given kind, keeping this
    /// learning rate and weight decay. The velocity starts at zero.
    ///
    /// ```
    /// use constnet::optim::{Momentum, SgdMomentum};
    /// use constnet::prelude::*;
    ///
    /// let opt: SgdMomentum<Dense<2, 1>> = Sgd::new(0.01).with_momentum(0.9, Momentum::Nesterov);
    /// assert_eq!((opt.learning_rate, opt.momentum, opt.kind), (0.01, 0.9, Momentum::Nesterov));
    /// ```
    #[must_use]
    pub fn with_momentum<P: Params<T>>(self, momentum: T, kind: Momentum) -> SgdMomentum<P, T> {
        let mut optimizer = SgdMomentum::new(self.learning_rate, momentum, kind);
        optimizer.weight_decay = self.weight_decay;
        optimizer
    }
}

/// Keras' default learning rate, 0.01, and no weight decay.
///
/// ```
/// use constnet::optim::Sgd;
/// let sgd = Sgd::<f64>::default();
/// assert_eq!((sgd.learning_rate, sgd.weight_decay), (0.01, None));
/// ```
impl<T: Scalar> Default for Sgd<T> {
    fn default() -> Self {
        Self::new(cast(0.01))
    }
}

impl<T: Scalar, P: Params<T>> Optimizer<P> for Sgd<T> {
    type Scalar = T;

    fn step(&mut self, params: &mut P, grads: &mut P) {
        match self.weight_decay {
            None => descend(params, grads, self.learning_rate),
            Some(decay) => {
                let rate = -self.learning_rate;
                P::visit_n([params, grads], &mut |[p, g]| {
                    add_weight_decay(Some(decay), p, g);
                    kernel::axpy(rate, g, p);
                });
            }
        }
    }

    /// `Some(η)` without weight decay: the step is then `w ← w − η·g` and
    /// nothing else.
    fn plain_rate(&self) -> Option<T> {
        self.weight_decay.is_none().then_some(self.learning_rate)
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}

/// One step of plain gradient descent, `w ← w − η·g` for every parameter
/// `w` of `params` and its gradient `g` in `grads` (`η = rate`): what
/// [`Sgd::step`](Optimizer::step) does without weight decay, and what
/// [`Layer::backward_params_sgd`](crate::Layer::backward_params_sgd) does by
/// default. Rounded as [`kernel::axpy`] rounds (once per parameter with the
/// AVX2 kernels), so every caller gets the same bits.
pub(crate) fn descend<T: Scalar, P: Params<T>>(params: &mut P, grads: &mut P, rate: T) {
    let alpha = -rate;
    P::visit_n([params, grads], &mut |[p, g]| kernel::axpy(alpha, g, p));
}
