//! RMSprop: gradients divided by a running root mean square.

use super::{Optimizer, add_weight_decay, cast, checked, slots};
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
/// # State
/// Values shaped like the parameters: the mean square `s`, then, with
/// momentum, the momentum buffer `u`.
///
/// # Generics
/// - `T`: the scalar type of the parameters, `f32` by default.
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
/// opt.step(&mut w, &mut g, &mut [Dense::zeros()]);
/// // s = 0.1·100 = 10; w = 10 − 0.1·10/(√10 + 1e-7) ≈ 9.683772.
/// assert!((w.weight[0][0] - 9.683772).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct RmsProp<T = f32> {
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
}

impl<T: Scalar> RmsProp<T> {
    /// RMSprop with learning rate `learning_rate` and Keras' defaults for the
    /// rest: ρ = 0.9, μ = 0, ε = 1e-7, no weight decay.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// let opt = RmsProp::new(0.01_f32);
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
        }
    }

    /// The same optimizer with discount `ρ = rho`.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// assert_eq!(RmsProp::<f32>::default().with_rho(0.99).rho, 0.99);
    /// ```
    #[must_use]
    pub fn with_rho(self, rho: T) -> Self {
        Self { rho, ..self }
    }

    /// The same optimizer with momentum `μ = momentum`:
    /// `u ← μ·u + η·g/(√s + ε); w ← w − u`.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// use constnet::prelude::*;
    /// let opt = RmsProp::<f32>::default().with_momentum(0.9);
    /// assert_eq!((opt.momentum, opt.slots()), (0.9, 2));
    /// ```
    #[must_use]
    pub fn with_momentum(self, momentum: T) -> Self {
        Self { momentum, ..self }
    }

    /// The same optimizer with `ε = epsilon`.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// assert_eq!(RmsProp::<f64>::default().with_epsilon(1e-8).epsilon, 1e-8);
    /// ```
    #[must_use]
    pub fn with_epsilon(self, epsilon: T) -> Self {
        Self { epsilon, ..self }
    }

    /// The same optimizer with coupled L2 weight decay `λ = weight_decay`:
    /// the update uses `g + λ·w`.
    ///
    /// ```
    /// use constnet::optim::RmsProp;
    /// assert_eq!(RmsProp::<f32>::default().with_weight_decay(1e-4).weight_decay, Some(1e-4));
    /// ```
    #[must_use]
    pub fn with_weight_decay(self, weight_decay: T) -> Self {
        Self {
            weight_decay: Some(weight_decay),
            ..self
        }
    }
}

/// Keras' defaults: learning rate 0.001, ρ = 0.9, μ = 0, ε = 1e-7.
///
/// ```
/// use constnet::optim::RmsProp;
/// assert_eq!(RmsProp::<f64>::default().learning_rate, 1e-3);
/// ```
impl<T: Scalar> Default for RmsProp<T> {
    fn default() -> Self {
        Self::new(cast(1e-3))
    }
}

impl<T: Scalar> Optimizer<T> for RmsProp<T> {
    /// 1 (the mean square), 2 with momentum (and the momentum buffer).
    fn slots(&self) -> usize {
        if self.momentum == T::zero() { 1 } else { 2 }
    }

    fn step<P: Params<T>>(&mut self, params: &mut P, grads: &mut P, state: &mut [P]) -> bool {
        let (rate, rho, mu, eps) = (self.learning_rate, self.rho, self.momentum, self.epsilon);
        let one_minus_rho = T::one() - rho;
        let decay = self.weight_decay;
        // The new mean square, and the step it scales.
        let scaled = move |g: T, s: T| {
            let s = rho * s + one_minus_rho * g * g;
            (rate * g / (s.sqrt() + eps), s)
        };
        if mu == T::zero() {
            let [mean_square] = slots(state, "RmsProp");
            checked(
                [params, grads, mean_square],
                |[p, g, s]| {
                    add_weight_decay(decay, p, g);
                    let new = p.iter().zip(g.iter()).zip(s.iter());
                    new.fold(true, |ok, ((&w, &g), &s)| {
                        let (step, s) = scaled(g, s);
                        ok & (w - step).is_finite() & s.is_finite()
                    })
                },
                |[p, g, s]| {
                    for ((w, &g), s) in p.iter_mut().zip(g.iter()).zip(s.iter_mut()) {
                        let step;
                        (step, *s) = scaled(g, *s);
                        *w = *w - step;
                    }
                },
            )
        } else {
            let [mean_square, momentum] = slots(state, "RmsProp with momentum");
            checked(
                [params, grads, mean_square, momentum],
                |[p, g, s, u]| {
                    add_weight_decay(decay, p, g);
                    let state = s.iter().zip(u.iter());
                    p.iter()
                        .zip(g.iter())
                        .zip(state)
                        .fold(true, |ok, ((&w, &g), (&s, &u))| {
                            let (step, s) = scaled(g, s);
                            let u = mu * u + step;
                            ok & (w - u).is_finite() & s.is_finite() & u.is_finite()
                        })
                },
                |[p, g, s, u]| {
                    let state = s.iter_mut().zip(u.iter_mut());
                    for ((w, &g), (s, u)) in p.iter_mut().zip(g.iter()).zip(state) {
                        let step;
                        (step, *s) = scaled(g, *s);
                        *u = mu * *u + step;
                        *w = *w - *u;
                    }
                },
            )
        }
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
