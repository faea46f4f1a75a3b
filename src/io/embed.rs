//! Raw little-endian weights, and decoding them at compile time to embed a
//! model in the binary.

#[cfg(feature = "std")]
use super::error::WeightsError;
#[cfg(feature = "std")]
use super::finite::{Finite, check_le_bytes, check_net};
use crate::Dense;
#[cfg(feature = "alloc")]
use crate::{Params, Scalar};

/// The network's parameters as raw little-endian bytes: every tensor in the
/// order of [`Params::walk`], each element as `to_le_bytes` of the network's
/// scalar (4 bytes for `f32`, 8 for `f64`), no header.
///
/// This is the format [`LeReader`] and [`Dense::from_le_bytes`] decode at
/// compile time. It records no shapes: the network's type is the schema, and
/// the length is checked against it.
///
/// Every value is written as it is, NaN and infinities included (this
/// function works without `std`, whose [`WeightsError`](super::WeightsError)
/// it would need to report them). The readers reject such values: the
/// embedded network does not compile and [`from_le_bytes`] returns an error.
/// To find them when saving instead, use [`try_to_le_bytes`].
///
/// # Examples
/// ```
/// use constnet::io;
/// use constnet::prelude::*;
///
/// let net = (Dense::<2, 1> { weight: [[1.0, 2.0]], bias: [3.0] }, Sigmoid);
/// let bytes = io::to_le_bytes(&net);
/// assert_eq!(bytes.len(), 3 * 4);
/// assert_eq!(bytes[8..], 3.0_f32.to_le_bytes());
/// ```
///
/// Needs the `alloc` feature (on by default).
#[cfg(feature = "alloc")]
#[must_use]
pub fn to_le_bytes<N: Params<T>, T: Scalar>(net: &N) -> alloc::vec::Vec<u8> {
    let f64_data = size_of::<T>() == size_of::<f64>();
    let mut bytes = alloc::vec::Vec::with_capacity(N::NUM_PARAMS * size_of::<T>());
    net.visit(|_, values: &[T]| {
        for v in values {
            if f64_data {
                bytes.extend_from_slice(&v.to_f64().unwrap_or(f64::NAN).to_le_bytes());
            } else {
                bytes.extend_from_slice(&v.to_f32().unwrap_or(f32::NAN).to_le_bytes());
            }
        }
    });
    bytes
}

/// The network's parameters as raw little-endian bytes, like
/// [`to_le_bytes`], checking first that every weight is finite.
///
/// # Errors
/// [`WeightsError::NonFinite`] naming the first tensor, in parameter order,
/// that holds a NaN or infinite value, and its index.
///
/// # Examples
/// ```
/// use constnet::io::{self, NonFinite, WeightsError};
/// use constnet::prelude::*;
///
/// let mut net = (Dense::<2, 2>::zeros(), Relu, Dense::<2, 1>::zeros());
/// assert_eq!(io::try_to_le_bytes(&net)?, io::to_le_bytes(&net));
///
/// net.2.weight[0][1] = f32::INFINITY;
/// let err = io::try_to_le_bytes(&net).unwrap_err();
/// assert!(matches!(err, WeightsError::NonFinite { index: 1, value: NonFinite::PosInf, .. }));
/// assert_eq!(err.to_string(), "tensor `2.weight` holds +inf at index 1: weights must be finite");
/// # Ok::<(), WeightsError>(())
/// ```
///
/// Needs the `std` feature (on by default), for its error type.
#[cfg(feature = "std")]
pub fn try_to_le_bytes<N: Params<T>, T: Scalar>(
    net: &N,
) -> Result<alloc::vec::Vec<u8>, WeightsError> {
    net.check().map_err(WeightsError::Layout)?;
    check_net(net)?;
    Ok(to_le_bytes(net))
}

