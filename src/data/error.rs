//! The error type of the data module.

use std::error::Error;
use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a data set could not be read or assembled.
///
/// Every variant that comes from a file carries its `path`: the path given to
/// [`Idx::read`](super::Idx::read) or [`Mnist::load`](super::Mnist::load), or
/// the name given to [`Idx::from_reader`](super::Idx::from_reader) for data
/// that does not come from a file. [`Display`](fmt::Display) gives a one-line
/// message naming that path.
///
/// Byte counts and offsets refer to the IDX data itself, that is after gzip
/// decompression when the file is compressed.
///
/// # Examples
/// ```
/// use constnet::data::{DataError, Idx};
///
/// // A header announcing 4 GB of data, followed by 3 bytes.
/// let bytes = [0, 0, 0x08, 1, 0xff, 0xff, 0xff, 0xff, 1, 2, 3];
/// let err = Idx::from_reader(&bytes[..], "<memory>").unwrap_err();
/// assert!(matches!(err, DataError::Truncated { found: 11, .. }));
/// assert_eq!(
///     err.to_string(),
///     "<memory>: truncated IDX data: expected 4294967303 bytes, found 11",
/// );
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum DataError {
    /// Opening, reading or decompressing a file failed.
    ///
    /// Corrupt gzip data is reported here too, with the decoder's error as
    /// `source`.
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying error, also returned by [`Error::source`].
        source: io::Error,
    },
    /// The data does not start with an IDX magic number: two zero bytes, a
    /// type code and a non-zero number of dimensions.
    BadMagic {
        /// The file with the bad header.
        path: PathBuf,
        /// The first four bytes found.
        found: [u8; 4],
    },
    /// The IDX element type is not `0x08` (unsigned byte), the only type
    /// supported.
    UnsupportedType {
        /// The file with the unsupported type.
        path: PathBuf,
        /// The type code found in the third byte of the header.
        code: u8,
    },
    /// The data ends before the end of the header, or before all the elements
    /// its header announces.
    Truncated {
        /// The truncated file.
        path: PathBuf,
        /// The number of bytes needed: the header, or header and elements.
        expected: u64,
        /// The number of bytes present.
        found: u64,
    },
    /// There are bytes after the elements announced by the header.
    TrailingData {
        /// The file with trailing data.
        path: PathBuf,
    },
    /// The dimensions in the header multiply to more elements than can be
    /// addressed.
    Overflow {
        /// The file with the oversized header.
        path: PathBuf,
    },
    /// An IDX array has the wrong shape for its role, for instance MNIST
    /// images that are not 28 × 28.
    Shape {
        /// The file with the wrong shape.
        path: PathBuf,
        /// The shape required; `None` stands for a dimension of any size.
        expected: Vec<Option<usize>>,
        /// The shape found.
        found: Vec<usize>,
    },
    /// There are not as many inputs as labels.
    CountMismatch {
        /// The number of inputs (images).
        inputs: usize,
        /// The number of labels.
        labels: usize,
        /// The inputs file and the labels file, when the counts come from
        /// files.
        paths: Option<(PathBuf, PathBuf)>,
    },
    /// A data set that must hold examples has none: its inputs file and its
    /// labels file both announce zero items.
    Empty {
        /// The inputs (images) file.
        inputs: PathBuf,
        /// The labels file.
        labels: PathBuf,
    },
    /// A label is not below the number of classes.
    LabelOutOfRange {
        /// The labels file.
        path: PathBuf,
        /// The position of the label in the file, counting from zero.
        index: usize,
        /// The label found.
        label: u8,
        /// The number of classes; labels must be in `0..classes`.
        classes: usize,
    },
}

impl DataError {
    /// The file this error is about, if it is about a single file.
    ///
    /// ```
    /// use constnet::data::Idx;
    /// use std::path::Path;
    ///
    /// let err = Idx::read("no/such/file").unwrap_err();
    /// assert_eq!(err.path(), Some(Path::new("no/such/file")));
    /// ```
    #[must_use]
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Self::Io { path, .. }
            | Self::BadMagic { path, .. }
            | Self::UnsupportedType { path, .. }
            | Self::Truncated { path, .. }
            | Self::TrailingData { path }
            | Self::Overflow { path }
            | Self::Shape { path, .. }
            | Self::LabelOutOfRange { path, .. } => Some(path),
            Self::CountMismatch { .. } | Self::Empty { .. } => None,
        }
    }
}

/// A human-readable name of an IDX type code.
fn type_name(code: u8) -> &'static str {
    match code {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0b => "16-bit integer",
        0x0c => "32-bit integer",
        0x0d => "32-bit float",
        0x0e => "64-bit float",
        _ => "unknown type",
    }
}

