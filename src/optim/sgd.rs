//! Stochastic gradient descent, plain or with classic or Nesterov momentum.

use super::{Optimizer, add_weight_decay, cast, checked, slots};
use crate::{Params, Scalar, kernel};

/// The kind of momentum of [`Sgd`].
///
/// # Examples
/// ```
/// use constnet::optim::{Momentum, Sgd};
///
/// let classic = Sgd::new(0.01_f32).with_momentum(0.9, Momentum::Classic);
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

/// Stochastic gradient descent, Keras' `SGD(learning_rate, momentum,
/// nesterov, weight_decay)`.
///
/// For every parameter `w` with gradient `g`, learning rate `η`:
/// - momentum `μ = 0` (the default): `w ← w − η·g`, no state;
/// - [`Momentum::Classic`]: `v ← μ·v − η·g; w ← w + v`, with a velocity `v`
///   (one state value, starting at 0);
/// - [`Momentum::Nesterov`]: `v ← μ·v − η·g; w ← w + μ·v − η·g` (with the
///   new `v`).
///
/// With L2 weight decay `λ` ([`with_weight_decay`](Self::with_weight_decay)),
/// `g` is replaced by `g + λ·w` (`w` before the step). PyTorch's
/// `SGD(momentum, nesterov)` keeps `v/(−η)` instead of `v`: the same steps
/// while `η` is constant.
///
/// Keras' defaults ([`Default`]): `learning_rate` 0.01, `momentum` 0,
/// `weight_decay` `None`.
///
/// # Generics
/// - `T`: the scalar type of the parameters.
///
/// # Examples
/// ```
/// use constnet::optim::Momentum;
/// use constnet::prelude::*;
///
/// let mut sgd = Sgd::new(3.0_f32); // the lecture's η
/// let mut w = Dense::<1, 1> { weight: [[1.0]], bias: [1.0] };
/// assert!(sgd.step(&mut w, &mut Dense { weight: [[0.1]], bias: [0.0] }, &mut []));
/// assert!((w.weight[0][0] - 0.7).abs() < 1e-6);
///
/// // With momentum: the same gradient twice, v = −0.1·2 = −0.2, then
/// // v = 0.5·(−0.2) − 0.2 = −0.3.
/// let mut opt = Sgd::new(0.1_f64).with_momentum(0.5, Momentum::Classic);
/// let mut w = Dense::<1, 1, f64> { weight: [[1.0]], bias: [0.0] };
/// let mut velocity = [Dense::zeros()];
/// opt.step(&mut w, &mut Dense { weight: [[2.0]], bias: [0.0] }, &mut velocity);
/// opt.step(&mut w, &mut Dense { weight: [[2.0]], bias: [0.0] }, &mut velocity);
/// assert!((w.weight[0][0] - (1.0 - 0.2 - 0.3)).abs() < 1e-12);
/// assert!((velocity[0].weight[0][0] + 0.3).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Sgd<T = f32> {
    /// The learning rate η (Keras `learning_rate`).
    pub learning_rate: T,
    /// The momentum μ, usually in `[0, 1)` (Keras `momentum`); 0 for none.
    pub momentum: T,
    /// Classic or Nesterov (Keras `nesterov`), when `momentum` is not 0.
    pub kind: Momentum,
    /// Coupled L2 weight decay λ: the update uses `g + λ·w`. `None` (the
    /// default) for none.
    pub weight_decay: Option<T>,
}

impl<T: Scalar> Sgd<T> {
    /// SGD with learning rate `learning_rate`, no momentum and no weight
    /// decay.
    ///
    /// ```
    /// use constnet::optim::Sgd;
    /// assert_eq!(Sgd::new(0.1_f64).learning_rate, 0.1);
    /// ```
    #[must_use]
    pub fn new(learning_rate: T) -> Self {
        Self {
            learning_rate,
            momentum: T::zero(),
            kind: Momentum::Classic,
            weight_decay: None,
        }
    }

    /// The same optimizer with momentum `μ = momentum` of the given kind.
    ///
    /// ```
    /// use constnet::optim::{Momentum, Sgd};
    /// use constnet::prelude::*;
    ///
    /// let opt = Sgd::new(0.01_f32).with_momentum(0.9, Momentum::Nesterov);
    /// assert_eq!((opt.momentum, opt.kind, opt.slots()), (0.9, Momentum::Nesterov, 1));
    /// ```
    #[must_use]
    pub fn with_momentum(self, momentum: T, kind: Momentum) -> Self {
        Self {
            momentum,
            kind,
            ..self
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
    /// sgd.step(&mut w, &mut Dense::zeros(), &mut []);
    /// assert_eq!(w.weight, [[1.9]]); // 2 − 0.5·(0 + 0.1·2)
    /// ```
    #[must_use]
    pub fn with_weight_decay(self, weight_decay: T) -> Self {
        Self {
            weight_decay: Some(weight_decay),
            ..self
        }
    }
}

/// Keras' default learning rate, 0.01, no momentum and no weight decay.
///
/// ```
/// use constnet::optim::Sgd;
/// let sgd = Sgd::<f64>::default();
/// assert_eq!((sgd.learning_rate, sgd.momentum, sgd.weight_decay), (0.01, 0.0, None));
/// ```
impl<T: Scalar> Default for Sgd<T> {
    fn default() -> Self {
        Self::new(cast(0.01))
    }
}

impl<T: Scalar> Optimizer<T> for Sgd<T> {
    /// 0 without momentum, 1 (the velocity) with.
    fn slots(&self) -> usize {
        usize::from(self.momentum != T::zero())
    }

    fn step<P: Params<T>>(&mut self, params: &mut P, grads: &mut P, state: &mut [P]) -> bool {
        let (rate, mu, decay) = (self.learning_rate, self.momentum, self.weight_decay);
        if mu == T::zero() {
            // Every update checked before any is made: a pass that only
            // reads, cheaper than one that also stores an undo copy.
            let alpha = -rate;
            return checked(
                [params, grads],
                |[p, g]| {
                    add_weight_decay(decay, p, g);
                    kernel::axpy_finite(alpha, g, p)
                },
                |[p, g]| kernel::axpy(alpha, g, p),
            );
        }
        let [velocity] = slots(state, "Sgd with momentum");
        let nesterov = self.kind == Momentum::Nesterov;
        let step = move |w: T, g: T, v: T| {
            let v = mu * v - rate * g;
            (w + if nesterov { mu * v - rate * g } else { v }, v)
        };
        checked(
            [params, grads, velocity],
            |[p, g, v]| {
                add_weight_decay(decay, p, g);
                let new = p.iter().zip(g.iter()).zip(v.iter());
                new.fold(true, |ok, ((&w, &g), &v)| {
                    let (w, v) = step(w, g, v);
                    ok & w.is_finite() & v.is_finite()
                })
            },
            |[p, g, v]| {
                for ((w, &g), v) in p.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
                    (*w, *v) = step(*w, g, *v);
                }
            },
        )
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
