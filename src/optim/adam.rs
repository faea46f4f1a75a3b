//! Adam: adaptive moment estimation.

use super::{Optimizer, add_weight_decay, cast, checked, slots};
use crate::{Params, Scalar, kernel};

/// Adam (Kingma & Ba, 2014) as Keras' `Adam()` computes it: bias-corrected
/// moving averages of the gradient and of its square.
///
/// For every parameter `w` with gradient `g`, first moment `m` and second
/// moment `v` (both starting at 0), at step `t = 1, 2, …`:
///
/// ```text
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// α = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ)
/// w ← w − α·m/(√v + ε)
/// ```
///
/// This is Keras' (and TensorFlow's) form: the bias corrections
/// `m̂ = m/(1 − β₁ᵗ)`, `v̂ = v/(1 − β₂ᵗ)` are folded into the step size and `ε`
/// is added to `√v`, not to `√v̂`. It equals the paper's Algorithm 1,
/// `w ← w − η·m̂/(√v̂ + ε̂)`, with `ε̂ = ε/√(1 − β₂ᵗ)`; PyTorch uses Algorithm 1
/// with `ε̂ = ε`. The two differ only while `√v̂` is of the order of `ε̂`.
///
/// # Weight decay
/// - Coupled L2 decay `λ` ([`with_weight_decay`](Self::with_weight_decay)):
///   `g` is replaced by `g + λ·w` before the moments are updated.
/// - Decoupled decay `λ`, which makes this AdamW (Loshchilov & Hutter,
///   2019; Keras' `AdamW()`, whose default is λ = 0.004)
///   ([`with_decoupled_weight_decay`](Self::with_decoupled_weight_decay)):
///   `w ← w − η·λ·w − α·m/(√v + ε)`. The decay is scaled by the learning
///   rate, as in Keras and PyTorch, so a [`Schedule`](super::Schedule)
///   scales both, and it does not pass through the moments, so every weight
///   shrinks by the same factor `1 − η·λ` per step.
///
/// Keras defaults ([`Default`], [`new`](Self::new)): `learning_rate` 0.001,
/// `beta_1` 0.9, `beta_2` 0.999, `epsilon` 1e-7, `weight_decay` `None`
/// (`amsgrad` is not implemented).
///
/// # State
/// Two values shaped like the parameters: the moments `m` and `v`, in
/// that order. The step count `t` is kept in the optimizer.
///
/// # Generics
/// - `T`: the scalar type of the parameters, `f32` by default.
///
/// # Examples
/// The first step moves every parameter with a nonzero gradient by about `η`
/// against the sign of its gradient:
/// ```
/// use constnet::prelude::*;
///
/// let mut adam = Adam::new(0.01_f64);
/// let mut w = Dense::<2, 1, f64> { weight: [[1.0, 1.0]], bias: [1.0] };
/// let mut g = Dense::<2, 1, f64> { weight: [[5.0, -0.2]], bias: [0.0] };
/// let mut moments = [Dense::zeros(), Dense::zeros()];
/// adam.step(&mut w, &mut g, &mut moments);
/// assert!((w.weight[0][0] - 0.99).abs() < 1e-6);
/// assert!((w.weight[0][1] - 1.01).abs() < 1e-6);
/// assert_eq!(w.bias, [1.0]);
/// assert_eq!(adam.steps(), 1);
/// assert!((moments[0].weight[0][0] - 0.5).abs() < 1e-12); // m = (1 − 0.9)·5
///
/// // AdamW: with a zero gradient only the decoupled decay acts.
/// let mut adamw = Adam::new(0.5_f64).with_decoupled_weight_decay(0.1);
/// let mut w = Dense::<1, 1, f64> { weight: [[2.0]], bias: [-4.0] };
/// adamw.step(&mut w, &mut Dense::zeros(), &mut [Dense::zeros(), Dense::zeros()]);
/// assert_eq!((w.weight, w.bias), ([[1.9]], [-3.8])); // w·(1 − 0.5·0.1)
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Adam<T = f32> {
    /// The learning rate η (Keras `learning_rate`).
    pub learning_rate: T,
    /// The decay β₁ of the first moment, in `[0, 1)` (Keras `beta_1`).
    pub beta_1: T,
    /// The decay β₂ of the second moment, in `[0, 1)` (Keras `beta_2`).
    pub beta_2: T,
    /// `ε`, added to `√v` (Keras `epsilon`).
    pub epsilon: T,
    /// The weight decay, `None` (the default) for none.
    pub weight_decay: Option<WeightDecay<T>>,
    /// The number of steps taken, `t`.
    steps: u64,
}

/// The weight decay of [`Adam`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WeightDecay<T> {
    /// Coupled L2 decay λ: the moments see `g + λ·w` (Adam's, PyTorch's
    /// `Adam(weight_decay)`).
    L2(T),
    /// Decoupled decay λ: `w ← w − η·λ·w` beside the Adam update (AdamW).
    Decoupled(T),
}

