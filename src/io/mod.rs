//! Saving and loading weights: safetensors files, and models embedded in the
//! binary at compile time.
//!
//! Without the `std` feature only [`LeReader`] and
//! [`Dense::from_le_bytes`](crate::Dense::from_le_bytes) remain (and
//! [`to_le_bytes`] with `alloc`): a model embedded at compile time needs no
//! file system and no heap.
//!
//! # Saving and loading (safetensors)
//!
//! [`save_safetensors`] and [`load_safetensors`] (or [`load_safetensors_into`])
//! read and write the [safetensors](https://github.com/huggingface/safetensors)
//! format; [`to_safetensors_bytes`] and [`from_safetensors_bytes`] do the same
//! in memory. Tensors are named like PyTorch's `nn.Sequential` `state_dict`
//! (see [`TensorSpec::key`](crate::TensorSpec::key)): `"0.weight"` of shape
//! `[out, in]`, `"0.bias"`, `"2.weight"`, …; a nested tuple gives dotted
//! names (`"2.0.weight"`). An `f32` network saves `F32` tensors, an `f64`
//! network `F64`.
//!
//! Loading checks the file against the network's type and reports every
//! missing, unexpected, wrong-shape and wrong-dtype tensor in one
//! [`WeightsError::Mismatch`]. Malformed files (truncated, garbage header,
//! huge claimed lengths, overlapping offsets) are a [`WeightsError::Format`],
//! never a panic, whose message says what is wrong in plain words, with the
//! byte counts ("the header is cut off: expected 280 bytes, found 140"). An
//! `f32` network takes `F32` data; an `f64` network takes `F64` and `F32`
//! (widened exactly). `F64` data is not rounded into an `f32` network:
//! convert it first. `F16`, `BF16` and integer data are rejected.
//!
//! Weights must be finite: a NaN or infinite value is a
//! [`WeightsError::NonFinite`] naming the tensor and the index, when saving
//! (nothing is written) and when loading (the network is left unchanged).
//! [`to_safetensors_bytes_allow_non_finite`],
//! [`from_safetensors_bytes_allow_non_finite`] and
//! [`from_le_bytes_allow_non_finite`] take such values as they are, e.g. to
//! inspect a network whose training diverged.
//!
//! Saving is atomic: the file is written beside the target, synced, then
//! renamed over it, so a crash never leaves a half-written model. A replaced
//! file's permissions are kept. A save that is killed leaves its temporary
//! file behind (`.<name>.<pid>.<n>.tmp`); the next save of the same target
//! removes it. Saving through a symbolic link replaces the file the link
//! points to and keeps the link. An error creating the temporary file names
//! the directory (read-only, missing).
//!
//! ```
//! use constnet::io;
//! use constnet::prelude::*;
//! use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
//!
//! type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);
//! let net = Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(0));
//!
//! let path = std::env::temp_dir().join(format!("constnet-io-{}.safetensors", std::process::id()));
//! io::save_safetensors(&net, &path)?;
//! let loaded: Box<Net> = io::load_safetensors(&path)?;
//! assert_eq!(*loaded, net);
//!
//! // The wrong network: every problem in one error.
//! let err = io::load_safetensors::<(Dense<784, 30>, Sigmoid, Dense<30, 9>), f32>(&path).unwrap_err();
//! assert_eq!(err.problems().len(), 2);
//! println!("{err}"); // …: tensor `2.weight` has shape [10, 30], expected [9, 30]; tensor `2.bias` …
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## From PyTorch
//!
//! A `torch.nn.Sequential` of `Linear` layers and activations has exactly
//! these names, so its `state_dict` loads as it is:
//!
//! ```python
//! import torch
//! from safetensors.torch import save_file
//!
//! model = torch.nn.Sequential(
//!     torch.nn.Linear(784, 30), torch.nn.Sigmoid(),
//!     torch.nn.Linear(30, 10), torch.nn.Sigmoid(),
//! )
//! # ... train ...
//! save_file(model.state_dict(), "model.safetensors")  # model.float() first if it is double
//! ```
//!
//! and `io::load_safetensors::<(Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid), f32>("model.safetensors")`
//! gives the same outputs. Back the other way,
//! `model.load_state_dict(safetensors.torch.load_file("model.safetensors"))`.
//!
//! ## From Keras
//!
//! Keras stores a `Dense` kernel as `[in, out]`; transpose it to PyTorch's
//! `[out, in]`. Name the tensors by the layer's position in the constnet
//! tuple, counting activations (in Keras they are usually part of the
//! `Dense` layer, in constnet separate elements):
//!
//! ```python
//! import numpy as np
//! from safetensors.numpy import save_file
//!
//! dense = [l for l in model.layers if l.__class__.__name__ == "Dense"]
//! tensors = {}
//! for position, layer in zip([0, 2], dense):  # (Dense, Sigmoid, Dense, Sigmoid)
//!     kernel, bias = layer.get_weights()
//!     tensors[f"{position}.weight"] = np.ascontiguousarray(kernel.T, dtype=np.float32)
//!     tensors[f"{position}.bias"] = bias.astype(np.float32)
//! save_file(tensors, "model.safetensors")
//! ```
//!
//! # Embedding a model in the binary
//!
//! [`to_le_bytes`] writes the raw parameters: every tensor in the order of
//! [`Params::visit`](crate::Params::visit), little-endian, no header.
//! [`LeReader`] and [`Dense::from_le_bytes`](crate::Dense::from_le_bytes)
//! decode such bytes in a `const` context, so a trained model can be a
//! `static` built at compile time: no file IO, no heap and no decoding at run
//! time. The bytes are decoded, not cast, so `include_bytes!`'s missing
//! alignment does not matter; a blob of the wrong size, a NaN or infinite
//! weight, or a forgotten [`LeReader::finish`] is a compile error.
//! [`to_le_bytes`] writes any value (it works without `std`);
//! [`try_to_le_bytes`] refuses non-finite ones when saving.
//!
//! ```
//! use constnet::io::{self, LeReader};
//! use constnet::prelude::*;
//!
//! type Net = (Dense<3, 2>, Sigmoid, Dense<2, 1>, Sigmoid);
//!
//! // Written once by the training program, e.g. with
//! // std::fs::write("model.bin", io::to_le_bytes(&net)).
//! const BLOB: &[u8] = &[0; Net::NUM_PARAMS * 4]; // in practice include_bytes!("model.bin")
//!
//! static MODEL: Net = {
//!     let mut r = LeReader::new(BLOB);
//!     let net = (r.dense(), Sigmoid, r.dense(), Sigmoid);
//!     r.finish(); // a compile error if bytes are left over
//!     net
//! };
//!
//! assert_eq!(MODEL.forward(&[1.0, 2.0, 3.0]), [0.5]);
//! assert_eq!(io::to_le_bytes(&MODEL), BLOB);
//! ```
//!
//! `examples/export.rs` trains the lecture's network and writes both files;
//! `examples/embedded.rs` classifies MNIST with the model embedded this way.

#[cfg(feature = "std")]
mod atomic;
mod embed;
#[cfg(feature = "std")]
mod error;
#[cfg(feature = "std")]
mod finite;
#[cfg(feature = "std")]
mod safetensors;

pub use self::embed::LeReader;
#[cfg(feature = "alloc")]
pub use self::embed::to_le_bytes;
#[cfg(feature = "std")]
pub use self::embed::{from_le_bytes, from_le_bytes_allow_non_finite, try_to_le_bytes};
#[cfg(feature = "std")]
pub use self::error::{TensorProblem, WeightsError};
#[cfg(feature = "std")]
pub use self::finite::NonFinite;
#[cfg(feature = "std")]
pub use self::safetensors::{
    from_safetensors_bytes, from_safetensors_bytes_allow_non_finite, load_safetensors,
    load_safetensors_into, save_safetensors, to_safetensors_bytes,
    to_safetensors_bytes_allow_non_finite,
};
