//! Loss and accuracy of a network on a data set.

use num_traits::ToPrimitive;

use super::Target;
use crate::infer::for_each_output;
use crate::{Class, Layer, Loss, Sample, Tensor};

/// What [`evaluate`] measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean per-sample loss.
    pub loss: f64,
    /// Fraction of samples predicted correctly (see [`Target`]), in `[0, 1]`.
    pub accuracy: f64,
    /// Number of correctly predicted samples.
    pub correct: usize,
    /// Number of samples, at least 1.
    pub total: usize,
}

/// Mean loss and accuracy of `net` on `inputs` with targets `targets`
/// (samples beyond the shorter of the two are ignored), or `None` if there
/// are no samples: a mean over nothing is not a measurement.
///
/// Whether a prediction is correct is up to the target ([`Target`]): a
/// [`Class<C>`] label of a `C`-output classifier is matched by the largest
/// output ([`Class::argmax`]); a target vector `[T; 1]` of a one-output
/// (binary) classifier, by an output on the same side of 0.5. For the
/// accuracy alone, without a loss, see [`accuracy`].
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::train::evaluate;
///
/// // A "network" that outputs its input: the first sample is right, the second wrong.
/// let inputs = [[0.9_f32, 0.1], [0.8, 0.2]];
/// let labels = [Class::<2>::new(0).ok_or("label")?, Class::new(1).ok_or("label")?];
/// let eval = evaluate(&(Relu,), &inputs, &labels, &Quadratic).ok_or("no samples")?;
/// assert_eq!((eval.correct, eval.total), (1, 2));
/// assert_eq!(eval.accuracy, 0.5);
///
/// // Nothing to measure: `None`, not NaN.
/// assert_eq!(evaluate(&(Relu,), &inputs[..0], &labels, &Quadratic), None);
/// # Ok::<(), &str>(())
/// ```
#[must_use]
pub fn evaluate<N, I, S, Y, L>(net: &N, inputs: &[S], targets: &[Y], loss: &L) -> Option<Evaluation>
where
    I: Tensor,
    S: Sample<I>,
    N: Layer<I>,
    Y: Target<N::Output>,
    L: Loss<N::Output, Y>,
{
    let total = inputs.len().min(targets.len());
    if total == 0 {
        return None;
    }
    let mut sum = 0.0;
    let mut correct = 0;
    for_each_output(net, &inputs[..total], |k, y| {
        let target = &targets[k];
        sum += loss.loss(y, target).to_f64().unwrap_or(f64::NAN);
        correct += usize::from(target.is_correct(y));
    });
    let n = total as f64;
    Some(Evaluation {
        loss: sum / n,
        accuracy: correct as f64 / n,
        correct,
        total,
    })
}

/// The fraction of `inputs` that `net` predicts correctly, in `[0, 1]`, as
/// judged by their `targets` ([`Target`]); samples beyond the shorter of the
/// two are ignored. `None` if there are no samples.
///
/// Unlike [`evaluate`] it needs no loss: any network can be scored against
/// any targets it has a [`Target`] implementation for.
///
/// # Examples
/// A one-output (binary) classifier, scored against targets `0` and `1` with
/// the threshold 0.5:
/// ```
/// use constnet::prelude::*;
/// use constnet::train::accuracy;
///
/// // The output is the sigmoid of x₀ − x₁: "is x₀ the larger?"
/// let net = (Dense::<2, 1, f64> { weight: [[4.0, -4.0]], bias: [0.0] }, Sigmoid);
/// let inputs = [[1.0, 0.0], [0.0, 1.0], [0.2, 0.9], [0.6, 0.5]];
/// let targets = [[1.0], [0.0], [1.0], [1.0]]; // the third is predicted wrong
/// assert_eq!(accuracy(&net, &inputs, &targets), Some(0.75));
/// assert_eq!(accuracy(&net, &inputs, &targets[..0]), None);
/// ```
#[must_use]
pub fn accuracy<N, I, S, Y>(net: &N, inputs: &[S], targets: &[Y]) -> Option<f64>
where
    I: Tensor,
    S: Sample<I>,
    N: Layer<I>,
    Y: Target<N::Output>,
{
    let total = inputs.len().min(targets.len());
    if total == 0 {
        return None;
    }
    let mut correct = 0_usize;
    for_each_output(net, &inputs[..total], |k, y| {
        correct += usize::from(targets[k].is_correct(y));
    });
    Some(correct as f64 / total as f64)
}

/// The class `net` predicts for `x`: the index of its largest output.
///
/// ```
/// use constnet::prelude::*;
/// use constnet::train::predict;
///
/// let net = (Dense::<2, 3, f64> { weight: [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], bias: [0.0; 3] },);
/// assert_eq!(predict(&net, &[1.0, 0.5]).index(), 2);
/// ```
#[must_use]
pub fn predict<N, I, S, const C: usize>(net: &N, x: &S) -> Class<C>
where
    I: Tensor,
    S: Sample<I>,
    N: Layer<I, Output = [I::Scalar; C]>,
{
    match S::as_inputs(core::slice::from_ref(x)) {
        Some([x]) => Class::argmax(&net.forward(x)),
        _ => Class::argmax(&net.forward(&x.to_input())),
    }
}