impl<T: Scalar> Adam<T> {
    /// Adam with learning rate `learning_rate` and Keras' defaults for the
    /// rest: β₁ = 0.9, β₂ = 0.999, ε = 1e-7, no weight decay.
    ///
    /// ```
    /// use constnet::optim::Adam;
    ///
    /// let adam = Adam::new(0.01_f32);
    /// assert_eq!((adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon), (0.01, 0.9, 0.999, 1e-7));
    /// ```
    #[must_use]
    pub fn new(learning_rate: T) -> Self {
        Self {
            learning_rate,
            beta_1: cast(0.9),
            beta_2: cast(0.999),
            epsilon: cast(1e-7),
            weight_decay: None,
            steps: 0,
        }
    }

    /// The same optimizer with decays `β₁ = beta_1` and `β₂ = beta_2`.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// let adam = Adam::<f32>::default().with_betas(0.8, 0.99);
    /// assert_eq!((adam.beta_1, adam.beta_2), (0.8, 0.99));
    /// ```
    #[must_use]
    pub fn with_betas(self, beta_1: T, beta_2: T) -> Self {
        Self {
            beta_1,
            beta_2,
            ..self
        }
    }

    /// The same optimizer with `ε = epsilon`.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// assert_eq!(Adam::<f64>::default().with_epsilon(1e-8).epsilon, 1e-8);
    /// ```
    #[must_use]
    pub fn with_epsilon(self, epsilon: T) -> Self {
        Self { epsilon, ..self }
    }

    /// The same optimizer with coupled L2 weight decay `λ = weight_decay`:
    /// the moments see `g + λ·w`.
    ///
    /// ```
    /// use constnet::optim::{Adam, WeightDecay};
    /// let adam = Adam::<f32>::default().with_weight_decay(1e-4);
    /// assert_eq!(adam.weight_decay, Some(WeightDecay::L2(1e-4)));
    /// ```
    #[must_use]
    pub fn with_weight_decay(self, weight_decay: T) -> Self {
        Self {
            weight_decay: Some(WeightDecay::L2(weight_decay)),
            ..self
        }
    }

    /// AdamW: the same optimizer with decoupled weight decay
    /// `λ = weight_decay`, `w ← w − η·λ·w` (Keras' `AdamW()` uses 0.004).
    ///
    /// ```
    /// use constnet::optim::{Adam, WeightDecay};
    /// let adamw = Adam::<f32>::default().with_decoupled_weight_decay(0.004);
    /// assert_eq!(adamw.weight_decay, Some(WeightDecay::Decoupled(0.004)));
    /// ```
    #[must_use]
    pub fn with_decoupled_weight_decay(self, weight_decay: T) -> Self {
        Self {
            weight_decay: Some(WeightDecay::Decoupled(weight_decay)),
            ..self
        }
    }

    /// The number of steps taken, `t`.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut adam = Adam::default();
    /// adam.step(&mut Dense::<2, 1>::zeros(), &mut Dense::zeros(), &mut [Dense::zeros(), Dense::zeros()]);
    /// assert_eq!(adam.steps(), 1);
    /// ```
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Forgets the step count, as if no step had been taken; zero the
    /// state's moments too to start afresh.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut adam = Adam::default();
    /// adam.step(&mut Dense::<2, 1>::zeros(), &mut Dense::zeros(), &mut [Dense::zeros(), Dense::zeros()]);
    /// adam.reset();
    /// assert_eq!(adam.steps(), 0);
    /// ```
    pub fn reset(&mut self) {
        self.steps = 0;
    }
}

/// Keras' defaults: learning rate 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-7.
///
/// ```
/// use constnet::optim::Adam;
/// assert_eq!(Adam::<f64>::default().learning_rate, 1e-3);
/// ```
impl<T: Scalar> Default for Adam<T> {
    fn default() -> Self {
        Self::new(cast(1e-3))
    }
}

impl<T: Scalar> Optimizer<T> for Adam<T> {
    /// 2: the moments `m` and `v`.
    fn slots(&self) -> usize {
        2
    }

    fn step<P: Params<T>>(&mut self, params: &mut P, grads: &mut P, state: &mut [P]) -> bool {
        let [m, v] = slots(state, "Adam");
        self.steps = self.steps.saturating_add(1);
        // β^t for t beyond i32::MAX is 0 to any precision.
        let t = i32::try_from(self.steps).unwrap_or(i32::MAX);
        let one = T::one();
        let (beta_1, beta_2) = (self.beta_1, self.beta_2);
        let alpha = self.learning_rate * (one - beta_2.powi(t)).sqrt() / (one - beta_1.powi(t));
        let (l2, decoupled) = match self.weight_decay {
            None => (None, None),
            Some(WeightDecay::L2(decay)) => (Some(decay), None),
            Some(WeightDecay::Decoupled(decay)) => (None, Some(decay)),
        };
        let step = kernel::AdamStep {
            beta_1,
            beta_2,
            one_minus_beta_1: one - beta_1,
            one_minus_beta_2: one - beta_2,
            alpha,
            epsilon: self.epsilon,
            shrink: decoupled.map(|decay| self.learning_rate * decay),
        };
        let taken = checked(
            [params, grads, m, v],
            |[p, g, m, v]| {
                add_weight_decay(l2, p, g);
                kernel::adam_finite(p, g, m, v, &step)
            },
            |[p, g, m, v]| kernel::adam_update(p, g, m, v, &step),
        );
        if !taken {
            self.steps -= 1;
        }
        taken
    }

    fn learning_rate(&self) -> T {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: T) {
        self.learning_rate = learning_rate;
    }
}
