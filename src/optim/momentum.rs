//! Stochastic gradient descent with classic or Nesterov momentum.

use super::{Optimizer, add_weight_decay};
use crate::{Params, Scalar};

/// The kind of momentum of [`SgdMomentum`].
///
/// # Examples
/// ```
/// use constnet::optim::{Momentum, Sgd, SgdMomentum};
/// use constnet::prelude::*;
///
/// let classic: SgdMomentum<Dense<2, 1>> = Sgd::new(0.01).with_momentum(0.9, Momentum::Classic);
/// assert_eq!(classic.kind, Momentum::default());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Momentum {
    /// Heavy-ball momentum: `v ← μ·v − η·g; w ← w + v` (Keras
    /// `nesterov=False`).
    #[default]
    Classic,
    /// Nesterov momentum: `v ← μ·v − η·g; w ← w + μ·v − η·g`, the step looks
    /// ahead along the new velocity (Keras `nesterov=True`).
    Nesterov,
}

/// Stochastic gradient descent with momentum, Keras' `SGD(momentum,
/// nesterov)`.
///
/// For every parameter `w` with gradient `g`, velocity `v` (starting at 0),
/// learning rate `η` and momentum `μ`:
/// - [`Momentum::Classic`]: `v ← μ·v − η·g; w ← w + v`
/// - [`Momentum::Nesterov`]: `v ← μ·v − η·g; w ← w + μ·v − η·g` (with the
///   new `v`)
///
/// With L2 weight decay `λ` (`weight_decay`), `g` is replaced by `g + λ·w`
/// (`w` before the step). PyTorch's `SGD(momentum, nesterov)` keeps `v/(−η)`
/// instead of `v`: the same steps while `η` is constant.
///
/// The velocity is a value of the parameters' type `P`. Build with
/// [`new`](Self::new) or [`Sgd::with_momentum`](super::Sgd::with_momentum);
/// Keras' default momentum is 0, which is plain [`Sgd`](super::Sgd).
///
/// # Generics
/// - `P`: the parameters ([`Params`]): a layer or a whole network.
/// - `T`: their scalar type, `f32` by default.
///
/// # Examples
/// ```
/// use constnet::optim::{Momentum, Sgd};
/// use constnet::prelude::*;
///
/// let mut opt = Sgd::new(0.1_f64).with_momentum(0.5, Momentum::Classic);
/// let mut w = Dense::<1, 1, f64> { weight: [[1.0]], bias: [0.0] };
/// // The same gradient twice: v = −0.1·2 = −0.2, then v = 0.5·(−0.2) − 0.2 = −0.3.
/// opt.step(&mut w, &mut Dense { weight: [[2.0]], bias: [0.0] });
/// opt.step(&mut w, &mut Dense { weight: [[2.0]], bias: [0.0] });
/// assert!((w.weight[0][0] - (1.0 - 0.2 - 0.3)).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SgdMomentum<P, T = f32> {
    /// The learning rate η (Keras `learning_rate`).
    pub learning_rate: T,
    /// The momentum μ, usually in `[0, 1)` (Keras `momentum`).
    pub momentum: T,
    /// Classic or Nesterov (Keras `nesterov`).
    pub kind: Momentum,
    /// Coupled L2 weight decay λ: the update uses `g + λ·w`. `None` (the
    /// default) for none.
    pub weight_decay: Option<T>,
    velocity: P,
}

impl<P: Params<T>, T: Scalar> SgdMomentum<P, T> {
    /// SGD with learning rate `learning_rate`, momentum `μ = momentum` of the
    /// given kind, zero velocity and no weight decay.
    ///
    /// ```
    /// use constnet::optim::{Momentum, SgdMomentum};
    /// use constnet::prelude::*;
    ///
    /// let opt = SgdMomentum::<Dense<2, 1, f64>, f64>::new(0.01, 0.9, Momentum::Classic);
    /// assert_eq!(*opt.velocity(), Dense::zeros());
    /// ```
    #[must_use]
    pub fn new(learning_rate: T, momentum: T, kind: Momentum) -> Self {
        Self {
            learning_rate,
            momentum,
            kind,
            weight_decay: None,
            velocity: P::zeros(),
        }
    }

    /// The same optimizer with coupled L2 weight decay `λ = weight_decay`:
    /// the update uses `g + λ·w`.
    ///
    /// ```
    /// use constnet::optim::{Momentum, Sgd};
    /// use constnet::prelude::*;
    ///
    /// let mut opt = Sgd::new(0.5_f64).with_momentum(0.9, Momentum::Classic).with_weight_decay(0.1);
    /// let mut w = Dense::<1, 1, f64> { weight: [[2.0]], bias: [0.0] };
    /// opt.step(&mut w, &mut Dense::zeros());
    /// assert!((w.weight[0][0] - 1.9).abs() < 1e-12); // v = −0.5·(0 + 0.1·2)
    /// ```
    #[must_use]
    pub fn with_weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = Some(weight_decay);
        self
    }

    /// The velocity `v`, one value per parameter.
    ///
    /// ```
    /// use constnet::optim::{Momentum, Sgd};
    /// use constnet::prelude::*;
    ///
    /// let mut opt = Sgd::new(0.5_f64).with_momentum(0.9, Momentum::Classic);
    /// let mut w = Dense::<1, 1, f64>::zeros();
    /// opt.step(&mut w, &mut Dense { weight: [[1.0]], bias: [2.0] });
    /// assert_eq!(*opt.velocity(), Dense { weight: [[-0.5]], bias: [-1.0] });
    /// ```
    #[must_use]
    pub fn velocity(&self) -> &P {
        &self.velocity
    }

    /// Forgets the velocity, as if no step had been taken.
    ///
    /// ```
    /// use constnet::optim::{Momentum, Sgd};
    /// use constnet::prelude::*;
    ///
    /// let mut opt = Sgd::new(0.5_f64).with_momentum(0.9, Momentum::Classic);
    /// opt.step(&mut Dense::<1, 1, f64>::zeros(), &mut Dense { weight: [[1.0]], bias: [2.0] });
    /// opt.reset();
    /// assert_eq!(*opt.velocity(), Dense::zeros());
    /// ```
    pub fn reset(&mut self) {
        self.velocity.set_zero();
    }
}

impl<P: Params<T>, T: Scalar> Optimizer<P> for SgdMomentum<P, T> {
    type Scalar = T;

    fn step(&mut self, params: &mut P, grads: &mut P) {
        let (rate, mu, decay) = (self.learning_rate, self.momentum, self.weight_decay);
        match self.kind {
            Momentum::Classic => {
                P::visit_n([params, grads, &mut self.velocity], &mut |[p, g, v]| {
                    add_weight_decay(decay, p, g);
                    for ((w, &g), v) in p.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
                        *v = mu * *v - rate * g;
                        *w = *w + *v;
                    }
                });
            }
            Momentum::Nesterov => {
                P::visit_n([params, grads, &mut self.velocity], &mut |[p, g, v]| {
                    add_weight_decay(decay, p, g);
                    for ((w, &g), v) in p.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
                        *v = mu * *v - rate * g;
                        *w = *w + (mu * *v - rate * g);
                    }
                });
            }
        }
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
