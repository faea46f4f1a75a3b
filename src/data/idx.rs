//! Reading IDX files, plain or gzip-compressed.
//!
//! An IDX file is a big-endian header followed by the elements of an
//! n-dimensional array in row-major order:
//!
//! | bytes        | content                                               |
//! |--------------|-------------------------------------------------------|
//! | 0, 1         | zero                                                  |
//! | 2            | element type: `0x08` for unsigned bytes               |
//! | 3            | number of dimensions `d`, at least 1                  |
//! | 4 .. 4 + 4d  | the size of each dimension, a big-endian `u32`        |
//! | 4 + 4d ..    | the elements, one byte each for type `0x08`           |
//!
//! Only unsigned-byte files (type `0x08`, the type of every MNIST file) are
//! supported. Gzip compression is recognised by its magic bytes
//! (`1f 8b`), whatever the file name.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use super::DataError;

/// The IDX type code of unsigned bytes, the only one supported.
const UNSIGNED_BYTE: u8 = 0x08;

/// The first two bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The most the element buffer grows before data arrives; beyond this it only
/// grows as bytes are actually read, so a lying header cannot make it
/// allocate much.
const INITIAL_CAPACITY: usize = 1 << 16;

/// An n-dimensional array of bytes read from an IDX file.
///
/// The elements are kept in the file's row-major order: the element at
/// index `[i, j, k]` of an array of shape `[a, b, c]` is
/// `data()[(i * b + j) * c + k]`. `data().len()` is always the product of
/// [`dims`](Self::dims).
///
/// An `Idx` remembers where it was read from, so errors found later (for
/// instance by [`mnist::from_idx`](super::mnist::from_idx)) can name the file.
///
/// # Examples
/// ```
/// use constnet::data::Idx;
///
/// // A 2 × 3 array of bytes.
/// let bytes = [0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6];
/// let idx = Idx::from_reader(&bytes[..], "<memory>")?;
/// assert_eq!(idx.dims(), [2, 3]);
/// assert_eq!(idx.data(), [1, 2, 3, 4, 5, 6]);
/// # Ok::<(), constnet::data::DataError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Idx {
    path: PathBuf,
    dims: Vec<usize>,
    data: Vec<u8>,
}

impl Idx {
    /// Reads the IDX file at `path`, decompressing it first if it is
    /// gzip-compressed.
    ///
    /// Compression is detected from the content (gzip files start with
    /// `1f 8b`), not from the file name. Memory use stays proportional to the
    /// actual size of the data, whatever the header claims.
    ///
    /// # Errors
    /// - [`DataError::Io`] if the file cannot be opened or read, or its gzip
    ///   data is corrupt;
    /// - [`DataError::BadMagic`], [`DataError::UnsupportedType`],
    ///   [`DataError::Overflow`] for an invalid or unsupported header;
    /// - [`DataError::Truncated`] if the data ends before the header or the
    ///   elements it announces;
    /// - [`DataError::TrailingData`] if bytes follow the elements.
    ///
    /// Every error names `path`.
    ///
    /// # Examples
    /// ```no_run
    /// use constnet::data::Idx;
    ///
    /// let labels = Idx::read("data/mnist/t10k-labels-idx1-ubyte.gz")?;
    /// assert_eq!(labels.dims(), [10_000]);
    /// # Ok::<(), constnet::data::DataError>(())
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Self, DataError> {
        let path = path.as_ref();
        Pending::open(path)?.read_elements()
    }

