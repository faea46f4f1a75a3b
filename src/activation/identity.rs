//! The identity function.

use crate::{GradMode, Layer, Scalar};

/// The identity `id(x) = x`, elementwise; its derivative is 1.
///
/// A linear output layer, or a placeholder where a network type needs an
/// activation. Its training forward pass caches nothing: the backward pass
/// hands `dy` straight back (`∂L/∂x = ∂L/∂y`).
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::activation::Identity;
///
/// assert_eq!(Identity.forward(&[-2.0_f32, 0.0, 3.0]), [-2.0, 0.0, 3.0]);
///
/// // A regression network with a linear output.
/// let net = (Dense::<2, 1, f64> { weight: [[1.0, -1.0]], bias: [0.5] }, Identity);
/// let x = [[3.0, 1.0]];
/// let (y, cache) = net.forward_train(&x);
/// assert_eq!(y, [[2.5]]);
/// let mut grads = <(Dense<2, 1, f64>, Identity)>::zeros();
/// let mut dx = [[0.0; 2]];
/// net.backward(&x, &cache, &[[2.0]], &mut grads, GradMode::Store, Some(&mut dx));
/// assert_eq!(dx, [[2.0, -2.0]]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Identity;

super::parameter_free!(Identity);

impl<T: Scalar, const N: usize> Layer<[T; N]> for Identity {
    type Output = [T; N];
    /// Nothing: the derivative is 1 everywhere.
    type Cache<const B: usize> = ();

    #[inline]
    fn forward(&self, x: &[T; N]) -> [T; N] {
        *x
    }

    #[inline]
    fn forward_batch<const B: usize>(&self, x: &[[T; N]; B]) -> [[T; N]; B] {
        *x
    }

    fn forward_train<const B: usize>(&self, x: &[[T; N]; B]) -> ([[T; N]; B], ()) {
        (*x, ())
    }

    fn backward<const B: usize>(
        &self,
        _: &[[T; N]; B],
        (): &(),
        dy: &[[T; N]; B],
        _: &mut Self,
        _: GradMode,
        dx: Option<&mut [[T; N]; B]>,
    ) -> bool {
        if let Some(dx) = dx {
            *dx = *dy;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_values_and_gradients_through() {
        let x = [1.5_f64, -0.0, f64::NAN, 1e300];
        let y = Identity.forward(&x);
        assert_eq!(y.map(f64::to_bits), x.map(f64::to_bits));
        let (_, cache) = Identity.forward_train(&[x]);
        assert_eq!(
            crate::layer::input_gradient(
                &Identity,
                &[x],
                &cache,
                &[[1.0, 2.0, 3.0, 4.0]],
                &mut Identity
            ),
            [[1.0, 2.0, 3.0, 4.0]]
        );
    }
}
