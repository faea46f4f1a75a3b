//! Train on MNIST: the lecture's network, or its "optimized architecture".
//!
//! ```text
//! cargo run --release --example mnist -- [--arch seed|optimized] [--hidden 30|100]
//!     [--epochs N] [--batch-size N] [--eta X] [--seed N] [--data DIR]
//! ```
//!
//! - `--arch seed` (default): the lecture's 784-30-10 network with sigmoid
//!   activations, the quadratic cost and mini-batch SGD (η = 3.0, batch
//!   size 10, 30 epochs), weights and biases drawn from N(0, 1).
//! - `--arch optimized`: 784-30-10 with ReLU, softmax cross-entropy and Adam
//!   (η = 0.001, batch size 32, 10 epochs), He-initialised.
//!
//! `--hidden` picks the hidden width; sizes are types, so the supported
//! widths are those compiled in: 30 and 100. `--data DIR` is any directory
//! holding the four standard IDX files (plain or gzip), e.g. Fashion-MNIST;
//! the default is the MNIST bundled in `data/mnist`.

mod common;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use common::cli::{run_main, value};
use common::progress::Progress;
use common::{OptimizedNet, SeedNet, class_names, default_data_dir};
use constnet::data::Mnist;
use constnet::loss::SoftmaxCrossEntropy;
use constnet::optim::Adam;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::{ConfusionMatrix, Divergence, FitConfig, Target};

const USAGE: &str = "usage: mnist [--arch seed|optimized] [--hidden 30|100] [--epochs N] \
                     [--batch-size N] [--eta X] [--seed N] [--data DIR]";

/// The two architectures of the lecture.
#[derive(Clone, Copy, PartialEq)]
enum Arch {
    Seed,
    Optimized,
}

/// Command-line settings; `None` means the architecture's default.
struct Config {
    arch: Arch,
    hidden: usize,
    epochs: Option<usize>,
    batch_size: Option<usize>,
    eta: Option<f32>,
    seed: u64,
    data: PathBuf,
}

impl Config {
    fn from_args(mut args: lexopt::Parser) -> Result<Option<Self>, lexopt::Error> {
        use lexopt::prelude::*;
        let mut config = Self {
            arch: Arch::Seed,
            hidden: 30,
            epochs: None,
            batch_size: None,
            eta: None,
            seed: 0,
            data: default_data_dir(),
        };
        while let Some(arg) = args.next()? {
            match arg {
                Long("arch") => {
                    config.arch = match args.value()?.string()?.as_str() {
                        "seed" => Arch::Seed,
                        "optimized" => Arch::Optimized,
                        other => {
                            return Err(
                                format!("--arch {other}: expected seed or optimized").into()
                            );
                        }
                    }
                }
                Long("hidden") => config.hidden = value(&mut args, "--hidden")?,
                Long("epochs") => config.epochs = Some(value(&mut args, "--epochs")?),
                Long("batch-size") => config.batch_size = Some(value(&mut args, "--batch-size")?),
                Long("eta") => config.eta = Some(value(&mut args, "--eta")?),
                Long("seed") => config.seed = value(&mut args, "--seed")?,
                Long("data") => config.data = args.value()?.into(),
                Short('h') | Long("help") => return Ok(None),
                _ => return Err(arg.unexpected()),
            }
        }
        if config.batch_size == Some(0) {
            return Err("--batch-size must be at least 1".into());
        }
        if config
            .eta
            .is_some_and(|eta| !(eta.is_finite() && eta > 0.0))
        {
            return Err("--eta must be a positive number".into());
        }
        if ![30, 100].contains(&config.hidden) {
            return Err(format!(
                "--hidden {}: sizes are compile-time types; this example is built for 30 and 100",
                config.hidden
            )
            .into());
        }
        Ok(Some(config))
    }
}