/// Loads raw little-endian weights, as [`to_le_bytes`] writes them, into
/// `net` at run time. `net` is left unchanged on error.
///
/// Every weight must be finite; [`from_le_bytes_allow_non_finite`] loads NaN
/// and infinite values too.
///
/// # Errors
/// - [`WeightsError::Length`] unless `bytes` holds exactly `N::NUM_PARAMS`
///   scalars of the network's type.
/// - [`WeightsError::NonFinite`] naming the first tensor, in parameter order,
///   that holds a NaN or infinite value, and its index.
///
/// # Examples
/// ```
/// use constnet::io;
/// use constnet::prelude::*;
///
/// let bytes = io::to_le_bytes(&Dense::<2, 1, f64> { weight: [[1.0, 2.0]], bias: [3.0] });
/// let mut layer = Dense::<2, 1, f64>::zeros();
/// io::from_le_bytes(&mut layer, &bytes)?;
/// assert_eq!(layer.bias, [3.0]);
///
/// let err = io::from_le_bytes(&mut layer, &bytes[1..]).unwrap_err();
/// assert_eq!(err.to_string(), "raw weights of the wrong length: expected 24 bytes, found 23");
///
/// let nan = [1.0, f64::NAN, 3.0].map(f64::to_le_bytes).concat();
/// let err = io::from_le_bytes(&mut layer, &nan).unwrap_err();
/// assert_eq!(err.to_string(), "tensor `weight` holds NaN at index 1: weights must be finite");
/// assert_eq!(layer.bias, [3.0]); // unchanged
/// # Ok::<(), io::WeightsError>(())
/// ```
///
/// Needs the `std` feature (on by default), for its error type.
#[cfg(feature = "std")]
pub fn from_le_bytes<N: Params<T>, T: Scalar>(
    net: &mut N,
    bytes: &[u8],
) -> Result<(), WeightsError> {
    load_le_bytes(net, bytes, Finite::Required)
}

/// Like [`from_le_bytes`], but NaN and infinite weights are loaded as they
/// are, e.g. to inspect a network whose training diverged.
///
/// # Errors
/// [`WeightsError::Length`] unless `bytes` holds exactly `N::NUM_PARAMS`
/// scalars of the network's type.
///
/// # Examples
/// ```
/// use constnet::io;
/// use constnet::prelude::*;
///
/// let bytes = [f32::NAN, 2.0].map(f32::to_le_bytes).concat();
/// let mut layer = Dense::<1, 1>::zeros();
/// assert!(io::from_le_bytes(&mut layer, &bytes).is_err());
/// io::from_le_bytes_allow_non_finite(&mut layer, &bytes)?;
/// assert!(layer.weight[0][0].is_nan());
/// # Ok::<(), io::WeightsError>(())
/// ```
///
/// Needs the `std` feature (on by default), for its error type.
#[cfg(feature = "std")]
pub fn from_le_bytes_allow_non_finite<N: Params<T>, T: Scalar>(
    net: &mut N,
    bytes: &[u8],
) -> Result<(), WeightsError> {
    load_le_bytes(net, bytes, Finite::NotRequired)
}

/// [`from_le_bytes`], checking finiteness as `finite` says.
#[cfg(feature = "std")]
fn load_le_bytes<N: Params<T>, T: Scalar>(
    net: &mut N,
    bytes: &[u8],
    finite: Finite,
) -> Result<(), WeightsError> {
    net.check().map_err(WeightsError::Layout)?;
    let expected = N::NUM_PARAMS * size_of::<T>();
    if bytes.len() != expected {
        return Err(WeightsError::Length {
            path: None,
            expected,
            found: bytes.len(),
        });
    }
    if finite == Finite::Required {
        check_le_bytes(net, bytes)?;
    }
    let f64_data = size_of::<T>() == size_of::<f64>();
    let mut rest = bytes;
    net.visit_mut(|_, values: &mut [T]| {
        for v in values {
            if f64_data {
                if let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
                    *v = T::from(f64::from_le_bytes(*chunk)).unwrap_or_else(T::nan);
                    rest = tail;
                }
            } else if let Some((chunk, tail)) = rest.split_first_chunk::<4>() {
                *v = T::from_f32(f32::from_le_bytes(*chunk));
                rest = tail;
            }
        }
    });
    Ok(())
}

