//! Train the lecture's network on MNIST and export its weights twice: as a
//! safetensors file (for PyTorch, or `constnet::io::load_safetensors`) and as
//! raw little-endian bytes (for embedding with `include_bytes!`, see
//! `examples/embedded.rs`).
//!
//! ```text
//! cargo run --release --example export -- [--epochs N] [--seed N] [--data DIR]
//!     [--safetensors PATH] [--raw PATH]
//! ```
//!
//! Defaults: 3 epochs, seed 0, the bundled `data/mnist`, and
//! `model.safetensors` and `model.bin` in the current directory. The
//! committed `examples/model/lecture.{safetensors,bin}` were made with
//! `--safetensors examples/model/lecture.safetensors --raw examples/model/lecture.bin`.
//!
//! In PyTorch, the safetensors file loads into the equivalent `nn.Sequential`:
//!
//! ```text
//! model = torch.nn.Sequential(torch.nn.Linear(784, 30), torch.nn.Sigmoid(),
//!                             torch.nn.Linear(30, 10), torch.nn.Sigmoid())
//! model.load_state_dict(safetensors.torch.load_file("model.safetensors"))
//! ```

mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use common::cli::{self, run_main};
use common::progress::Progress;
use common::{SeedNet, default_data_dir};
use constnet::data::Mnist;
use constnet::io;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::{ConfusionMatrix, FitConfig};

const USAGE: &str = "usage: export [--epochs N] [--seed N] [--data DIR] \
                     [--safetensors PATH] [--raw PATH]";

/// The lecture's network: 784-30-10, sigmoid activations.
type Lecture = SeedNet<30>;

/// Command-line settings.
struct Config {
    epochs: usize,
    seed: u64,
    data: PathBuf,
    safetensors: PathBuf,
    raw: PathBuf,
}

impl Config {
    fn from_args(mut args: lexopt::Parser) -> Result<Option<Self>, lexopt::Error> {
        use lexopt::prelude::*;
        let mut config = Self {
            epochs: 3,
            seed: 0,
            data: default_data_dir(),
            safetensors: PathBuf::from("model.safetensors"),
            raw: PathBuf::from("model.bin"),
        };
        while let Some(arg) = args.next()? {
            match arg {
                Long("epochs") => config.epochs = cli::value(&mut args, "--epochs")?,
                Long("seed") => config.seed = cli::value(&mut args, "--seed")?,
                Long("data") => config.data = args.value()?.into(),
                Long("safetensors") => config.safetensors = args.value()?.into(),
                Long("raw") => config.raw = args.value()?.into(),
                Short('h') | Long("help") => return Ok(None),
                _ => return Err(arg.unexpected()),
            }
        }
        Ok(Some(config))
    }
}

fn run(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let mnist = Mnist::load(&config.data)?;
    let (train, test) = (&mnist.train, &mnist.test);
    println!(
        "training 784-30-10 (sigmoid, quadratic cost, SGD η = 3.0, batch size 10) \
         for {} epochs, seed {}",
        config.epochs, config.seed
    );
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut net = Box::new(Lecture::random(Init::StandardNormal, &mut rng));
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0));
    trainer.fit(
        &mut *net,
        train.inputs(),
        train.labels(),
        Some((test.inputs(), test.labels())),
        FitConfig::new(config.epochs, 10).seed(config.seed),
        Progress::new(true),
    )?;
    let accuracy = ConfusionMatrix::of(&*net, test.inputs(), test.labels()).accuracy();
    println!("test accuracy: {:.2} %", 100.0 * accuracy);

    io::save_safetensors(&*net, &config.safetensors)?;
    // The raw bytes need no atomicity for an example; save_safetensors is
    // the robust way to keep a model.
    let raw = io::to_le_bytes(&*net);
    std::fs::write(&config.raw, &raw).map_err(|e| format!("{}: {e}", config.raw.display()))?;

    // Check both files by reading them back.
    let loaded: Box<Lecture> = io::load_safetensors(&config.safetensors)?;
    let mut from_raw = Box::new(Lecture::zeros());
    io::from_le_bytes(&mut *from_raw, &std::fs::read(&config.raw)?)?;
    if *loaded != *net || *from_raw != *net {
        return Err("the files do not read back as the trained network".into());
    }
    println!(
        "wrote {} ({} parameters) and {} ({} bytes)",
        config.safetensors.display(),
        Lecture::NUM_PARAMS,
        config.raw.display(),
        raw.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    run_main(USAGE, Config::from_args(lexopt::Parser::from_env()), run)
}
