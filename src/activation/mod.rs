//! Activation functions: parameter-free layers applied elementwise.
//!
//! Each activation is a zero-sized type that is a [`Layer`](crate::Layer) of
//! any width: `Sigmoid` implements `Layer<[T; N]>` for every `N`. Its
//! derivative sits next to it in the same file, written in terms of the
//! activation's output (`σ' = σ(1 − σ)`), which is what the training forward
//! pass caches.

mod relu;
mod sigmoid;
mod tanh;

pub use relu::Relu;
pub use sigmoid::Sigmoid;
pub use tanh::Tanh;

use num_traits::Float;

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
    fn apply<T: Float>(self, x: T) -> T;

    /// `f'(x)`, given `y = f(x)`.
    #[must_use]
    fn derivative<T: Float>(self, y: T) -> T;
}

/// Implements [`Params`](crate::Params) (no parameters) and
/// [`Layer`](crate::Layer) of every width for an [`Activation`].
macro_rules! elementwise_layer {
    ($name:ty) => {
        impl<T: num_traits::Float> $crate::Params<T> for $name {
            const NUM_PARAMS: usize = 0;

            fn zeros() -> Self {
                Self::default()
            }

            fn visit(&self, _: &mut impl FnMut(&[T])) {}

            fn visit_n<const N: usize>(_: [&mut Self; N], _: &mut impl FnMut([&mut [T]; N])) {}

            fn init(&mut self, _: $crate::Init, _: &mut impl rand::Rng) {}
        }

        impl<T: num_traits::Float, const N: usize> $crate::Layer<[T; N]> for $name {
            type Output = [T; N];
            /// The output, from which the derivative is computed.
            type Cache = [T; N];

            #[inline]
            fn forward(&self, x: &[T; N]) -> [T; N] {
                x.map(|v| $crate::activation::Activation::apply(*self, v))
            }

            fn forward_train(&self, x: &[T; N]) -> ([T; N], [T; N]) {
                let y = self.forward(x);
                (y, y)
            }

            fn backward(&self, y: &[T; N], dy: &[T; N], _: &mut Self) -> [T; N] {
                let mut dx = *dy;
                for (d, &y) in dx.iter_mut().zip(y) {
                    *d = *d * $crate::activation::Activation::derivative(*self, y);
                }
                dx
            }
        }
    };
}
use elementwise_layer;
