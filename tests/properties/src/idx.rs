//! The IDX reader never panics: arbitrary and damaged files are errors (or,
//! for a flipped bit, a consistent array), never a crash.

use std::io::Write;

use constnet::data::{DataError, Idx};
use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;

/// The IDX encoding of an unsigned-byte array.
fn idx_bytes(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let ndims = u8::try_from(dims.len()).expect("at most 255 dimensions");
    let mut bytes = vec![0, 0, 0x08, ndims];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("writing to a Vec");
    encoder.finish().expect("writing to a Vec")
}

/// The starts of files the random bytes follow: nothing, an IDX header's
/// first bytes, and gzip's magic number.
const PREFIXES: &[&[u8]] = &[&[], &[0, 0, 8], &[0x1f, 0x8b]];

fn parse(bytes: &[u8]) -> Result<Idx, DataError> {
    Idx::from_reader(bytes, "<test>")
}

/// A valid IDX file of 1 to 3 dimensions, each of 0 to 5 entries.
fn valid_idx() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0_u32..6, 1..4).prop_flat_map(|dims| {
        let len = dims.iter().product::<u32>() as usize;
        prop::collection::vec(any::<u8>(), len).prop_map(move |data| idx_bytes(&dims, &data))
    })
}

/// A valid file, its bytes (gzipped or not) and the damage to do: where to
/// cut, and which bit of which byte to flip.
#[derive(Debug, Clone)]
struct Damage {
    valid: Vec<u8>,
    bytes: Vec<u8>,
    cut: usize,
    flip: usize,
    bit: u8,
}

fn damage() -> impl Strategy<Value = Damage> {
    (valid_idx(), any::<bool>()).prop_flat_map(|(valid, gzipped)| {
        let bytes = if gzipped { gzip(&valid) } else { valid.clone() };
        let len = bytes.len();
        (0..len, 0..len, 0..8_u8).prop_map(move |(cut, flip, bit)| Damage {
            valid: valid.clone(),
            bytes: bytes.clone(),
            cut,
            flip,
            bit,
        })
    })
}

proptest! {
    #[test]
    fn random_bytes_never_panic(
        prefix in prop::sample::select(PREFIXES),
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let _ = parse(&[prefix, &bytes].concat());
    }

    #[test]
    fn damaged_files_never_panic(d in damage()) {
        // Read back exactly, every truncation an error, and a flipped bit an
        // error or a consistent array.
        prop_assert_eq!(
            parse(&d.bytes).map(Idx::into_data).ok(),
            d.valid.get(4 + 4 * usize::from(d.valid[3])..).map(<[u8]>::to_vec)
        );
        prop_assert!(parse(&d.bytes[..d.cut]).is_err());
        let mut flipped = d.bytes.clone();
        flipped[d.flip] ^= 1 << d.bit;
        if let Ok(idx) = parse(&flipped) {
            prop_assert_eq!(idx.data().len(), idx.dims().iter().product::<usize>());
        }
    }
}
