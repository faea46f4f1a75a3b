//! `Trainer::fit`: history, callbacks, early stopping, reproducibility;
//! confusion matrices and summaries.

use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::{
    BatchProgress, Callback, ConfusionMatrix, Control, EarlyStopping, EpochMetrics, FitConfig,
    Monitor, TrainError, evaluate,
};

type Net = (Dense<2, 8>, Sigmoid, Dense<8, 3>, Sigmoid);

/// Three classes: which of x, y, 1 − x − y is largest.
fn data() -> (Vec<[f32; 2]>, Vec<Class<3>>) {
    let mut inputs = Vec::new();
    let mut labels = Vec::new();
    for i in 0..15 {
        for j in 0..15 {
            let (x, y) = (i as f32 / 15.0, j as f32 / 15.0);
            inputs.push([x, y]);
            labels.push(Class::argmax(&[x, y, 1.0 - x - y]));
        }
    }
    (inputs, labels)
}

fn net() -> Net {
    Net::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(3))
}

#[derive(Default)]
struct Recorder {
    batches: Vec<BatchProgress>,
    epochs: Vec<EpochMetrics>,
}

impl Callback for Recorder {
    fn on_batch_end(&mut self, progress: &BatchProgress) {
        self.batches.push(*progress);
    }
    fn on_epoch_end(&mut self, metrics: &EpochMetrics) -> Control {
        self.epochs.push(*metrics);
        Control::Continue
    }
}

#[test]
fn fit_reports_every_batch_and_epoch_and_learns() {
    let (inputs, labels) = data();
    let mut net = net();
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0));
    let mut rec = Recorder::default();
    let history = trainer
        .fit(
            &mut net,
            &inputs,
            &labels,
            Some((&inputs, &labels)),
            FitConfig::new(40, 16),
            &mut rec,
        )
        .expect("no divergence");
    assert_eq!(history.epochs.len(), 40);
    assert!(!history.stopped_early);
    assert_eq!(history.epochs, rec.epochs);
    // 225 samples in batches of 16: 15 batches, the last one of 1.
    assert_eq!(rec.batches.len(), 40 * 15);
    assert!(
        rec.batches
            .iter()
            .all(|b| b.batches == 15 && (1..=15).contains(&b.batch))
    );
    let first = history.epochs[0];
    let last = *history.last().expect("epochs");
    assert!(last.loss < first.loss, "{first:?} -> {last:?}");
    assert!(last.accuracy > 0.85, "{last:?}");
    let val = last.validation.expect("validation data given");
    assert_eq!(Some(val), evaluate(&net, &inputs, &labels, &Quadratic));
    assert_eq!(last.learning_rate, 3.0);
    assert!(last.seconds >= 0.0);
}

#[test]
fn fit_is_reproducible_and_seed_dependent() {
    let (inputs, labels) = data();
    let run = |seed| {
        let mut net = net();
        let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0));
        let h = trainer
            .fit(
                &mut net,
                &inputs,
                &labels,
                None,
                FitConfig::new(3, 10).seed(seed),
                (),
            )
            .expect("no divergence");
        let losses: Vec<u64> = h.epochs.iter().map(|e| e.loss.to_bits()).collect();
        (losses, net.forward(&[0.3, 0.3]).map(f32::to_bits))
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn early_stopping_ends_training() {
    let (inputs, labels) = data();
    let mut net = net();
    // A learning rate of 0 never improves anything.
    let mut trainer = Trainer::new(Quadratic, Sgd::new(0.0));
    let mut stop = EarlyStopping::new(Monitor::ValidationLoss, 3);
    let history = trainer
        .fit(
            &mut net,
            &inputs,
            &labels,
            Some((&inputs, &labels)),
            FitConfig::new(50, 10),
            &mut stop,
        )
        .expect("no divergence");
    assert_eq!(
        history.epochs.len(),
        4,
        "1 best epoch + 3 without improvement"
    );
    assert!(history.stopped_early);
    assert!(!stop.improved());
}

