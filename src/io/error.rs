//! [`WeightsError`] and [`TensorProblem`]: why weights could not be saved or
//! loaded.

use std::error::Error;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::finite::NonFinite;

/// Why weights could not be saved or loaded.
///
/// Variants about a file carry its `path`; it is `None` for the byte-level
/// functions ([`from_safetensors_bytes`](super::from_safetensors_bytes),
/// [`from_le_bytes`](super::from_le_bytes)). [`Display`](fmt::Display) gives
/// one lowercase line, naming the path when there is one.
///
/// # Examples
/// ```
/// use constnet::io::{self, TensorProblem, WeightsError};
/// use constnet::prelude::*;
///
/// // Weights of a 2-1 layer offered to a 3-1 layer.
/// let bytes = io::to_safetensors_bytes(&Dense::<2, 1>::zeros())?;
/// let err = io::from_safetensors_bytes(&mut Dense::<3, 1>::zeros(), &bytes).unwrap_err();
/// assert_eq!(
///     err.problems(),
///     [TensorProblem::WrongShape { key: "weight".into(), expected: vec![1, 3], found: vec![1, 2] }]
/// );
/// assert_eq!(
///     err.to_string(),
///     "the weights do not fit the network (1 problem): tensor `weight` has shape [1, 2], expected [1, 3]"
/// );
/// # Ok::<(), WeightsError>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum WeightsError {
    /// Reading or writing a file failed.
    Io {
        /// The file that could not be read or written.
        path: PathBuf,
        /// The underlying error, also returned by [`Error::source`].
        source: io::Error,
    },
    /// The data is not a well-formed safetensors file: too short, a header
    /// that is not JSON or not a safetensors header, or data offsets that do
    /// not tile the data exactly.
    Format {
        /// The file, if the data came from one.
        path: Option<PathBuf>,
        /// What is wrong, also returned by [`Error::source`].
        source: Box<dyn Error + Send + Sync + 'static>,
    },
    /// The file is well formed but its tensors do not fit the network: every
    /// problem found is listed, in the network's parameter order, then the
    /// unexpected tensors by name.
    Mismatch {
        /// The file, if the data came from one.
        path: Option<PathBuf>,
        /// Each missing, unexpected, wrong-shape or wrong-dtype tensor; never
        /// empty.
        problems: Vec<TensorProblem>,
    },
    /// Raw little-endian weights (see [`from_le_bytes`](super::from_le_bytes))
    /// of the wrong length.
    Length {
        /// The file, if the data came from one.
        path: Option<PathBuf>,
        /// The number of bytes the network needs.
        expected: usize,
        /// The number of bytes found.
        found: usize,
    },
    /// The network's own description of its parameters
    /// ([`Params::walk`](crate::Params::walk)) disagrees with its
    /// `NUM_PARAMS` or with its values: a bug in a layer's `Params`
    /// implementation, found before anything is read or written.
    Layout(crate::LayoutError),
    /// Two parameter tensors of the network have the same name, so it cannot
    /// be saved. This happens only for tuples nested deeper than
    /// [`MAX_DEPTH`](crate::MAX_DEPTH).
    DuplicateKey {
        /// The name given to both tensors.
        key: String,
    },
    /// A weight is NaN or infinite: in the network being saved, or in the
    /// data being loaded (the network is then left unchanged). The
    /// `*_allow_non_finite` functions accept such weights; see [`NonFinite`].
    NonFinite {
        /// The file, if the weights are saved to or loaded from one.
        path: Option<PathBuf>,
        /// The tensor's name, as [`TensorSpec::key`](crate::TensorSpec::key)
        /// gives it (`"2.weight"`).
        key: String,
        /// The position of the first such value in the tensor, counted in
        /// row-major order: weight `[o][i]` of a `Dense<IN, OUT>` is at
        /// `o * IN + i`.
        index: usize,
        /// What the value is: NaN, +inf or -inf.
        value: NonFinite,
    },
}

