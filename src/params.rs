//! Parameters: what training changes, described once by a walker and
//! visited from that description in every other way.

use core::mem::MaybeUninit;

use rand::Rng;

use crate::{Init, Scalar, kernel};

/// The deepest nesting of layers that [`TensorSpec::path`] tracks; deeper
/// layers are reported at this depth.
pub const MAX_DEPTH: usize = 16;

/// How [`Params::init`] fills a parameter tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// Drawn by the [`Init`] scheme's weight rule, with PyTorch's fans from
    /// the shape `[out, in, …rest]`: `fan_in = in·Πrest`,
    /// `fan_out = out·Πrest` (for a 1-D shape `[n]`, `fan_in = 1`,
    /// `fan_out = n`).
    Weight,
    /// Drawn by the [`Init`] scheme's bias rule (zero for most schemes).
    Bias,
    /// Every element 1, whatever the scheme: a gain that starts as the
    /// identity.
    Ones,
}

/// A parameter tensor as the visitors of [`Params`] report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TensorSpec<'a> {
    /// Indices of the layers that lead to the tensor, outermost first: `[2]`
    /// for the third layer of a network, `[1, 0]` for the first layer of a
    /// network nested as the second element.
    pub path: &'a [usize],
    /// The tensor's name within its layer, e.g. `"weight"` or `"bias"`.
    pub name: &'static str,
    /// The tensor's shape, row-major, e.g. `[OUT, IN]` for a weight (as in
    /// PyTorch's `nn.Linear`) and `[OUT]` for a bias.
    pub shape: &'a [usize],
    /// How [`Params::init`] fills it.
    pub role: Role,
}

