//! Loss and accuracy of a network on a data set.

use num_traits::ToPrimitive;

use crate::infer::for_each_output;
use crate::{Class, Layer, Loss, Sample, Tensor};

/// What [`evaluate`] measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean per-sample loss.
    pub loss: f64,
    /// Fraction of samples whose largest output is the target class, in `[0, 1]`.
    pub accuracy: f64,
    /// Number of correctly classified samples.
    pub correct: usize,
    /// Number of samples.
    pub total: usize,
}

/// Mean loss and classification accuracy of `net` on `inputs` with class
/// labels `labels` (samples beyond the shorter of the two are ignored).
///
/// A prediction is the index of the largest output ([`Class::argmax`]). An
/// empty data set gives a loss and accuracy of NaN.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::train::evaluate;
///
/// // A "network" that outputs its input: the first sample is right, the second wrong.
/// let inputs = [[0.9_f32, 0.1], [0.8, 0.2]];
/// let labels = [Class::<2>::new(0).ok_or("label")?, Class::new(1).ok_or("label")?];
/// let eval = evaluate(&(Relu,), &inputs, &labels, &Quadratic);
/// assert_eq!((eval.correct, eval.total), (1, 2));
/// assert_eq!(eval.accuracy, 0.5);
/// # Ok::<(), &str>(())
/// ```
#[must_use]
pub fn evaluate<N, I, S, L, const C: usize>(
    net: &N,
    inputs: &[S],
    labels: &[Class<C>],
    loss: &L,
) -> Evaluation
where
    I: Tensor,
    S: Sample<I>,
    N: Layer<I, Output = [I::Scalar; C]>,
    L: Loss<[I::Scalar; C], Class<C>>,
{
    let total = inputs.len().min(labels.len());
    let mut sum = 0.0;
    let mut correct = 0;
    for_each_output(net, &inputs[..total], |k, y| {
        let label = labels[k];
        sum += loss.loss(y, &label).to_f64().unwrap_or(f64::NAN);
        correct += usize::from(Class::argmax(y) == label);
    });
    let n = total as f64;
    Evaluation {
        loss: sum / n,
        accuracy: correct as f64 / n,
        correct,
        total,
    }
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
