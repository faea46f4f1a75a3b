//! Labelled data sets: inputs with their class labels, the input and output
//! widths of a network in the type.

use std::fmt;
use std::slice;

use super::DataError;
use crate::{Class, Sample};

/// Inputs with their class labels: a data set for a classifier.
///
/// Each input is a sample of `IN` features and each label a
/// [`Class<CLASSES>`], so a data set only fits a network of matching input and
/// output widths. There are always as many labels as inputs. The samples are
/// `[f32; IN]` unless stored more compactly: MNIST's are [`Pixels`](crate::Pixels), bytes
/// read as `f32` inputs (see [`Sample`]) when a network takes them.
///
/// # Generics
/// - `IN`: the number of features of an input, [`PIXELS`](super::mnist::PIXELS) for MNIST.
/// - `CLASSES`: the number of classes, [`NUM_CLASSES`](super::mnist::NUM_CLASSES) for MNIST.
/// - `S`: the stored sample, a [`Sample<[f32; IN]>`](Sample): `[f32; IN]`
///   (the default), or e.g. [`Pixels<IN>`](crate::Pixels) for MNIST.
///
/// # Examples
/// ```
/// use constnet::Class;
/// use constnet::data::Dataset;
///
/// let same = Class::<2>::new(0).ok_or("label out of range")?;
/// let differ = Class::<2>::new(1).ok_or("label out of range")?;
/// let xor = Dataset::new(vec![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]], vec![same, differ, differ])?;
/// assert_eq!(xor.len(), 3);
/// for (input, label) in &xor {
///     assert_eq!(label.index(), usize::from(input[0] != input[1]));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Dataset<const IN: usize, const CLASSES: usize, S = [f32; IN]> {
    inputs: Vec<S>,
    labels: Vec<Class<CLASSES>>,
}

impl<const IN: usize, const CLASSES: usize> Dataset<IN, CLASSES> {
    /// The data set pairing `inputs[i]` with `labels[i]`, inputs stored as
    /// `f32` ([`from_samples`](Self::from_samples) for other samples).
    ///
    /// # Errors
    /// [`DataError::CountMismatch`] if there are not as many labels as inputs.
    ///
    /// # Examples
    /// ```
    /// use constnet::Class;
    /// use constnet::data::{DataError, Dataset};
    ///
    /// let one = Class::<3>::new(1).ok_or("label out of range")?;
    /// let data = Dataset::new(vec![[0.5_f32; 4]], vec![one])?;
    /// assert_eq!(data.labels(), [one]);
    ///
    /// let err = Dataset::<4, 3>::new(vec![[0.5; 4]; 2], vec![one]).unwrap_err();
    /// assert!(matches!(err, DataError::CountMismatch { inputs: 2, labels: 1, .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(inputs: Vec<[f32; IN]>, labels: Vec<Class<CLASSES>>) -> Result<Self, DataError> {
        Self::from_samples(inputs, labels)
    }
}

impl<const IN: usize, const CLASSES: usize, S> Dataset<IN, CLASSES, S> {
    /// The data set pairing `samples[i]` with `labels[i]`, samples of any
    /// type that reads as `[f32; IN]`.
    ///
    /// # Errors
    /// [`DataError::CountMismatch`] if there are not as many labels as samples.
    ///
    /// # Examples
    /// ```
    /// use constnet::{Class, Pixels, Sample};
    /// use constnet::data::Dataset;
    ///
    /// let one = Class::<3>::new(1).ok_or("label out of range")?;
    /// let data: Dataset<2, 3, Pixels<2>> = Dataset::from_samples(vec![Pixels([0, 255])], vec![one])?;
    /// let x: [f32; 2] = data.inputs()[0].to_input();
    /// assert_eq!(x, [0.0, 1.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_samples(inputs: Vec<S>, labels: Vec<Class<CLASSES>>) -> Result<Self, DataError>
    where
        S: Sample<[f32; IN]>,
    {
        if inputs.len() == labels.len() {
            Ok(Self { inputs, labels })
        } else {
            Err(DataError::CountMismatch {
                inputs: inputs.len(),
                labels: labels.len(),
                paths: None,
            })
        }
    }

