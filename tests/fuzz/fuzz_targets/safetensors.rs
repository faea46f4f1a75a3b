//! Fuzz target `safetensors`: see `constnet_fuzz::safetensors`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| constnet_fuzz::safetensors(data));
