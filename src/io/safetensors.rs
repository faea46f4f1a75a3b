//! Saving and loading weights in the safetensors format.

use std::collections::HashSet;
use std::path::Path;

use ::safetensors::tensor::TensorView;
use ::safetensors::{Dtype, SafeTensors};

use super::atomic::write_atomic;
use super::error::{TensorProblem, WeightsError};
use super::finite::{Finite, check_data, check_net};
use crate::{Params, Scalar};

/// Whether `T` is `f64` (the only other [`Scalar`] is `f32`).
fn is_f64<T: Scalar>() -> bool {
    size_of::<T>() == size_of::<f64>()
}

/// The data types a network of `T` accepts, as listed in a
/// [`TensorProblem::WrongDtype`].
fn accepted<T: Scalar>() -> &'static str {
    if is_f64::<T>() { "F32 or F64" } else { "F32" }
}

/// A [`WeightsError::Format`] without a path.
fn format_error(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> WeightsError {
    WeightsError::Format {
        path: None,
        source: source.into(),
    }
}

/// The network's parameters as a safetensors file, in memory.
///
/// Tensors are named by [`TensorSpec::key`](crate::TensorSpec::key), the keys
/// of PyTorch's `nn.Sequential` `state_dict` (`"0.weight"` of shape
/// `[out, in]`, `"0.bias"`, `"2.0.weight"` for nested tuples), with dtype `F32`
/// for an `f32` network and `F64` for an `f64` one. The header's
/// `__metadata__` is `{"format": "pt"}`, as `safetensors.torch.save_file`
/// writes it.
///
/// # Errors
/// - [`WeightsError::NonFinite`] if a weight is NaN or infinite, naming the
///   first such tensor and index; [`to_safetensors_bytes_allow_non_finite`]
///   writes them.
/// - [`WeightsError::DuplicateKey`] if two tensors get the same name, which
///   only tuples nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH) can cause.
///
/// # Examples
/// ```
/// use constnet::io;
/// use constnet::prelude::*;
///
/// let net = (Dense::<2, 1> { weight: [[1.0, 2.0]], bias: [3.0] }, Sigmoid);
/// let bytes = io::to_safetensors_bytes(&net)?;
/// // 8 bytes of header length, the JSON header, then 3 f32 values.
/// let header_len = u64::from_le_bytes(bytes[..8].try_into()?) as usize;
/// let header = std::str::from_utf8(&bytes[8..8 + header_len])?;
/// // Tensors are stored sorted by name, as the Python writer does.
/// assert!(header.contains(r#""0.bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#));
/// assert!(header.contains(r#""0.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]}"#));
/// assert_eq!(bytes.len(), 8 + header_len + 3 * 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_safetensors_bytes<N: Params<T>, T: Scalar>(net: &N) -> Result<Vec<u8>, WeightsError> {
    to_bytes(net, Finite::Required)
}

/// Like [`to_safetensors_bytes`], but NaN and infinite weights are written as
/// they are, e.g. to inspect a network whose training diverged. (Loading
/// such a file needs [`from_safetensors_bytes_allow_non_finite`].)
///
/// # Errors
/// As [`to_safetensors_bytes`], without [`WeightsError::NonFinite`].
///
/// # Examples
/// ```
/// use constnet::io::{self, NonFinite, WeightsError};
/// use constnet::prelude::*;
///
/// let diverged = Dense::<2, 1> { weight: [[1.0, f32::NAN]], bias: [f32::INFINITY] };
/// let err = io::to_safetensors_bytes(&diverged).unwrap_err();
/// assert!(matches!(err, WeightsError::NonFinite { index: 1, value: NonFinite::Nan, .. }));
/// assert_eq!(err.to_string(), "tensor `weight` holds NaN at index 1: weights must be finite");
///
/// let bytes = io::to_safetensors_bytes_allow_non_finite(&diverged)?;
/// let mut inspected = Dense::<2, 1>::zeros();
/// io::from_safetensors_bytes_allow_non_finite(&mut inspected, &bytes)?;
/// assert!(inspected.weight[0][1].is_nan());
/// assert_eq!(inspected.bias, [f32::INFINITY]);
/// # Ok::<(), WeightsError>(())
/// ```
pub fn to_safetensors_bytes_allow_non_finite<N: Params<T>, T: Scalar>(
    net: &N,
) -> Result<Vec<u8>, WeightsError> {
    to_bytes(net, Finite::NotRequired)
}

