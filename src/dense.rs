//! [`Dense`]: the fully connected layer.

use core::mem::MaybeUninit;

use crate::{GradMode, Layer, Params, Role, Scalar, Walker, kernel};

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
#[derive(Clone, Debug, PartialEq, bytemuck::Zeroable)]
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

    fn walk(w: &mut impl Walker<Self, T>) {
        w.tensor(
            "weight",
            &[OUT, IN],
            Role::Weight,
            |d| d.weight.as_flattened(),
            |d| d.weight.as_flattened_mut(),
        );
        w.tensor("bias", &[OUT], Role::Bias, |d| &d.bias, |d| &mut d.bias);
    }

    /// Zeroes the slot's memory: a layer of any size is built on the heap
    /// without passing through the stack.
    fn zeros_in(slot: &mut MaybeUninit<Self>) -> &mut Self {
        kernel::zeroed_in(slot)
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
        // tile would be most of the work). Otherwise tiles of several
        // samples.
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
        mode: GradMode,
        dx: Option<&mut [[T; IN]; B]>,
    ) -> bool {
        if let Some(dx) = dx {
            kernel::dense_backward_input(
                self.weight.as_flattened(),
                dy.as_flattened(),
                dx.as_flattened_mut(),
                IN,
            );
        }
        // `∂L/∂W = Σ dy·xᵀ` and `∂L/∂b = Σ dy` over the block, with their
        // finiteness checked as they are written.
        kernel::dense_backward_params(
            x.as_flattened(),
            dy.as_flattened(),
            grads.weight.as_flattened_mut(),
            &mut grads.bias,
            IN,
            mode == GradMode::Add,
        )
    }
}
