//! AdamW: Adam with decoupled weight decay.

use super::adam::{Hyper, Moments};
use super::{Optimizer, cast};
use crate::{Params, Scalar};

/// AdamW (Loshchilov & Hutter, 2019), Keras' `AdamW()`: [`Adam`](super::Adam)
/// plus weight decay applied to the parameters, not to the gradient.
///
/// For every parameter `w` with gradient `g`, at step `t = 1, 2, …`, with
/// weight decay `λ`:
///
/// ```text
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// α = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ)
/// w ← w − η·λ·w − α·m/(√v + ε)
/// ```
///
/// The Adam part is exactly [`Adam`](super::Adam)'s (Keras' form: `ε` added to
/// `√v`). The decay is scaled by the learning rate, as in Keras and PyTorch,
/// so a [`Schedule`](super::Schedule) scales both. Unlike L2 decay it does not
/// pass through the moments, so every weight shrinks by the same factor
/// `1 − η·λ` per step.
///
/// Keras defaults ([`Default`], [`new`](Self::new)): `learning_rate` 0.001,
/// `weight_decay` 0.004, `beta_1` 0.9, `beta_2` 0.999, `epsilon` 1e-7.
///
/// # Generics
/// - `P`: the parameters ([`Params`]): a layer or a whole network. `m` and
///   `v` are values of type `P`.
/// - `T`: their scalar type, `f32` by default.
///
/// # Examples
/// With a zero gradient only the decay acts:
/// ```
/// use constnet::optim::AdamW;
/// use constnet::prelude::*;
///
/// let mut opt = AdamW::new(0.5_f64).with_weight_decay(0.1);
/// let mut w = Dense::<1, 1, f64> { weight: [[2.0]], bias: [-4.0] };
/// opt.step(&mut w, &mut Dense::zeros());
/// assert_eq!((w.weight, w.bias), ([[1.9]], [-3.8])); // w·(1 − 0.5·0.1)
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AdamW<P, T = f32> {
    /// The learning rate η (Keras `learning_rate`).
    pub learning_rate: T,
    /// The decoupled weight decay λ: `w ← w − η·λ·w` (Keras `weight_decay`).
    pub weight_decay: T,
    /// The decay β₁ of the first moment, in `[0, 1)` (Keras `beta_1`).
    pub beta_1: T,
    /// The decay β₂ of the second moment, in `[0, 1)` (Keras `beta_2`).
    pub beta_2: T,
    /// `ε`, added to `√v` (Keras `epsilon`).
    pub epsilon: T,
    moments: Moments<P>,
}

impl<P: Params<T>, T: Scalar> AdamW<P, T> {
    /// AdamW with learning rate `learning_rate` and Keras' defaults for the
    /// rest: λ = 0.004, β₁ = 0.9, β₂ = 0.999, ε = 1e-7.
    ///
    /// ```
    /// use constnet::optim::AdamW;
    /// use constnet::prelude::*;
    ///
    /// let opt: AdamW<Dense<2, 1>> = AdamW::new(0.01);
    /// assert_eq!((opt.learning_rate, opt.weight_decay), (0.01, 0.004));
    /// ```
    #[must_use]
    pub fn new(learning_rate: T) -> Self {
        Self {
            learning_rate,
            weight_decay: cast(0.004),
            beta_1: cast(0.9),
            beta_2: cast(0.999),
            epsilon: cast(1e-7),
            moments: Moments::new(),
        }
    }

    /// The same optimizer with decoupled weight decay `λ = weight_decay`.
    ///
    /// ```
    /// use constnet::optim::AdamW;
    /// use constnet::prelude::*;
    /// let opt: AdamW<Dense<2, 1>> = AdamW::default().with_weight_decay(0.01);
    /// assert_eq!(opt.weight_decay, 0.01);
    /// ```
    #[must_use]
    pub fn with_weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// The same optimizer with decays `β₁ = beta_1` and `β₂ = beta_2`.
    ///
    /// ```
    /// use constnet::optim::AdamW;
    /// use constnet::prelude::*;
    /// let opt: AdamW<Dense<2, 1>> = AdamW::default().with_betas(0.8, 0.99);
    /// assert_eq!((opt.beta_1, opt.beta_2), (0.8, 0.99));
    /// ```
    #[must_use]
    pub fn with_betas(mut self, beta_1: T, beta_2: T) -> Self {
        self.beta_1 = beta_1;
        self.beta_2 = beta_2;
        self
    }