/// Decodes raw little-endian weights ([`to_le_bytes`]) in a `const`
/// context, layer by layer, so a trained model can be a `static` built at
/// compile time from `include_bytes!`: no file, no heap and no decoding at
/// run time.
///
/// Decoding reads bytes with `f32::from_le_bytes`, so the blob needs no
/// alignment (casting `include_bytes!` to `&[f32]` would). Call the methods
/// in the network's parameter order — a tuple expression evaluates left to
/// right, so `(r.dense(), Sigmoid, r.dense(), Sigmoid)` does — and end with
/// [`finish`](Self::finish).
///
/// # Panics
/// If the bytes run out, if a value is NaN or infinite, or if
/// [`finish`](Self::finish) finds bytes left over. In a `static` or `const`
/// initializer a panic is a **compile error** pointing at the call, so a
/// blob that does not match the network's type, or a diverged model, does
/// not build. The message gives the byte counts, e.g. (rustc 1.95):
///
/// ```text
/// error[E0080]: evaluation panicked: LeReader: the bytes end 1 byte too early:
///               the Dense<2, 1> at byte 24 needs 12 bytes, 11 remain
/// error[E0080]: evaluation panicked: LeReader: 1 byte left over after the
///               network's last parameter (36 read, 37 given)
/// error[E0080]: evaluation panicked: LeReader: the Dense<2, 2> at byte 0 has
///               NaN in weight[1][0] (byte 8): weights must be finite
/// ```
///
/// (A `const` panic cannot format numbers with `{}`; the reader writes them
/// into a fixed buffer itself, so the counts are there all the same. The
/// layer's position in the tuple is not: the reader does not know it, only
/// the byte offset.)
///
/// # Forgetting `finish`
/// The reader must be consumed by [`finish`](Self::finish): in a `const` or
/// `static` initializer, a reader that is simply dropped is a compile error,
/// `error[E0493]: destructor of LeReader<'_> cannot be evaluated at
/// compile-time` pointing at the reader (an empty [`Drop`] implementation
/// exists for that purpose only). At run time a dropped reader is not an
/// error; there, [`from_le_bytes`] is the better tool anyway. (`#[must_use]`
/// could not catch this: the reader is used, by its `&mut self` methods.)
///
/// # Examples
/// The lecture's network from one blob (here a literal; in practice
/// `include_bytes!("model/lecture.bin")`):
/// ```
/// use constnet::io::LeReader;
/// use constnet::prelude::*;
///
/// type Net = (Dense<2, 2>, Sigmoid, Dense<2, 1>, Sigmoid);
/// const BLOB: [u8; 9 * 4] = [0; 36];
///
/// static MODEL: Net = {
///     let mut r = LeReader::new(&BLOB);
///     let net = (r.dense(), Sigmoid, r.dense(), Sigmoid);
///     r.finish();
///     net
/// };
/// assert_eq!(MODEL.forward(&[1.0, 2.0]), [0.5]);
/// ```
/// A blob one byte short does not compile (the bytes end 1 byte too early):
/// ```compile_fail,E0080
/// use constnet::io::LeReader;
/// use constnet::prelude::*;
///
/// static MODEL: (Dense<2, 2>, Sigmoid, Dense<2, 1>) = {
///     let mut r = LeReader::new(&[0; 9 * 4 - 1]);
///     let net = (r.dense(), Sigmoid, r.dense());
///     r.finish();
///     net
/// };
/// ```
/// and neither does one byte too many (1 byte left over):
/// ```compile_fail,E0080
/// use constnet::io::LeReader;
/// use constnet::prelude::*;
///
/// static MODEL: (Dense<2, 2>, Sigmoid, Dense<2, 1>) = {
///     let mut r = LeReader::new(&[0; 9 * 4 + 1]);
///     let net = (r.dense(), Sigmoid, r.dense());
///     r.finish();
///     net
/// };
/// ```
/// nor a NaN (here weight `[1][0]` of the first layer, the bytes 8 to 11):
/// ```compile_fail,E0080
/// use constnet::io::LeReader;
/// use constnet::prelude::*;
///
/// const BLOB: [u8; 36] = {
///     let mut blob = [0; 36];
///     blob[10] = 0xc0;
///     blob[11] = 0x7f; // 0x7fc00000: NaN
///     blob
/// };
/// static MODEL: (Dense<2, 2>, Sigmoid, Dense<2, 1>) = {
///     let mut r = LeReader::new(&BLOB);
///     let net = (r.dense(), Sigmoid, r.dense());
///     r.finish();
///     net
/// };
/// ```
/// whose twin with the finite value `0x3fc00000` (1.5) builds:
/// ```
/// use constnet::io::LeReader;
/// use constnet::prelude::*;
///
/// const BLOB: [u8; 36] = {
///     let mut blob = [0; 36];
///     blob[10] = 0xc0;
///     blob[11] = 0x3f; // 0x3fc00000: 1.5
///     blob
/// };
/// static MODEL: (Dense<2, 2>, Sigmoid, Dense<2, 1>) = {
///     let mut r = LeReader::new(&BLOB);
///     let net = (r.dense(), Sigmoid, r.dense());
///     r.finish();
///     net
/// };
/// assert_eq!(MODEL.0.weight[1][0], 1.5);
/// ```
/// Forgetting [`finish`](Self::finish) does not compile either: the first
/// example without its `r.finish();`.
/// ```compile_fail,E0493
/// use constnet::io::LeReader;
/// use constnet::prelude::*;
///
/// static MODEL: (Dense<2, 2>, Sigmoid, Dense<2, 1>) = {
///     let mut r = LeReader::new(&[0; 9 * 4]);
///     let net = (r.dense(), Sigmoid, r.dense());
///     net
/// };
/// ```
#[derive(Clone, Debug)]
#[must_use = "call finish() to check that every byte was used"]
pub struct LeReader<'a> {
    /// The bytes not read yet.
    rest: &'a [u8],
    /// The number of bytes read so far: the offset of `rest` in the blob.
    read: usize,
}

