//! Classify the MNIST test images with a model embedded in the binary at
//! compile time: no weights file is read, nothing is allocated and nothing
//! is decoded at run time — the network is a `static`.
//!
//! ```text
//! cargo run --release --example embedded -- [--data DIR]
//! ```
//!
//! The weights are `examples/model/lecture.bin`, the lecture's 784-30-10
//! network after 3 epochs (`cargo run --release --example export`), as raw
//! little-endian `f32`s in parameter order. `LeReader` decodes them in a
//! `const` context; if the file did not hold exactly 23,860 `f32`s, this
//! example would not compile.

mod common;

use std::process::ExitCode;

use common::{SeedNet, default_data_dir};
use constnet::data::Mnist;
use constnet::io::LeReader;
use constnet::prelude::*;
use constnet::train::ConfusionMatrix;

/// The lecture's network, trained, built at compile time.
static MODEL: SeedNet<30> = {
    let mut r = LeReader::new(include_bytes!("model/lecture.bin"));
    let net = (r.dense(), Sigmoid, r.dense(), Sigmoid);
    r.finish();
    net
};

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = match (args.next().as_deref(), args.next()) {
        (None, _) => default_data_dir(),
        (Some("--data"), Some(dir)) => dir.into(),
        _ => return Err("usage: embedded [--data DIR]".into()),
    };
    let test = Mnist::load(&data)?.test;
    let first = test.get(0).ok_or("no test images")?;
    let y = MODEL.forward(&first.0.to_input());
    println!(
        "first test image: label {}, predicted {} (outputs {y:.2?})",
        first.1.index(),
        Class::argmax(&y).index()
    );
    let confusion = ConfusionMatrix::of(&MODEL, test.inputs(), test.labels());
    println!(
        "embedded model ({} parameters, {} bytes in the binary): accuracy {:.2} % on the {} test images",
        SeedNet::<30>::NUM_PARAMS,
        SeedNet::<30>::NUM_PARAMS * 4,
        100.0 * confusion.accuracy(),
        test.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
