//! The [`Layer`] trait: forward, training forward and backward of one layer or
//! a whole network.

use crate::{Params, Scalar, Tensor};

/// A differentiable function from `I` to [`Output`](Self::Output) with
/// trainable parameters: a single layer, or a tuple of layers (a network).
///
/// Shapes are types. `Dense<784, 30>` implements `Layer<[f32; 784]>` with
/// `Output = [f32; 30]`, activations implement `Layer<[T; N]>` for every
/// width `N`, and a tuple `(A, B)` implements `Layer<I>` only when
/// `B: Layer<A::Output>`. So a network whose sizes do not chain, an input of
/// the wrong length or an output bound to the wrong length is a compile error.
///
/// # Batches
/// Training works on blocks of `B` samples at once, `[I; B]` — also a
/// compile-time size — so a layer can reuse each weight it loads across the
/// block. Single samples are blocks of one: `forward_train(&[x])`.
///
/// # Training
/// [`forward_train`](Self::forward_train) returns the outputs together with
/// a [`Cache`](Self::Cache): what backpropagation needs from the forward pass
/// beyond the inputs (nothing for [`Dense`](crate::Dense), the outputs for a
/// sigmoid, every layer's cache and intermediate output for a network).
/// [`backward`](Self::backward) takes the same inputs, that cache and the
/// gradient of the loss with respect to each output, puts the parameter
/// gradients (summed over the block) into `grads` — a value of the layer's
/// own type, see [`Params`] — and writes the gradient with respect to each
/// input. The inputs are passed again rather than copied into the cache, so a
/// block of 784-pixel images is never duplicated. Nothing is stored in the
/// layer, so `forward` takes `&self` and is safe to call from many threads;
/// caches are fixed-size values, so no pass allocates.
///
/// # Generics
/// - `I`: the input tensor, e.g. `[f32; 784]`.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
///
/// type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid); // the lecture's network
/// let net = Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
/// let x = [0.5_f32; 784];
/// let y: [f32; 10] = net.forward(&x);
/// assert!(y.iter().all(|&p| (0.0..=1.0).contains(&p)));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot take an input of type `{I}`",
    label = "this layer does not accept `{I}`",
    note = "the output width of each layer must equal the input width of the next, \
            and the network's input and output must match the arrays you pass and bind"
)]
pub trait Layer<I: Tensor>: Params<I::Scalar> {
    /// The output tensor.
    type Output: Tensor<Scalar = I::Scalar>;

    /// What the training forward pass of a block of `B` samples keeps for the
    /// backward pass, besides the inputs themselves.
    type Cache<const B: usize>;

    /// Inference: computes the output. Stores nothing and never allocates.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let net = (Dense::<2, 1, f64> { weight: [[1.0, 1.0]], bias: [0.0] }, Sigmoid);
    /// assert_eq!(net.forward(&[0.0, 0.0]), [0.5]);
    /// ```
    #[must_use]
    fn forward(&self, x: &I) -> Self::Output;

    /// Inference on a block of `B` samples: `[forward(x₀), forward(x₁), …]`,
    /// computed together where that is faster.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let layer = Dense::<2, 1, f64> { weight: [[1.0, 2.0]], bias: [0.5] };
    /// assert_eq!(layer.forward_batch(&[[1.0, 0.0], [0.0, 1.0]]), [[1.5], [2.5]]);
    /// ```
    #[must_use]
    fn forward_batch<const B: usize>(&self, x: &[I; B]) -> [Self::Output; B] {
        x.each_ref().map(|x| self.forward(x))
    }

    /// Training forward pass of a block of `B` samples: the outputs, and what
    /// [`backward`](Self::backward) needs.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let layer = Dense::<2, 1, f64> { weight: [[2.0, 3.0]], bias: [1.0] };
    /// let (y, cache) = layer.forward_train(&[[1.0, -1.0]]);
    /// assert_eq!((y, cache), ([[0.0]], ())); // a Dense keeps nothing: backward gets the inputs
    /// ```
    #[must_use]
    fn forward_train<const B: usize>(&self, x: &[I; B]) -> ([Self::Output; B], Self::Cache<B>);

