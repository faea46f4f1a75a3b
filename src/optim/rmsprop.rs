//! RMSprop: gradients divided by a running root mean square.

use super::{Optimizer, add_weight_decay, cast};
use crate::{Params, Scalar};

/// RMSprop (Hinton, 2012), Keras' `RMSprop()`: each parameter's step is its
/// gradient divided by the root of a moving average of its squares.
///
/// For every parameter `w` with gradient `g`, mean square `s` and momentum
/// buffer `u` (both starting at 0), learning rate `η`, discount `ρ`,
/// momentum `μ` and `ε`:
///
/// ```text
/// s ← ρ·s + (1 − ρ)·g²
/// u ← μ·u + η·g/(√s + ε)
/// w ← w − u
/// ```
///
/// With `μ = 0` (the default) that is `w ← w − η·g/(√s + ε)`. `ε` is added
/// to `√s`, as in tf.keras 2 (momentum 0) and PyTorch; Keras 3 adds it under
/// the root, `√(s + ε)`, which differs only while `s` is of the order of `ε`.
/// With L2 weight decay `λ` (`weight_decay`), `g` is replaced by `g + λ·w`.
///
/// Keras defaults ([`Default`], [`new`](Self::new)): `learning_rate` 0.001,
/// `rho` 0.9, `momentum` 0, `epsilon` 1e-7, `weight_decay` `None` (not
/// centered; the centered variant is not implemented).
///
/// # Generics
/// - `P`: the parameters ([`Params`]): a layer or a whole network. The mean
///   square and the momentum buffer are values of type `P`.
/// - `T`: their scalar type, `f32` by default.
///
/// # Examples
/// Keras' documented example: `w = 10`, loss `w²/2`, one step with η = 0.1.
/// ```
/// use constnet::optim::RmsProp;
/// use constnet::prelude::*;
///
/// let mut opt = RmsProp::new(0.1_f64);
/// let mut w = Dense::<1, 1, f64> { weight: [[10.0]], bias: [0.0] };
/// let mut g = Dense::<1, 1, f64> { weight: [[10.0]], bias: [0.0] };
/// opt.step(&mut w, &mut g);
/// // s = 0.1·100 = 10; w = 10 − 0.1·10/(√10 + 1e-7) ≈ 9.683772.
/// assert!((w.weight[0][0] - 9.683772).abs() < 1e-6);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RmsProp<P, T = f32> {
    /// The learning rate η (Keras `learning_rate`).
    pub learning_rate: T,
    /// The discount ρ of the mean square, in `[0, 1)` (Keras `rho`).
    pub rho: T,
    /// The momentum μ (Keras `momentum`); 0 for none.
    pub momentum: T,
    /// `ε`, added to `√s` (Keras `epsilon`).
    pub epsilon: T,
    /// Coupled L2 weight decay λ: the update uses `g + λ·w`. `None` (the
    /// default) for none.
    pub weight_decay: Option<T>,
    mean_square: P,
    momentum_buffer: P,
}

impl<P: Params<T>, T: Scalar> RmsProp<P, T> {
    /// RMSprop with learning rate `learning_rate` and Keras' defaults for the
    /// rest: ρ = 0.9, μ = 0, ε = 1e-7, no weight decay.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// use constnet::prelude::*;
    ///
    /// let opt: RmsProp<Dense<2, 1>> = RmsProp::new(0.01);
    /// assert_eq!((opt.learning_rate, opt.rho, opt.momentum, opt.epsilon), (0.01, 0.9, 0.0, 1e-7));
    /// ```
    #[must_use]
    pub fn new(learning_rate: T) -> Self {
        Self {
            learning_rate,
            rho: cast(0.9),
            momentum: T::zero(),
            epsilon: cast(1e-7),
            weight_decay: None,
            mean_square: P::zeros(),
            momentum_buffer: P::zeros(),
        }
    }

    /// The same optimizer with discount `ρ = rho`.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// use constnet::prelude::*;
    /// let opt: RmsProp<Dense<2, 1>> = RmsProp::default().with_rho(0.99);
    /// assert_eq!(opt.rho, 0.99);
    /// ```
    #[must_use]
    pub fn with_rho(mut self, rho: T) -> Self {
        self.rho = rho;
        self
    }

