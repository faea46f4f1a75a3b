//! A training callback that shows a progress bar per epoch (indicatif) and
//! prints each epoch's metrics.

use std::fmt;

use constnet::train::{BatchProgress, Callback, Control, EpochMetrics};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// A progress bar per epoch on standard error, e.g.
/// `epoch  3 [==========>                   ] 2100/6000 batches  loss 0.0123  0.1s`,
/// hidden when standard error is not a terminal; and, if asked, a line of
/// metrics on standard output after each epoch.
pub struct Progress {
    bar: Option<ProgressBar>,
    /// Print the metrics line after each epoch.
    pub print_epochs: bool,
}

impl Progress {
    /// Progress bars, with a metrics line per epoch if `print_epochs`.
    pub fn new(print_epochs: bool) -> Self {
        Self {
            bar: None,
            print_epochs,
        }
    }
}

/// The bar of epoch `epoch`, `batches` long.
fn epoch_bar(epoch: usize, batches: usize) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "epoch {prefix:>2} [{bar:30}] {pos}/{len} batches  loss {msg}  {seconds}",
    )
    .expect("the template is valid")
    .progress_chars("=> ")
    // Epochs take seconds: tenths matter, which `{elapsed}` does not show.
    .with_key(
        "seconds",
        |state: &ProgressState, out: &mut dyn fmt::Write| {
            let _ = write!(out, "{:.1}s", state.elapsed().as_secs_f64());
        },
    );
    ProgressBar::new(batches as u64)
        .with_style(style)
        .with_prefix(epoch.to_string())
}

impl Callback for Progress {
    fn on_batch_end(&mut self, p: &BatchProgress) {
        let bar = self
            .bar
            .get_or_insert_with(|| epoch_bar(p.epoch, p.batches));
        if p.batch.is_multiple_of(50) || p.batch == p.batches {
            bar.set_message(format!("{:.4}", p.loss));
        }
        bar.set_position(p.batch as u64);
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
