//! The lecture's network on MNIST: 784-30-10, sigmoid activations, quadratic
//! cost, mini-batch SGD with η = 3.0 and batch size 10, 30 epochs, weights
//! and biases drawn from N(0, 1).
//!
//! ```text
//! cargo run --release --example mnist -- [--epochs N] [--batch-size N] [--eta X] [--seed N] [--data DIR]
//! ```
//!
//! `--data DIR` is any directory holding the four standard IDX files (plain or
//! gzip), e.g. Fashion-MNIST; the default is the MNIST bundled in `data/mnist`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use constnet::data::Mnist;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::evaluate;

/// The lecture's network.
type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);

const USAGE: &str = "usage: mnist [--epochs N] [--batch-size N] [--eta X] [--seed N] [--data DIR]";

/// Command-line settings, with the lecture's values as defaults.
struct Config {
    epochs: usize,
    batch_size: usize,
    eta: f32,
    seed: u64,
    data: PathBuf,
}

impl Config {
    fn from_args(mut args: impl Iterator<Item = String>) -> Result<Option<Self>, String> {
        let mut config = Self {
            epochs: 30,
            batch_size: 10,
            eta: 3.0,
            seed: 0,
            data: default_data_dir(),
        };
        while let Some(flag) = args.next() {
            if flag == "--help" || flag == "-h" {
                return Ok(None);
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
            match flag.as_str() {
                "--epochs" => config.epochs = value.parse().map_err(|e| bad(&e))?,
                "--batch-size" => config.batch_size = value.parse().map_err(|e| bad(&e))?,
                "--eta" => config.eta = value.parse().map_err(|e| bad(&e))?,
                "--seed" => config.seed = value.parse().map_err(|e| bad(&e))?,
                "--data" => config.data = PathBuf::from(value),
                _ => return Err(format!("unknown flag {flag}")),
            }
        }
        if config.batch_size == 0 {
            return Err("--batch-size must be at least 1".into());
        }
        if !(config.eta.is_finite() && config.eta > 0.0) {
            return Err("--eta must be a positive number".into());
        }
        Ok(Some(config))
    }
}

/// `data/mnist` when run from the repository root (as `cargo run` is), else
/// the bundled copy next to this crate's manifest.
fn default_data_dir() -> PathBuf {
    let relative = PathBuf::from("data/mnist");
    if relative.is_dir() {
        relative
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
    }
}

fn run(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mnist = Mnist::load(&config.data)?;
    let (train, test) = (&mnist.train, &mnist.test);
    println!(
        "loaded {} training and {} test images from {} in {:.2} s",
        train.len(),
        test.len(),
        config.data.display(),
        start.elapsed().as_secs_f64()
    );
    println!(
        "network 784-30-10 sigmoid ({} parameters), quadratic cost, SGD η = {}, batch size {}, seed {}",
        Net::NUM_PARAMS,
        config.eta,
        config.batch_size,
        config.seed
    );

    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut net = Box::new(Net::random(Init::StandardNormal, &mut rng));
    let mut trainer = Box::new(Trainer::new(Quadratic, Sgd::new(config.eta)));
    for epoch in 1..=config.epochs {
        let start = Instant::now();
        let cost = trainer.epoch(
            &mut *net,
            train.inputs(),
            train.labels(),
            config.batch_size,
            &mut rng,
            epoch,
        )?;
        let seconds = start.elapsed().as_secs_f64();
        let eval = evaluate(&*net, test.inputs(), test.labels(), &Quadratic);
        println!(
            "epoch {epoch:>2}  training cost {cost:.5}  test accuracy {:.2}% ({}/{})  {seconds:.2} s",
            100.0 * eval.accuracy,
            eval.correct,
            eval.total
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match Config::from_args(std::env::args().skip(1)) {
        Ok(Some(config)) => match run(&config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
