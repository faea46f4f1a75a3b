//! The [`Layer`] trait: forward, training forward and backward of one layer or
//! a whole network.

use crate::{Params, Sample, Tensor, kernel};

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
/// gradient of the loss with respect to each output, **adds** the parameter
/// gradients (summed over the block) into `grads` — a value of the layer's
/// own type, see [`Params`] — and returns the gradient with respect to each
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

    /// Backpropagation: adds ∂loss/∂parameters, summed over the block, into
    /// `grads` and returns ∂loss/∂input for each sample, given the inputs `x`
    /// and the cache of the forward pass that produced the outputs, and
    /// `dy[k]` = ∂loss/∂output of sample `k`.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// // y = σ(w·x + b) with w = [2, 3], b = 1, at x = [1, −1]: z = 0, y = 0.5.
    /// let net = (Dense::<2, 1, f64> { weight: [[2.0, 3.0]], bias: [1.0] }, Sigmoid);
    /// let x = [[1.0, -1.0]];
    /// let (y, cache) = net.forward_train(&x);
    /// let mut grads = <(Dense<2, 1, f64>, Sigmoid)>::zeros();
    /// let [dx] = net.backward(&x, &cache, &[[1.0]], &mut grads); // dL/dy = 1
    /// // dL/dz = σ'(0) = 0.25; dL/dw = 0.25·x; dL/db = 0.25; dL/dx = 0.25·w.
    /// assert_eq!(grads.0.weight, [[0.25, -0.25]]);
    /// assert_eq!(grads.0.bias, [0.25]);
    /// assert_eq!(dx, [0.5, 0.75]);
    /// # assert_eq!(y, [[0.5]]);
    /// ```
    fn backward<const B: usize>(
        &self,
        x: &[I; B],
        cache: &Self::Cache<B>,
        dy: &[Self::Output; B],
        grads: &mut Self,
    ) -> [I; B];

    /// Like [`backward`](Self::backward) but without the input gradients,
    /// which the first layer of a network does not need: layers override it to
    /// skip that work.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let layer = Dense::<2, 1, f64> { weight: [[2.0, 3.0]], bias: [1.0] };
    /// let x = [[1.0, -1.0], [1.0, -1.0]];
    /// let (_, cache) = layer.forward_train(&x);
    /// let mut grads = Dense::zeros();
    /// layer.backward_params(&x, &cache, &[[2.0], [2.0]], &mut grads); // summed over the block
    /// assert_eq!((grads.weight, grads.bias), ([[4.0, -4.0]], [4.0]));
    /// ```
    fn backward_params<const B: usize>(
        &self,
        x: &[I; B],
        cache: &Self::Cache<B>,
        dy: &[Self::Output; B],
        grads: &mut Self,
    ) {
        let _ = self.backward(x, cache, dy, grads);
    }

    /// The backward pass of a training step: [`backward`](Self::backward),
    /// except that with [`Gradients::Store`] it stores ∂loss/∂parameters in
    /// `grads` instead of adding them (what the first block of a mini-batch
    /// needs, without zeroing `grads` first or reading its old values), and
    /// that it also tells whether every parameter gradient now in `grads`
    /// is finite (a training step checks before it changes a network).
    ///
    /// The default zeroes `grads` for [`Gradients::Store`], calls `backward`
    /// and checks [`Params::is_finite`]. Layers with parameters override it
    /// to do all three in one pass; [`train::gradient`](crate::train::gradient)
    /// is built on it.
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::Gradients;
    /// let layer = Dense::<2, 1, f64> { weight: [[2.0, 3.0]], bias: [1.0] };
    /// let x = [[1.0, -1.0]];
    /// let (_, cache) = layer.forward_train(&x);
    /// let mut grads = Dense { weight: [[9.0, 9.0]], bias: [9.0] }; // stale values
    /// let ([dx], finite) = layer.backward_train(&x, &cache, &[[2.0]], &mut grads, Gradients::Store);
    /// assert_eq!((grads.weight, grads.bias, dx, finite), ([[2.0, -2.0]], [2.0], [4.0, 6.0], true));
    /// let (_, finite) = layer.backward_train(&x, &cache, &[[f64::INFINITY]], &mut grads, Gradients::Add);
    /// assert!(!finite);
    /// ```
    fn backward_train<const B: usize>(
        &self,
        x: &[I; B],
        cache: &Self::Cache<B>,
        dy: &[Self::Output; B],
        grads: &mut Self,
        mode: Gradients,
    ) -> ([I; B], bool) {
        if mode == Gradients::Store {
            grads.set_zero();
        }
        let dx = self.backward(x, cache, dy, grads);
        (dx, grads.is_finite())
    }

    /// [`backward_train`](Self::backward_train) without the input
    /// gradients, as [`backward_params`](Self::backward_params) is to
    /// [`backward`](Self::backward): for the first layer of a network.
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::Gradients;
    /// let net = (Dense::<2, 1, f64> { weight: [[2.0, 3.0]], bias: [1.0] }, Relu);
    /// let x = [[1.0, -1.0], [2.0, 0.0]];
    /// let (_, cache) = net.forward_train(&x);
    /// let mut grads = <(Dense<2, 1, f64>, Relu)>::zeros();
    /// grads.0.bias = [f64::NAN]; // stored over, never read
    /// let finite = net.backward_params_train(&x, &cache, &[[1.0], [1.0]], &mut grads, Gradients::Store);
    /// // Only the second sample is active (w·x + b = 5 > 0; the first is 0).
    /// assert_eq!((grads.0.weight, grads.0.bias, finite), ([[2.0, 0.0]], [1.0], true));
    /// ```
    fn backward_params_train<const B: usize>(
        &self,
        x: &[I; B],
        cache: &Self::Cache<B>,
        dy: &[Self::Output; B],
        grads: &mut Self,
        mode: Gradients,
    ) -> bool {
        if mode == Gradients::Store {
            grads.set_zero();
        }
        self.backward_params(x, cache, dy, grads);
        grads.is_finite()
    }

    /// [`backward_params_train`](Self::backward_params_train) with
    /// [`Gradients::Store`], then, if every parameter gradient is finite,
    /// one step of plain gradient descent on the parameters: `θ ← θ −
    /// rate·∂loss/∂θ`, rounded as [`Sgd`](crate::Sgd) rounds it. Returns
    /// whether the gradients were finite; when they are not, `self` is left
    /// unchanged. Afterwards `grads` holds no particular values: a layer may
    /// apply its gradient as it computes it, without storing it.
    ///
    /// The first layer of a network needs no input gradient, and its weight
    /// gradient is the largest, so this is where a training step with plain
    /// SGD ([`Optimizer::plain_rate`](crate::Optimizer::plain_rate)) applies
    /// the update: [`Dense`](crate::Dense) subtracts each tile of its weight
    /// gradient from the weights as soon as it is summed, which saves
    /// writing a gradient as large as the weights and reading it back; a
    /// network applies it to its first layer this way and then updates its
    /// other layers. The parameters get the same bits as
    /// [`backward_params_train`](Self::backward_params_train) followed by
    /// [`Sgd::step`](crate::Optimizer::step). The default does exactly that.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut layer = Dense::<2, 1, f64> { weight: [[2.0, 3.0]], bias: [1.0] };
    /// let x = [[1.0, -1.0]];
    /// let (_, cache) = layer.forward_train(&x);
    /// let mut grads = Dense::zeros();
    /// // ∂loss/∂w = 2·x = [2, −2], ∂loss/∂b = 2; w, b ← w, b − 0.5·gradient.
    /// assert!(layer.backward_params_sgd(&x, &cache, &[[2.0]], &mut grads, 0.5));
    /// assert_eq!((layer.weight, layer.bias), ([[1.0, 4.0]], [0.0]));
    /// // A NaN gradient changes nothing.
    /// assert!(!layer.backward_params_sgd(&x, &cache, &[[f64::NAN]], &mut grads, 0.5));
    /// assert_eq!((layer.weight, layer.bias), ([[1.0, 4.0]], [0.0]));
    /// ```
    fn backward_params_sgd<const B: usize>(
        &mut self,
        x: &[I; B],
        cache: &Self::Cache<B>,
        dy: &[Self::Output; B],
        grads: &mut Self,
        rate: I::Scalar,
    ) -> bool {
        store_then_descend(self, x, cache, dy, grads, rate)
    }

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

