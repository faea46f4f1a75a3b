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
//! ## Where things are
//! | concept | module |
//! | --- | --- |
//! | the layer trait: forward, training forward, backward | [`Layer`] |
//! | parameters, gradients and their visitors | [`Params`] |
//! | networks as tuples of layers | `tuple` (impls of [`Layer`] for tuples) |
//! | the fully connected layer | [`Dense`] |
//! | activations | [`activation`] |
//! | losses | [`loss`] |
//! | optimizers | [`optim`] |
//! | initialisation | [`Init`] |
//! | the training loop and evaluation | [`train`] |
//! | batched and multi-threaded inference | [`infer`] |
//! | saving, loading and embedding weights (safetensors, raw bytes) | [`io`] |
//! | MNIST / IDX data | [`data`] |
//! | finite-difference gradient checks | [`gradcheck`] |
//! | scalar reverse-mode autodiff (the lecture's chain-rule example) | [`autodiff`] |
//!
//! All inner loops, and all SIMD and `unsafe` code, live in [`kernel`].
#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod activation;
pub mod autodiff;
mod class;
pub mod data;
mod dense;
pub mod gradcheck;
pub mod infer;
mod init;
pub mod io;
pub mod kernel;
mod layer;
pub mod loss;
pub mod optim;
mod params;
mod summary;
mod tensor;
pub mod train;
mod tuple;

pub use activation::{Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
pub use class::Class;
pub use dense::Dense;
pub use init::Init;
pub use kernel::Scalar;
pub use layer::{Layer, LayerInfo};
pub use loss::{BinaryCrossEntropy, Loss, Quadratic, SigmoidCrossEntropy, SoftmaxCrossEntropy};
pub use optim::{Adam, AdamW, Momentum, Optimizer, RmsProp, Sgd, SgdMomentum};
pub use params::{MAX_DEPTH, Params, TensorSpec};
pub use summary::Summary;
pub use tensor::Tensor;
pub use train::{TrainError, Trainer};

/// The README's examples, run as doc tests.
#[cfg(doctest)]
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
        Adam, AdamW, BinaryCrossEntropy, Class, Dense, Identity, Init, Layer, LeakyRelu, Loss,
        Momentum, Optimizer, Params, Quadratic, Relu, RmsProp, Scalar, Sgd, SgdMomentum, Sigmoid,
        SigmoidCrossEntropy, Softmax, SoftmaxCrossEntropy, Summary, Tanh, Tensor, Trainer,
    };
}