/// Writes a shape as `[a, b, c]`, with `*` for dimensions of any size.
fn write_shape<T>(
    f: &mut fmt::Formatter<'_>,
    shape: &[T],
    dim: impl Fn(&T) -> Option<usize>,
) -> fmt::Result {
    f.write_str("[")?;
    for (i, d) in shape.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        match dim(d) {
            Some(n) => write!(f, "{n}")?,
            None => f.write_str("*")?,
        }
    }
    f.write_str("]")
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => {
                write!(f, "failed to read {}: {source}", path.display())
            }
            Self::BadMagic { path, found } => {
                let [a, b, c, d] = found;
                write!(
                    f,
                    "{}: not an IDX file: header starts {a:02x} {b:02x} {c:02x} {d:02x}, \
                     expected 00 00, a type code and a non-zero dimension count",
                    path.display()
                )
            }
            Self::UnsupportedType { path, code } => write!(
                f,
                "{}: unsupported IDX element type 0x{code:02x} ({}); \
                 only 0x08 (unsigned byte) is supported",
                path.display(),
                type_name(*code)
            ),
            Self::Truncated {
                path,
                expected,
                found,
            } => write!(
                f,
                "{}: truncated IDX data: expected {expected} bytes, found {found}",
                path.display()
            ),
            Self::TrailingData { path } => write!(
                f,
                "{}: unexpected data after the elements announced by the IDX header",
                path.display()
            ),
            Self::Overflow { path } => write!(
                f,
                "{}: IDX dimensions too large: their product overflows",
                path.display()
            ),
            Self::Shape {
                path,
                expected,
                found,
            } => {
                write!(f, "{}: expected shape ", path.display())?;
                write_shape(f, expected, |d| *d)?;
                f.write_str(", found ")?;
                write_shape(f, found, |d| Some(*d))
            }
            Self::CountMismatch {
                inputs,
                labels,
                paths: Some((inputs_path, labels_path)),
            } => write!(
                f,
                "{inputs} inputs in {} but {labels} labels in {}",
                inputs_path.display(),
                labels_path.display()
            ),
            Self::CountMismatch {
                inputs,
                labels,
                paths: None,
            } => write!(f, "{inputs} inputs but {labels} labels"),
            Self::Empty { inputs, labels } => write!(
                f,
                "{} and {} hold no examples: the data set is empty",
                inputs.display(),
                labels.display()
            ),
            Self::LabelOutOfRange {
                path,
                index,
                label,
                classes,
            } => write!(
                f,
                "{}: label {label} at index {index} is out of range for {classes} classes",
                path.display()
            ),
        }
    }
}

impl Error for DataError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn path() -> PathBuf {
        PathBuf::from("dir/file.gz")
    }

    #[test]
    fn every_message_is_one_lowercase_line_naming_the_file() {
        let errors = [
            DataError::Io {
                path: path(),
                source: io::Error::new(io::ErrorKind::NotFound, "gone"),
            },
            DataError::BadMagic {
                path: path(),
                found: [0x1f, 0x8b, 8, 0],
            },
            DataError::UnsupportedType {
                path: path(),
                code: 0x0d,
            },
            DataError::Truncated {
                path: path(),
                expected: 10,
                found: 3,
            },
            DataError::TrailingData { path: path() },
            DataError::Overflow { path: path() },
            DataError::Shape {
                path: path(),
                expected: vec![None, Some(28), Some(28)],
                found: vec![5, 32, 32],
            },
            DataError::CountMismatch {
                inputs: 3,
                labels: 4,
                paths: Some((path(), PathBuf::from("dir/labels"))),
            },
            DataError::LabelOutOfRange {
                path: path(),
                index: 2,
                label: 12,
                classes: 10,
            },
            DataError::Empty {
                inputs: path(),
                labels: PathBuf::from("dir/labels"),
            },
        ];
        for e in &errors {
            let msg = e.to_string();
            assert!(msg.contains("dir/file.gz"), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
            assert!(msg.starts_with(|c: char| !c.is_uppercase()), "{msg}");
            assert_eq!(
                e.path().is_some(),
                e.path() == Some(Path::new("dir/file.gz"))
            );
        }
    }

    #[test]
    fn messages() {
        let shape = DataError::Shape {
            path: path(),
            expected: vec![None, Some(28), Some(28)],
            found: vec![5, 32, 32],
        };
        assert_eq!(
            shape.to_string(),
            "dir/file.gz: expected shape [*, 28, 28], found [5, 32, 32]"
        );
        let count = DataError::CountMismatch {
            inputs: 3,
            labels: 4,
            paths: None,
        };
        assert_eq!(count.to_string(), "3 inputs but 4 labels");
        let empty = DataError::Empty {
            inputs: path(),
            labels: PathBuf::from("dir/labels.gz"),
        };
        assert_eq!(
            empty.to_string(),
            "dir/file.gz and dir/labels.gz hold no examples: the data set is empty"
        );
        assert_eq!(empty.path(), None);
        assert_eq!(count.path(), None);
        let ty = DataError::UnsupportedType {
            path: path(),
            code: 0x0d,
        };
        assert!(ty.to_string().contains("0x0d (32-bit float)"));
    }

    #[test]
    fn source_is_the_io_error() {
        let io = DataError::Io {
            path: path(),
            source: io::Error::new(io::ErrorKind::NotFound, "gone"),
        };
        assert_eq!(
            io.source().map(ToString::to_string).as_deref(),
            Some("gone")
        );
        assert!(DataError::Overflow { path: path() }.source().is_none());
    }

    #[test]
    fn is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<DataError>();
    }
}