/// The default of [`Layer::backward_params_sgd`], also what layers that
/// override it fall back to: the gradients stored and checked by
/// [`Layer::backward_params_train`], then applied if finite.
pub(crate) fn store_then_descend<L: Layer<I>, I: Tensor, const B: usize>(
    layer: &mut L,
    x: &[I; B],
    cache: &L::Cache<B>,
    dy: &[L::Output; B],
    grads: &mut L,
    rate: I::Scalar,
) -> bool {
    let finite = layer.backward_params_train(x, cache, dy, grads, Gradients::Store);
    if finite {
        crate::optim::descend(layer, grads, rate);
    }
    finite
}

/// The stack bytes a block of samples may keep live: blocks of a network
/// whose values would take more run as smaller blocks (in training and in
/// [`infer`](crate::infer)), so wide networks run on small thread stacks.
pub(crate) const STACK_BUDGET: usize = 256 * 1024;

/// Whether a block of `K` samples of `N` keeps its main values within
/// [`STACK_BUDGET`]: `inputs` bytes of copied inputs, the network's cache,
/// and two arrays of outputs (the outputs and their gradients, or the
/// outputs of two consecutive layers). A compile-time constant per network.
pub(crate) fn block_fits_stack<const K: usize, N: Layer<I>, I: Tensor>(inputs: usize) -> bool {
    inputs + size_of::<N::Cache<K>>() + 2 * size_of::<[N::Output; K]>() <= STACK_BUDGET
}