    /// Reads IDX data, plain or gzip-compressed, from `reader`.
    ///
    /// `name` stands for the path in errors and in [`path`](Self::path): pass
    /// the file name if there is one, or something like `"<memory>"`. The
    /// reader is buffered internally and read to its end.
    ///
    /// # Errors
    /// As for [`read`](Self::read), naming `name`.
    ///
    /// # Examples
    /// ```
    /// use constnet::data::{DataError, Idx};
    ///
    /// let labels = [0, 0, 0x08, 1, 0, 0, 0, 3, 7, 2, 1];
    /// let idx = Idx::from_reader(&labels[..], "<memory>")?;
    /// assert_eq!(idx.dims(), [3]);
    /// assert_eq!(idx.into_data(), [7, 2, 1]);
    ///
    /// let err = Idx::from_reader(&b"PK\x03\x04"[..], "archive.zip").unwrap_err();
    /// assert!(matches!(err, DataError::BadMagic { .. }));
    /// # Ok::<(), DataError>(())
    /// ```
    pub fn from_reader(reader: impl Read, name: impl AsRef<Path>) -> Result<Self, DataError> {
        Pending::from_reader(reader, name.as_ref())?.read_elements()
    }

    /// The size of each dimension, outermost first.
    ///
    /// ```
    /// # let bytes = [0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 9, 9];
    /// # let idx = constnet::data::Idx::from_reader(&bytes[..], "<memory>")?;
    /// assert_eq!(idx.dims(), [1, 2]);
    /// # Ok::<(), constnet::data::DataError>(())
    /// ```
    #[must_use]
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The elements, in row-major order.
    ///
    /// ```
    /// # let bytes = [0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 9, 8];
    /// # let idx = constnet::data::Idx::from_reader(&bytes[..], "<memory>")?;
    /// assert_eq!(idx.data(), [9, 8]);
    /// # Ok::<(), constnet::data::DataError>(())
    /// ```
    #[must_use]
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The elements, in row-major order, without copying them.
    ///
    /// ```
    /// # let bytes = [0, 0, 8, 1, 0, 0, 0, 2, 9, 8];
    /// # let idx = constnet::data::Idx::from_reader(&bytes[..], "<memory>")?;
    /// let data: Vec<u8> = idx.into_data();
    /// assert_eq!(data, [9, 8]);
    /// # Ok::<(), constnet::data::DataError>(())
    /// ```
    #[must_use]
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// Where the data was read from: the path given to [`read`](Self::read),
    /// or the name given to [`from_reader`](Self::from_reader).
    ///
    /// ```
    /// # let bytes = [0, 0, 8, 1, 0, 0, 0, 0];
    /// let idx = constnet::data::Idx::from_reader(&bytes[..], "<memory>")?;
    /// assert_eq!(idx.path(), std::path::Path::new("<memory>"));
    /// # Ok::<(), constnet::data::DataError>(())
    /// ```
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Debug for Idx {
    /// Shows the path and shape, not the (possibly millions of) elements.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Idx")
            .field("path", &self.path)
            .field("dims", &self.dims)
            .finish_non_exhaustive()
    }
}

/// Reads into `buf` until it is full or the reader is exhausted, returning the
/// number of bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // `min` guards against readers that claim to have read too much.
    Ok(filled.min(buf.len()))
}

/// An IDX file whose header has been read and checked, its elements not yet.
///
/// Reading a file in two steps lets a caller check the header against other
/// data (e.g. [`Mnist::load`](super::Mnist::load) compares the numbers of
/// images and labels) before decompressing and reading what may be a large
/// body.
pub(crate) struct Pending<'a> {
    path: PathBuf,
    dims: Vec<usize>,
    /// The number of elements: the product of `dims`.
    len: usize,
    /// The size of the header in bytes.
    header_len: usize,
    /// The uncompressed stream, positioned after the header.
    reader: Box<dyn Read + 'a>,
}

impl Pending<'static> {
    /// Opens the file at `path` and reads its header.
    ///
    /// # Errors
    /// As [`Idx::read`], for the header alone.
    pub(crate) fn open(path: &Path) -> Result<Self, DataError> {
        let file = File::open(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Pending::from_reader(file, path)
    }
}

