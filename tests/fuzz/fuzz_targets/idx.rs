//! Fuzz target `idx`: see `constnet_fuzz::idx`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| constnet_fuzz::idx(data));
