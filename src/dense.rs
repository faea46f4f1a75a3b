//! [`Dense`]: the fully connected layer.

use rand::Rng;

use crate::{Gradients, Init, Layer, Params, Scalar, TensorSpec, kernel};

/// The specs of a `Dense<IN, OUT>`'s weight `[OUT, IN]` and bias `[OUT]`.
fn specs<const IN: usize, const OUT: usize>(path: &[usize]) -> (TensorSpec<'_>, TensorSpec<'_>) {
    const fn shapes<const IN: usize, const OUT: usize>() -> ([usize; 2], [usize; 1]) {
        ([OUT, IN], [OUT])
    }
    let weight = TensorSpec {
        path,
        name: "weight",
        shape: &const { shapes::<IN, OUT>() }.0,
    };
    let bias = TensorSpec {
        path,
        name: "bias",
        shape: &const { shapes::<IN, OUT>() }.1,
    };
    (weight, bias)
}

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
/// - `T`: the scalar type, `f32` by default, or `f64` (see [`Scalar`]).
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

impl<const IN: usize, const OUT: usize, T: Scalar> Params<T> for Dense<IN, OUT, T> {
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

    fn visit_tensors(&self, path: &[usize], f: &mut impl FnMut(&TensorSpec<'_>, &[T])) {
        let (weight, bias) = specs::<IN, OUT>(path);
        f(&weight, self.weight.as_flattened());
        f(&bias, &self.bias);
    }

    fn visit_tensors_mut(&mut self, path: &[usize], f: &mut impl FnMut(&TensorSpec<'_>, &mut [T])) {
        let (weight, bias) = specs::<IN, OUT>(path);
        f(&weight, self.weight.as_flattened_mut());
        f(&bias, &mut self.bias);
    }

    fn init(&mut self, init: Init, rng: &mut impl Rng) {
        init.fill(self.weight.as_flattened_mut(), &mut self.bias, IN, OUT, rng);
    }

    fn is_finite(&self) -> bool {
        kernel::all_finite(self.weight.as_flattened()) & kernel::all_finite(&self.bias)
    }
}

impl<const IN: usize, const OUT: usize, T: Scalar> Layer<[T; IN]> for Dense<IN, OUT, T> {
    type Output = [T; OUT];
    /// Nothing: `∂L/∂W = Σ dy·xᵀ` needs only the inputs, which
    /// [`backward`](Layer::backward) receives.
    type Cache<const B: usize> = ();

    #[inline(always)]
    fn forward(&self, x: &[T; IN]) -> [T; OUT] {
        const { assert!(IN > 0 && OUT > 0, "a Dense layer needs IN > 0 and OUT > 0") };
        let mut y = [T::zero(); OUT];
        kernel::dense_forward_one(&self.weight, &self.bias, x, &mut y);
        y
    }

    #[inline]
    fn forward_batch<const B: usize>(&self, x: &[[T; IN]; B]) -> [[T; OUT]; B] {
        const { assert!(IN > 0 && OUT > 0, "a Dense layer needs IN > 0 and OUT > 0") };
        let mut y = [[T::zero(); OUT]; B];
        // Short rows of whole vectors: one sample at a time, through the
        // kernel that knows the sizes (the batched tiles' fixed cost per
        // tile is then most of the work: 16-16-16 took 55–61 against
        // 74–93 ns a sample). Otherwise tiles of several samples.
        if B == 1 || (IN < 64 && IN.is_multiple_of(8)) {
            for (x, y) in x.iter().zip(&mut y) {
                kernel::dense_forward_one(&self.weight, &self.bias, x, y);
            }
        } else {
            kernel::dense_forward(
                self.weight.as_flattened(),
                &self.bias,
                x.as_flattened(),
                y.as_flattened_mut(),
                IN,
            );
        }
        y
    }

    fn forward_train<const B: usize>(&self, x: &[[T; IN]; B]) -> ([[T; OUT]; B], ()) {
        (self.forward_batch(x), ())
    }

    fn backward<const B: usize>(
        &self,
        x: &[[T; IN]; B],
        (): &(),
        dy: &[[T; OUT]; B],
        grads: &mut Self,
    ) -> [[T; IN]; B] {
        self.params_gradient(x, dy, grads, Gradients::Add);
        self.input_gradient(dy)
    }

    fn backward_params<const B: usize>(
        &self,
        x: &[[T; IN]; B],
        (): &(),
        dy: &[[T; OUT]; B],
        grads: &mut Self,
    ) {
        self.params_gradient(x, dy, grads, Gradients::Add);
    }

    fn backward_train<const B: usize>(
        &self,
        x: &[[T; IN]; B],
        (): &(),
        dy: &[[T; OUT]; B],
        grads: &mut Self,
        mode: Gradients,
    ) -> ([[T; IN]; B], bool) {
        let finite = self.params_gradient(x, dy, grads, mode);
        (self.input_gradient(dy), finite)
    }

    fn backward_params_train<const B: usize>(
        &self,
        x: &[[T; IN]; B],
        (): &(),
        dy: &[[T; OUT]; B],
        grads: &mut Self,
        mode: Gradients,
    ) -> bool {
        self.params_gradient(x, dy, grads, mode)
    }

    /// Subtracts each tile of the weight gradient from the weights as soon
    /// as it is summed (`kernel::dense_descend`), never storing it, when
    /// the inputs and output gradients bound every gradient value below
    /// overflow; otherwise the default: gradients stored, checked, applied.
    fn backward_params_sgd<const B: usize>(
        &mut self,
        x: &[[T; IN]; B],
        (): &(),
        dy: &[[T; OUT]; B],
        grads: &mut Self,
        rate: T,
    ) -> bool {
        if gradients_bounded(x.as_flattened(), dy.as_flattened()) {
            kernel::dense_descend(
                x.as_flattened(),
                dy.as_flattened(),
                self.weight.as_flattened_mut(),
                &mut self.bias,
                grads.weight.as_flattened_mut(),
                &mut grads.bias,
                IN,
                -rate,
            );
            return true;
        }
        crate::layer::store_then_descend(self, x, &(), dy, grads, rate)
    }
}

/// Whether every parameter gradient of a block, `Σ_k dy[k]·x[k]ᵀ` and
/// `Σ_k dy[k]`, is certainly finite: the sums of magnitudes `Σ|dy|` and
/// `Σ|x|` are finite (so is every value) and `Σ|dy|·max(1, Σ|x|)` is at
/// most a quarter of the largest float. Each gradient value is a sum of
/// products `dy·x` (or of `dy`) no larger in magnitude than that, and the
/// roundings of a sum of `batch` terms grow it by a factor
/// `(1 + 2⁻²⁴)^batch < 2` at most, so it cannot overflow. One pass over
/// the inputs (a few hundred nanoseconds for ten MNIST images), against
/// the two passes over a gradient as large as the weights that applying
/// it during the backward pass saves.
fn gradients_bounded<T: Scalar>(x: &[T], dy: &[T]) -> bool {
    let (sx, sdy) = (kernel::abs_sum(x), kernel::abs_sum(dy));
    let four = T::one() + T::one() + T::one() + T::one();
    sx.is_finite() && sdy.is_finite() && sdy * sx.max(T::one()) <= T::max_value() / four
}

impl<const IN: usize, const OUT: usize, T: Scalar> Dense<IN, OUT, T> {
    /// `∂L/∂W = Σ dy·xᵀ` and `∂L/∂b = Σ dy` over the block, stored in or
    /// added into `grads`; whether all of them are finite.
    fn params_gradient<const B: usize>(
        &self,
        x: &[[T; IN]; B],
        dy: &[[T; OUT]; B],
        grads: &mut Self,
        mode: Gradients,
    ) -> bool {
        kernel::dense_backward_params(
            x.as_flattened(),
            dy.as_flattened(),
            grads.weight.as_flattened_mut(),
            &mut grads.bias,
            IN,
            mode == Gradients::Add,
        )
    }

    /// `∂L/∂x = Wᵀ·dy` for each sample of the block.
    fn input_gradient<const B: usize>(&self, dy: &[[T; OUT]; B]) -> [[T; IN]; B] {
        let mut dx = [[T::zero(); IN]; B];
        kernel::dense_backward_input(
            self.weight.as_flattened(),
            dy.as_flattened(),
            dx.as_flattened_mut(),
            IN,
        );
        dx
    }
}
