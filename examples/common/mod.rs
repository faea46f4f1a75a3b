//! What the MNIST examples share: the two architectures of the lecture, the
//! data directory, class names, a progress-bar callback ([`progress`]) and
//! command-line handling ([`cli`]).

#![allow(dead_code)] // each example uses part of this module

pub mod cli;
pub mod progress;

use std::path::{Path, PathBuf};

use constnet::data::mnist::{FASHION_MNIST_CLASSES, Images};
use constnet::prelude::*;

/// The lecture's network: 784-H-10, sigmoid activations (quadratic cost, SGD).
pub type SeedNet<const H: usize> = (Dense<784, H>, Sigmoid, Dense<H, 10>, Sigmoid);

/// The lecture's "optimized architecture": 784-H-10 with ReLU, producing
/// logits for the softmax cross-entropy (trained with Adam).
pub type OptimizedNet<const H: usize> = (Dense<784, H>, Relu, Dense<H, 10>);

/// Names of the digits 0–9.
pub const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// `data/mnist` when run from the repository root (as `cargo run` is), else
/// the bundled copy next to this crate's manifest.
pub fn default_data_dir() -> PathBuf {
    let relative = PathBuf::from("data/mnist");
    if relative.is_dir() {
        relative
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
    }
}

/// Fashion-MNIST's class names when `dir` holds Fashion-MNIST, else the
/// digits. Both data sets use the same file names, so this looks at the
/// pictures: Fashion-MNIST has far more ink (mean pixel ≈ 0.29 of white
/// against ≈ 0.13 for digits), or the directory is named after it.
pub fn class_names(dir: &Path, train: &Images) -> &'static [&'static str; 10] {
    let named = dir.to_string_lossy().to_lowercase().contains("fashion");
    let sample = &train.inputs()[..train.len().min(1000)];
    let ink: u64 = sample.iter().flat_map(|p| p.0).map(u64::from).sum();
    let mean = ink as f64 / (255 * 784 * sample.len().max(1)) as f64;
    if named || mean > 0.2 {
        &FASHION_MNIST_CLASSES
    } else {
        &DIGITS
    }
}