/// Trains `net` with `trainer` as configured and prints the results.
fn train<N, L, O>(
    mut net: Box<N>,
    mut trainer: Trainer<N, L, O>,
    mnist: &Mnist,
    names: &[&str; 10],
    epochs: usize,
    batch_size: usize,
    seed: u64,
) -> Result<(), Box<dyn std::error::Error>>
where
    N: Layer<[f32; 784], Output = [f32; 10]>,
    L: Loss<[f32; 10], Class<10>>,
    Class<10>: Target<[f32; 10]>,
    O: Optimizer<f32>,
{
    println!("{}", Summary::<[f32; 784], N>::new(&net));
    let (train, test) = (&mnist.train, &mnist.test);
    let config = FitConfig::new(epochs, batch_size).seed(seed);
    trainer.fit(
        &mut net,
        train.inputs(),
        train.labels(),
        Some((test.inputs(), test.labels())),
        config,
        (Progress::new(true), Divergence::for_classes(10)),
    )?;
    let confusion = ConfusionMatrix::of(&*net, test.inputs(), test.labels());
    println!(
        "\nconfusion matrix on the test set:\n{}",
        confusion.with_names(names)
    );
    Ok(())
}

fn run(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mnist = Mnist::load(&config.data)?;
    let names = class_names(&config.data, &mnist.train);
    println!(
        "loaded {} training and {} test images ({}) from {} in {:.2} s",
        mnist.train.len(),
        mnist.test.len(),
        if names[0] == "0" {
            "digits"
        } else {
            "Fashion-MNIST"
        },
        config.data.display(),
        start.elapsed().as_secs_f64()
    );
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let seed = config.seed;
    match config.arch {
        Arch::Seed => {
            let (epochs, batch, eta) = (
                config.epochs.unwrap_or(30),
                config.batch_size.unwrap_or(10),
                config.eta.unwrap_or(3.0),
            );
            println!(
                "seed architecture: sigmoid, quadratic cost, SGD η = {eta}, batch size {batch}, {epochs} epochs, seed {seed}"
            );
            match config.hidden {
                30 => {
                    let net = Box::new(SeedNet::<30>::random(Init::StandardNormal, &mut rng));
                    let trainer = Trainer::new(Quadratic, Sgd::new(eta));
                    train(net, trainer, &mnist, names, epochs, batch, seed)
                }
                _ => {
                    let net = Box::new(SeedNet::<100>::random(Init::StandardNormal, &mut rng));
                    let trainer = Trainer::new(Quadratic, Sgd::new(eta));
                    train(net, trainer, &mnist, names, epochs, batch, seed)
                }
            }
        }
        Arch::Optimized => {
            let (epochs, batch, eta) = (
                config.epochs.unwrap_or(10),
                config.batch_size.unwrap_or(32),
                config.eta.unwrap_or(1e-3),
            );
            println!(
                "optimized architecture: ReLU, softmax cross-entropy, Adam η = {eta}, batch size {batch}, {epochs} epochs, seed {seed}"
            );
            match config.hidden {
                30 => {
                    let net = Box::new(OptimizedNet::<30>::random(Init::HeUniform, &mut rng));
                    let trainer = Trainer::new(SoftmaxCrossEntropy, Adam::new(eta));
                    train(net, trainer, &mnist, names, epochs, batch, seed)
                }
                _ => {
                    let net = Box::new(OptimizedNet::<100>::random(Init::HeUniform, &mut rng));
                    let trainer = Trainer::new(SoftmaxCrossEntropy, Adam::new(eta));
                    train(net, trainer, &mnist, names, epochs, batch, seed)
                }
            }
        }
    }
}

fn main() -> ExitCode {
    run_main(USAGE, Config::from_args(lexopt::Parser::from_env()), run)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message `run_main` prints for the command line `args`, or `ok`.
    fn parse(args: &[&str]) -> String {
        match Config::from_args(lexopt::Parser::from_args(args)) {
            Ok(_) => "ok".into(),
            Err(e) => common::cli::message(&e),
        }
    }

    #[test]
    fn bad_command_lines_name_the_flag() {
        for (args, want) in [
            (&["--epochs", "2", "--eta", "0.5"][..], "ok"),
            (
                &["--epochs", "x"],
                "--epochs x: invalid digit found in string",
            ),
            (
                &["--hidden", "3O"],
                "--hidden 3O: invalid digit found in string",
            ),
            (&["--eta", "fast"], "--eta fast: invalid float literal"),
            (
                &["--seed", "-1"],
                "--seed -1: invalid digit found in string",
            ),
            (&["--batch-size", "0"], "--batch-size must be at least 1"),
            (&["--epochs", "3", "--bogus"], "unknown flag --bogus"),
            (&["--epochs"], "--epochs needs a value"),
            (&["--arch", "big"], "--arch big: expected seed or optimized"),
        ] {
            assert_eq!(parse(args), want, "{args:?}");
        }
    }
}
