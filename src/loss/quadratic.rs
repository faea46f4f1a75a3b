//! The lecture's quadratic cost.

use super::Loss;
use crate::{Class, Scalar};

/// The quadratic cost: `ℓ(ŷ, y) = ½‖y − ŷ‖²` per sample, so that over a
/// mini-batch of `m` samples the cost is the lecture's
/// `C = 1/(2m) Σₓ ‖y(x) − ŷ(x)‖²`. Its gradient is `∂ℓ/∂ŷ = ŷ − y`.
///
/// Targets are vectors `[T; N]` or class labels [`Class<N>`], which stand for
/// their one-hot vectors.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let pred = [0.2_f64, 0.9, 0.1];
/// let label = Class::<3>::new(1).ok_or("bad label")?;
/// assert_eq!(Quadratic.loss(&pred, &label), Quadratic.loss(&pred, &label.one_hot()));
/// let g = Quadratic.gradient(&pred, &label);
/// assert!((g[1] - (0.9 - 1.0)).abs() < 1e-15);
/// # Ok::<(), &str>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Quadratic;

impl<T: Scalar, const N: usize> Loss<[T; N], [T; N]> for Quadratic {
    fn loss(&self, pred: &[T; N], target: &[T; N]) -> T {
        let half = T::one() / (T::one() + T::one());
        let sum = pred
            .iter()
            .zip(target)
            .fold(T::zero(), |s, (&p, &y)| s + (p - y) * (p - y));
        half * sum
    }

    fn gradient(&self, pred: &[T; N], target: &[T; N]) -> [T; N] {
        let mut g = *pred;
        for (g, &y) in g.iter_mut().zip(target) {
            *g = *g - y;
        }
        g
    }
}

impl<T: Scalar, const N: usize> Loss<[T; N], Class<N>> for Quadratic {
    fn loss(&self, pred: &[T; N], target: &Class<N>) -> T {
        self.loss(pred, &target.one_hot())
    }

    fn gradient(&self, pred: &[T; N], target: &Class<N>) -> [T; N] {
        let mut g = *pred;
        g[target.index()] = g[target.index()] - T::one();
        g
    }
}