/// One way in which a tensor in a file does not fit the network, as listed by
/// [`WeightsError::Mismatch`].
///
/// Keys are the names of [`TensorSpec::key`](crate::TensorSpec::key), i.e.
/// PyTorch's `nn.Sequential` `state_dict` keys such as `"0.weight"`; shapes
/// are row-major, `[out, in]` for a weight. Data types are the safetensors
/// names (`"F32"`, `"F64"`, `"BF16"`, …).
///
/// # Examples
/// ```
/// use constnet::io::TensorProblem;
///
/// let p = TensorProblem::Missing { key: "2.bias".into(), shape: vec![10] };
/// assert_eq!(p.key(), "2.bias");
/// assert_eq!(p.to_string(), "missing tensor `2.bias` of shape [10]");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TensorProblem {
    /// The network has this tensor, the file does not.
    Missing {
        /// The tensor's name.
        key: String,
        /// The shape the network needs.
        shape: Vec<usize>,
    },
    /// The file has a tensor the network does not.
    Unexpected {
        /// The tensor's name in the file.
        key: String,
        /// Its data type in the file.
        dtype: String,
        /// Its shape in the file.
        shape: Vec<usize>,
    },
    /// The tensor's shape in the file differs from the network's.
    WrongShape {
        /// The tensor's name.
        key: String,
        /// The shape the network needs.
        expected: Vec<usize>,
        /// The shape in the file.
        found: Vec<usize>,
    },
    /// The tensor's data type cannot be loaded into the network's scalar
    /// type: an `f32` network takes `F32`, an `f64` network `F32` or `F64`.
    WrongDtype {
        /// The tensor's name.
        key: String,
        /// The data types accepted, e.g. `"F32"` or `"F32 or F64"`.
        expected: &'static str,
        /// The data type in the file.
        found: String,
    },
}

impl TensorProblem {
    /// The name of the tensor concerned.
    ///
    /// ```
    /// use constnet::io::TensorProblem;
    /// let p = TensorProblem::WrongDtype { key: "0.weight".into(), expected: "F32", found: "BF16".into() };
    /// assert_eq!(p.key(), "0.weight");
    /// ```
    #[must_use]
    pub fn key(&self) -> &str {
        match self {
            Self::Missing { key, .. }
            | Self::Unexpected { key, .. }
            | Self::WrongShape { key, .. }
            | Self::WrongDtype { key, .. } => key,
        }
    }
}

/// Writes a shape as `[a, b]`.
fn write_shape(f: &mut fmt::Formatter<'_>, shape: &[usize]) -> fmt::Result {
    f.write_str("[")?;
    for (i, d) in shape.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{d}")?;
    }
    f.write_str("]")
}

impl fmt::Display for TensorProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { key, shape } => {
                write!(f, "missing tensor `{key}` of shape ")?;
                write_shape(f, shape)
            }
            Self::Unexpected { key, dtype, shape } => {
                write!(f, "unexpected tensor `{key}` ({dtype}, shape ")?;
                write_shape(f, shape)?;
                f.write_str(")")
            }
            Self::WrongShape {
                key,
                expected,
                found,
            } => {
                write!(f, "tensor `{key}` has shape ")?;
                write_shape(f, found)?;
                f.write_str(", expected ")?;
                write_shape(f, expected)
            }
            Self::WrongDtype {
                key,
                expected,
                found,
            } => write!(f, "tensor `{key}` has dtype {found}, expected {expected}"),
        }
    }
}

impl WeightsError {
    /// The file this error is about, if any.
    ///
    /// ```
    /// use constnet::io;
    /// use constnet::prelude::*;
    /// use std::path::Path;
    ///
    /// let err = io::load_safetensors::<Dense<2, 1>, f32>("no/such/file.safetensors").unwrap_err();
    /// assert_eq!(err.path(), Some(Path::new("no/such/file.safetensors")));
    /// ```
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Io { path, .. } => Some(path),
            Self::Format { path, .. }
            | Self::Mismatch { path, .. }
            | Self::Length { path, .. }
            | Self::NonFinite { path, .. } => path.as_deref(),
            Self::DuplicateKey { .. } | Self::Layout(_) => None,
        }
    }

    /// The problems of a [`Mismatch`](Self::Mismatch), else an empty slice.
    ///
    /// ```
    /// use constnet::io::{self, TensorProblem};
    /// use constnet::prelude::*;
    ///
    /// let bytes = io::to_safetensors_bytes(&<(Dense<2, 2>, Relu)>::zeros())?;
    /// let err = io::from_safetensors_bytes(&mut <(Dense<2, 2>, Relu, Dense<2, 1>)>::zeros(), &bytes).unwrap_err();
    /// let keys: Vec<&str> = err.problems().iter().map(TensorProblem::key).collect();
    /// assert_eq!(keys, ["2.weight", "2.bias"]);
    /// # Ok::<(), io::WeightsError>(())
    /// ```
    #[must_use]
    pub fn problems(&self) -> &[TensorProblem] {
        match self {
            Self::Mismatch { problems, .. } => problems,
            _ => &[],
        }
    }

    /// Attaches `path` to an error from the byte-level functions.
    pub(crate) fn at(mut self, file: &Path) -> Self {
        match &mut self {
            Self::Format { path, .. }
            | Self::Mismatch { path, .. }
            | Self::Length { path, .. }
            | Self::NonFinite { path, .. } => *path = Some(file.to_path_buf()),
            Self::Io { .. } | Self::DuplicateKey { .. } | Self::Layout(_) => {}
        }
        self
    }
}

