//! Property tests of constnet's public API: invariants checked on random
//! inputs drawn by [proptest](https://docs.rs/proptest), which shrinks a
//! failing input to a small one and records its seed in
//! `proptest-regressions/` so that later runs try it first.
//!
//! Each property runs proptest's default 256 cases (`PROPTEST_CASES=N`
//! changes that; `PROPTEST_RNG_SEED` fixes the seed). The whole suite takes
//! well under a second in the test profile.
//!
//! The library is empty: the properties are its unit tests, so proptest is
//! only a dev-dependency. Run them with `cargo test -p constnet-properties`.

#[cfg(test)]
mod idx;
#[cfg(test)]
mod loss;
#[cfg(test)]
mod safetensors;
#[cfg(test)]
mod softmax;
