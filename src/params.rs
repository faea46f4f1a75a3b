//! Parameters: what training changes, visited as flat slices.

use num_traits::Float;
use rand::Rng;

use crate::Init;
#[cfg(feature = "alloc")]
use crate::kernel::Zeroable;

/// The deepest nesting of tuples that [`Params::visit_tensors`] tracks;
/// deeper elements are reported at this depth.
pub const MAX_DEPTH: usize = 16;

/// A parameter tensor as [`Params::visit_tensors`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TensorSpec<'a> {
    /// Indices of the tuple elements that lead to the layer, outermost
    /// first: `[2]` for the third layer of a network, `[1, 0]` for the first
    /// layer of a network nested as the second element.
    pub path: &'a [usize],
    /// The tensor's name within its layer, e.g. `"weight"` or `"bias"`.
    pub name: &'static str,
    /// The tensor's shape, row-major, e.g. `[OUT, IN]` for a weight (as in
    /// PyTorch's `nn.Linear`) and `[OUT]` for a bias.
    pub shape: &'a [usize],
}

impl TensorSpec<'_> {
    /// The `state_dict` key PyTorch gives this tensor in the equivalent
    /// `nn.Sequential`: the path joined by dots, then the name, e.g.
    /// `"0.weight"` or `"2.0.bias"`.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut keys = Vec::new();
    /// Dense::<2, 1>::zeros().visit_tensors(&[4, 1], &mut |spec, _: &[f32]| keys.push(spec.key()));
    /// assert_eq!(keys, ["4.1.weight", "4.1.bias"]);
    /// ```
    ///
    /// Needs the `alloc` feature (on by default); without it,
    /// [`write_key`](Self::write_key) writes the same text.
    #[cfg(feature = "alloc")]
    #[must_use]
    pub fn key(&self) -> alloc::string::String {
        use alloc::string::ToString;
        let mut key = alloc::string::String::new();
        for index in self.path {
            key.push_str(&index.to_string());
            key.push('.');
        }
        key.push_str(self.name);
        key
    }

    /// Writes [`key`](Self::key) into `out` without allocating, e.g. into a
    /// fixed-size buffer on a target without a heap.
    ///
    /// # Errors
    /// Whatever `out` returns, e.g. when its buffer is full.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut keys = String::new();
    /// Dense::<2, 1>::zeros().visit_tensors(&[3], &mut |spec, _: &[f32]| {
    ///     spec.write_key(&mut keys).unwrap();
    ///     keys.push(' ');
    /// });
    /// assert_eq!(keys, "3.weight 3.bias ");
    /// ```
    pub fn write_key(&self, out: &mut impl core::fmt::Write) -> core::fmt::Result {
        for index in self.path {
            write!(out, "{index}.")?;
        }
        out.write_str(self.name)
    }

    /// Number of elements: the product of the shape.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// Dense::<3, 2>::zeros().visit_tensors(&[], &mut |spec, v: &[f32]| assert_eq!(spec.len(), v.len()));
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the tensor has no elements (never for constnet's layers).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// Dense::<3, 2>::zeros().visit_tensors(&[], &mut |spec, _: &[f32]| assert!(!spec.is_empty()));
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `path` with `index` appended, in a fixed-size buffer (no allocation).
pub(crate) fn child_path(path: &[usize], index: usize) -> ([usize; MAX_DEPTH], usize) {
    let mut buf = [0; MAX_DEPTH];
    let len = path.len().min(MAX_DEPTH - 1);
    buf[..len].copy_from_slice(&path[..len]);
    buf[len] = index;
    (buf, len + 1)
}

/// A value made of trainable parameter tensors of scalar type `T`: a layer or
/// a whole network.
///
/// Gradients and optimizer state have exactly the shapes of the parameters, so
/// constnet stores them in a value of the same type: the gradient of a
/// `(Dense<784, 30>, Sigmoid)` is another `(Dense<784, 30>, Sigmoid)`. The
/// visitors hand out each parameter tensor as a flat slice, which is all an
/// optimizer needs: one optimizer serves every layer.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// type Net = (Dense<4, 3>, Sigmoid, Dense<3, 2>);
/// assert_eq!(Net::NUM_PARAMS, (4 * 3 + 3) + (3 * 2 + 2));
///
/// let mut net = Net::zeros();
/// net.visit_mut(&mut |p: &mut [f32]| p.fill(0.5));
/// let mut sum = 0.0;
/// net.visit(&mut |p: &[f32]| sum += p.iter().sum::<f32>());
/// assert_eq!(sum, 0.5 * Net::NUM_PARAMS as f32);
/// ```
pub trait Params<T: Float>: Clone {
    /// The number of scalar parameters.
    const NUM_PARAMS: usize;

    /// A value whose parameters are all zero (activations and other
    /// parameter-free layers take their default settings).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// assert_eq!(Dense::<2, 1>::zeros().weight, [[0.0, 0.0]]);
    /// ```
    #[must_use]
    fn zeros() -> Self;

    /// Calls `f` once per parameter tensor, as a flat slice, in a fixed order.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut lengths = Vec::new();
    /// <(Dense<3, 2>, Relu, Dense<2, 1>)>::zeros().visit(&mut |p: &[f32]| lengths.push(p.len()));
    /// assert_eq!(lengths, [6, 2, 2, 1]); // weight, bias, weight, bias
    /// ```
    fn visit(&self, f: &mut impl FnMut(&[T]));

    /// Calls `f` on the same parameter tensor of each of `items`, for every
    /// tensor in the order of [`visit`](Self::visit).
    ///
    /// This is how an optimizer walks parameters, gradients and its own state
    /// together: `Params::visit_n([params, grads, momentum], f)` hands `f`
    /// three slices of equal length at a time.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut a = Dense::<2, 1, f64> { weight: [[1.0, 2.0]], bias: [3.0] };
    /// let mut b = Dense::<2, 1, f64> { weight: [[10.0, 20.0]], bias: [30.0] };
    /// Params::visit_n([&mut a, &mut b], &mut |[x, y]: [&mut [f64]; 2]| {
    ///     for (x, y) in x.iter_mut().zip(y.iter()) {
    ///         *x += y;
    ///     }
    /// });
    /// assert_eq!((a.weight, a.bias), ([[11.0, 22.0]], [33.0]));
    /// ```
    fn visit_n<const N: usize>(items: [&mut Self; N], f: &mut impl FnMut([&mut [T]; N]));

    /// Calls `f` once per parameter tensor, mutably, in the order of
    /// [`visit`](Self::visit).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut layer = Dense::<2, 1>::zeros();
    /// layer.visit_mut(&mut |p: &mut [f32]| p.fill(1.0));
    /// assert_eq!((layer.weight, layer.bias), ([[1.0, 1.0]], [1.0]));
    /// ```
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        Self::visit_n([self], &mut |[p]| f(p));
    }

    /// Draws every parameter from `init`, using `rng` in the order of
    /// [`visit`](Self::visit); the same seed gives the same parameters.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// let mut layer = Dense::<4, 4, f64>::zeros();
    /// layer.init(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
    /// assert!(layer.weight.as_flattened().iter().any(|&w| w != 0.0));
    /// ```
    fn init(&mut self, init: Init, rng: &mut impl Rng);

    /// Calls `f` once per parameter tensor with its [`TensorSpec`] (where it
    /// sits, its name and shape) and its values, in the order of
    /// [`visit`](Self::visit). `path` is the position of `self` in the
    /// enclosing networks (empty at the top). Names follow PyTorch's
    /// `nn.Sequential` `state_dict`: see [`TensorSpec::key`].
    ///
    /// Parameter-free layers keep the default, which visits nothing.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut keys = Vec::new();
    /// <(Dense<3, 2>, Sigmoid, (Dense<2, 2>, Relu))>::zeros().visit_tensors(&[], &mut |spec, values: &[f32]| {
    ///     keys.push((spec.key(), spec.shape.to_vec(), values.len()));
    /// });
    /// assert_eq!(keys, [
    ///     ("0.weight".to_string(), vec![2, 3], 6),
    ///     ("0.bias".to_string(), vec![2], 2),
    ///     ("2.0.weight".to_string(), vec![2, 2], 4),
    ///     ("2.0.bias".to_string(), vec![2], 2),
    /// ]);
    /// ```
    fn visit_tensors(&self, path: &[usize], f: &mut impl FnMut(&TensorSpec<'_>, &[T])) {
        let _ = (path, f);
    }

    /// [`visit_tensors`](Self::visit_tensors) with mutable values, e.g. to
    /// load weights.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut layer = Dense::<2, 1>::zeros();
    /// layer.visit_tensors_mut(&[], &mut |spec, values: &mut [f32]| {
    ///     if spec.name == "bias" {
    ///         values.fill(1.0);
    ///     }
    /// });
    /// assert_eq!(layer.bias, [1.0]);
    /// ```
    fn visit_tensors_mut(&mut self, path: &[usize], f: &mut impl FnMut(&TensorSpec<'_>, &mut [T])) {
        let _ = (path, f);
    }

    /// A value initialised by `init` from `rng`: shorthand for
    /// [`zeros`](Self::zeros) then [`init`](Self::init).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    ///
    /// let a = Dense::<3, 2>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(7));
    /// let b = Dense::<3, 2>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(7));
    /// assert_eq!(a.weight, b.weight);
    /// ```
    #[must_use]
    fn random(init: Init, rng: &mut impl Rng) -> Self {
        let mut value = Self::zeros();
        value.init(init, rng);
        value
    }

    /// Whether every parameter is finite (no NaN, no infinity): the check a
    /// training step makes on its gradient before it changes a network, and
    /// a quick check of a network read from elsewhere. Layers with
    /// parameters of a [`Scalar`](crate::Scalar) type override it with the
    /// vectorised kernel; the default checks what [`visit`](Self::visit)
    /// shows.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut net = <(Dense<2, 2>, Relu, Dense<2, 1>)>::zeros();
    /// assert!(net.is_finite());
    /// net.2.bias[0] = f32::NAN;
    /// assert!(!net.is_finite());
    /// ```
    #[must_use]
    fn is_finite(&self) -> bool {
        let mut finite = true;
        self.visit(&mut |p| finite &= crate::kernel::all_finite_portable(p));
        finite
    }

    /// Makes `self` equal to [`zeros`](Self::zeros) in place: every parameter
    /// zero, every setting (such as a leaky ReLU's slope) at its default.
    /// Layers with settings override it; the default sets the parameters to
    /// zero.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut net = (Dense::<1, 1> { weight: [[2.0]], bias: [3.0] }, LeakyRelu::new(0.1));
    /// net.reset();
    /// assert_eq!(net, <(Dense<1, 1>, LeakyRelu)>::zeros());
    /// ```
    fn reset(&mut self) {
        self.set_zero();
    }

    /// [`zeros`](Self::zeros), built directly on the heap: a network of any
    /// size is made without passing through the stack.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// // 784-1024-1024-10: 4.2 MB of f32 parameters, more than a thread's stack.
    /// type Big = (Dense<784, 1024>, Relu, Dense<1024, 1024>, Relu, Dense<1024, 10>);
    /// let net: Box<Big> = Big::boxed_zeros();
    /// assert_eq!(net.4.bias, [0.0; 10]);
    /// ```
    ///
    /// Needs the `alloc` feature (on by default).
    #[cfg(feature = "alloc")]
    #[must_use]
    fn boxed_zeros() -> alloc::boxed::Box<Self>
    where
        Self: Zeroable,
    {
        let mut value = crate::kernel::zeroed_box::<Self>();
        value.reset();
        value
    }

    /// [`random`](Self::random), built directly on the heap.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// let a = Dense::<300, 200>::boxed_random(Init::HeNormal, &mut ChaCha8Rng::seed_from_u64(3));
    /// let b = Dense::<300, 200>::random(Init::HeNormal, &mut ChaCha8Rng::seed_from_u64(3));
    /// assert_eq!(*a, b);
    /// ```
    ///
    /// Needs the `alloc` feature (on by default).
    #[cfg(feature = "alloc")]
    #[must_use]
    fn boxed_random(init: Init, rng: &mut impl Rng) -> alloc::boxed::Box<Self>
    where
        Self: Zeroable,
    {
        let mut value = Self::boxed_zeros();
        value.init(init, rng);
        value
    }

    /// Sets every parameter to zero.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut layer = Dense::<1, 1> { weight: [[2.0]], bias: [3.0] };
    /// layer.set_zero();
    /// assert_eq!(layer, Dense::zeros());
    /// ```
    fn set_zero(&mut self) {
        self.visit_mut(&mut |p| p.fill(T::zero()));
    }
}