impl<'a> Pending<'a> {
    /// Reads the header of the IDX data, plain or gzip-compressed, of
    /// `reader`, naming `path` in errors.
    ///
    /// # Errors
    /// As [`Idx::from_reader`], for the header alone.
    pub(crate) fn from_reader(reader: impl Read + 'a, path: &Path) -> Result<Self, DataError> {
        let io_error = |source| DataError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut reader = BufReader::new(reader);
        // Peek at the first two bytes without losing them.
        let mut magic = [0; 2];
        let n = read_full(&mut reader, &mut magic).map_err(io_error)?;
        let head = io::Cursor::new(magic).take(n as u64);
        let stream = head.chain(reader);
        let mut reader: Box<dyn Read + 'a> = if n == magic.len() && magic == GZIP_MAGIC {
            Box::new(MultiGzDecoder::new(stream))
        } else {
            Box::new(stream)
        };
        let (dims, len, header_len) = parse_header(&mut reader, path)?;
        Ok(Self {
            path: path.to_path_buf(),
            dims,
            len,
            header_len,
            reader,
        })
    }

    /// The size of each dimension, outermost first.
    pub(crate) fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// Where the data comes from.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the elements the header announces, and checks that nothing
    /// follows them.
    ///
    /// # Errors
    /// As [`Idx::read`], for the elements: [`DataError::Io`],
    /// [`DataError::Truncated`], [`DataError::TrailingData`].
    pub(crate) fn read_elements(self) -> Result<Idx, DataError> {
        let Self {
            path,
            dims,
            len,
            header_len,
            mut reader,
        } = self;
        let io_error = |source| DataError::Io {
            path: path.clone(),
            source,
        };
        // `len` fits in a `u64` and `len + header_len` does not overflow:
        // `parse_header` checked both.
        let data_len = len as u64;
        // Never trust the header with an allocation: the buffer grows only as
        // bytes arrive, and `take` stops reading at the announced length.
        let mut data = Vec::with_capacity(len.min(INITIAL_CAPACITY));
        let mut limited = (&mut reader).take(data_len);
        limited.read_to_end(&mut data).map_err(io_error)?;
        if data.len() < len {
            return Err(DataError::Truncated {
                path,
                expected: data_len.saturating_add(header_len as u64),
                found: (header_len + data.len()) as u64,
            });
        }
        let mut extra = [0; 1];
        if read_full(&mut reader, &mut extra).map_err(io_error)? > 0 {
            return Err(DataError::TrailingData { path });
        }
        Ok(Idx { path, dims, data })
    }
}

