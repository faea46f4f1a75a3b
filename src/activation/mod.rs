//! Activation functions: parameter-free layers of any width.
//!
//! Each activation is a [`Layer`](crate::Layer) of any width: `Sigmoid`
//! implements `Layer<[T; N]>` for every `N`. The elementwise ones ([`Relu`],
//! [`LeakyRelu`], [`Sigmoid`], [`Tanh`], [`Identity`]) implement
//! [`Activation`]: a scalar function and, in the same file, its derivative
//! written in terms of the activation's output (`σ' = σ(1 − σ)`), which is
//! what the training forward pass caches. [`Softmax`] couples its inputs, so
//! it implements [`Layer`](crate::Layer) directly, its backward pass (a
//! Jacobian-vector product) next to its forward pass.
//!
//! All of them have no trainable parameters: their [`Params`](crate::Params)
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

/// A scalar function applied to each element, with its derivative.
///
/// Implementing this trait and invoking the crate-internal macro that turns it
/// into a layer is all a new elementwise activation needs.
///
/// # Examples
/// ```
/// use constnet::activation::{Activation, Sigmoid};
///
/// let y = Sigmoid.apply(0.0_f64);
/// assert_eq!(y, 0.5);
/// assert_eq!(Sigmoid.derivative(y), 0.25); // σ'(0) = σ(0)(1 − σ(0))
/// ```
pub trait Activation: Copy + Default {
    /// `f(x)`.
    #[must_use]
    fn apply<T: crate::Scalar>(self, x: T) -> T;

    /// `f'(x)`, given `y = f(x)`.
    #[must_use]
    fn derivative<T: crate::Scalar>(self, y: T) -> T;
}

/// Implements [`Params`](crate::Params) with no parameters: visitors visit
/// nothing, `zeros` and `init` leave the default settings.
macro_rules! no_params {
    ($name:ty) => {
        impl<T: num_traits::Float> $crate::Params<T> for $name {
            const NUM_PARAMS: usize = 0;

            fn zeros() -> Self {
                Self::default()
            }

            fn visit(&self, _: &mut impl FnMut(&[T])) {}

            fn visit_n<const N: usize>(_: [&mut Self; N], _: &mut impl FnMut([&mut [T]; N])) {}

            fn init(&mut self, _: $crate::Init, _: &mut impl rand::Rng) {}

            fn reset(&mut self) {
                *self = Self::default();
            }
        }
    };
}
use no_params;

/// Implements [`Params`](crate::Params) (no parameters) and
/// [`Layer`](crate::Layer) of every width for an [`Activation`].
macro_rules! elementwise_layer {
    ($name:ty) => {
        $crate::activation::no_params!($name);

        impl<T: $crate::Scalar, const N: usize> $crate::Layer<[T; N]> for $name {
            type Output = [T; N];
            /// The outputs, from which the derivative is computed.
            type Cache<const B: usize> = [[T; N]; B];

            #[inline]
            fn forward(&self, x: &[T; N]) -> [T; N] {
                let mut y = *x;
                $crate::kernel::map_fixed(&mut y, |v| {
                    $crate::activation::Activation::apply(*self, v)
                });
                y
            }

            #[inline]
            fn forward_batch<const B: usize>(&self, x: &[[T; N]; B]) -> [[T; N]; B] {
                let mut y = *x;
                $crate::kernel::map(y.as_flattened_mut(), |v| {
                    $crate::activation::Activation::apply(*self, v)
                });
                y
            }

            fn forward_train<const B: usize>(&self, x: &[[T; N]; B]) -> ([[T; N]; B], [[T; N]; B]) {
                let y = self.forward_batch(x);
                (y, y)
            }

            fn backward<const B: usize>(
                &self,
                _: &[[T; N]; B],
                y: &[[T; N]; B],
                dy: &[[T; N]; B],
                _: &mut Self,
            ) -> [[T; N]; B] {
                let mut dx = *dy;
                $crate::kernel::map2(dx.as_flattened_mut(), y.as_flattened(), |d, y| {
                    d * $crate::activation::Activation::derivative(*self, y)
                });
                dx
            }
        }
    };
}
use elementwise_layer;

#[cfg(test)]
mod tests {
    use static_assertions::{assert_eq_size, assert_impl_all};

    use super::*;
    use crate::{Layer, Params};

    // The same traits as the lecture's Sigmoid; the parameter-free ones are
    // zero-sized, LeakyRelu is its slope.
    assert_impl_all!(Identity: Send, Sync, Clone, Copy, core::fmt::Debug, Default, Eq, core::hash::Hash);
    assert_impl_all!(Softmax: Send, Sync, Clone, Copy, core::fmt::Debug, Default, Eq, core::hash::Hash);
    assert_impl_all!(LeakyRelu: Send, Sync, Clone, Copy, core::fmt::Debug, Default, PartialEq, Activation);
    assert_impl_all!(Identity: Activation, Layer<[f32; 1]>, Layer<[f64; 1000]>, Params<f32>);
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