    /// The same optimizer with momentum `μ = momentum`:
    /// `u ← μ·u + η·g/(√s + ε); w ← w − u`.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// use constnet::prelude::*;
    /// let opt: RmsProp<Dense<2, 1>> = RmsProp::default().with_momentum(0.9);
    /// assert_eq!(opt.momentum, 0.9);
    /// ```
    #[must_use]
    pub fn with_momentum(mut self, momentum: T) -> Self {
        self.momentum = momentum;
        self
    }

    /// The same optimizer with `ε = epsilon`.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// use constnet::prelude::*;
    /// let opt: RmsProp<Dense<2, 1>> = RmsProp::default().with_epsilon(1e-8);
    /// assert_eq!(opt.epsilon, 1e-8);
    /// ```
    #[must_use]
    pub fn with_epsilon(mut self, epsilon: T) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// The same optimizer with coupled L2 weight decay `λ = weight_decay`:
    /// the update uses `g + λ·w`.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// use constnet::prelude::*;
    /// let opt: RmsProp<Dense<2, 1>> = RmsProp::default().with_weight_decay(1e-4);
    /// assert_eq!(opt.weight_decay, Some(1e-4));
    /// ```
    #[must_use]
    pub fn with_weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = Some(weight_decay);
        self
    }

    /// The moving average `s` of squared gradients, one value per parameter.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// use constnet::prelude::*;
    ///
    /// let mut opt = RmsProp::new(0.1_f64);
    /// opt.step(&mut Dense::<1, 1, f64>::zeros(), &mut Dense { weight: [[2.0]], bias: [0.0] });
    /// assert!((opt.mean_square().weight[0][0] - 0.4).abs() < 1e-15); // (1 − 0.9)·2²
    /// ```
    #[must_use]
    pub fn mean_square(&self) -> &P {
        &self.mean_square
    }

    /// Forgets the mean square and momentum, as if no step had been taken.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// use constnet::prelude::*;
    ///
    /// let mut opt = RmsProp::new(0.1_f64);
    /// opt.step(&mut Dense::<1, 1, f64>::zeros(), &mut Dense { weight: [[2.0]], bias: [0.0] });
    /// opt.reset();
    /// assert_eq!(*opt.mean_square(), Dense::zeros());
    /// ```
    pub fn reset(&mut self) {
        self.mean_square.set_zero();
        self.momentum_buffer.set_zero();
    }
}

/// Keras' defaults: learning rate 0.001, ρ = 0.9, μ = 0, ε = 1e-7.
///
/// ```
/// use constnet::optim::RmsProp;
/// use constnet::prelude::*;
/// let opt: RmsProp<Dense<2, 1, f64>, f64> = RmsProp::default();
/// assert_eq!(opt.learning_rate, 1e-3);
/// ```
impl<P: Params<T>, T: Scalar> Default for RmsProp<P, T> {
    fn default() -> Self {
        Self::new(cast(1e-3))
    }
}

impl<P: Params<T>, T: Scalar> Optimizer<P> for RmsProp<P, T> {
    type Scalar = T;

    fn step(&mut self, params: &mut P, grads: &mut P) {
        let (rate, rho, mu, eps) = (self.learning_rate, self.rho, self.momentum, self.epsilon);
        let one_minus_rho = T::one() - rho;
        let decay = self.weight_decay;
        if mu == T::zero() {
            P::visit_n([params, grads, &mut self.mean_square], &mut |[p, g, s]| {
                add_weight_decay(decay, p, g);
                for ((w, &g), s) in p.iter_mut().zip(g.iter()).zip(s.iter_mut()) {
                    *s = rho * *s + one_minus_rho * g * g;
                    *w = *w - rate * g / (s.sqrt() + eps);
                }
            });
        } else {
            P::visit_n(
                [
                    params,
                    grads,
                    &mut self.mean_square,
                    &mut self.momentum_buffer,
                ],
                &mut |[p, g, s, u]| {
                    add_weight_decay(decay, p, g);
                    let state = s.iter_mut().zip(u.iter_mut());
                    for ((w, &g), (s, u)) in p.iter_mut().zip(g.iter()).zip(state) {
                        *s = rho * *s + one_minus_rho * g * g;
                        *u = mu * *u + rate * g / (s.sqrt() + eps);
                        *w = *w - *u;
                    }
                },
            );
        }
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
