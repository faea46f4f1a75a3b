//! Fuzz target `train_step`: see `constnet_fuzz::train_step`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| constnet_fuzz::train_step(data));