impl TensorSpec<'_> {
    /// The `state_dict` key PyTorch gives this tensor in the equivalent
    /// `nn.Sequential`: the path joined by dots, then the name, e.g.
    /// `"0.weight"` or `"2.0.bias"`.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut keys = Vec::new();
    /// <(Relu, Dense<2, 1>)>::zeros().visit(|spec, _: &[f32]| keys.push(spec.key()));
    /// assert_eq!(keys, ["1.weight", "1.bias"]);
    /// ```
    ///
    /// Needs the `alloc` feature (on by default); without it,
    /// [`write_key`](Self::write_key) writes the same text.
    #[cfg(feature = "alloc")]
    #[must_use]
    pub fn key(&self) -> alloc::string::String {
        let mut key = alloc::string::String::new();
        // Writing into a String cannot fail.
        let _ = self.write_key(&mut key);
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
    /// <(Dense<2, 1>,)>::zeros().visit(|spec, _: &[f32]| {
    ///     spec.write_key(&mut keys).unwrap();
    ///     keys.push(' ');
    /// });
    /// assert_eq!(keys, "0.weight 0.bias ");
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
    /// Dense::<3, 2>::zeros().visit(|spec, v: &[f32]| assert_eq!(spec.len(), v.len()));
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the tensor has no elements.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// Dense::<3, 2>::zeros().visit(|spec, _: &[f32]| assert!(!spec.is_empty()));
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What [`Params::walk`] is given: it is told about each parameter tensor
/// of a value (its name, shape and [`Role`], and how to reach it) and each
/// nested value of parameters (a layer inside a network or a wrapper).
///
/// The walker, not the layer, decides what to do with them: constnet's
/// walkers read the tensors of one value, write those of another, walk the
/// same tensor of several values at once (parameters, gradients, optimizer
/// state) or only count. A layer describes itself once and gets all of
/// them. The accessors are plain functions (closures that capture nothing),
/// so a walk needs no value at all when only shapes are asked for.
///
/// # Generics
/// - `P`: the value whose tensors are described.
/// - `T`: the scalar type.
pub trait Walker<P: ?Sized, T: Scalar> {
    /// A tensor of `P`: named `name` with `shape`, reached by `get` and
    /// `get_mut` as a flat slice of exactly `shape.iter().product()`
    /// elements.
    fn tensor(
        &mut self,
        name: &'static str,
        shape: &[usize],
        role: Role,
        get: fn(&P) -> &[T],
        get_mut: fn(&mut P) -> &mut [T],
    );

    /// A nested value of parameters, at `index` in [`TensorSpec::path`]:
    /// walked with its own [`Params::walk`].
    fn layer<L: Params<T>>(
        &mut self,
        index: usize,
        get: fn(&P) -> &L,
        get_mut: fn(&mut P) -> &mut L,
    );
}

/// A value made of trainable parameter tensors of scalar type `T`: a layer or
/// a whole network.
///
/// An implementation says how many parameters there are
/// ([`NUM_PARAMS`](Self::NUM_PARAMS)), what a value of zeros is
/// ([`zeros`](Self::zeros)), and describes its tensors once
/// ([`walk`](Self::walk)). Every other walk is derived from that
/// description: visiting ([`visit`](Self::visit),
/// [`visit_mut`](Self::visit_mut), [`visit_n`](Self::visit_n)),
/// initialisation, finiteness, safetensors and raw bytes.
/// [`check`](Self::check) tells a description that disagrees with
/// `NUM_PARAMS`.
///
/// Gradients and optimizer state have exactly the shapes of the parameters,
/// so constnet stores them in a value of the same type: the gradient of a
/// `(Dense<784, 30>, Sigmoid)` is another `(Dense<784, 30>, Sigmoid)`.
///
/// # Examples
/// A learned per-element gain, `y = g ⊙ x`:
/// ```
/// use constnet::prelude::*;
/// use constnet::{Role, Walker};
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Scale<const N: usize> {
///     gain: [f32; N],
/// }
///
/// impl<const N: usize> Params<f32> for Scale<N> {
///     const NUM_PARAMS: usize = N;
///     fn zeros() -> Self {
///         Scale { gain: [0.0; N] }
///     }
///     fn walk(w: &mut impl Walker<Self, f32>) {
///         w.tensor("gain", &[N], Role::Ones, |s| &s.gain, |s| &mut s.gain);
///     }
/// }
///
/// type Net = (Dense<4, 3>, Scale<3>);
/// assert_eq!(Net::NUM_PARAMS, (4 * 3 + 3) + 3);
/// let mut net = Net::zeros();
/// net.visit_mut(|_, p: &mut [f32]| p.fill(0.5));
/// let mut sum = 0.0;
/// net.visit(|_, p: &[f32]| sum += p.iter().sum::<f32>());
/// assert_eq!(sum, 0.5 * Net::NUM_PARAMS as f32);
/// assert_eq!(net.check(), Ok(()));
/// ```
pub trait Params<T: Scalar>: Clone {
    /// The number of scalar parameters: the sum of the lengths of the
    /// tensors [`walk`](Self::walk) describes.
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

    /// Describes every parameter tensor to `walker`, in a fixed order:
    /// [`Walker::tensor`] for a tensor of `self`, [`Walker::layer`] for a
    /// nested value with parameters of its own. Parameter-free layers
    /// describe nothing.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut lengths = Vec::new();
    /// <(Dense<3, 2>, Relu, Dense<2, 1>)>::zeros().visit(|_, p: &[f32]| lengths.push(p.len()));
    /// assert_eq!(lengths, [6, 2, 2, 1]); // weight, bias, weight, bias
    /// ```
    fn walk(walker: &mut impl Walker<Self, T>);

    /// Calls `f` once per parameter tensor with its [`TensorSpec`] and its
    /// values as a flat slice, in the order of [`walk`](Self::walk). Names
    /// follow PyTorch's `nn.Sequential` `state_dict`: see
    /// [`TensorSpec::key`].
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut keys = Vec::new();
    /// <(Dense<3, 2>, Sigmoid, (Dense<2, 2>, Relu))>::zeros().visit(|spec, values: &[f32]| {
    ///     keys.push((spec.key(), spec.shape.to_vec(), values.len()));
    /// });
    /// assert_eq!(keys, [
    ///     ("0.weight".to_string(), vec![2, 3], 6),
    ///     ("0.bias".to_string(), vec![2], 2),
    ///     ("2.0.weight".to_string(), vec![2, 2], 4),
    ///     ("2.0.bias".to_string(), vec![2], 2),
    /// ]);
    /// ```
    fn visit(&self, mut f: impl FnMut(&TensorSpec<'_>, &[T])) {
        Self::walk(&mut Reader {
            value: self,
            path: &[],
            f: &mut f,
        });
    }

    /// [`visit`](Self::visit) with mutable values, e.g. to load weights.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut layer = Dense::<2, 1>::zeros();
    /// layer.visit_mut(|spec, values: &mut [f32]| {
    ///     if spec.name == "bias" {
    ///         values.fill(1.0);
    ///     }
    /// });
    /// assert_eq!(layer.bias, [1.0]);
    /// ```
    fn visit_mut(&mut self, mut f: impl FnMut(&TensorSpec<'_>, &mut [T])) {
        Self::visit_n([self], |spec, [values]| f(spec, values));
    }

    /// Calls `f` on the same parameter tensor of each of `items`, for every
    /// tensor in the order of [`walk`](Self::walk).
    ///
    /// This is how an optimizer walks parameters, gradients and its own state
    /// together: `Params::visit_n([params, grads, momentum], f)` hands `f`
    /// three slices of equal length at a time.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut a = Dense::<2, 1, f64> { weight: [[1.0, 2.0]], bias: [3.0] };
    /// let mut b = Dense::<2, 1, f64> { weight: [[10.0, 20.0]], bias: [30.0] };
    /// Params::visit_n([&mut a, &mut b], |_, [x, y]| {
    ///     for (x, y) in x.iter_mut().zip(y.iter()) {
    ///         *x += y;
    ///     }
    /// });
    /// assert_eq!((a.weight, a.bias), ([[11.0, 22.0]], [33.0]));
    /// ```
    fn visit_n<const N: usize>(
        items: [&mut Self; N],
        mut f: impl FnMut(&TensorSpec<'_>, [&mut [T]; N]),
    ) {
        Self::walk(&mut Writer {
            items,
            path: &[],
            f: &mut f,
        });
    }

    /// Whether [`walk`](Self::walk) agrees with
    /// [`NUM_PARAMS`](Self::NUM_PARAMS) and each tensor's slice with its
    /// shape. Saving, loading and gradient checks call it first, so a layer
    /// whose description is wrong gets an error, not a corrupt file.
    ///
    /// # Errors
    /// [`LayoutError`] naming what disagrees.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// assert_eq!(<(Dense<3, 2>, Relu)>::zeros().check(), Ok(()));
    /// ```
    fn check(&self) -> Result<(), LayoutError> {
        let mut described = 0;
        let mut wrong = None;
        self.visit(|spec, values| {
            described += spec.len();
            if values.len() != spec.len() && wrong.is_none() {
                wrong = Some(LayoutError::Tensor {
                    name: spec.name,
                    shape_len: spec.len(),
                    slice_len: values.len(),
                });
            }
        });
        if let Some(error) = wrong {
            return Err(error);
        }
        if described != Self::NUM_PARAMS {
            return Err(LayoutError::Count {
                num_params: Self::NUM_PARAMS,
                described,
            });
        }
        Ok(())
    }

    /// Fills every parameter as its [`Role`] says, drawing from `init` with
    /// `rng` in the order of [`walk`](Self::walk); the same seed gives the
    /// same parameters.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    /// let mut layer = Dense::<4, 4, f64>::zeros();
    /// layer.init(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
    /// assert!(layer.weight.as_flattened().iter().any(|&w| w != 0.0));
    /// ```
    fn init(&mut self, init: Init, rng: &mut impl Rng) {
        self.visit_mut(|spec, values| init.fill(spec, values, rng));
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
    /// a quick check of a network read from elsewhere.
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
        self.visit(|_, p| finite &= kernel::all_finite(p));
        finite
    }

    /// Sets every parameter to zero (settings such as a leaky ReLU's slope
    /// are kept).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// let mut layer = Dense::<1, 1> { weight: [[2.0]], bias: [3.0] };
    /// layer.set_zero();
    /// assert_eq!(layer, Dense::zeros());
    /// ```
    fn set_zero(&mut self) {
        self.visit_mut(|_, p| p.fill(T::zero()));
    }

    /// Writes [`zeros`](Self::zeros) into `slot` and returns it: how
    /// [`boxed_zeros`](Self::boxed_zeros) builds a value directly on the
    /// heap. The default builds the value on the stack and moves it in;
    /// [`Dense`](crate::Dense) zeroes the slot's memory and tuples build
    /// each element in its own place, so a network of any size never
    /// passes through the stack. A layer too large for the stack can do
    /// the same with [`kernel::zeroed_in`] when it implements
    /// [`bytemuck::Zeroable`].
    ///
    /// ```
    /// use core::mem::MaybeUninit;
    /// use constnet::prelude::*;
    /// let mut slot = MaybeUninit::uninit();
    /// let layer: &mut Dense<2, 1> = Params::zeros_in(&mut slot);
    /// assert_eq!(*layer, Dense::zeros());
    /// ```
    fn zeros_in(slot: &mut MaybeUninit<Self>) -> &mut Self {
        slot.write(Self::zeros())
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
    fn boxed_zeros() -> alloc::boxed::Box<Self> {
        kernel::boxed_in_place(Self::zeros_in)
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
    fn boxed_random(init: Init, rng: &mut impl Rng) -> alloc::boxed::Box<Self> {
        let mut value = Self::boxed_zeros();
        value.init(init, rng);
        value
    }
}

/// A description of parameters ([`Params::walk`]) that disagrees with the
/// values it describes: the error of [`Params::check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LayoutError {
    /// The described tensors add up to another count than `NUM_PARAMS`.
    Count {
        /// The type's `NUM_PARAMS`.
        num_params: usize,
        /// The sum of the described tensors' lengths.
        described: usize,
    },
    /// A tensor's slice is not as long as its shape says.
    Tensor {
        /// The tensor's name.
        name: &'static str,
        /// The product of its described shape.
        shape_len: usize,
        /// The length of the slice its accessor returned.
        slice_len: usize,
    },
}

impl core::fmt::Display for LayoutError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Count {
                num_params,
                described,
            } => write!(
                f,
                "the parameters' description has {described} values but NUM_PARAMS is {num_params}"
            ),
            Self::Tensor {
                name,
                shape_len,
                slice_len,
            } => write!(
                f,
                "parameter tensor `{name}` is described with {shape_len} values but its slice has {slice_len}"
            ),
        }
    }
}

impl core::error::Error for LayoutError {}

/// `path` with `index` appended, in a fixed-size buffer (no allocation).
fn child_path(path: &[usize], index: usize) -> ([usize; MAX_DEPTH], usize) {
    let mut buf = [0; MAX_DEPTH];
    let len = path.len().min(MAX_DEPTH - 1);
    buf[..len].copy_from_slice(&path[..len]);
    buf[len] = index;
    (buf, len + 1)
}

/// The walker of [`Params::visit`]: reads the tensors of one value.
struct Reader<'v, 'f, P, F> {
    value: &'v P,
    path: &'f [usize],
    f: &'f mut F,
}

impl<P, T: Scalar, F: FnMut(&TensorSpec<'_>, &[T])> Walker<P, T> for Reader<'_, '_, P, F> {
    fn tensor(
        &mut self,
        name: &'static str,
        shape: &[usize],
        role: Role,
        get: fn(&P) -> &[T],
        _: fn(&mut P) -> &mut [T],
    ) {
        let spec = TensorSpec {
            path: self.path,
            name,
            shape,
            role,
        };
        (self.f)(&spec, get(self.value));
    }

    fn layer<L: Params<T>>(&mut self, index: usize, get: fn(&P) -> &L, _: fn(&mut P) -> &mut L) {
        let (buf, len) = child_path(self.path, index);
        L::walk(&mut Reader {
            value: get(self.value),
            path: &buf[..len],
            f: &mut *self.f,
        });
    }
}

/// The walker of [`Params::visit_n`]: the same tensor of `N` values at once.
struct Writer<'v, 'f, P, F, const N: usize> {
    items: [&'v mut P; N],
    path: &'f [usize],
    f: &'f mut F,
}

impl<P, T: Scalar, F: FnMut(&TensorSpec<'_>, [&mut [T]; N]), const N: usize> Walker<P, T>
    for Writer<'_, '_, P, F, N>
{
    fn tensor(
        &mut self,
        name: &'static str,
        shape: &[usize],
        role: Role,
        _: fn(&P) -> &[T],
        get_mut: fn(&mut P) -> &mut [T],
    ) {
        let spec = TensorSpec {
            path: self.path,
            name,
            shape,
            role,
        };
        (self.f)(&spec, self.items.each_mut().map(|p| get_mut(p)));
    }

    fn layer<L: Params<T>>(
        &mut self,
        index: usize,
        _: fn(&P) -> &L,
        get_mut: fn(&mut P) -> &mut L,
    ) {
        let (buf, len) = child_path(self.path, index);
        L::walk(&mut Writer {
            items: self.items.each_mut().map(|p| get_mut(p)),
            path: &buf[..len],
            f: &mut *self.f,
        });
    }
}
