//! What the MNIST examples share: the two architectures of the lecture, data
//! loading with a clear error, class names and a progress-bar callback.

#![allow(dead_code)] // each example uses part of this module

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use constnet::data::mnist::{FASHION_MNIST_CLASSES, Images};
use constnet::prelude::*;
use constnet::train::{BatchProgress, Callback, Control, EpochMetrics};

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

/// A progress bar per epoch that also prints each epoch's metrics.
pub struct Progress {
    bar: Option<Bar>,
    /// Standard error is a terminal: draw the bars.
    terminal: bool,
    /// Print the metrics line after each epoch.
    pub print_epochs: bool,
}

impl Progress {
    /// Progress bars on standard error (hidden when it is not a terminal).
    pub fn new(print_epochs: bool) -> Self {
        Self {
            bar: None,
            terminal: std::io::stderr().is_terminal(),
            print_epochs,
        }
    }
}

/// One epoch's bar: a line on standard error, redrawn in place at most ten
/// times a second, e.g.
/// `epoch  3 [==========>                   ] 2100/6000 batches  loss 0.0123  0.1s`.
struct Bar {
    epoch: usize,
    batches: usize,
    loss: String,
    start: Instant,
    drawn: Option<Instant>,
}

impl Bar {
    const WIDTH: usize = 30;

    fn draw(&mut self, batch: usize) {
        let now = Instant::now();
        let due = self
            .drawn
            .is_none_or(|t| now - t >= Duration::from_millis(100));
        if !due && batch < self.batches {
            return;
        }
        self.drawn = Some(now);
        let filled = (Self::WIDTH * batch / self.batches.max(1)).min(Self::WIDTH);
        let head = if filled < Self::WIDTH { ">" } else { "" };
        let bar = format!(
            "{}{head:<width$}",
            "=".repeat(filled),
            width = Self::WIDTH - filled
        );
        // Carriage return and "erase line", then the bar; failures to write
        // to the terminal are ignored, as for any progress display.
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2Kepoch {:>2} [{bar}] {batch}/{} batches  loss {}  {:.1}s",
            self.epoch,
            self.batches,
            self.loss,
            self.start.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    }

    fn clear(self) {
        if self.drawn.is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

impl Callback for Progress {
    fn on_batch_end(&mut self, p: &BatchProgress) {
        if !self.terminal {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| Bar {
            epoch: p.epoch,
            batches: p.batches,
            loss: String::new(),
            start: Instant::now(),
            drawn: None,
        });
        if p.batch.is_multiple_of(50) || p.batch == p.batches {
            bar.loss = format!("{:.4}", p.loss);
        }
        bar.draw(p.batch);
    }

    fn on_epoch_end(&mut self, m: &EpochMetrics) -> Control {
        if let Some(bar) = self.bar.take() {
            bar.clear();
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
