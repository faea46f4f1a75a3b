//! Adam: adaptive moment estimation.

use super::{Optimizer, add_weight_decay, cast};
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
/// With L2 weight decay `λ` (`weight_decay`), `g` is replaced by `g + λ·w`
/// before the moments are updated; for decoupled weight decay see
/// [`AdamW`](super::AdamW).
///
/// Keras defaults ([`Default`], [`new`](Self::new)): `learning_rate` 0.001,
/// `beta_1` 0.9, `beta_2` 0.999, `epsilon` 1e-7, `weight_decay` `None`
/// (`amsgrad` is not implemented).
///
/// # Generics
/// - `P`: the parameters ([`Params`]): a layer or a whole network. `m` and
///   `v` are values of type `P`.
/// - `T`: their scalar type, `f32` by default.
///
/// # Examples
/// The first step moves every parameter with a nonzero gradient by about `η`
/// against the sign of its gradient:
/// ```
/// use constnet::optim::Adam;
/// use constnet::prelude::*;
///
/// let mut adam = Adam::new(0.01_f64);
/// let mut w = Dense::<2, 1, f64> { weight: [[1.0, 1.0]], bias: [1.0] };
/// let mut g = Dense::<2, 1, f64> { weight: [[5.0, -0.2]], bias: [0.0] };
/// adam.step(&mut w, &mut g);
/// assert!((w.weight[0][0] - 0.99).abs() < 1e-6);
/// assert!((w.weight[0][1] - 1.01).abs() < 1e-6);
/// assert_eq!(w.bias, [1.0]);
/// assert_eq!(adam.steps(), 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<P, T = f32> {
    /// The learning rate η (Keras `learning_rate`).
    pub learning_rate: T,
    /// The decay β₁ of the first moment, in `[0, 1)` (Keras `beta_1`).
    pub beta_1: T,
    /// The decay β₂ of the second moment, in `[0, 1)` (Keras `beta_2`).
    pub beta_2: T,
    /// `ε`, added to `√v` (Keras `epsilon`).
    pub epsilon: T,
    /// Coupled L2 weight decay λ: the moments see `g + λ·w`. `None` (the
    /// default) for none.
    pub weight_decay: Option<T>,
    moments: Moments<P>,
}

impl<P: Params<T>, T: Scalar> Adam<P, T> {
    /// Adam with learning rate `learning_rate` and Keras' defaults for the
    /// rest: β₁ = 0.9, β₂ = 0.999, ε = 1e-7, no weight decay.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// use constnet::prelude::*;
    ///
    /// let adam: Adam<Dense<2, 1>> = Adam::new(0.01);
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
            moments: Moments::new(),
        }
    }

    /// The same optimizer with decays `β₁ = beta_1` and `β₂ = beta_2`.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// use constnet::prelude::*;
    /// let adam: Adam<Dense<2, 1>> = Adam::default().with_betas(0.8, 0.99);
    /// assert_eq!((adam.beta_1, adam.beta_2), (0.8, 0.99));
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
    /// use constnet::optim::Adam;
    /// use constnet::prelude::*;
    /// let adam: Adam<Dense<2, 1>> = Adam::default().with_epsilon(1e-8);
    /// assert_eq!(adam.epsilon, 1e-8);
    /// ```
    #[must_use]
    pub fn with_epsilon(mut self, epsilon: T) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// The same optimizer with coupled L2 weight decay `λ = weight_decay`:
    /// the moments see `g + λ·w`.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// use constnet::prelude::*;
    /// let adam: Adam<Dense<2, 1>> = Adam::default().with_weight_decay(1e-4);
    /// assert_eq!(adam.weight_decay, Some(1e-4));
    /// ```
    #[must_use]
    pub fn with_weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = Some(weight_decay);
        self
    }

    /// The number of steps taken, `t`.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// use constnet::prelude::*;
    ///
    /// let mut adam: Adam<Dense<2, 1>> = Adam::default();
    /// adam.step(&mut Dense::zeros(), &mut Dense::zeros());
    /// assert_eq!(adam.steps(), 1);
    /// ```
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.moments.steps
    }

    /// The first moment estimate `m` (not bias-corrected), one value per
    /// parameter.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// use constnet::prelude::*;
    ///
    /// let mut adam = Adam::new(0.01_f64);
    /// adam.step(&mut Dense::<1, 1, f64>::zeros(), &mut Dense { weight: [[2.0]], bias: [0.0] });
    /// assert!((adam.first_moment().weight[0][0] - 0.2).abs() < 1e-15); // (1 − 0.9)·2
    /// ```
    #[must_use]
    pub fn first_moment(&self) -> &P {
        &self.moments.m
    }

    /// The second moment estimate `v` (not bias-corrected), one value per
    /// parameter.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// use constnet::prelude::*;
    ///
    /// let mut adam = Adam::new(0.01_f64);
    /// adam.step(&mut Dense::<1, 1, f64>::zeros(), &mut Dense { weight: [[2.0]], bias: [0.0] });
    /// assert!((adam.second_moment().weight[0][0] - 0.004).abs() < 1e-15); // (1 − 0.999)·2²
    /// ```
    #[must_use]
    pub fn second_moment(&self) -> &P {
        &self.moments.v
    }

    /// Forgets the moments and the step count, as if no step had been taken.
    ///
    /// ```
    /// use constnet::optim::Adam;
    /// use constnet::prelude::*;
    ///
    /// let mut adam = Adam::new(0.01_f64);
    /// adam.step(&mut Dense::<1, 1, f64>::zeros(), &mut Dense { weight: [[2.0]], bias: [0.0] });
    /// adam.reset();
    /// assert_eq!((adam.steps(), adam.first_moment()), (0, &Dense::zeros()));
    /// ```
    pub fn reset(&mut self) {
        self.moments.reset();
    }
}