    /// The inputs, in order.
    ///
    /// ```
    /// # use constnet::{Class, data::Dataset};
    /// # let c = Class::<2>::new(0).ok_or("label out of range")?;
    /// let data = Dataset::new(vec![[1.0, 2.0]], vec![c])?;
    /// assert_eq!(data.inputs(), [[1.0, 2.0]]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn inputs(&self) -> &[S] {
        &self.inputs
    }

    /// The labels, in the order of the inputs.
    ///
    /// ```
    /// # use constnet::{Class, data::Dataset};
    /// let c = Class::<2>::new(1).ok_or("label out of range")?;
    /// let data = Dataset::new(vec![[1.0, 2.0]], vec![c])?;
    /// assert_eq!(data.labels(), [c]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn labels(&self) -> &[Class<CLASSES>] {
        &self.labels
    }

    /// The number of examples (inputs, and labels).
    ///
    /// ```
    /// # use constnet::data::Dataset;
    /// assert_eq!(Dataset::<3, 2>::default().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Whether there are no examples.
    ///
    /// ```
    /// # use constnet::data::Dataset;
    /// assert!(Dataset::<3, 2>::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The example at `index`, or `None` if `index >= self.len()`.
    ///
    /// ```
    /// # use constnet::{Class, data::Dataset};
    /// let c = Class::<2>::new(1).ok_or("label out of range")?;
    /// let data = Dataset::new(vec![[1.0, 2.0]], vec![c])?;
    /// assert_eq!(data.get(0), Some((&[1.0, 2.0], c)));
    /// assert_eq!(data.get(1), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn get(&self, index: usize) -> Option<(&S, Class<CLASSES>)> {
        Some((self.inputs.get(index)?, *self.labels.get(index)?))
    }

    /// The examples in order, each an input with its label.
    ///
    /// `&dataset` is also iterable, with the same items.
    ///
    /// ```
    /// # use constnet::{Class, data::Dataset};
    /// # let c = Class::<2>::new(1).ok_or("label out of range")?;
    /// let data = Dataset::new(vec![[1.0, 2.0], [3.0, 4.0]], vec![c, c])?;
    /// let sums: Vec<f32> = data.iter().map(|(x, _)| x.iter().sum()).collect();
    /// assert_eq!(sums, [3.0, 7.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn iter(&self) -> Iter<'_, IN, CLASSES, S> {
        self.inputs.iter().zip(self.labels.iter())
    }

    /// Keeps the first `len` examples and drops the rest; does nothing if
    /// there are no more than `len`.
    ///
    /// ```
    /// # use constnet::{Class, data::Dataset};
    /// # let c = Class::<2>::new(1).ok_or("label out of range")?;
    /// let mut data = Dataset::new(vec![[1.0], [2.0], [3.0]], vec![c; 3])?;
    /// data.truncate(2);
    /// assert_eq!(data.inputs(), [[1.0], [2.0]]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn truncate(&mut self, len: usize) {
        self.inputs.truncate(len);
        self.labels.truncate(len);
    }

    /// A copy of the first `n` examples, or of all of them if there are no
    /// more than `n`.
    ///
    /// ```no_run
    /// use constnet::data::Mnist;
    ///
    /// let mnist = Mnist::load("data/mnist")?;
    /// let quick_test = mnist.test.head(1_000);
    /// assert_eq!(quick_test.len(), 1_000);
    /// # Ok::<(), constnet::data::DataError>(())
    /// ```
    #[must_use]
    pub fn head(&self, n: usize) -> Self
    where
        S: Clone,
    {
        let n = n.min(self.len());
        Self {
            inputs: self.inputs.get(..n).unwrap_or_default().to_vec(),
            labels: self.labels.get(..n).unwrap_or_default().to_vec(),
        }
    }

    /// The inputs and labels, without copying them.
    ///
    /// ```
    /// # use constnet::{Class, data::Dataset};
    /// # let c = Class::<2>::new(1).ok_or("label out of range")?;
    /// let data = Dataset::new(vec![[1.0, 2.0]], vec![c])?;
    /// let (inputs, labels) = data.into_parts();
    /// assert_eq!((inputs.len(), labels.len()), (1, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn into_parts(self) -> (Vec<S>, Vec<Class<CLASSES>>) {
        (self.inputs, self.labels)
    }

    /// A copy with every sample converted to its `f32` input, e.g. for code
    /// that needs `&[[f32; IN]]`. Training and inference do not: they take
    /// the samples as they are.
    ///
    /// ```
    /// use constnet::{Class, Pixels};
    /// use constnet::data::Dataset;
    ///
    /// let c = Class::<2>::new(0).ok_or("label out of range")?;
    /// let bytes: Dataset<2, 2, Pixels<2>> = Dataset::from_samples(vec![Pixels([51, 255])], vec![c])?;
    /// assert_eq!(bytes.to_f32().inputs(), [[0.2, 1.0]]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_f32(&self) -> Dataset<IN, CLASSES>
    where
        S: Sample<[f32; IN]>,
    {
        Dataset {
            inputs: self.inputs.iter().map(Sample::to_input).collect(),
            labels: self.labels.clone(),
        }
    }
}

/// The iterator of [`Dataset::iter`]: each input with its label.
pub type Iter<'a, const IN: usize, const CLASSES: usize, S = [f32; IN]> =
    std::iter::Zip<slice::Iter<'a, S>, slice::Iter<'a, Class<CLASSES>>>;

impl<'a, const IN: usize, const CLASSES: usize, S> IntoIterator for &'a Dataset<IN, CLASSES, S> {
    type Item = (&'a S, &'a Class<CLASSES>);
    type IntoIter = Iter<'a, IN, CLASSES, S>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<const IN: usize, const CLASSES: usize, S> Default for Dataset<IN, CLASSES, S> {
    /// An empty data set.
    fn default() -> Self {
        Self {
            inputs: Vec::new(),
            labels: Vec::new(),
        }
    }
}

impl<const IN: usize, const CLASSES: usize, S> fmt::Debug for Dataset<IN, CLASSES, S> {
    /// Shows the size and shape, not the (possibly millions of) features.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("len", &self.len())
            .field("inputs", &IN)
            .field("classes", &CLASSES)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_methods() {
        let c = |i| Class::<3>::new(i).expect("in range");
        let mut data =
            Dataset::new(vec![[0.0], [1.0], [2.0]], vec![c(0), c(1), c(2)]).expect("same lengths");
        assert_eq!(data.get(2), Some((&[2.0], c(2))));
        assert_eq!(data.head(2).labels(), [c(0), c(1)]);
        assert_eq!(data.head(10), data);
        assert_eq!(
            format!("{data:?}"),
            "Dataset { len: 3, inputs: 1, classes: 3 }"
        );
        data.truncate(1);
        assert_eq!(data.len(), 1);
        assert_eq!(data.iter().len(), 1);
        data.truncate(0);
        assert!(data.is_empty());
        assert_eq!(data, Dataset::default());
    }
}