/// Parses the header of uncompressed IDX data from `reader`, naming `path` in
/// errors: the dimensions, the number of elements and the header's size.
fn parse_header(
    reader: &mut impl Read,
    path: &Path,
) -> Result<(Vec<usize>, usize, usize), DataError> {
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let truncated = |expected: u64, found: usize| DataError::Truncated {
        path: path.to_path_buf(),
        expected,
        found: found as u64,
    };

    let mut magic = [0; 4];
    let n = read_full(reader, &mut magic).map_err(io_error)?;
    if n < magic.len() {
        return Err(truncated(4, n));
    }
    let [zero0, zero1, code, ndims] = magic;
    if zero0 != 0 || zero1 != 0 || ndims == 0 {
        return Err(DataError::BadMagic {
            path: path.to_path_buf(),
            found: magic,
        });
    }
    if code != UNSIGNED_BYTE {
        return Err(DataError::UnsupportedType {
            path: path.to_path_buf(),
            code,
        });
    }

    let header_len = 4 + 4 * usize::from(ndims);
    let overflow = || DataError::Overflow {
        path: path.to_path_buf(),
    };
    // At most 255 dimensions: a small, bounded allocation.
    let mut dims = Vec::with_capacity(usize::from(ndims));
    for i in 0..usize::from(ndims) {
        let mut dim = [0; 4];
        let n = read_full(reader, &mut dim).map_err(io_error)?;
        if n < dim.len() {
            return Err(truncated(header_len as u64, 4 + 4 * i + n));
        }
        dims.push(usize::try_from(u32::from_be_bytes(dim)).map_err(|_| overflow())?);
    }
    let len = dims
        .iter()
        .try_fold(1_usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(overflow)?;
    // The whole file's size must be a `u64`.
    u64::try_from(len)
        .ok()
        .and_then(|data_len| data_len.checked_add(header_len as u64))
        .ok_or_else(overflow)?;
    Ok((dims, len, header_len))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;
    use std::time::{Duration, Instant};

    /// The IDX encoding of an unsigned-byte array.
    pub(crate) fn idx_bytes(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let ndims = u8::try_from(dims.len()).expect("at most 255 dimensions");
        let mut bytes = vec![0, 0, UNSIGNED_BYTE, ndims];
        for d in dims {
            bytes.extend_from_slice(&d.to_be_bytes());
        }
        bytes.extend_from_slice(data);
        bytes
    }

    pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).expect("writing to a Vec");
        encoder.finish().expect("writing to a Vec")
    }

    fn parse_bytes(bytes: &[u8]) -> Result<Idx, DataError> {
        Idx::from_reader(bytes, "<test>")
    }

    /// A scratch directory unique to one test.
    pub(crate) fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("constnet-data-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creating a temporary directory");
        dir
    }

    #[test]
    fn parses_a_valid_array() {
        let data: Vec<u8> = (0..24).collect();
        let idx = parse_bytes(&idx_bytes(&[2, 3, 4], &data)).expect("valid");
        assert_eq!(idx.dims(), [2, 3, 4]);
        assert_eq!(idx.data(), data);
        assert_eq!(idx.path(), Path::new("<test>"));
        assert_eq!(idx.clone().into_data(), data);
        let debug = format!("{idx:?}");
        assert!(
            debug.contains("[2, 3, 4]") && !debug.contains("23"),
            "{debug}"
        );
    }

    #[test]
    fn parses_empty_arrays() {
        let idx = parse_bytes(&idx_bytes(&[0], &[])).expect("valid");
        assert_eq!(idx.dims(), [0]);
        assert!(idx.data().is_empty());
        // A zero dimension makes the product zero, however large the others.
        let idx = parse_bytes(&idx_bytes(&[u32::MAX, u32::MAX, 0], &[])).expect("valid");
        assert!(idx.data().is_empty());
    }

    #[test]
    fn wrong_magic() {
        let mut bytes = idx_bytes(&[1], &[5]);
        bytes[1] = 1;
        let err = parse_bytes(&bytes).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::BadMagic {
                    found: [0, 1, 8, 1],
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string().starts_with("<test>: not an IDX file"),
            "{err}"
        );
    }

    #[test]
    fn zero_dimensions() {
        let err = parse_bytes(&[0, 0, 8, 0, 42]).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::BadMagic {
                    found: [0, 0, 8, 0],
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn unsupported_type() {
        let mut bytes = idx_bytes(&[1], &[0, 0, 0, 0]);
        bytes[2] = 0x0d;
        let err = parse_bytes(&bytes).unwrap_err();
        assert!(
            matches!(err, DataError::UnsupportedType { code: 0x0d, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn truncated_header() {
        for (bytes, expected, found) in [
            (&[][..], 4, 0),
            (&[0, 0, 8][..], 4, 3),
            (&[0, 0, 8, 2, 0, 0, 0, 1, 0, 0][..], 12, 10),
        ] {
            let err = parse_bytes(bytes).unwrap_err();
            assert!(
                matches!(err, DataError::Truncated { expected: e, found: f, .. }
                    if e == expected && f == found),
                "{bytes:?}: {err:?}"
            );
        }
    }

    #[test]
    fn truncated_data() {
        let bytes = idx_bytes(&[2, 3], &[1, 2, 3, 4, 5]);
        let err = parse_bytes(&bytes).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::Truncated {
                    expected: 18,
                    found: 17,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn huge_header_on_a_tiny_file_fails_fast() {
        // 4 GiB × 4 GiB would overflow; 65535 × 65535 × 255 (~1 GB) and
        // u32::MAX (4 GB) do not, and must fail as truncated without
        // allocating what the header claims.
        let data = [7; 100];
        for dims in [&[u32::MAX][..], &[65_535, 65_535, 255], &[60_000, 28, 28]] {
            let start = Instant::now();
            let err = parse_bytes(&idx_bytes(dims, &data)).unwrap_err();
            assert!(
                matches!(err, DataError::Truncated { found, .. } if found == 4 + 4 * dims.len() as u64 + 100),
                "{err:?}"
            );
            assert!(start.elapsed() < Duration::from_secs(1));
        }
        // The same through gzip.
        let gz = gzip(&idx_bytes(&[u32::MAX, 2], &data));
        let err = parse_bytes(&gz).unwrap_err();
        assert!(
            matches!(err, DataError::Truncated { expected, found: 112, .. } if expected == 12 + 2 * u64::from(u32::MAX)),
            "{err:?}"
        );
    }

    #[test]
    fn overflowing_dimensions() {
        let err = parse_bytes(&idx_bytes(&[u32::MAX, u32::MAX, u32::MAX], &[])).unwrap_err();
        assert!(matches!(err, DataError::Overflow { .. }), "{err:?}");
    }

    #[test]
    fn trailing_data() {
        let bytes = idx_bytes(&[2], &[1, 2, 3]);
        let err = parse_bytes(&bytes).unwrap_err();
        assert!(matches!(err, DataError::TrailingData { .. }), "{err:?}");
    }

    #[test]
    fn gzip_and_plain_parse_the_same() {
        let data: Vec<u8> = (0..=255).cycle().take(3 * 28 * 28).collect();
        let plain = idx_bytes(&[3, 28, 28], &data);
        let gz = gzip(&plain);
        assert_eq!(gz[..2], GZIP_MAGIC);
        let a = parse_bytes(&plain).expect("plain");
        let b = parse_bytes(&gz).expect("gzip");
        assert_eq!(a, b);
        assert_eq!(b.data(), data);

        // Through files too, whatever their names.
        let dir = temp_dir("gzip-and-plain");
        std::fs::write(dir.join("a.gz"), &plain).expect("write");
        std::fs::write(dir.join("b"), &gz).expect("write");
        let a = Idx::read(dir.join("a.gz")).expect("plain file");
        let b = Idx::read(dir.join("b")).expect("gzip file");
        assert_eq!((a.dims(), a.data()), (b.dims(), b.data()));
        assert_eq!(b.path(), dir.join("b"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn concatenated_gzip_members_are_one_stream() {
        let plain = idx_bytes(&[4], &[1, 2, 3, 4]);
        let (head, tail) = plain.split_at(6);
        let gz = [gzip(head), gzip(tail)].concat();
        assert_eq!(parse_bytes(&gz).expect("valid").data(), [1, 2, 3, 4]);
    }

    #[test]
    fn corrupt_gzip_is_an_io_error_naming_the_file() {
        let mut gz = gzip(&idx_bytes(&[100], &[3; 100]));
        let len = gz.len();
        gz.truncate(len - 6);
        let err = parse_bytes(&gz).unwrap_err();
        assert!(matches!(err, DataError::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("<test>"), "{err}");

        let mut gz = gzip(&idx_bytes(&[4], &[3; 4]));
        gz.extend_from_slice(b"junk after the gzip member");
        let err = parse_bytes(&gz).unwrap_err();
        assert!(matches!(err, DataError::Io { .. }), "{err:?}");
    }

    #[test]
    fn missing_file_is_an_io_error_naming_the_path() {
        let path = Path::new("definitely/not/here.idx");
        let err = Idx::read(path).unwrap_err();
        assert!(
            matches!(&err, DataError::Io { path: p, source } if p == path
                && source.kind() == io::ErrorKind::NotFound),
            "{err:?}"
        );
        assert!(err.to_string().contains("definitely/not/here.idx"), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }
}