    /// Backpropagation through a block: given the inputs `x`, the cache of
    /// the forward pass that produced the outputs, and `dy[k]` =
    /// ∂loss/∂output of sample `k`,
    /// - puts ∂loss/∂parameters, summed over the block, into `grads` (a
    ///   value of the layer's own type, see [`Params`]): stored over its old
    ///   values with [`GradMode::Store`], added to them with
    ///   [`GradMode::Add`] ([`GradMode::apply`] does either);
    /// - writes ∂loss/∂input of each sample into `dx` when it is `Some`
    ///   (the first layer of a network gets `None`: nobody needs it);
    /// - returns whether every value now in `grads` is finite, which a
    ///   training step checks before it changes a network
    ///   (`grads.is_finite()` is always a correct answer; parameter-free
    ///   layers return `true`).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// // y = σ(w·x + b) with w = [2, 3], b = 1, at x = [1, −1]: z = 0, y = 0.5.
    /// let net = (Dense::<2, 1, f64> { weight: [[2.0, 3.0]], bias: [1.0] }, Sigmoid);
    /// let x = [[1.0, -1.0]];
    /// let (y, cache) = net.forward_train(&x);
    /// let mut grads = <(Dense<2, 1, f64>, Sigmoid)>::zeros();
    /// let mut dx = [[0.0; 2]];
    /// // dL/dy = 1: dL/dz = σ'(0) = 0.25; dL/dw = 0.25·x; dL/db = 0.25; dL/dx = 0.25·w.
    /// let finite = net.backward(&x, &cache, &[[1.0]], &mut grads, GradMode::Store, Some(&mut dx));
    /// assert_eq!(grads.0.weight, [[0.25, -0.25]]);
    /// assert_eq!(grads.0.bias, [0.25]);
    /// assert_eq!((dx, finite), ([[0.5, 0.75]], true));
    /// # assert_eq!(y, [[0.5]]);
    /// // Add mode sums into what is there; a non-finite gradient is reported.
    /// net.backward(&x, &cache, &[[1.0]], &mut grads, GradMode::Add, None);
    /// assert_eq!(grads.0.bias, [0.5]);
    /// assert!(!net.backward(&x, &cache, &[[f64::NAN]], &mut grads, GradMode::Add, None));
    /// ```
    fn backward<const B: usize>(
        &self,
        x: &[I; B],
        cache: &Self::Cache<B>,
        dy: &[Self::Output; B],
        grads: &mut Self,
        mode: GradMode,
        dx: Option<&mut [I; B]>,
    ) -> bool;

    /// Calls `f` once for each layer, in order, with its description: once
    /// for a single layer, once per element for a network (tuples recurse).
    /// [`Summary`](crate::Summary) is built on it.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::LayerInfo;
    /// let mut layers = Vec::new();
    /// <(Dense<4, 3>, Relu)>::zeros().describe(&mut |l: LayerInfo| layers.push((l.outputs, l.params)));
    /// assert_eq!(layers, [(3, 15), (3, 0)]);
    /// ```
    fn describe(&self, f: &mut dyn FnMut(LayerInfo)) {
        f(LayerInfo {
            type_name: core::any::type_name::<Self>(),
            inputs: I::LEN,
            outputs: <Self::Output as Tensor>::LEN,
            params: Self::NUM_PARAMS,
        });
    }
}

/// Whether [`Layer::backward`] stores parameter gradients over the old
/// values of the gradient buffer or adds them to those values.
///
/// A mini-batch runs as one or more blocks: the first block stores (so the
/// buffer needs no zeroing and its stale values are never read), the later
/// ones add.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GradMode {
    /// Overwrite the gradient buffer: its old values are never read.
    Store,
    /// Add into the gradient buffer.
    Add,
}

impl GradMode {
    /// `dst[i] = values[i]` ([`Store`](Self::Store)) or `dst[i] += values[i]`
    /// ([`Add`](Self::Add)) for every `i` of the shorter slice: how a layer
    /// puts a gradient it has computed into its buffer.
    ///
    /// ```
    /// use constnet::GradMode;
    /// let mut g = [1.0, 1.0];
    /// GradMode::Add.apply(&mut g, &[2.0, 3.0]);
    /// assert_eq!(g, [3.0, 4.0]);
    /// GradMode::Store.apply(&mut g, &[5.0, 6.0]);
    /// assert_eq!(g, [5.0, 6.0]);
    /// ```
    pub fn apply<T: Scalar>(self, dst: &mut [T], values: &[T]) {
        match self {
            Self::Store => {
                for (d, &v) in dst.iter_mut().zip(values) {
                    *d = v;
                }
            }
            Self::Add => {
                for (d, &v) in dst.iter_mut().zip(values) {
                    *d = *d + v;
                }
            }
        }
    }
}

/// One layer as [`Layer::describe`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct LayerInfo {
    /// The full Rust type name, e.g. `constnet::dense::Dense<784, 30>`.
    pub type_name: &'static str,
    /// Input width.
    pub inputs: usize,
    /// Output width.
    pub outputs: usize,
    /// Number of trainable parameters.
    pub params: usize,
}

/// `∂loss/∂input` of a block through `layer.backward`, its parameter
/// gradients added into `grads`: what the unit tests ask of a backward pass.
#[cfg(test)]
pub(crate) fn input_gradient<L: Layer<I>, I: Tensor, const B: usize>(
    layer: &L,
    x: &[I; B],
    cache: &L::Cache<B>,
    dy: &[L::Output; B],
    grads: &mut L,
) -> [I; B] {
    let mut dx = core::array::from_fn(|_| I::zeros());
    layer.backward(x, cache, dy, grads, GradMode::Add, Some(&mut dx));
    dx
}
