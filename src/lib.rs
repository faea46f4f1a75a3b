//! # constnet — neural networks whose shapes are types
//!
//! Layers are types with const-generic sizes, networks are tuples of layers,
//! and the compiler checks that they fit together:
//!
//! ```
//! use constnet::prelude::*;
//! use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
//!
//! type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid); // the lecture's network
//! let net = Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
//! let x = [0.0_f32; 784];
//! let y: [f32; 10] = net.forward(&x);
//! assert_eq!(Net::NUM_PARAMS, 23_860);
//! # let _ = y;
//! ```
//!
//! Sizes that do not chain are a compile error naming both sizes
//! (`the following trait bounds were not satisfied: Dense<20, 10>: Layer<[f32; 30]>`):
//!
//! ```compile_fail,E0599
//! # use constnet::prelude::*;
//! type Net = (Dense<784, 30>, Sigmoid, Dense<20, 10>);
//! let net = Net::zeros();
//! let y = net.forward(&[0.0_f32; 784]);
//! ```
//! Its twin, one token apart, compiles:
//! ```
//! # use constnet::prelude::*;
//! type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>);
//! let net = Net::zeros();
//! let y = net.forward(&[0.0_f32; 784]);
//! ```
//!
//! So does an input of the wrong length …
//! ```compile_fail,E0308
//! # use constnet::prelude::*;
//! let net = <(Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid)>::zeros();
//! let y = net.forward(&[0.0_f32; 783]);
//! ```
//! ```
//! # use constnet::prelude::*;
//! let net = <(Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid)>::zeros();
//! let y = net.forward(&[0.0_f32; 784]);
//! ```
//!
//! … and an output bound to the wrong length:
//! ```compile_fail,E0308
//! # use constnet::prelude::*;
//! let net = <(Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid)>::zeros();
//! let y: [f32; 9] = net.forward(&[0.0_f32; 784]);
//! ```
//! ```
//! # use constnet::prelude::*;
//! let net = <(Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid)>::zeros();
//! let y: [f32; 10] = net.forward(&[0.0_f32; 784]);
//! ```
//!
//! ## Writing a layer
//! A layer is a type that implements two traits, with nothing `unsafe`:
//! - [`Params`]: how many parameters it has (`NUM_PARAMS`), a value of
//!   zeros, and one walk that names each parameter tensor with its shape
//!   ([`Walker::tensor`]) or hands a nested layer on ([`Walker::layer`]).
//!   Visiting, initialisation, finiteness checks, optimizers, safetensors
//!   and raw bytes are all derived from that walk; [`Params::check`] tells
//!   a walk that disagrees with `NUM_PARAMS`, and saving, loading and
//!   gradient checks call it first.
//! - [`Layer`]: `forward`, `forward_train` (the outputs of a block and
//!   whatever the backward pass needs) and one `backward` (parameter
//!   gradients stored or added as [`GradMode`] says, the input gradient
//!   when asked for, and whether the gradients are finite).
//!
//! A learned per-element gain `y = g ⊙ x`:
//! ```
//! use constnet::prelude::*;
//! use constnet::{Role, Walker};
//!
//! #[derive(Clone, Debug)]
//! struct Scale<const N: usize> {
//!     gain: [f32; N],
//! }
//!
//! impl<const N: usize> Params<f32> for Scale<N> {
//!     const NUM_PARAMS: usize = N;
//!     fn zeros() -> Self {
//!         Scale { gain: [0.0; N] }
//!     }
//!     fn walk(w: &mut impl Walker<Self, f32>) {
//!         w.tensor("gain", &[N], Role::Ones, |s| &s.gain, |s| &mut s.gain);
//!     }
//! }
//!
//! impl<const N: usize> Layer<[f32; N]> for Scale<N> {
//!     type Output = [f32; N];
//!     type Cache<const B: usize> = (); // backward needs only the inputs
//!
//!     fn forward(&self, x: &[f32; N]) -> [f32; N] {
//!         core::array::from_fn(|i| self.gain[i] * x[i])
//!     }
//!     fn forward_train<const B: usize>(&self, x: &[[f32; N]; B]) -> ([[f32; N]; B], ()) {
//!         (x.each_ref().map(|x| self.forward(x)), ())
//!     }
//!     fn backward<const B: usize>(
//!         &self,
//!         x: &[[f32; N]; B],
//!         (): &(),
//!         dy: &[[f32; N]; B],
//!         grads: &mut Self,
//!         mode: GradMode,
//!         dx: Option<&mut [[f32; N]; B]>,
//!     ) -> bool {
//!         let mut gain = [0.0; N]; // ∂L/∂gᵢ = Σₖ dyₖᵢ·xₖᵢ
//!         for (x, dy) in x.iter().zip(dy) {
//!             for i in 0..N {
//!                 gain[i] += dy[i] * x[i];
//!             }
//!         }
//!         mode.apply(&mut grads.gain, &gain);
//!         if let Some(dx) = dx {
//!             for (dx, dy) in dx.iter_mut().zip(dy) {
//!                 *dx = core::array::from_fn(|i| dy[i] * self.gain[i]); // ∂L/∂xᵢ = dyᵢ·gᵢ
//!             }
//!         }
//!         grads.is_finite()
//!     }
//! }
//!
//! // It composes, initialises, trains and saves like any built-in layer.
//! use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
//! type Net = (Dense<2, 3>, Scale<3>, Dense<3, 1>);
//! let mut net = Net::random(Init::GlorotUniform, &mut ChaCha8Rng::seed_from_u64(0));
//! assert_eq!(net.1.gain, [1.0; 3]);
//! let mut trainer = Trainer::new(Quadratic, Sgd::new(0.1));
//! trainer.step(&mut net, [(&[1.0, 0.5], &[2.0])])?;
//! let bytes = constnet::io::to_safetensors_bytes(&net)?;
//! let mut copy = Net::zeros();
//! constnet::io::from_safetensors_bytes(&mut copy, &bytes)?;
//! assert_eq!(copy.1.gain, net.1.gain);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//! An elementwise function needs even less: implement
//! [`activation::Activation`] (`f` and its derivative) and it is a layer of
//! every width. `examples/custom_layer.rs` adds a `Residual<L>` wrapper and
//! checks both layers' gradients, trains them on MNIST and reloads them.
//! [`gradcheck`] checks the gradients of any layer you write.
//!
//! ## Where things are
//! | concept | module |
//! | --- | --- |
//! | the layer trait: forward, training forward, backward | [`Layer`] |
//! | parameters, gradients and their visitors | [`Params`] |
//! | blocks of samples run at once (sizes, stack budget) | `block` |
//! | networks as tuples of layers | `tuple` (impls of [`Layer`] for tuples) |
//! | the fully connected layer | [`Dense`] |
//! | stored samples read as inputs, e.g. bytes as [`Pixels`] | [`Sample`] |
//! | activations | [`activation`] |
//! | losses | [`loss`] |
//! | optimizers | [`optim`] |
//! | initialisation | [`Init`] |
//! | one gradient step without a heap; evaluation | [`train`] |
//! | the [`Trainer`] (*alloc*); `fit`, callbacks, history (*std*) | [`train`] |
//! | batched inference; multi-threaded inference (*std*) | [`infer`] |
//! | embedding weights at compile time; saving and loading them (*std*) | [`io`] |
//! | MNIST / IDX data (*std*) | [`data`] |
//! | finite-difference gradient checks (*alloc*) | [`gradcheck`] |
//!
//! All inner loops, and all SIMD and `unsafe` code, live in [`kernel`].
//!
//! ## Features and `no_std`
//! | feature | default | adds |
//! | --- | --- | --- |
//! | `std` | yes | everything marked *std* above, run-time CPU feature detection, the `CONSTNET_PORTABLE` environment variable, std float math; implies `alloc` |
//! | `alloc` | with `std` | everything marked *alloc* above, [`Params::boxed_zeros`], [`Params::boxed_random`], [`TensorSpec::key`], [`Summary`] |
//!
//! With `default-features = false` the crate is `#![no_std]` and does not
//! link `alloc`: layers, activations, losses, forward and backward passes,
//! optimizers, initialisation, the parameter visitors, [`io::LeReader`]
//! (weights embedded at compile time) and one training step
//! ([`train::step`]) all work on a microcontroller without a heap. Float
//! math then comes from `libm` (through `num-traits`), whose results may
//! differ from std's in the last bit; with `std` they are std's. The AVX2 +
//! FMA kernels are used without `std` only when the build enables both
//! target features (e.g. `-C target-cpu=native`).
#![cfg_attr(not(any(feature = "std", test)), no_std)]
// The docs are written for the full crate: built without `std` (or `alloc`)
// they still link to the items those features add, which do not exist then.
#![cfg_attr(not(feature = "std"), allow(rustdoc::broken_intra_doc_links))]
#![deny(missing_docs)]
#![deny(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod activation;
mod block;
mod class;
#[cfg(feature = "std")]
pub mod data;
mod dense;
#[cfg(feature = "alloc")]
pub mod gradcheck;
pub mod infer;
mod init;
pub mod io;
pub mod kernel;
mod layer;
pub mod loss;
pub mod optim;
mod params;
mod sample;
#[cfg(feature = "alloc")]
mod summary;
mod tensor;
pub mod train;
mod tuple;

