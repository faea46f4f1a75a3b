//! Activation functions: parameter-free layers of any width.
//!
//! Each activation is a [`Layer`] of any width: `Sigmoid`
//! implements `Layer<[T; N]>` for every `N`. The elementwise ones ([`Relu`],
//! [`LeakyRelu`], [`Sigmoid`], [`Tanh`], [`Identity`]) implement
//! [`Activation`]: a scalar function and, in the same file, its derivative
//! written in terms of the activation's output (`σ' = σ(1 − σ)`), which is
//! what the training forward pass caches. [`Softmax`] couples its inputs, so
//! it implements [`Layer`] directly, its backward pass (a
//! Jacobian-vector product) next to its forward pass.
//!
//! All of them have no trainable parameters: their [`Params`]
//! visit nothing.

mod identity;
mod leaky_relu;
mod relu;
mod sigmoid;
mod softmax;
mod tanh;

pub use identity::Identity;
pub use leaky_relu::LeakyRelu;
pub use relu::Relu;
pub use sigmoid::Sigmoid;
pub use softmax::Softmax;
pub use tanh::Tanh;

pub(crate) use softmax::shifted_exp;

use crate::{GradMode, Layer, Params, Scalar, Walker, kernel};

/// A scalar function applied to each element, with its derivative: every
/// type that implements it is a parameter-free [`Layer`] of every width,
/// inside or outside this crate.
///
/// The derivative is written in terms of the output `y = f(x)` (`σ' =
/// σ(1 − σ)`), which is what the training forward pass keeps: so `f` must
/// be monotonic enough that `y` determines `f'(x)`.
///
/// # Examples
/// ```
/// use constnet::activation::Activation;
/// use constnet::prelude::*;
///
/// /// The softsign's cousin `x / (1 + |x|)` would need `x`; this one, a
/// /// scaled identity, needs nothing.
/// #[derive(Clone, Copy, Debug, Default)]
/// struct Double;
///
/// impl Activation for Double {
///     fn apply<T: Scalar>(self, x: T) -> T {
///         x + x
///     }
///     fn derivative<T: Scalar>(self, _y: T) -> T {
///         T::one() + T::one()
///     }
/// }
///
/// let net = (Dense::<2, 1, f64> { weight: [[1.0, 1.0]], bias: [0.0] }, Double);
/// assert_eq!(net.forward(&[1.0, 2.0]), [6.0]);
/// assert_eq!(Sigmoid.derivative(Sigmoid.apply(0.0_f64)), 0.25); // σ'(0) = σ(0)(1 − σ(0))
/// ```
pub trait Activation: Copy + Default {
    /// `f(x)`.
    #[must_use]
    fn apply<T: Scalar>(self, x: T) -> T;

    /// `f'(x)`, given `y = f(x)`.
    #[must_use]
    fn derivative<T: Scalar>(self, y: T) -> T;
}

/// Implements [`Params`] with no parameters for a unit struct that is a
/// layer but not an [`Activation`].
macro_rules! parameter_free {
    ($name:ident) => {
        impl<T: $crate::Scalar> $crate::Params<T> for $name {
            const NUM_PARAMS: usize = 0;

            fn zeros() -> Self {
                Self
            }

            fn walk(_: &mut impl $crate::Walker<Self, T>) {}
        }
    };
}
use parameter_free;

/// An activation has no parameters: the walk describes nothing, and
/// `zeros` is its default setting.
impl<A: Activation, T: Scalar> Params<T> for A {
    const NUM_PARAMS: usize = 0;

    fn zeros() -> Self {
        Self::default()
    }

    fn walk(_: &mut impl Walker<Self, T>) {}
}

/// An activation is a layer of every width; the training forward pass
/// keeps the outputs, from which the derivative is computed.
impl<A: Activation, T: Scalar, const N: usize> Layer<[T; N]> for A {
    type Output = [T; N];
    /// The outputs, from which the derivative is computed.
    type Cache<const B: usize> = [[T; N]; B];

    #[inline]
    fn forward(&self, x: &[T; N]) -> [T; N] {
        let mut y = *x;
        kernel::map_fixed(&mut y, |v| self.apply(v));
        y
    }

    #[inline]
    fn forward_batch<const B: usize>(&self, x: &[[T; N]; B]) -> [[T; N]; B] {
        let mut y = *x;
        kernel::map(y.as_flattened_mut(), |v| self.apply(v));
        y
    }

    fn forward_train<const B: usize>(&self, x: &[[T; N]; B]) -> ([[T; N]; B], [[T; N]; B]) {
        let y = self.forward_batch(x);
        (y, y)
    }

    /// `dx = dy ⊙ f'(x)`, with `f'` computed from the cached outputs.
    fn backward<const B: usize>(
        &self,
        _: &[[T; N]; B],
        y: &[[T; N]; B],
        dy: &[[T; N]; B],
        _: &mut Self,
        _: GradMode,
        dx: Option<&mut [[T; N]; B]>,
    ) -> bool {
        if let Some(dx) = dx {
            *dx = *dy;
            kernel::map2(dx.as_flattened_mut(), y.as_flattened(), |d, y| {
                d * self.derivative(y)
            });
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use static_assertions::{assert_eq_size, assert_impl_all};

    use super::*;

    // The same traits as the lecture's Sigmoid; the parameter-free ones are
    // zero-sized, LeakyRelu is its slope.
    assert_impl_all!(Identity: Send, Sync, Clone, Copy, core::fmt::Debug, Default, Eq, core::hash::Hash);
    assert_impl_all!(Softmax: Send, Sync, Clone, Copy, core::fmt::Debug, Default, Eq, core::hash::Hash);
    assert_impl_all!(LeakyRelu: Send, Sync, Clone, Copy, core::fmt::Debug, Default, PartialEq, Activation);
    assert_impl_all!(Identity: Layer<[f32; 1]>, Layer<[f64; 1000]>, Params<f32>);
    assert_impl_all!(Softmax: Layer<[f32; 1]>, Layer<[f64; 1000]>, Params<f64>);
    assert_impl_all!(LeakyRelu: Layer<[f32; 3]>, Layer<[f64; 1000]>, Params<f64>);
    assert_eq_size!(Identity, ());
    assert_eq_size!(Softmax, ());
    assert_eq_size!(LeakyRelu, f64);

    #[test]
    fn parameter_free() {
        assert_eq!(<Softmax as Params<f32>>::NUM_PARAMS, 0);
        assert_eq!(<Identity as Params<f64>>::NUM_PARAMS, 0);
        assert_eq!(<LeakyRelu as Params<f64>>::NUM_PARAMS, 0);
    }
}
