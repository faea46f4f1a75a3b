//! [`NonFinite`]: NaN and infinite weights, and the scans that find them
//! before a network is saved or changed by a load.

use core::fmt;

use ::safetensors::Dtype;

use super::error::WeightsError;
use crate::{Params, Scalar};

/// The kind of a weight that is not a finite number, as reported by
/// [`WeightsError::NonFinite`].
///
/// Saving and loading reject such weights by default: one NaN makes every
/// output of the layers after it NaN. The `*_allow_non_finite` functions
/// ([`to_safetensors_bytes_allow_non_finite`](super::to_safetensors_bytes_allow_non_finite),
/// [`from_safetensors_bytes_allow_non_finite`](super::from_safetensors_bytes_allow_non_finite),
/// [`from_le_bytes_allow_non_finite`](super::from_le_bytes_allow_non_finite))
/// take them as they are, e.g. to inspect a network whose training diverged.
///
/// # Examples
/// ```
/// use constnet::io::NonFinite;
///
/// assert_eq!(NonFinite::of(f64::NAN), Some(NonFinite::Nan));
/// assert_eq!(NonFinite::of(f64::NEG_INFINITY), Some(NonFinite::NegInf));
/// assert_eq!(NonFinite::of(1.5), None);
/// assert_eq!(NonFinite::PosInf.to_string(), "+inf");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NonFinite {
    /// Not a number (any NaN, whatever its sign and payload).
    Nan,
    /// Positive infinity.
    PosInf,
    /// Negative infinity.
    NegInf,
}

impl NonFinite {
    /// The kind of `value`, or `None` if it is finite.
    ///
    /// ```
    /// use constnet::io::NonFinite;
    /// assert_eq!(NonFinite::of(f32::INFINITY), Some(NonFinite::PosInf));
    /// assert_eq!(NonFinite::of(-0.0_f32), None);
    /// ```
    #[must_use]
    pub fn of<T: Scalar>(value: T) -> Option<Self> {
        if value.is_nan() {
            Some(Self::Nan)
        } else if value.is_infinite() {
            Some(if value.is_sign_positive() {
                Self::PosInf
            } else {
                Self::NegInf
            })
        } else {
            None
        }
    }
}

impl fmt::Display for NonFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Nan => "NaN",
            Self::PosInf => "+inf",
            Self::NegInf => "-inf",
        })
    }
}

/// Whether saving and loading reject NaN and infinite weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Finite {
    /// Every weight must be finite: the default.
    Required,
    /// Any value is taken as it is.
    NotRequired,
}

/// A [`WeightsError::NonFinite`] without a path.
fn error(key: String, index: usize, value: NonFinite) -> WeightsError {
    WeightsError::NonFinite {
        path: None,
        key,
        index,
        value,
    }
}

/// The first non-finite parameter of `net`, in [`Params::visit`] order.
pub(crate) fn check_net<N: Params<T>, T: Scalar>(net: &N) -> Result<(), WeightsError> {
    let mut found = None;
    net.visit(|spec, values| {
        if found.is_none() {
            found = values
                .iter()
                .enumerate()
                .find_map(|(i, &v)| NonFinite::of(v).map(|kind| (spec.key(), i, kind)));
        }
    });
    found.map_or(Ok(()), |(key, index, value)| Err(error(key, index, value)))
}

/// The first non-finite value of a tensor `key` held as little-endian `F32`
/// or `F64` `data` (any other dtype holds none this crate reads).
pub(crate) fn check_data(key: &str, dtype: Dtype, data: &[u8]) -> Result<(), WeightsError> {
    let found = if dtype == Dtype::F64 {
        data.chunks_exact(8)
            .filter_map(|c| c.try_into().ok().map(f64::from_le_bytes))
            .enumerate()
            .find_map(|(i, v)| NonFinite::of(v).map(|kind| (i, kind)))
    } else if dtype == Dtype::F32 {
        data.chunks_exact(4)
            .filter_map(|c| c.try_into().ok().map(f32::from_le_bytes))
            .enumerate()
            .find_map(|(i, v)| NonFinite::of(v).map(|kind| (i, kind)))
    } else {
        None
    };
    found.map_or(Ok(()), |(index, value)| {
        Err(error(key.to_string(), index, value))
    })
}

/// The first non-finite value of raw little-endian weights (see
/// [`to_le_bytes`](super::to_le_bytes)) for `net`, whose length was checked.
pub(crate) fn check_le_bytes<N: Params<T>, T: Scalar>(
    net: &N,
    bytes: &[u8],
) -> Result<(), WeightsError> {
    let dtype = if size_of::<T>() == size_of::<f64>() {
        Dtype::F64
    } else {
        Dtype::F32
    };
    let mut rest = bytes;
    let mut result = Ok(());
    net.visit(|spec, values| {
        let (data, tail) = rest.split_at(size_of_val(values).min(rest.len()));
        rest = tail;
        if result.is_ok() {
            result = check_data(&spec.key(), dtype, data);
        }
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dense;

    #[test]
    fn kinds_of_every_special_value() {
        assert_eq!(NonFinite::of(-f32::NAN), Some(NonFinite::Nan));
        assert_eq!(
            NonFinite::of(f32::from_bits(0x7fc0_0001)),
            Some(NonFinite::Nan)
        );
        assert_eq!(NonFinite::of(f64::INFINITY), Some(NonFinite::PosInf));
        assert_eq!(NonFinite::of(f32::NEG_INFINITY), Some(NonFinite::NegInf));
        for finite in [0.0, -0.0, f32::MAX, f32::MIN, f32::MIN_POSITIVE / 2.0] {
            assert_eq!(NonFinite::of(finite), None, "{finite}");
        }
        assert_eq!(NonFinite::Nan.to_string(), "NaN");
        assert_eq!(NonFinite::NegInf.to_string(), "-inf");
    }

    #[test]
    fn the_first_bad_value_in_visit_order_is_reported() {
        let mut net = (Dense::<2, 2>::zeros(), Dense::<2, 1>::zeros());
        net.1.weight[0][1] = f32::NEG_INFINITY;
        net.1.bias[0] = f32::NAN;
        let err = check_net(&net).unwrap_err();
        assert!(
            matches!(&err, WeightsError::NonFinite { key, index: 1, value: NonFinite::NegInf, .. } if key == "1.weight"),
            "{err:?}"
        );
        let data: Vec<u8> = [1.0, f64::NAN]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let err = check_data("x", Dtype::F64, &data).unwrap_err();
        assert!(matches!(
            err,
            WeightsError::NonFinite {
                index: 1,
                value: NonFinite::Nan,
                ..
            }
        ));
        assert!(check_data("x", Dtype::U8, &[0xff; 8]).is_ok());
    }
}