/// Keras' defaults: learning rate 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-7.
///
/// ```
/// use constnet::optim::Adam;
/// use constnet::prelude::*;
/// let adam: Adam<Dense<2, 1, f64>, f64> = Adam::default();
/// assert_eq!(adam.learning_rate, 1e-3);
/// ```
impl<P: Params<T>, T: Scalar> Default for Adam<P, T> {
    fn default() -> Self {
        Self::new(cast(1e-3))
    }
}

impl<P: Params<T>, T: Scalar> Optimizer<P> for Adam<P, T> {
    type Scalar = T;

    fn step(&mut self, params: &mut P, grads: &mut P) {
        let hyper = Hyper {
            learning_rate: self.learning_rate,
            beta_1: self.beta_1,
            beta_2: self.beta_2,
            epsilon: self.epsilon,
            l2: self.weight_decay,
            decoupled: None,
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

/// The hyper-parameters of one Adam or AdamW step.
pub(super) struct Hyper<T> {
    pub(super) learning_rate: T,
    pub(super) beta_1: T,
    pub(super) beta_2: T,
    pub(super) epsilon: T,
    /// Coupled L2 decay λ: `g ← g + λ·w`.
    pub(super) l2: Option<T>,
    /// Decoupled decay λ: `w ← w − η·λ·w`.
    pub(super) decoupled: Option<T>,
}

/// The state of Adam and AdamW: the moments `m`, `v` and the step count `t`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Moments<P> {
    pub(super) m: P,
    pub(super) v: P,
    pub(super) steps: u64,
}

impl<P> Moments<P> {
    /// Zero moments, no steps.
    pub(super) fn new<T: Scalar>() -> Self
    where
        P: Params<T>,
    {
        Self {
            m: P::zeros(),
            v: P::zeros(),
            steps: 0,
        }
    }

    /// Back to [`new`](Self::new).
    pub(super) fn reset<T: Scalar>(&mut self)
    where
        P: Params<T>,
    {
        self.m.set_zero();
        self.v.set_zero();
        self.steps = 0;
    }

    /// One Adam step (Keras' form, see [`Adam`]), with the optional weight
    /// decays of `hyper`.
    pub(super) fn step<T: Scalar>(&mut self, params: &mut P, grads: &mut P, hyper: &Hyper<T>)
    where
        P: Params<T>,
    {
        self.steps = self.steps.saturating_add(1);
        // β^t for t beyond i32::MAX is 0 to any precision.
        let t = i32::try_from(self.steps).unwrap_or(i32::MAX);
        let one = T::one();
        let (beta_1, beta_2, eps) = (hyper.beta_1, hyper.beta_2, hyper.epsilon);
        let (one_minus_beta_1, one_minus_beta_2) = (one - beta_1, one - beta_2);
        let alpha = hyper.learning_rate * (one - beta_2.powi(t)).sqrt() / (one - beta_1.powi(t));
        let step = kernel::AdamStep {
            beta_1,
            beta_2,
            one_minus_beta_1,
            one_minus_beta_2,
            alpha,
            epsilon: eps,
            shrink: hyper.decoupled.map(|decay| hyper.learning_rate * decay),
        };
        let l2 = hyper.l2;
        P::visit_n([params, grads, &mut self.m, &mut self.v], &mut |[
            p,
            g,
            m,
            v,
        ]| {
            add_weight_decay(l2, p, g);
            kernel::adam_update(p, g, m, v, &step);
        });
    }
}
