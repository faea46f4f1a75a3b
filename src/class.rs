//! Class labels whose number of classes is part of the type.

use core::fmt;

/// A class label for a classifier with `N` classes: an index in `0..N`.
///
/// The number of classes is part of the type, so a label can only be paired
/// with a network output of the same width: a `Class<10>` target for a
/// `[f32; 9]` output does not compile. A `Class<N>` always holds a valid index;
/// the only ways to make one check the range.
///
/// # Generics
/// - `N`: the number of classes.
///
/// # Examples
/// ```
/// use constnet::Class;
///
/// let seven = Class::<10>::new(7).ok_or("label out of range")?;
/// assert_eq!(seven.index(), 7);
/// assert!(Class::<10>::new(10).is_none());
/// assert_eq!(seven.one_hot::<f32>()[7], 1.0);
/// # Ok::<(), &str>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Class<const N: usize>(u32);

impl<const N: usize> Class<N> {
    /// The label `index`, or `None` when `index >= N`.
    ///
    /// ```
    /// use constnet::Class;
    /// assert_eq!(Class::<3>::new(2).map(|c| c.index()), Some(2));
    /// assert_eq!(Class::<3>::new(3), None);
    /// ```
    #[must_use]
    pub const fn new(index: usize) -> Option<Self> {
        if index < N && index <= u32::MAX as usize {
            Some(Self(index as u32))
        } else {
            None
        }
    }

    /// The class index, always in `0..N`.
    ///
    /// ```
    /// use constnet::Class;
    /// assert_eq!(Class::<10>::new(4).map(Class::index), Some(4));
    /// ```
    #[must_use]
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// The one-hot vector of this label: `1` at [`index`](Self::index), `0` elsewhere.
    ///
    /// ```
    /// use constnet::Class;
    /// let c = Class::<4>::new(1).ok_or("out of range")?;
    /// assert_eq!(c.one_hot::<f64>(), [0.0, 1.0, 0.0, 0.0]);
    /// # Ok::<(), &str>(())
    /// ```
    #[must_use]
    pub fn one_hot<T: num_traits::Float>(self) -> [T; N] {
        let mut v = [T::zero(); N];
        v[self.index()] = T::one();
        v
    }

    /// The class with the largest score: the prediction of a classifier whose
    /// output is `scores`. Ties go to the lowest index; NaN scores are never
    /// picked unless every score is NaN, in which case the result is class 0.
    ///
    /// # Panics
    /// Never at run time: `N == 0` is rejected when the code is compiled.
    ///
    /// ```
    /// use constnet::Class;
    /// let predicted = Class::argmax(&[0.1_f32, 0.7, 0.2]);
    /// assert_eq!(predicted.index(), 1);
    /// ```
    #[must_use]
    pub fn argmax<T: num_traits::Float>(scores: &[T; N]) -> Self {
        const { assert!(N > 0, "a classifier needs at least one class") };
        let mut best = 0;
        for (i, &s) in scores.iter().enumerate() {
            // `!(s <= best)` would pick NaN; `s > best` never does.
            if s > scores[best] || scores[best].is_nan() && !s.is_nan() {
                best = i;
            }
        }
        Self(best as u32)
    }
}

impl<const N: usize> fmt::Display for Class<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_checks_range() {
        assert!(Class::<1>::new(0).is_some());
        assert!(Class::<1>::new(1).is_none());
        assert!(Class::<10>::new(usize::MAX).is_none());
    }

    #[test]
    fn argmax_prefers_first_of_ties_and_skips_nan() {
        assert_eq!(Class::argmax(&[1.0_f32, 3.0, 3.0]).index(), 1);
        assert_eq!(Class::argmax(&[f32::NAN, 0.5, 0.2]).index(), 1);
        assert_eq!(Class::argmax(&[0.1, f64::NAN, 0.2]).index(), 2);
        assert_eq!(Class::argmax(&[f32::NAN; 3]).index(), 0);
        assert_eq!(Class::argmax(&[f32::NEG_INFINITY, -1e30]).index(), 1);
    }
}
