//! Fuzz target `le_bytes`: see `constnet_fuzz::le_bytes`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| constnet_fuzz::le_bytes(data));
