//! Confusion matrices of classifiers.

#[cfg(feature = "alloc")]
use core::fmt;

use crate::{Class, Layer, Tensor};

/// Counts of (actual class, predicted class) pairs for a classifier with `C`
/// classes.
///
/// `count(a, p)` is the number of samples of class `a` predicted as `p`; the
/// diagonal holds the correct predictions. `Display` prints the matrix with
/// actual classes as rows; [`with_names`](Self::with_names) labels them.
///
/// # Examples
/// ```
/// use constnet::prelude::*;
/// use constnet::train::ConfusionMatrix;
///
/// let c = |i| Class::<2>::new(i).ok_or("label");
/// let mut m = ConfusionMatrix::new();
/// m.add(c(0)?, c(0)?);
/// m.add(c(1)?, c(0)?);
/// m.add(c(1)?, c(1)?);
/// assert_eq!(m.count(c(1)?, c(0)?), 1);
/// assert_eq!(m.total(), 3);
/// assert!((m.accuracy() - 2.0 / 3.0).abs() < 1e-12);
/// assert_eq!(m.recall(c(1)?), 0.5);
/// assert_eq!(m.precision(c(0)?), 0.5);
/// # Ok::<(), &str>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConfusionMatrix<const C: usize> {
    counts: [[usize; C]; C],
}

impl<const C: usize> Default for ConfusionMatrix<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const C: usize> ConfusionMatrix<C> {
    /// An empty matrix.
    ///
    /// ```
    /// use constnet::train::ConfusionMatrix;
    /// assert_eq!(ConfusionMatrix::<10>::new().total(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self {
            counts: [[0; C]; C],
        }
    }

    /// The confusion matrix of `net` on `inputs` with class labels `labels`
    /// (pairs beyond the shorter of the two are ignored).
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use constnet::train::ConfusionMatrix;
    ///
    /// let net = (Relu,); // predicts the larger input
    /// let inputs = [[1.0_f32, 0.0], [0.0, 1.0], [1.0, 0.0]];
    /// let labels = [0, 1, 1].map(|i| Class::<2>::new(i).expect("0 or 1"));
    /// let m = ConfusionMatrix::of(&net, &inputs, &labels);
    /// assert_eq!(m.count(labels[2], labels[0]), 1); // a 1 taken for a 0
    /// ```
    #[must_use]
    pub fn of<N, I, S>(net: &N, inputs: &[S], labels: &[Class<C>]) -> Self
    where
        I: Tensor,
        S: crate::Sample<I>,
        N: Layer<I, Output = [I::Scalar; C]>,
    {
        let mut m = Self::new();
        let n = inputs.len().min(labels.len());
        crate::infer::for_each_output(net, &inputs[..n], |k, y| m.add(labels[k], Class::argmax(y)));
        m
    }

    /// Records one sample of class `actual` predicted as `predicted`.
    pub fn add(&mut self, actual: Class<C>, predicted: Class<C>) {
        self.counts[actual.index()][predicted.index()] += 1;
    }

    /// Samples of class `actual` predicted as `predicted`.
    #[must_use]
    pub fn count(&self, actual: Class<C>, predicted: Class<C>) -> usize {
        self.counts[actual.index()][predicted.index()]
    }

    /// All counts, `[actual][predicted]`.
    #[must_use]
    pub fn counts(&self) -> &[[usize; C]; C] {
        &self.counts
    }

    /// Number of samples recorded.
    #[must_use]
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// Fraction of samples on the diagonal; NaN when empty.
    #[must_use]
    pub fn accuracy(&self) -> f64 {
        let correct: usize = (0..C).map(|i| self.counts[i][i]).sum();
        correct as f64 / self.total() as f64
    }

    /// Of the samples of class `class`, the fraction predicted as `class`;
    /// NaN when there are none.
    #[must_use]
    pub fn recall(&self, class: Class<C>) -> f64 {
        let row = &self.counts[class.index()];
        row[class.index()] as f64 / row.iter().sum::<usize>() as f64
    }

    /// Of the samples predicted as `class`, the fraction that are `class`;
    /// NaN when there are none.
    #[must_use]
    pub fn precision(&self, class: Class<C>) -> f64 {
        let k = class.index();
        let predicted: usize = self.counts.iter().map(|row| row[k]).sum();
        self.counts[k][k] as f64 / predicted as f64
    }

    /// A `Display` of the matrix with `names` for the classes.
    ///
    /// ```
    /// use constnet::train::ConfusionMatrix;
    /// let m = ConfusionMatrix::<2>::new();
    /// let text = m.with_names(&["cat", "dog"]).to_string();
    /// assert!(text.contains("cat") && text.contains("dog"));
    /// ```
    ///
    /// Needs the `alloc` feature (on by default).
    #[cfg(feature = "alloc")]
    #[must_use]
    pub fn with_names<'a>(&'a self, names: &'a [&'a str; C]) -> Named<'a, C> {
        Named {
            matrix: self,
            names: Some(names),
        }
    }
}

/// A [`ConfusionMatrix`] displayed with class names, from
/// [`ConfusionMatrix::with_names`]. Needs the `alloc` feature (on by default).
#[cfg(feature = "alloc")]
#[derive(Clone, Copy, Debug)]
pub struct Named<'a, const C: usize> {
    matrix: &'a ConfusionMatrix<C>,
    names: Option<&'a [&'a str; C]>,
}

/// The table (needs the `alloc` feature, on by default).
#[cfg(feature = "alloc")]
impl<const C: usize> fmt::Display for Named<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use alloc::string::{String, ToString};
        let name = |i: usize| match self.names {
            Some(names) => names[i].to_string(),
            None => i.to_string(),
        };
        let label_width = (0..C)
            .map(|i| name(i).chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        let cell = self
            .matrix
            .counts
            .iter()
            .flatten()
            .map(|c| c.to_string().len())
            .max()
            .unwrap_or(1)
            .max(4);
        writeln!(f, "{:>label_width$}  predicted →", "actual ↓")?;
        write!(f, "{:>label_width$}", "")?;
        for i in 0..C {
            let short: String = name(i).chars().take(cell).collect();
            write!(f, " {short:>cell$}")?;
        }
        writeln!(f, " {:>7}", "recall")?;
        for (a, row) in self.matrix.counts.iter().enumerate() {
            write!(f, "{:>label_width$}", name(a))?;
            for count in row {
                write!(f, " {count:>cell$}")?;
            }
            let total: usize = row.iter().sum();
            let recall = row[a] as f64 / total as f64;
            writeln!(f, " {:>6.2}%", 100.0 * recall)?;
        }
        Ok(())
    }
}

/// The table (needs the `alloc` feature, on by default).
#[cfg(feature = "alloc")]
impl<const C: usize> fmt::Display for ConfusionMatrix<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Named {
            matrix: self,
            names: None,
        }
        .fmt(f)
    }
}
