//! A Keras-style model summary.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use crate::{Layer, LayerInfo, Tensor};

/// A table of a network's layers with their output shapes and parameter
/// counts, like Keras' `model.summary()`; print it with `{}`.
///
/// # Generics
/// - `I`: the network's input, `N`: the network.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
///
/// let net = <(Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid)>::zeros();
/// let text = Summary::<[f32; 784], _>::new(&net).to_string();
/// assert!(text.contains("Dense<784, 30>"));
/// assert!(text.contains("23,550"));
/// assert!(text.contains("Total params: 23,860"));
/// println!("{text}");
/// ```
/// prints
/// ```text
/// Layer (type)      Output Shape       Param #
/// ────────────────────────────────────────────
/// Dense<784, 30>    [30]                23,550
/// Sigmoid           [30]                     0
/// Dense<30, 10>     [10]                   310
/// Sigmoid           [10]                     0
/// ────────────────────────────────────────────
/// Total params: 23,860 (93.2 KiB as f32)
/// Input: [784]
/// ```
pub struct Summary<'a, I, N> {
    net: &'a N,
    input: PhantomData<fn(&I)>,
}

impl<'a, I: Tensor, N: Layer<I>> Summary<'a, I, N> {
    /// The summary of `net` taking inputs of type `I`.
    #[must_use]
    pub fn new(net: &'a N) -> Self {
        Self {
            net,
            input: PhantomData,
        }
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A type name without module paths: `constnet::dense::Dense<784, 30, f32>`
/// becomes `Dense<784, 30>` (the default scalar `f32` is left out).
fn short_name(full: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in full.chars().chain(core::iter::once('\0')) {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            out.push_str(word.rsplit("::").next().unwrap_or(&word));
            word.clear();
            if c != '\0' {
                out.push(c);
            }
        }
    }
    out.replace(", f32>", ">")
}

impl<I: Tensor, N: Layer<I>> fmt::Display for Summary<'_, I, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rows: Vec<(String, String, String)> = Vec::new();
        self.net.describe(&mut |l: LayerInfo| {
            rows.push((
                short_name(l.type_name),
                format!("[{}]", l.outputs),
                thousands(l.params),
            ));
        });
        let w0 = rows
            .iter()
            .map(|r| r.0.chars().count())
            .max()
            .unwrap_or(0)
            .max(12)
            + 4;
        let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(12) + 4;
        let w2 = rows.iter().map(|r| r.2.len()).max().unwrap_or(0).max(7) + 3;
        let rule = "─".repeat(w0 + w1 + w2);
        writeln!(
            f,
            "{:<w0$}{:<w1$}{:>w2$}",
            "Layer (type)", "Output Shape", "Param #"
        )?;
        writeln!(f, "{rule}")?;
        for (name, shape, params) in &rows {
            writeln!(f, "{name:<w0$}{shape:<w1$}{params:>w2$}")?;
        }
        writeln!(f, "{rule}")?;
        let bytes = N::NUM_PARAMS * core::mem::size_of::<I::Scalar>();
        writeln!(
            f,
            "Total params: {} ({:.1} KiB as {})",
            thousands(N::NUM_PARAMS),
            bytes as f64 / 1024.0,
            short_name(core::any::type_name::<I::Scalar>())
        )?;
        write!(f, "Input: [{}]", I::LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(23_860), "23,860");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn short_names() {
        assert_eq!(
            short_name("constnet::dense::Dense<784, 30, f32>"),
            "Dense<784, 30>"
        );
        assert_eq!(
            short_name("constnet::dense::Dense<3, 2, f64>"),
            "Dense<3, 2, f64>"
        );
        assert_eq!(
            short_name("constnet::activation::sigmoid::Sigmoid"),
            "Sigmoid"
        );
        assert_eq!(short_name("f32"), "f32");
    }
}
