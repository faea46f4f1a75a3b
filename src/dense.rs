//! [`Dense`]: the fully connected layer.

use num_traits::Float;
use rand::Rng;

use crate::{Init, Layer, Params, kernel};

/// A fully connected layer: `y = W·x + b`, from `IN` inputs to `OUT` outputs.
///
/// The parameters are inline fixed-size arrays, laid out like PyTorch's
/// `nn.Linear`: `weight[o][i]` is the weight from input `i` to output `o` (one
/// row per output), `bias[o]` the bias of output `o`. A `Dense` needs no heap:
/// it can live on the stack, in a `static`, or in a `Box` — the choice is the
/// caller's.
///
/// Forward: `y[o] = b[o] + Σᵢ W[o][i]·x[i]`.
/// Backward, given `dy = ∂L/∂y`: `∂L/∂W[o][i] = dy[o]·x[i]`,
/// `∂L/∂b[o] = dy[o]`, `∂L/∂x[i] = Σₒ W[o][i]·dy[o]`.
///
/// # Generics
/// - `IN`: the input width, `OUT`: the output width (both must be > 0).
/// - `T`: the scalar type, `f32` by default; any [`num_traits::Float`].
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let layer = Dense::<2, 1, f64> { weight: [[1.0, -2.0]], bias: [0.5] };
/// assert_eq!(layer.forward(&[3.0, 1.0]), [1.5]); // 1·3 − 2·1 + 0.5
/// assert_eq!(Dense::<784, 30>::NUM_PARAMS, 784 * 30 + 30);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<const IN: usize, const OUT: usize, T = f32> {
    /// `weight[o][i]`: from input `i` to output `o`, PyTorch's `[out, in]` layout.
    pub weight: [[T; IN]; OUT],
    /// `bias[o]`: added to output `o`.
    pub bias: [T; OUT],
}

impl<const IN: usize, const OUT: usize, T: Float> Params<T> for Dense<IN, OUT, T> {
    const NUM_PARAMS: usize = IN * OUT + OUT;

    fn zeros() -> Self {
        const { assert!(IN > 0 && OUT > 0, "a Dense layer needs IN > 0 and OUT > 0") };
        Self {
            weight: [[T::zero(); IN]; OUT],
            bias: [T::zero(); OUT],
        }
    }

    fn visit(&self, f: &mut impl FnMut(&[T])) {
        f(self.weight.as_flattened());
        f(&self.bias);
    }

    fn visit_n<const N: usize>(mut items: [&mut Self; N], f: &mut impl FnMut([&mut [T]; N])) {
        f(items.each_mut().map(|d| d.weight.as_flattened_mut()));
        f(items.each_mut().map(|d| &mut d.bias[..]));
    }

    fn init(&mut self, init: Init, rng: &mut impl Rng) {
        init.fill(self.weight.as_flattened_mut(), &mut self.bias, IN, rng);
    }
}

impl<const IN: usize, const OUT: usize, T: Float> Layer<[T; IN]> for Dense<IN, OUT, T> {
    type Output = [T; OUT];
    /// The input, for `∂L/∂W = dy·xᵀ`.
    type Cache = [T; IN];

    #[inline]
    fn forward(&self, x: &[T; IN]) -> [T; OUT] {
        const { assert!(IN > 0 && OUT > 0, "a Dense layer needs IN > 0 and OUT > 0") };
        let mut y = self.bias;
        for (yo, row) in y.iter_mut().zip(&self.weight) {
            *yo = *yo + kernel::dot(row, x);
        }
        y
    }

    fn forward_train(&self, x: &[T; IN]) -> ([T; OUT], [T; IN]) {
        (self.forward(x), *x)
    }

    fn backward(&self, x: &[T; IN], dy: &[T; OUT], grads: &mut Self) -> [T; IN] {
        self.backward_params(x, dy, grads);
        let mut dx = [T::zero(); IN];
        for (row, &d) in self.weight.iter().zip(dy) {
            kernel::axpy(d, row, &mut dx);
        }
        dx
    }

    fn backward_params(&self, x: &[T; IN], dy: &[T; OUT], grads: &mut Self) {
        for ((grow, gb), &d) in grads.weight.iter_mut().zip(&mut grads.bias).zip(dy) {
            kernel::axpy(d, x, grow);
            *gb = *gb + d;
        }
    }
}
