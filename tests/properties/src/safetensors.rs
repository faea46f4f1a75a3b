//! The safetensors reader never panics: random bytes, truncated files,
//! flipped bits and random headers give a typed error or, where the damage
//! leaves a valid file, the parameters it holds.

use std::sync::LazyLock;

use constnet::io::{self, WeightsError};
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use proptest::prelude::*;

/// A network with nesting, every activation kind and four dense layers.
type Nested = (
    Dense<5, 4>,
    Relu,
    (Dense<4, 3>, Tanh, (Dense<3, 3>, Sigmoid)),
    Dense<3, 2>,
);

/// A valid file: a random `Nested`.
static VALID: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let net = Nested::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(6));
    io::to_safetensors_bytes(&net).expect("a network serialises")
});

/// Loads `bytes`; a typed error or success are the only acceptable outcomes
/// (a panic fails the test).
fn load_any(bytes: &[u8]) -> Result<Nested, WeightsError> {
    let mut net = Nested::zeros();
    io::from_safetensors_bytes(&mut net, bytes).map(|()| net)
}

/// Every parameter's bits, in visit order.
fn bits(net: &Nested) -> Vec<u32> {
    let mut out = Vec::new();
    net.visit(|_, p: &[f32]| out.extend(p.iter().map(|v| v.to_bits())));
    out
}

/// One entry of a random safetensors header: name, dtype, shape and data
/// offsets, drawn from valid and invalid values alike.
#[derive(Debug, Clone)]
struct RandomTensor {
    name: &'static str,
    dtype: &'static str,
    shape: Vec<usize>,
    start: u64,
    end: u64,
}

impl RandomTensor {
    /// The entry as JSON: `"name":{"dtype":…,"shape":[…],"data_offsets":[…]}`.
    fn json(&self) -> String {
        let shape: Vec<String> = self.shape.iter().map(ToString::to_string).collect();
        format!(
            r#""{}":{{"dtype":"{}","shape":[{}],"data_offsets":[{},{}]}}"#,
            self.name,
            self.dtype,
            shape.join(","),
            self.start,
            self.end
        )
    }
}

/// A data offset: small, or large enough to overflow.
fn offset() -> impl Strategy<Value = u64> {
    prop_oneof![0..64_u64, Just(u64::MAX), Just(1 << 61)]
}

fn random_tensor() -> impl Strategy<Value = RandomTensor> {
    let names = vec!["0.weight", "0.bias", "2.0.weight", "x", "__metadata__"];
    let dtypes = vec!["F32", "F64", "BF16", "U8", "F4", "BOOL", "nope"];
    let dim = prop_oneof![0..8_usize, Just(usize::MAX), Just(1 << 62)];
    (
        prop::sample::select(names),
        prop::sample::select(dtypes),
        prop::collection::vec(dim, 0..3),
        offset(),
        offset(),
    )
        .prop_map(|(name, dtype, shape, start, end)| RandomTensor {
            name,
            dtype,
            shape,
            start,
            end,
        })
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(load_any(&bytes).is_err());
    }

    #[test]
    fn random_bytes_after_a_plausible_length_never_panic(
        len in 0..600_u64,
        rest in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let bytes = [len.to_le_bytes().to_vec(), rest].concat();
        prop_assert!(load_any(&bytes).is_err());
    }

    #[test]
    fn truncated_files_are_format_errors(cut in 0..VALID.len()) {
        let result = load_any(&VALID[..cut]);
        prop_assert!(matches!(result, Err(WeightsError::Format { .. })), "{result:?}");
    }

    #[test]
    fn bit_flips_never_panic(bit in 0..VALID.len() * 8) {
        let reference = bits(&load_any(&VALID).expect("the valid file loads"));
        let header_end = 8 + u64::from_le_bytes(VALID[..8].try_into().expect("8 bytes")) as usize;
        let mut bytes = VALID.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        match load_any(&bytes) {
            Ok(net) => {
                // A flip in the data region changes exactly one parameter;
                // one in the header that leaves it loadable (e.g. in the
                // `__metadata__` value) changes none.
                let changed = bits(&net).iter().zip(&reference).filter(|(a, b)| a != b).count();
                prop_assert_eq!(changed, usize::from(bit / 8 >= header_end));
            }
            // A flip in the data region may make a value NaN or infinite:
            // refused, as any non-finite weight.
            Err(WeightsError::NonFinite { .. }) => prop_assert!(bit / 8 >= header_end),
            Err(e) => prop_assert!(bit / 8 < header_end, "{}", e),
        }
    }

    #[test]
    fn random_headers_never_panic(
        tensors in prop::collection::vec(random_tensor(), 0..5),
        data_len in 0..64_usize,
    ) {
        let fields: Vec<String> = tensors.iter().map(RandomTensor::json).collect();
        let header = format!("{{{}}}", fields.join(","));
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend(std::iter::repeat_n(0u8, data_len));
        let _ = load_any(&bytes);
    }
}