/// A value starting on a 64-byte cache line. The blocks of samples copied
/// out of a data set (by a training step, or converted for inference) are
/// kept in one: when a sample's size is
/// a multiple of 64 bytes (784 `f32` are 49 lines) every sample then starts
/// on a line, and no vector load in the kernels straddles two lines.
#[repr(C, align(64))]
pub(crate) struct CacheAligned<T>(pub(crate) T);

impl<I: Tensor, const K: usize> CacheAligned<[I; K]> {
    /// A block of `K` zero inputs.
    #[inline(always)]
    pub(crate) fn zeros() -> Self {
        Self(core::array::from_fn(|_| I::zeros()))
    }

    /// Overwrites input `k` of the block with `sample(k)`'s, for every `k`.
    pub(crate) fn fill<'a, S: Sample<I> + 'a>(&mut self, sample: impl Fn(usize) -> &'a S) {
        for (k, x) in self.0.iter_mut().enumerate() {
            sample(k).write_input(x);
        }
    }

    /// Empty slots for a block of `K` inputs, for
    /// [`fill_in`](Self::fill_in). Costs nothing.
    #[inline(always)]
    pub(crate) fn slots() -> CacheAligned<[core::mem::MaybeUninit<I>; K]> {
        CacheAligned(kernel::slots())
    }

    /// The block of the inputs of `sample(k)`, `k < K`, built in `slots`:
    /// samples that are inputs ([`Sample::as_inputs`]) are cloned straight
    /// into their slot, others are converted into a slot of zeros. Each
    /// input is written where it stays, never moved or copied whole.
    #[inline(always)]
    pub(crate) fn fill_in<'a, 's, S: Sample<I> + 'a>(
        slots: &'s mut CacheAligned<[core::mem::MaybeUninit<I>; K]>,
        sample: impl Fn(usize) -> &'a S,
    ) -> kernel::Filled<'s, I, K> {
        if S::as_inputs(&[]).is_some() {
            kernel::fill(&mut slots.0, |k| sample(k).to_input(), |_, _| {})
        } else {
            kernel::fill(
                &mut slots.0,
                |_| I::zeros(),
                |k, x| sample(k).write_input(x),
            )
        }
    }
}

/// Whether [`Layer::backward_train`] stores parameter gradients or adds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gradients {
    /// Overwrite the gradient buffer: its old values are never read.
    Store,
    /// Add into the gradient buffer, as [`Layer::backward`] does.
    Add,
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
