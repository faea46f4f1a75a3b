//! What the MNIST examples share: the two architectures of the lecture, data
//! loading with a clear error, class names and a progress-bar callback.

#![allow(dead_code)] // each example uses part of this module

use std::path::{Path, PathBuf};

use constnet::data::Dataset;
use constnet::data::mnist::FASHION_MNIST_CLASSES;
use constnet::prelude::*;
use constnet::train::{BatchProgress, Callback, Control, EpochMetrics};
use indicatif::{ProgressBar, ProgressStyle};

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
/// pictures: Fashion-MNIST has far more ink (mean pixel ≈ 0.29 against ≈ 0.13
/// for digits), or the directory is named after it.
pub fn class_names(dir: &Path, train: &Dataset<784, 10>) -> &'static [&'static str; 10] {
    let named = dir.to_string_lossy().to_lowercase().contains("fashion");
    let sample = &train.inputs()[..train.len().min(1000)];
    let ink: f32 = sample.iter().flatten().sum::<f32>() / (sample.len().max(1) * 784) as f32;
    if named || ink > 0.2 {
        &FASHION_MNIST_CLASSES
    } else {
        &DIGITS
    }
}

/// A progress bar per epoch that also prints each epoch's metrics.
pub struct Progress {
    bar: Option<ProgressBar>,
    /// Print the metrics line after each epoch.
    pub print_epochs: bool,
}

impl Progress {
    /// Progress bars on standard error (hidden when it is not a terminal).
    pub fn new(print_epochs: bool) -> Self {
        Self {
            bar: None,
            print_epochs,
        }
    }
}

impl Callback for Progress {
    fn on_batch_end(&mut self, p: &BatchProgress) {
        let bar = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::new(p.batches as u64);
            let style = ProgressStyle::with_template(
                "epoch {prefix:>2} [{bar:30}] {pos}/{len} batches  loss {msg}  {elapsed}",
            )
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_prefix(p.epoch.to_string());
            bar
        });
        bar.set_position(p.batch as u64);
        if p.batch.is_multiple_of(50) || p.batch == p.batches {
            bar.set_message(format!("{:.4}", p.loss));
        }
    }

    fn on_epoch_end(&mut self, m: &EpochMetrics) -> Control {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if self.print_epochs {
            let test = m
                .validation
                .map(|v| format!("test accuracy {:.2}%", 100.0 * v.accuracy))
                .unwrap_or_default();
            println!(
                "epoch {:>2}  training cost {:.5}  training accuracy {:.2}%  {test}  {:.2} s",
                m.epoch,
                m.loss,
                100.0 * m.accuracy,
                m.seconds
            );
        }
        Control::Continue
    }
}

/// One `--name value` pair from the command line.
pub struct Flag {
    /// The flag, e.g. `--epochs`.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl Flag {
    /// The value parsed as a `T`, or an error naming the flag.
    pub fn parse<T: std::str::FromStr>(&self) -> Result<T, String>
    where
        T::Err: std::fmt::Display,
    {
        self.value
            .parse()
            .map_err(|e| format!("{} {}: {e}", self.name, self.value))
    }

    /// The error for a flag the example does not know.
    pub fn unknown(&self) -> String {
        format!("unknown flag {}", self.name)
    }
}

/// Reads `--name value` pairs from `args`, handing each to `set`. Returns
/// `Ok(false)` when `--help` or `-h` asks for the usage instead.
pub fn parse_flags(
    mut args: impl Iterator<Item = String>,
    mut set: impl FnMut(&Flag) -> Result<(), String>,
) -> Result<bool, String> {
    while let Some(name) = args.next() {
        if name == "--help" || name == "-h" {
            return Ok(false);
        }
        let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
        set(&Flag { name, value })?;
    }
    Ok(true)
}

/// What an example's `main` does with its parsed configuration: runs it,
/// prints `usage` for `--help`, and turns errors into one line on standard
/// error with exit code 1 (run) or 2 (command line).
pub fn run_main<C>(
    usage: &str,
    config: Result<Option<C>, String>,
    run: impl FnOnce(&C) -> Result<(), Box<dyn std::error::Error>>,
) -> std::process::ExitCode {
    use std::process::ExitCode;
    match config {
        Ok(Some(config)) => match run(&config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(None) => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}\n{usage}");
            ExitCode::from(2)
        }
    }
}