/// Nothing to release: this implementation exists so that a reader dropped
/// in a `const` context, without [`finish`](LeReader::finish), is a compile
/// error (E0493). `finish` forgets the reader instead of dropping it.
impl Drop for LeReader<'_> {
    fn drop(&mut self) {}
}

/// A panic message built in a `const` context, where `panic!` formats no
/// numbers, only a `&str`: ASCII written into a fixed buffer (cut off if it
/// is full).
struct Message {
    buf: [u8; 200],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Self {
            buf: [0; 200],
            len: 0,
        }
    }

    const fn str(mut self, s: &str) -> Self {
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() && self.len < self.buf.len() {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    const fn num(self, mut n: usize) -> Self {
        let mut digits = [0; 20];
        let mut d = digits.len();
        loop {
            d -= 1;
            digits[d] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let (_, digits) = digits.split_at(d);
        match core::str::from_utf8(digits) {
            Ok(digits) => self.str(digits),
            Err(_) => self,
        }
    }

    /// `n` and `byte` or `bytes`.
    const fn bytes(self, n: usize) -> Self {
        self.num(n).str(if n == 1 { " byte" } else { " bytes" })
    }

    const fn fail(&self) -> ! {
        let (message, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(message) {
            Ok(message) => panic!("{}", message),
            Err(_) => panic!("LeReader: the weights do not fit the network"),
        }
    }
}

/// What a [`LeReader`] is reading, for its panic messages.
#[derive(Clone, Copy)]
enum What {
    /// A scalar (`"f32"` or `"f64"`) at a byte offset.
    Scalar(&'static str, usize),
    /// A `Dense<IN, OUT>` at a byte offset.
    Dense(usize, usize, usize),
}

impl What {
    /// Appends `the f32 at byte 8` or `the Dense<2, 1> at byte 24`.
    const fn write(self, message: Message) -> Message {
        match self {
            Self::Scalar(name, at) => message.str("the ").str(name).str(" at byte ").num(at),
            Self::Dense(inputs, outputs, at) => message
                .str("the Dense<")
                .num(inputs)
                .str(", ")
                .num(outputs)
                .str("> at byte ")
                .num(at),
        }
    }
}

/// `"NaN"`, `"+inf"` or `"-inf"` for a value that is not finite.
const fn kind_f32(v: f32) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v.is_infinite() {
        Some(if v > 0.0 { "+inf" } else { "-inf" })
    } else {
        None
    }
}

/// `"NaN"`, `"+inf"` or `"-inf"` for a value that is not finite.
const fn kind_f64(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v.is_infinite() {
        Some(if v > 0.0 { "+inf" } else { "-inf" })
    } else {
        None
    }
}

impl<'a> LeReader<'a> {
    /// A reader at the start of `bytes`.
    ///
    /// ```
    /// use constnet::io::LeReader;
    /// const R: LeReader<'static> = LeReader::new(&[0; 8]);
    /// assert_eq!(R.remaining(), 8);
    /// ```
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self {
            rest: bytes,
            read: 0,
        }
    }

    /// The number of bytes not read yet.
    ///
    /// ```
    /// use constnet::io::LeReader;
    /// let mut r = LeReader::new(&[0; 8]);
    /// let _ = r.f32();
    /// assert_eq!(r.remaining(), 4);
    /// ```
    #[must_use]
    pub const fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Panics unless `needed` bytes remain for `what`.
    const fn expect(&self, needed: usize, what: What) {
        let left = self.rest.len();
        if left < needed {
            what.write(
                Message::new()
                    .str("LeReader: the bytes end ")
                    .bytes(needed - left)
                    .str(" too early: "),
            )
            .str(" needs ")
            .bytes(needed)
            .str(", ")
            .num(left)
            .str(" remain")
            .fail();
        }
    }

    /// The next `N` bytes, known to be there.
    const fn take<const N: usize>(&mut self) -> [u8; N] {
        let Some((bytes, rest)) = self.rest.split_first_chunk::<N>() else {
            Message::new()
                .str("LeReader: the bytes end before the network's last parameter")
                .fail();
        };
        self.rest = rest;
        self.read += N;
        *bytes
    }

    /// Reads one little-endian `f32`.
    ///
    /// # Panics
    /// If fewer than 4 bytes remain, or the value is NaN or infinite (a
    /// compile error in a `const` context).
    ///
    /// ```
    /// use constnet::io::LeReader;
    /// const X: f32 = {
    ///     let mut r = LeReader::new(&[0, 0, 0x80, 0x3f]);
    ///     let x = r.f32();
    ///     r.finish();
    ///     x
    /// };
    /// assert_eq!(X, 1.0);
    /// ```
    #[must_use]
    pub const fn f32(&mut self) -> f32 {
        let at = self.read;
        self.expect(4, What::Scalar("f32", at));
        let v = f32::from_le_bytes(self.take());
        if let Some(kind) = kind_f32(v) {
            Message::new()
                .str("LeReader: the f32 at byte ")
                .num(at)
                .str(" is ")
                .str(kind)
                .str(": weights must be finite")
                .fail();
        }
        v
    }

    /// Reads one little-endian `f64`.
    ///
    /// # Panics
    /// If fewer than 8 bytes remain, or the value is NaN or infinite (a
    /// compile error in a `const` context).
    ///
    /// ```
    /// use constnet::io::LeReader;
    /// const X: f64 = {
    ///     let mut r = LeReader::new(&[0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    ///     let x = r.f64();
    ///     r.finish();
    ///     x
    /// };
    /// assert_eq!(X, 1.0);
    /// ```
    #[must_use]
    pub const fn f64(&mut self) -> f64 {
        let at = self.read;
        self.expect(8, What::Scalar("f64", at));
        let v = f64::from_le_bytes(self.take());
        if let Some(kind) = kind_f64(v) {
            Message::new()
                .str("LeReader: the f64 at byte ")
                .num(at)
                .str(" is ")
                .str(kind)
                .str(": weights must be finite")
                .fail();
        }
        v
    }

    /// Reads an `f32` [`Dense`]: its weight row by row (`[OUT][IN]`), then its
    /// bias, as [`to_le_bytes`] writes them. `IN` and `OUT` are usually
    /// inferred from the type being built.
    ///
    /// # Panics
    /// If fewer than `(IN·OUT + OUT)·4` bytes remain, or a value is NaN or
    /// infinite (a compile error in a `const` context).
    ///
    /// ```
    /// use constnet::io::LeReader;
    /// use constnet::prelude::*;
    ///
    /// const BYTES: [u8; 12] = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40]; // 1.0, 2.0, 3.0
    /// const LAYER: Dense<2, 1> = {
    ///     let mut r = LeReader::new(&BYTES);
    ///     let layer = r.dense();
    ///     r.finish();
    ///     layer
    /// };
    /// assert_eq!(LAYER, Dense { weight: [[1.0, 2.0]], bias: [3.0] });
    /// ```
    #[must_use]
    pub const fn dense<const IN: usize, const OUT: usize>(&mut self) -> Dense<IN, OUT, f32> {
        let at = self.read;
        self.expect((IN * OUT + OUT) * 4, What::Dense(IN, OUT, at));
        let mut weight = [[0.0; IN]; OUT];
        let mut o = 0;
        while o < OUT {
            let mut i = 0;
            while i < IN {
                let byte = self.read;
                let v = f32::from_le_bytes(self.take());
                check_dense_value(kind_f32(v), What::Dense(IN, OUT, at), Some(o), i, byte);
                weight[o][i] = v;
                i += 1;
            }
            o += 1;
        }
        let mut bias = [0.0; OUT];
        let mut o = 0;
        while o < OUT {
            let byte = self.read;
            let v = f32::from_le_bytes(self.take());
            check_dense_value(kind_f32(v), What::Dense(IN, OUT, at), None, o, byte);
            bias[o] = v;
            o += 1;
        }
        Dense { weight, bias }
    }

    /// Reads an `f64` [`Dense`], like [`dense`](Self::dense) with 8-byte
    /// elements.
    ///
    /// # Panics
    /// If fewer than `(IN·OUT + OUT)·8` bytes remain, or a value is NaN or
    /// infinite (a compile error in a `const` context).
    ///
    /// ```
    /// use constnet::io::{self, LeReader};
    /// use constnet::prelude::*;
    ///
    /// let bytes = io::to_le_bytes(&Dense::<1, 2, f64> { weight: [[1.0], [2.0]], bias: [3.0, 4.0] });
    /// let mut r = LeReader::new(&bytes);
    /// let layer: Dense<1, 2, f64> = r.dense_f64();
    /// r.finish();
    /// assert_eq!(layer.bias, [3.0, 4.0]);
    /// ```
    #[must_use]
    pub const fn dense_f64<const IN: usize, const OUT: usize>(&mut self) -> Dense<IN, OUT, f64> {
        let at = self.read;
        self.expect((IN * OUT + OUT) * 8, What::Dense(IN, OUT, at));
        let mut weight = [[0.0; IN]; OUT];
        let mut o = 0;
        while o < OUT {
            let mut i = 0;
            while i < IN {
                let byte = self.read;
                let v = f64::from_le_bytes(self.take());
                check_dense_value(kind_f64(v), What::Dense(IN, OUT, at), Some(o), i, byte);
                weight[o][i] = v;
                i += 1;
            }
            o += 1;
        }
        let mut bias = [0.0; OUT];
        let mut o = 0;
        while o < OUT {
            let byte = self.read;
            let v = f64::from_le_bytes(self.take());
            check_dense_value(kind_f64(v), What::Dense(IN, OUT, at), None, o, byte);
            bias[o] = v;
            o += 1;
        }
        Dense { weight, bias }
    }

    /// Checks that every byte was read, and consumes the reader.
    ///
    /// # Panics
    /// If bytes are left over: the blob is larger than the network (a
    /// compile error in a `const` context, giving the number of bytes left
    /// over).
    ///
    /// ```
    /// use constnet::io::LeReader;
    /// let mut r = LeReader::new(&[0; 4]);
    /// let _ = r.f32();
    /// r.finish();
    /// ```
    pub const fn finish(self) {
        let (left, read) = (self.rest.len(), self.read);
        // Not dropped: dropping is a compile error in a `const` context.
        core::mem::forget(self);
        if left > 0 {
            Message::new()
                .str("LeReader: ")
                .bytes(left)
                .str(" left over after the network's last parameter (")
                .num(read)
                .str(" read, ")
                .num(read + left)
                .str(" given)")
                .fail();
        }
    }
}

/// Panics if a value of the `Dense` layer `layer`, at byte `byte`, is not
/// finite (`kind` is `Some`): `weight[o][i]` for `row = Some(o)`, else
/// `bias[i]`.
const fn check_dense_value(
    kind: Option<&'static str>,
    layer: What,
    row: Option<usize>,
    i: usize,
    byte: usize,
) {
    let Some(kind) = kind else {
        return;
    };
    let message = layer
        .write(Message::new().str("LeReader: "))
        .str(" has ")
        .str(kind);
    let message = match row {
        Some(o) => message.str(" in weight[").num(o).str("]["),
        None => message.str(" in bias["),
    };
    message
        .num(i)
        .str("] (byte ")
        .num(byte)
        .str("): weights must be finite")
        .fail();
}

impl<const IN: usize, const OUT: usize> Dense<IN, OUT, f32> {
    /// Decodes an `f32` layer from exactly `(IN·OUT + OUT)·4` little-endian
    /// bytes, as [`to_le_bytes`] writes them: usable in a `static` with
    /// `include_bytes!`. For `f64` see [`Dense::from_le_bytes_f64`]; for a
    /// whole network see [`LeReader`].
    ///
    /// # Panics
    /// If `bytes` has another length; in a `static` or `const` initializer
    /// that is a compile error.
    ///
    /// # Examples
    /// ```
    /// use constnet::prelude::*;
    ///
    /// const BYTES: [u8; 12] = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40]; // 1.0, 2.0, 3.0
    /// static LAYER: Dense<2, 1> = Dense::from_le_bytes(&BYTES);
    /// assert_eq!(LAYER.forward(&[1.0, 1.0]), [6.0]);
    /// ```
    /// ```compile_fail,E0080
    /// use constnet::prelude::*;
    /// static LAYER: Dense<2, 1> = Dense::from_le_bytes(&[0; 8]); // needs 12 bytes
    /// ```
    #[must_use]
    pub const fn from_le_bytes(bytes: &[u8]) -> Self {
        let mut r = LeReader::new(bytes);
        let layer = r.dense();
        r.finish();
        layer
    }
}

impl<const IN: usize, const OUT: usize> Dense<IN, OUT, f64> {
    /// Decodes an `f64` layer from exactly `(IN·OUT + OUT)·8` little-endian
    /// bytes, like [`Dense::from_le_bytes`] for `f32`. (A separate name, so
    /// `Dense::from_le_bytes` is never ambiguous between the scalar types.)
    ///
    /// # Panics
    /// If `bytes` has another length; in a `static` or `const` initializer
    /// that is a compile error.
    ///
    /// # Examples
    /// ```
    /// use constnet::prelude::*;
    ///
    /// const BYTES: [u8; 16] = [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40]; // 1.0, 2.0
    /// static LAYER: Dense<1, 1, f64> = Dense::from_le_bytes_f64(&BYTES);
    /// assert_eq!(LAYER.forward(&[3.0]), [5.0]);
    /// ```
    #[must_use]
    pub const fn from_le_bytes_f64(bytes: &[u8]) -> Self {
        let mut r = LeReader::new(bytes);
        let layer = r.dense_f64();
        r.finish();
        layer
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::{Init, Params, Sigmoid};
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    type Net = (Dense<5, 4>, Sigmoid, (Dense<4, 3>, Sigmoid), Dense<3, 2>);

    #[test]
    fn reader_matches_the_runtime_decoder() {
        let net = Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(1));
        let bytes = to_le_bytes(&net);
        assert_eq!(bytes.len(), Net::NUM_PARAMS * 4);
        let mut r = LeReader::new(&bytes);
        let decoded: Net = (r.dense(), Sigmoid, (r.dense(), Sigmoid), r.dense());
        r.finish();
        assert_eq!(decoded, net);
        let mut loaded = Net::zeros();
        from_le_bytes(&mut loaded, &bytes).unwrap();
        assert_eq!(loaded, net);
    }

    #[test]
    fn wrong_length_leaves_the_network_unchanged() {
        let mut net = Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(2));
        let before = net.clone();
        let bytes = vec![0; Net::NUM_PARAMS * 4 + 4];
        let err = from_le_bytes(&mut net, &bytes).unwrap_err();
        assert!(matches!(err, WeightsError::Length { found, .. } if found == bytes.len()));
        assert_eq!(net, before);
    }

    #[test]
    #[should_panic(expected = "bytes left over")]
    fn runtime_misuse_panics_as_documented() {
        let _ = Dense::<1, 1>::from_le_bytes(&[0; 12]);
    }
}
