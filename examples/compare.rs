//! The lecture's comparison: the "previously described" network (sigmoid,
//! quadratic cost, SGD) against the "optimized architecture" (ReLU, softmax
//! cross-entropy, Adam), both 784-30-10, trained on MNIST. Prints a
//! per-epoch table and writes a plot of test accuracy and training loss.
//!
//! ```text
//! cargo run --release --example compare -- [--epochs N] [--seed N] [--data DIR] [--out FILE.svg]
//! ```

mod common;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use common::cli::{self, run_main};
use common::progress::Progress;
use common::{OptimizedNet, SeedNet, default_data_dir};
use constnet::data::Mnist;
use constnet::loss::SoftmaxCrossEntropy;
use constnet::optim::Adam;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::{FitConfig, History};
use plotters::prelude::*;

const USAGE: &str = "usage: compare [--epochs N] [--seed N] [--data DIR] [--out FILE.svg]";

struct Config {
    epochs: usize,
    seed: u64,
    data: PathBuf,
    out: PathBuf,
}

fn parse(mut args: lexopt::Parser) -> Result<Option<Config>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut config = Config {
        epochs: 10,
        seed: 0,
        data: default_data_dir(),
        out: PathBuf::from("compare.svg"),
    };
    while let Some(arg) = args.next()? {
        match arg {
            Long("epochs") => config.epochs = cli::value(&mut args, "--epochs")?,
            Long("seed") => config.seed = cli::value(&mut args, "--seed")?,
            Long("data") => config.data = args.value()?.into(),
            Long("out") => config.out = args.value()?.into(),
            Short('h') | Long("help") => return Ok(None),
            _ => return Err(arg.unexpected()),
        }
    }
    if config.epochs == 0 {
        return Err("--epochs must be at least 1".into());
    }
    Ok(Some(config))
}

/// Points of a curve: (epoch, value).
type Curve = Vec<(f64, f64)>;

/// Test accuracy (%) and training loss per epoch.
fn curves(h: &History) -> (Curve, Curve) {
    let acc = h
        .epochs
        .iter()
        .map(|e| {
            (
                e.epoch as f64,
                100.0 * e.validation.map_or(f64::NAN, |v| v.accuracy),
            )
        })
        .collect();
    let loss = h.epochs.iter().map(|e| (e.epoch as f64, e.loss)).collect();
    (acc, loss)
}

/// Two panels: test accuracy, and each network's own training loss (log scale).
fn plot(
    path: &Path,
    seed: &History,
    optimized: &History,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (1000, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(500);
    let epochs = seed.epochs.len().max(optimized.epochs.len()) as f64;
    let (seed_acc, seed_loss) = curves(seed);
    let (opt_acc, opt_loss) = curves(optimized);
    let series = [
        (
            "seed: sigmoid, quadratic cost, SGD η=3",
            &seed_acc,
            &seed_loss,
            RED,
        ),
        (
            "optimized: ReLU, softmax cross-entropy, Adam",
            &opt_acc,
            &opt_loss,
            BLUE,
        ),
    ];

    let lowest = seed_acc
        .iter()
        .chain(&opt_acc)
        .map(|p| p.1)
        .fold(100.0, f64::min);
    let mut chart = ChartBuilder::on(&left)
        .caption("MNIST test accuracy, 784-30-10", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(50)
        .build_cartesian_2d(0.5..epochs + 0.5, (lowest.floor() - 0.5).max(0.0)..100.0)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("accuracy (%)")
        .x_labels(epochs as usize)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()?;
    for (name, acc, _, color) in &series {
        chart
            .draw_series(LineSeries::new(acc.iter().copied(), color.stroke_width(2)))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(acc.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;

    let losses = seed_loss.iter().chain(&opt_loss).map(|p| p.1);
    let (lo, hi) = losses.fold((f64::INFINITY, 0.0_f64), |(lo, hi), l| {
        (lo.min(l), hi.max(l))
    });
    let mut chart = ChartBuilder::on(&right)
        .caption(
            "training loss (each network's own cost)",
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.5..epochs + 0.5, (lo * 0.8..hi * 1.25).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("loss (log scale)")
        .x_labels(epochs as usize)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.3}"))
        .draw()?;
    for (name, _, loss, color) in &series {
        chart
            .draw_series(LineSeries::new(loss.iter().copied(), color.stroke_width(2)))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    root.present()?;
    Ok(())
}

fn run(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    let mnist = Mnist::load(&config.data)?;
    let (train, test) = (&mnist.train, &mnist.test);
    let validation = Some((test.inputs(), test.labels()));
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);

    eprintln!("training the seed architecture …");
    let mut seed_net = Box::new(SeedNet::<30>::random(Init::StandardNormal, &mut rng));
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0_f32));
    let fit = FitConfig::new(config.epochs, 10).seed(config.seed);
    let seed = trainer.fit(
        &mut *seed_net,
        train.inputs(),
        train.labels(),
        validation,
        fit,
        Progress::new(false),
    )?;

    eprintln!("training the optimized architecture …");
    let mut opt_net = Box::new(OptimizedNet::<30>::random(Init::HeUniform, &mut rng));
    let mut trainer = Trainer::new(SoftmaxCrossEntropy, Adam::new(1e-3_f32));
    let fit = FitConfig::new(config.epochs, 32).seed(config.seed);
    let optimized = trainer.fit(
        &mut *opt_net,
        train.inputs(),
        train.labels(),
        validation,
        fit,
        Progress::new(false),
    )?;

    println!("        seed (sigmoid, quadratic, SGD)     optimized (ReLU, cross-entropy, Adam)");
    println!("epoch   test acc   train cost   time      test acc   train loss   time");
    for (s, o) in seed.epochs.iter().zip(&optimized.epochs) {
        let acc = |m: &constnet::train::EpochMetrics| {
            100.0 * m.validation.map_or(f64::NAN, |v| v.accuracy)
        };
        println!(
            "{:>5}   {:>7.2}%   {:>10.5}   {:>4.2} s    {:>7.2}%   {:>10.5}   {:>4.2} s{}",
            s.epoch,
            acc(s),
            s.loss,
            s.seconds,
            acc(o),
            o.loss,
            o.seconds,
            if acc(o) > acc(s) {
                ""
            } else {
                "   (seed ahead)"
            }
        );
    }
    plot(&config.out, &seed, &optimized)?;
    println!("plot written to {}", config.out.display());
    Ok(())
}

fn main() -> ExitCode {
    run_main(USAGE, parse(lexopt::Parser::from_env()), run)
}
