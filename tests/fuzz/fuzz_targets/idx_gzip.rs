//! Fuzz target `idx_gzip`: see `constnet_fuzz::idx_gzip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| constnet_fuzz::idx_gzip(data));