/// Writes `path: ` when there is a path.
fn write_path(f: &mut fmt::Formatter<'_>, path: Option<&Path>) -> fmt::Result {
    match path {
        Some(path) => write!(f, "{}: ", path.display()),
        None => Ok(()),
    }
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Layout(e) => write!(f, "the network's parameter layout is inconsistent: {e}"),
            Self::Format { path, source } => {
                write_path(f, path.as_deref())?;
                write!(f, "not a valid safetensors file: {source}")
            }
            Self::Mismatch { path, problems } => {
                write_path(f, path.as_deref())?;
                let n = problems.len();
                let s = if n == 1 { "" } else { "s" };
                write!(f, "the weights do not fit the network ({n} problem{s}): ")?;
                for (i, p) in problems.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{p}")?;
                }
                Ok(())
            }
            Self::Length {
                path,
                expected,
                found,
            } => {
                write_path(f, path.as_deref())?;
                write!(
                    f,
                    "raw weights of the wrong length: expected {expected} bytes, found {found}"
                )
            }
            Self::DuplicateKey { key } => write!(
                f,
                "two parameter tensors are both named `{key}`: tuples nested too deeply"
            ),
            Self::NonFinite {
                path,
                key,
                index,
                value,
            } => {
                write_path(f, path.as_deref())?;
                write!(
                    f,
                    "tensor `{key}` holds {value} at index {index}: weights must be finite"
                )
            }
        }
    }
}

impl Error for WeightsError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Format { source, .. } => Some(&**source),
            Self::Layout(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems() -> Vec<TensorProblem> {
        vec![
            TensorProblem::Missing {
                key: "2.weight".into(),
                shape: vec![10, 30],
            },
            TensorProblem::Unexpected {
                key: "4.weight".into(),
                dtype: "F32".into(),
                shape: vec![3],
            },
            TensorProblem::WrongShape {
                key: "0.bias".into(),
                expected: vec![30],
                found: vec![31],
            },
            TensorProblem::WrongDtype {
                key: "0.weight".into(),
                expected: "F32",
                found: "BF16".into(),
            },
        ]
    }

    #[test]
    fn mismatch_lists_every_problem_on_one_line() {
        let err = WeightsError::Mismatch {
            path: None,
            problems: problems(),
        }
        .at(Path::new("dir/model.safetensors"));
        assert_eq!(
            err.to_string(),
            "dir/model.safetensors: the weights do not fit the network (4 problems): \
             missing tensor `2.weight` of shape [10, 30]; \
             unexpected tensor `4.weight` (F32, shape [3]); \
             tensor `0.bias` has shape [31], expected [30]; \
             tensor `0.weight` has dtype BF16, expected F32"
        );
        assert_eq!(err.problems().len(), 4);
        assert!(err.source().is_none());
    }

    #[test]
    fn every_message_is_one_lowercase_line() {
        let errors = [
            WeightsError::Io {
                path: "m.safetensors".into(),
                source: io::Error::new(io::ErrorKind::NotFound, "gone"),
            },
            WeightsError::Format {
                path: Some("m.safetensors".into()),
                source: "header too small".into(),
            },
            WeightsError::Length {
                path: Some("m.bin".into()),
                expected: 8,
                found: 4,
            },
            WeightsError::DuplicateKey {
                key: "0.weight".into(),
            },
            WeightsError::NonFinite {
                path: Some("m.safetensors".into()),
                key: "2.weight".into(),
                index: 7,
                value: NonFinite::NegInf,
            },
        ];
        for e in &errors {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "{msg}");
            assert!(msg.starts_with(|c: char| !c.is_uppercase()), "{msg}");
            assert!(e.problems().is_empty());
        }
        assert_eq!(
            errors[2].to_string(),
            "m.bin: raw weights of the wrong length: expected 8 bytes, found 4"
        );
        assert_eq!(
            errors[0].source().map(ToString::to_string).as_deref(),
            Some("gone")
        );
        assert_eq!(
            errors[1].source().map(ToString::to_string).as_deref(),
            Some("header too small")
        );
        assert_eq!(errors[3].path(), None);
        assert_eq!(
            errors[4].to_string(),
            "m.safetensors: tensor `2.weight` holds -inf at index 7: weights must be finite"
        );
    }

    #[test]
    fn is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<WeightsError>();
    }
}