    /// The same optimizer with `ε = epsilon`.
    ///
    /// ```
    /// use constnet::optim::AdamW;
    /// use constnet::prelude::*;
    /// let opt: AdamW<Dense<2, 1>> = AdamW::default().with_epsilon(1e-8);
    /// assert_eq!(opt.epsilon, 1e-8);
    /// ```
    #[must_use]
    pub fn with_epsilon(mut self, epsilon: T) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// The number of steps taken, `t`.
    ///
    /// ```
    /// use constnet::optim::AdamW;
    /// use constnet::prelude::*;
    ///
    /// let mut opt: AdamW<Dense<2, 1>> = AdamW::default();
    /// opt.step(&mut Dense::zeros(), &mut Dense::zeros());
    /// assert_eq!(opt.steps(), 1);
    /// ```
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.moments.steps
    }

    /// The first moment estimate `m` (not bias-corrected), one value per
    /// parameter.
    ///
    /// ```
    /// use constnet::optim::AdamW;
    /// use constnet::prelude::*;
    ///
    /// let mut opt = AdamW::new(0.01_f64);
    /// opt.step(&mut Dense::<1, 1, f64>::zeros(), &mut Dense { weight: [[2.0]], bias: [0.0] });
    /// assert!((opt.first_moment().weight[0][0] - 0.2).abs() < 1e-15); // (1 − 0.9)·2
    /// ```
    #[must_use]
    pub fn first_moment(&self) -> &P {
        &self.moments.m
    }

    /// The second moment estimate `v` (not bias-corrected), one value per
    /// parameter.
    ///
    /// ```
    /// use constnet::optim::AdamW;
    /// use constnet::prelude::*;
    ///
    /// let mut opt = AdamW::new(0.01_f64);
    /// opt.step(&mut Dense::<1, 1, f64>::zeros(), &mut Dense { weight: [[2.0]], bias: [0.0] });
    /// assert!((opt.second_moment().weight[0][0] - 0.004).abs() < 1e-15); // (1 − 0.999)·2²
    /// ```
    #[must_use]
    pub fn second_moment(&self) -> &P {
        &self.moments.v
    }

    /// Forgets the moments and the step count, as if no step had been taken.
    ///
    /// ```
    /// use constnet::optim::AdamW;
    /// use constnet::prelude::*;
    ///
    /// let mut opt = AdamW::new(0.01_f64);
    /// opt.step(&mut Dense::<1, 1, f64>::zeros(), &mut Dense { weight: [[2.0]], bias: [0.0] });
    /// opt.reset();
    /// assert_eq!((opt.steps(), opt.second_moment()), (0, &Dense::zeros()));
    /// ```
    pub fn reset(&mut self) {
        self.moments.reset();
    }
}

/// Keras' defaults: learning rate 0.001, λ = 0.004, β₁ = 0.9, β₂ = 0.999,
/// ε = 1e-7.
///
/// ```
/// use constnet::optim::AdamW;
/// use constnet::prelude::*;
/// let opt: AdamW<Dense<2, 1, f64>, f64> = AdamW::default();
/// assert_eq!((opt.learning_rate, opt.weight_decay), (1e-3, 0.004));
/// ```
impl<P: Params<T>, T: Scalar> Default for AdamW<P, T> {
    fn default() -> Self {
        Self::new(cast(1e-3))
    }
}

impl<P: Params<T>, T: Scalar> Optimizer<P> for AdamW<P, T> {
    type Scalar = T;

    fn step(&mut self, params: &mut P, grads: &mut P) {
        let hyper = Hyper {
            learning_rate: self.learning_rate,
            beta_1: self.beta_1,
            beta_2: self.beta_2,
            epsilon: self.epsilon,
            l2: None,
            decoupled: Some(self.weight_decay),
        };
        self.moments.step(params, grads, &hyper);
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