#[test]
fn learning_rate_callback_sets_the_rate_per_epoch() {
    struct Halve;
    impl Callback for Halve {
        fn learning_rate(&mut self, epoch: usize, _current: f64) -> f64 {
            4.0 / 2f64.powi(epoch as i32)
        }
    }
    let (inputs, labels) = data();
    let mut net = net();
    let mut trainer = Trainer::new(Quadratic, Sgd::new(100.0));
    let history = trainer
        .fit(
            &mut net,
            &inputs,
            &labels,
            None,
            FitConfig::new(3, 10),
            (Halve, ()),
        )
        .expect("no divergence");
    let rates: Vec<f64> = history.epochs.iter().map(|e| e.learning_rate).collect();
    assert_eq!(rates, [2.0, 1.0, 0.5]);
    assert_eq!(trainer.optimizer().learning_rate, 0.5);
}

#[test]
fn divergence_in_fit_is_an_error_with_location() {
    let (mut inputs, labels) = data();
    inputs[200] = [f32::INFINITY, 0.0];
    let mut net = net();
    let mut trainer = Trainer::new(Quadratic, Sgd::new(1.0));
    let err = trainer
        .fit(
            &mut net,
            &inputs,
            &labels,
            None,
            FitConfig::new(2, inputs.len()),
            (),
        )
        .expect_err("infinite input");
    // The sigmoid saturates, so the cost stays finite; ∂C/∂W = δ·∞ does not.
    assert_eq!(
        err,
        TrainError::NonFiniteGradient {
            epoch: Some(1),
            batch: Some(1)
        }
    );
}

#[test]
fn confusion_matrix_agrees_with_evaluate() {
    let (inputs, labels) = data();
    let mut net = net();
    let mut trainer = Trainer::new(Quadratic, Sgd::new(3.0));
    trainer
        .fit(&mut net, &inputs, &labels, None, FitConfig::new(10, 10), ())
        .expect("no divergence");
    let m = ConfusionMatrix::of(&net, &inputs, &labels);
    let eval = evaluate(&net, &inputs, &labels, &Quadratic).expect("samples");
    assert_eq!(m.total(), inputs.len());
    assert_eq!(m.accuracy(), eval.accuracy);
    let text = m.with_names(&["x", "y", "rest"]).to_string();
    assert_eq!(text.lines().count(), 2 + 3, "{text}");
}

#[test]
fn summary_lists_layers_shapes_and_counts() {
    let net = <(Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid)>::zeros();
    let text = Summary::<[f32; 784], _>::new(&net).to_string();
    let rows: Vec<&str> = text.lines().collect();
    assert!(
        rows[2].starts_with("Dense<784, 30>")
            && rows[2].contains("[30]")
            && rows[2].ends_with("23,550")
    );
    assert!(rows[3].starts_with("Sigmoid") && rows[3].ends_with(" 0"));
    assert!(rows[4].starts_with("Dense<30, 10>") && rows[4].ends_with("310"));
    assert!(text.contains("Total params: 23,860"));
}

#[test]
fn schedule_callback_drives_the_optimizer() {
    use constnet::optim::schedule::Cosine;
    use constnet::train::LearningRateSchedule;
    let (inputs, labels) = data();
    let mut net = net();
    let mut trainer = Trainer::new(Quadratic, Adam::new(0.5_f32));
    let schedule = LearningRateSchedule(Cosine {
        initial: 0.01,
        minimum: 0.001,
        epochs: 4,
    });
    let history = trainer
        .fit(
            &mut net,
            &inputs,
            &labels,
            None,
            FitConfig::new(5, 25),
            schedule,
        )
        .expect("no divergence");
    let rates: Vec<f64> = history.epochs.iter().map(|e| e.learning_rate).collect();
    let want = [0.01, 0.008_681_980_5, 0.005_5, 0.002_318_019_5, 0.001];
    for (got, want) in rates.iter().zip(want) {
        assert!((got - want).abs() < 1e-7, "{rates:?}");
    }
}
