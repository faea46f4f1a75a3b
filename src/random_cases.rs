//! Property tests on seeded random cases: a small stand-in for proptest,
//! built on `rand` (a dependency already), used by the crate's unit tests and
//! (through `#[path]`) by `tests/weights.rs`.
//!
//! [`check`] draws [`CASES`] inputs from a generator function and runs the
//! property on each; the property fails by panicking (`assert!`,
//! `assert_eq!`, `unwrap`, or any panic in the code under test). Each case has
//! its own ChaCha8 generator seeded with `base + case`, so one failing input
//! can be regenerated on its own. On a failure [`check`] prints the case
//! number, its seed, the base seed and the input (`{:#?}`), then lets the
//! panic go on, which fails the test. There is no shrinking: the input shown
//! is the random one that failed.
//!
//! Two environment variables steer a run (both are read by every property):
//!
//! - `CONSTNET_CASES_SEED=S` (decimal, or hex with `0x`): the base seed.
//!   Without it every property draws a fresh random base seed on every run,
//!   as proptest does, so repeated runs keep exploring new inputs.
//! - `CONSTNET_CASES=N`: check `N` cases instead of each property's default.
//!
//! To replay a failure, run the test again with `CONSTNET_CASES_SEED` set to
//! the failing case's seed and `CONSTNET_CASES=1`, e.g.
//! `CONSTNET_CASES_SEED=0x1234 CONSTNET_CASES=1 cargo test --lib is_a_distribution`.

// Not every test build uses every generator (the IDX tests need `std`, the
// integration test only some of them).
#![allow(dead_code)]

use std::fmt::Debug;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use rand::distr::uniform::{SampleRange, SampleUniform};
use rand::{RngExt, SeedableRng, rngs::ChaCha8Rng};

/// Cases per property unless a test asks for another number: proptest's
/// default, which the properties ran with before.
pub const CASES: u32 = 256;

/// The source of one case's input: a seeded generator with helpers for the
/// shapes of input the properties use.
pub struct Gen(ChaCha8Rng);

impl Gen {
    /// A value drawn uniformly from `range` (`a..b` or `a..=b`; integers or
    /// floats).
    pub fn range<T: SampleUniform, R: SampleRange<T>>(&mut self, range: R) -> T {
        self.0.random_range(range)
    }

    /// An index drawn uniformly from `0..len`.
    pub fn index(&mut self, len: usize) -> usize {
        self.0.random_range(0..len)
    }

    /// A fair coin.
    pub fn bool(&mut self) -> bool {
        self.0.random()
    }

    /// A byte, every value equally likely.
    pub fn byte(&mut self) -> u8 {
        self.0.random()
    }

    /// One of `items`, each equally likely.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    /// An array of `N` independent draws of `element`.
    pub fn array<T, const N: usize>(&mut self, mut element: impl FnMut(&mut Self) -> T) -> [T; N] {
        core::array::from_fn(|_| element(self))
    }

    /// A vector whose length is drawn uniformly from `len`, of independent
    /// draws of `element`.
    pub fn vec<T>(&mut self, len: Range<usize>, mut element: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let n = self.range(len);
        (0..n).map(|_| element(self)).collect()
    }

    /// Random bytes, their count drawn uniformly from `len`.
    pub fn bytes(&mut self, len: Range<usize>) -> Vec<u8> {
        self.vec(len, Self::byte)
    }

    /// Any normal `f64` of either sign, or ±0: proptest's
    /// `prop::num::f64::NORMAL | prop::num::f64::ZERO`, with its weights
    /// (a normal number 20 times in 24, a zero 4 times) and its construction
    /// (random sign and mantissa bits, a random exponent that is neither all
    /// zeros nor all ones), so the whole range from ±2.2e-308 to ±1.8e308 is
    /// covered evenly per binade.
    pub fn normal_or_zero_f64(&mut self) -> f64 {
        const SIGN: u64 = 1 << 63;
        const EXP: u64 = 0x7ff << 52;
        const ONE_EXP: u64 = 0x3ff << 52;
        let bits: u64 = self.0.random();
        if self.range(0..24) < 4 {
            return f64::from_bits(bits & SIGN);
        }
        let exp = bits & EXP;
        if exp == 0 || exp == EXP {
            // As proptest: an edge exponent becomes that of 1.0.
            return f64::from_bits((bits & !EXP) | ONE_EXP);
        }
        f64::from_bits(bits)
    }
}

/// Checks `property` on [`CASES`] inputs from `generate`; see the module docs.
pub fn check<T: Debug>(generate: impl FnMut(&mut Gen) -> T, property: impl FnMut(&T)) {
    check_n(CASES, generate, property);
}

/// Checks `property` on `cases` inputs from `generate` (`CONSTNET_CASES`
/// overrides the number); see the module docs.
pub fn check_n<T: Debug>(
    cases: u32,
    mut generate: impl FnMut(&mut Gen) -> T,
    mut property: impl FnMut(&T),
) {
    let cases = env_u64("CONSTNET_CASES").map_or(cases, |n| {
        u32::try_from(n).expect("CONSTNET_CASES fits in a u32")
    });
    let base = env_u64("CONSTNET_CASES_SEED").unwrap_or_else(random_seed);
    for case in 0..cases {
        let seed = base.wrapping_add(u64::from(case));
        let input = generate(&mut Gen(ChaCha8Rng::seed_from_u64(seed)));
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| property(&input))) {
            eprintln!(
                "property failed on random case {case} of {cases} \
                 (base seed {base:#x}); replay it alone with \
                 CONSTNET_CASES_SEED={seed:#x} CONSTNET_CASES=1\ninput: {input:#?}"
            );
            resume_unwind(panic);
        }
    }
}

/// The environment variable `name` as a decimal or `0x` hex number.
fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    let parsed = match value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    Some(parsed.unwrap_or_else(|e| panic!("{name}={value:?} is not a number: {e}")))
}

/// A fresh seed from the standard library's per-process random hash keys.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(0_u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "always false")]
    fn a_failing_property_fails_the_test() {
        check(|g| g.byte(), |_| panic!("always false"));
    }

    #[test]
    fn a_case_is_a_function_of_its_seed() {
        let draw = |seed| {
            let mut g = Gen(ChaCha8Rng::seed_from_u64(seed));
            (g.range(-1.0..1.0), g.bytes(0..9), g.normal_or_zero_f64())
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn normal_or_zero_gives_normal_numbers_and_zeros_of_both_signs() {
        let mut g = Gen(ChaCha8Rng::seed_from_u64(1));
        let xs: Vec<f64> = (0..10_000).map(|_| g.normal_or_zero_f64()).collect();
        assert!(xs.iter().all(|x| x.is_normal() || *x == 0.0));
        let zeros = xs.iter().filter(|x| **x == 0.0).count();
        assert!(
            (1300..2000).contains(&zeros),
            "{zeros} zeros, expected ≈ 1667"
        );
        assert!(xs.iter().any(|x| x.is_sign_negative() && *x != 0.0));
        assert!(xs.iter().any(|x| x.abs() > 1e300) && xs.iter().any(|x| x.abs() < 1e-300));
    }
}