pub use activation::{Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
pub use class::Class;
pub use dense::Dense;
pub use init::Init;
pub use kernel::Scalar;
pub use layer::{GradMode, Layer, LayerInfo};
pub use loss::{BinaryCrossEntropy, Loss, Quadratic, SigmoidCrossEntropy, SoftmaxCrossEntropy};
pub use optim::{Adam, Momentum, Optimizer, RmsProp, Sgd};
pub use params::{LayoutError, MAX_DEPTH, Params, Role, TensorSpec, Walker};
pub use sample::{Pixels, Sample};
#[cfg(feature = "alloc")]
pub use summary::Summary;
pub use tensor::Tensor;
pub use train::TrainError;
#[cfg(feature = "alloc")]
pub use train::Trainer;

/// The README's examples, run as doc tests.
#[cfg(all(doctest, feature = "std"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The `rand` crate constnet is built against, so seeds and RNG types match.
pub use rand;

/// Everything needed to build, run and train a network: `use constnet::prelude::*;`.
///
/// ```
/// use constnet::prelude::*;
/// let layer = Dense::<2, 2, f64>::zeros();
/// assert_eq!(layer.forward(&[1.0, 2.0]), [0.0, 0.0]);
/// ```
pub mod prelude {
    pub use crate::{
        Adam, BinaryCrossEntropy, Class, Dense, GradMode, Identity, Init, Layer, LeakyRelu, Loss,
        Momentum, Optimizer, Params, Pixels, Quadratic, Relu, RmsProp, Sample, Scalar, Sgd,
        Sigmoid, SigmoidCrossEntropy, Softmax, SoftmaxCrossEntropy, Tanh, Tensor,
    };
    #[cfg(feature = "alloc")]
    pub use crate::{Summary, Trainer};
}