/// [`to_safetensors_bytes`], checking finiteness as `finite` says.
fn to_bytes<N: Params<T>, T: Scalar>(net: &N, finite: Finite) -> Result<Vec<u8>, WeightsError> {
    let f64_data = is_f64::<T>();
    let dtype = if f64_data { Dtype::F64 } else { Dtype::F32 };
    net.check().map_err(WeightsError::Layout)?;
    if finite == Finite::Required {
        check_net(net)?;
    }
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    net.visit(|spec, values| {
        let mut data = Vec::with_capacity(size_of_val(values));
        for v in values {
            if f64_data {
                data.extend_from_slice(&v.to_f64().unwrap_or(f64::NAN).to_le_bytes());
            } else {
                data.extend_from_slice(&v.to_f32().unwrap_or(f32::NAN).to_le_bytes());
            }
        }
        tensors.push((spec.key(), spec.shape.to_vec(), data));
    });
    let mut seen = HashSet::new();
    for (key, _, _) in &tensors {
        if !seen.insert(key.as_str()) {
            return Err(WeightsError::DuplicateKey { key: key.clone() });
        }
    }
    let views = tensors
        .iter()
        .map(|(key, shape, data)| {
            TensorView::new(dtype, shape.clone(), data).map(|view| (key.as_str(), view))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(format_error)?;
    // The map type is the safetensors crate's (hashbrown's, as its `std`
    // feature is off); `collect` builds whichever it is.
    let metadata = [("format".to_string(), "pt".to_string())]
        .into_iter()
        .collect();
    ::safetensors::serialize(views, Some(metadata)).map_err(format_error)
}

/// The largest header the safetensors crate (0.8) reads: 100 MB.
const MAX_HEADER: u64 = 100_000_000;

/// Checks the framing of a safetensors file before the safetensors crate
/// (0.8) reads it, for errors in plain words where the crate's are terse or
/// misleading (a cut-off header is its "invalid header length", trailing
/// bytes its "incomplete metadata"), and for what it does not check before
/// adding offsets: that no tensor's data offsets point beyond the data, so
/// the crate's own length arithmetic cannot overflow (a debug-build panic).
/// Anything this cannot parse is left to the crate, which rejects it.
fn check_framing(bytes: &[u8]) -> Result<(), WeightsError> {
    let Some((len, rest)) = bytes.split_first_chunk::<8>() else {
        return Err(format_error(if bytes.is_empty() {
            "the file is empty".to_string()
        } else {
            format!(
                "the file is cut off: {} bytes, fewer than the 8 that give the header's length",
                bytes.len()
            )
        }));
    };
    let len = u64::from_le_bytes(*len);
    if len > MAX_HEADER {
        return Err(format_error(format!(
            "the first 8 bytes give a header length of {len} bytes, more than the \
             {MAX_HEADER} safetensors allows: not a safetensors file"
        )));
    }
    let (Some(header), Some(data)) = (
        usize::try_from(len).ok().and_then(|len| rest.get(..len)),
        usize::try_from(len).ok().and_then(|len| rest.get(len..)),
    ) else {
        return Err(format_error(format!(
            "the header is cut off: expected {len} bytes, found {}",
            rest.len()
        )));
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(header)
    else {
        return Ok(());
    };
    // The largest data offset and its tensor; whether every tensor's offsets
    // are two numbers (else the safetensors crate rejects the header).
    let mut last: Option<(u64, &str)> = None;
    let mut all_pairs = true;
    for (key, info) in map.iter().filter(|(key, _)| *key != "__metadata__") {
        let offsets: Vec<Option<u64>> = info
            .get("data_offsets")
            .and_then(serde_json::Value::as_array)
            .map_or_else(Vec::new, |o| {
                o.iter().map(serde_json::Value::as_u64).collect()
            });
        all_pairs &= matches!(offsets[..], [Some(_), Some(_)]);
        for &offset in offsets.iter().flatten() {
            if last.is_none_or(|(max, _)| offset > max) {
                last = Some((offset, key));
            }
        }
    }
    let (end, key) = last.unwrap_or((0, ""));
    let found = data.len() as u64;
    if end > found {
        return Err(format_error(format!(
            "the data is cut off: expected {end} bytes (to the end of tensor `{key}`), found {found}"
        )));
    }
    if all_pairs && end < found {
        return Err(format_error(format!(
            "{} bytes after the tensor data: expected {end} bytes, found {found}",
            found - end
        )));
    }
    Ok(())
}

/// Loads a safetensors file held in memory into `net`, checking every tensor
/// against the network's type.
///
/// The file must hold exactly the network's tensors, named as
/// [`to_safetensors_bytes`] names them, with the network's shapes. Data types:
/// an `f32` network takes `F32` tensors; an `f64` network takes `F64`, and
/// `F32` too (widened exactly). `F64` data is not narrowed into an `f32`
/// network, which would silently round: convert it before saving (in PyTorch,
/// `model.float()`). `F16`, `BF16` and integer tensors are rejected. A
/// `__metadata__` entry, as PyTorch writes, is ignored.
///
/// Every weight must be finite: a NaN or infinite value is an error, as one
/// would make every output NaN.
/// [`from_safetensors_bytes_allow_non_finite`] loads them.
///
/// On error `net` is left unchanged: everything is checked before anything is
/// written.
///
/// # Errors
/// - [`WeightsError::Format`] if `bytes` is not a well-formed safetensors file
///   (truncated, garbage header, offsets that overlap, leave gaps or point
///   beyond the data); its message says what is wrong, e.g. "the header is
///   cut off: expected 280 bytes, found 140".
/// - [`WeightsError::Mismatch`] listing every missing, unexpected, wrong-shape
///   and wrong-dtype tensor at once.
/// - [`WeightsError::NonFinite`] naming the first tensor, in the network's
///   parameter order, that holds a NaN or infinite value, and its index.
///
/// # Examples
/// ```
/// use constnet::io;
/// use constnet::prelude::*;
///
/// let trained = (Dense::<2, 2> { weight: [[1.0, 2.0], [3.0, 4.0]], bias: [5.0, 6.0] }, Relu);
/// let bytes = io::to_safetensors_bytes(&trained)?;
///
/// let mut net = <(Dense<2, 2>, Relu)>::zeros();
/// io::from_safetensors_bytes(&mut net, &bytes)?;
/// assert_eq!(net, trained);
///
/// // An f64 network takes the f32 file too, widened exactly.
/// let mut wide = <(Dense<2, 2, f64>, Relu)>::zeros();
/// io::from_safetensors_bytes(&mut wide, &bytes)?;
/// assert_eq!(wide.0.bias, [5.0, 6.0]);
///
/// // Not a safetensors file: an error, never a panic.
/// assert!(io::from_safetensors_bytes(&mut net, b"\xff\xff\xff\xff\xff\xff\xff\xff{").is_err());
/// # Ok::<(), io::WeightsError>(())
/// ```
pub fn from_safetensors_bytes<N: Params<T>, T: Scalar>(
    net: &mut N,
    bytes: &[u8],
) -> Result<(), WeightsError> {
    from_bytes(net, bytes, Finite::Required)
}

/// Like [`from_safetensors_bytes`], but NaN and infinite weights are loaded
/// as they are, e.g. to inspect a network whose training diverged.
///
/// # Errors
/// As [`from_safetensors_bytes`], without [`WeightsError::NonFinite`].
///
/// # Examples
/// ```
/// use constnet::io;
/// use constnet::prelude::*;
///
/// let diverged = Dense::<1, 1> { weight: [[f32::NEG_INFINITY]], bias: [0.5] };
/// let bytes = io::to_safetensors_bytes_allow_non_finite(&diverged)?;
///
/// let mut net = Dense::<1, 1>::zeros();
/// let err = io::from_safetensors_bytes(&mut net, &bytes).unwrap_err();
/// assert_eq!(err.to_string(), "tensor `weight` holds -inf at index 0: weights must be finite");
/// assert_eq!(net, Dense::zeros()); // unchanged
///
/// io::from_safetensors_bytes_allow_non_finite(&mut net, &bytes)?;
/// assert_eq!(net, diverged);
/// # Ok::<(), io::WeightsError>(())
/// ```
pub fn from_safetensors_bytes_allow_non_finite<N: Params<T>, T: Scalar>(
    net: &mut N,
    bytes: &[u8],
) -> Result<(), WeightsError> {
    from_bytes(net, bytes, Finite::NotRequired)
}

/// [`from_safetensors_bytes`], checking finiteness as `finite` says.
fn from_bytes<N: Params<T>, T: Scalar>(
    net: &mut N,
    bytes: &[u8],
    finite: Finite,
) -> Result<(), WeightsError> {
    net.check().map_err(WeightsError::Layout)?;
    check_framing(bytes)?;
    let file = SafeTensors::deserialize(bytes).map_err(format_error)?;

    let mut expected: Vec<(String, Vec<usize>)> = Vec::new();
    net.visit(|spec, _| {
        expected.push((spec.key(), spec.shape.to_vec()));
    });

    let mut problems = Vec::new();
    let mut views = Vec::with_capacity(expected.len());
    for (key, shape) in &expected {
        let Ok(view) = file.tensor(key) else {
            problems.push(TensorProblem::Missing {
                key: key.clone(),
                shape: shape.clone(),
            });
            continue;
        };
        let dtype_ok = view.dtype() == Dtype::F32 || (view.dtype() == Dtype::F64 && is_f64::<T>());
        if !dtype_ok {
            problems.push(TensorProblem::WrongDtype {
                key: key.clone(),
                expected: accepted::<T>(),
                found: view.dtype().to_string(),
            });
        }
        if view.shape() != shape.as_slice() {
            problems.push(TensorProblem::WrongShape {
                key: key.clone(),
                expected: shape.clone(),
                found: view.shape().to_vec(),
            });
        }
        views.push(view);
    }
    let known: HashSet<&str> = expected.iter().map(|(key, _)| key.as_str()).collect();
    let mut unexpected: Vec<TensorProblem> = file
        .iter()
        .filter(|(name, _)| !known.contains(name))
        .map(|(name, view)| TensorProblem::Unexpected {
            key: name.to_string(),
            dtype: view.dtype().to_string(),
            shape: view.shape().to_vec(),
        })
        .collect();
    unexpected.sort_by(|a, b| a.key().cmp(b.key()));
    problems.extend(unexpected);
    if !problems.is_empty() {
        return Err(WeightsError::Mismatch {
            path: None,
            problems,
        });
    }

    // Every tensor is present with the right shape and dtype, so `views` is in
    // visit order and each view's data has exactly one element per value.
    if finite == Finite::Required {
        for ((key, _), view) in expected.iter().zip(&views) {
            check_data(key, view.dtype(), view.data())?;
        }
    }
    let mut views = views.iter();
    net.visit_mut(|_, values| {
        if let Some(view) = views.next() {
            decode(view.dtype(), view.data(), values);
        }
    });
    Ok(())
}

/// Decodes little-endian `F32` or `F64` `data` into `values`.
fn decode<T: Scalar>(dtype: Dtype, data: &[u8], values: &mut [T]) {
    if dtype == Dtype::F64 {
        for (v, chunk) in values.iter_mut().zip(data.chunks_exact(8)) {
            if let Ok(chunk) = <[u8; 8]>::try_from(chunk) {
                *v = T::from(f64::from_le_bytes(chunk)).unwrap_or_else(T::nan);
            }
        }
    } else {
        for (v, chunk) in values.iter_mut().zip(data.chunks_exact(4)) {
            if let Ok(chunk) = <[u8; 4]>::try_from(chunk) {
                *v = T::from_f32(f32::from_le_bytes(chunk));
            }
        }
    }
}

/// Saves the network's parameters to a safetensors file at `path`,
/// atomically.
///
/// The file is what [`to_safetensors_bytes`] gives; PyTorch loads it with
/// `model.load_state_dict(safetensors.torch.load_file(path))` into the
/// equivalent `nn.Sequential`.
///
/// The data is written to a temporary file in the same directory, flushed to
/// disk, then renamed over `path`: a crash or a failed write never leaves a
/// half-written file at `path`, and an existing file there stays as it was
/// until the new one is complete. On failure the temporary file is removed.
///
/// A file that replaces an existing one keeps that file's permissions (on
/// Unix its mode bits, elsewhere its read-only flag), though not its owner; a
/// new file gets the usual default permissions.
///
/// # Errors
/// [`WeightsError::Io`] if the file cannot be written (missing directory, no
/// permission, disk full, `path` is a directory, …);
/// [`WeightsError::NonFinite`] (nothing is written) and
/// [`WeightsError::DuplicateKey`] as for [`to_safetensors_bytes`], with the
/// path attached. To save NaN or infinite weights, write the bytes of
/// [`to_safetensors_bytes_allow_non_finite`] yourself.
///
/// # Examples
/// ```
/// use constnet::io;
/// use constnet::prelude::*;
///
/// let net = (Dense::<3, 2>::zeros(), Sigmoid, Dense::<2, 1>::zeros());
/// let path = std::env::temp_dir().join(format!("constnet-doc-{}.safetensors", std::process::id()));
/// io::save_safetensors(&net, &path)?;
/// let loaded: Box<(Dense<3, 2>, Sigmoid, Dense<2, 1>)> = io::load_safetensors(&path)?;
/// assert_eq!(*loaded, net);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn save_safetensors<N: Params<T>, T: Scalar>(
    net: &N,
    path: impl AsRef<Path>,
) -> Result<(), WeightsError> {
    let path = path.as_ref();
    let bytes = to_safetensors_bytes(net).map_err(|e| e.at(path))?;
    write_atomic(path, &bytes).map_err(|source| WeightsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Loads a safetensors file into a new, boxed network.
///
/// The network's type says what the file must hold; see
/// [`from_safetensors_bytes`] for the checks and the data types accepted.
/// Name the type with an annotation (`let net: Box<Net> = …`) or a turbofish
/// (`load_safetensors::<Net, f32>(…)`).
///
/// NaN and infinite weights are rejected; to load them, read the file and
/// call [`from_safetensors_bytes_allow_non_finite`].
///
/// # Errors
/// [`WeightsError::Io`] if the file cannot be read, else as
/// [`from_safetensors_bytes`], with the path attached.
///
/// # Examples
/// ```
/// use constnet::io;
/// use constnet::prelude::*;
///
/// type Net = (Dense<4, 3>, Relu, Dense<3, 2>);
/// let path = std::env::temp_dir().join(format!("constnet-doc-load-{}.safetensors", std::process::id()));
/// io::save_safetensors(&Net::zeros(), &path)?;
///
/// let net = io::load_safetensors::<Net, f32>(&path)?;
/// assert_eq!(net.forward(&[1.0; 4]), [0.0; 2]);
///
/// // The same file does not fit another shape: every problem is listed.
/// let err = io::load_safetensors::<(Dense<4, 3>, Relu, Dense<3, 3>), f32>(&path).unwrap_err();
/// assert_eq!(err.problems().len(), 2); // 2.weight and 2.bias
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_safetensors<N: Params<T>, T: Scalar>(
    path: impl AsRef<Path>,
) -> Result<Box<N>, WeightsError> {
    let mut net = N::boxed_zeros();
    load_safetensors_into(&mut *net, path)?;
    Ok(net)
}

/// Loads a safetensors file into an existing network, which is left
/// unchanged on error.
///
/// NaN and infinite weights are rejected, as by [`from_safetensors_bytes`].
///
/// # Errors
/// [`WeightsError::Io`] if the file cannot be read, else as
/// [`from_safetensors_bytes`], with the path attached.
///
/// # Examples
/// ```
/// use constnet::io;
/// use constnet::prelude::*;
///
/// let path = std::env::temp_dir().join(format!("constnet-doc-into-{}.safetensors", std::process::id()));
/// io::save_safetensors(&Dense::<2, 1> { weight: [[1.0, 2.0]], bias: [0.5] }, &path)?;
///
/// let mut layer = Dense::<2, 1>::zeros();
/// io::load_safetensors_into(&mut layer, &path)?;
/// assert_eq!(layer.forward(&[1.0, 1.0]), [3.5]);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_safetensors_into<N: Params<T>, T: Scalar>(
    net: &mut N,
    path: impl AsRef<Path>,
) -> Result<(), WeightsError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| WeightsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    from_safetensors_bytes(net, &bytes).map_err(|e| e.at(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dense;

    #[test]
    fn offsets_beyond_the_data_are_a_format_error_not_an_overflow() {
        // Eight tensors claiming 2^61 − 1 bytes each: their sum overflows
        // usize in the safetensors crate's length check.
        let size = (1u64 << 61) - 1;
        let mut start = 0;
        let mut entries = Vec::new();
        for i in 0..8 {
            entries.push(format!(
                r#""t{i}":{{"dtype":"U8","shape":[{size}],"data_offsets":[{start},{}]}}"#,
                start + size
            ));
            start += size;
        }
        let header = format!("{{{}}}", entries.join(","));
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        let err = from_safetensors_bytes(&mut Dense::<1, 1>::zeros(), &bytes).unwrap_err();
        assert!(matches!(err, WeightsError::Format { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("the data is cut off: expected 18446744073709551608 bytes (to the end of tensor `t7`), found 0"),
            "{err}"
        );
    }

    #[test]
    fn accepted_dtypes() {
        assert_eq!(accepted::<f32>(), "F32");
        assert_eq!(accepted::<f64>(), "F32 or F64");
    }
}
