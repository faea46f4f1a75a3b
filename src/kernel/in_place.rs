//! Arrays built element by element where they live: a block of samples
//! copied out of a data set is written once, into its final place, instead
//! of being zeroed first or assembled elsewhere and moved (a `[T; K]`
//! returned by value is copied whole when the compiler does not elide the
//! move, which for blocks of tens of kilobytes it often does not).

use core::mem::MaybeUninit;
use core::ops::Deref;

/// `K` slots, each holding either nothing yet or a `T`: what
/// [`fill`] builds an array in. Making one costs nothing.
pub(crate) fn slots<T, const K: usize>() -> [MaybeUninit<T>; K] {
    [const { MaybeUninit::uninit() }; K]
}

/// An array of `K` values of `T` that [`fill`] built in borrowed slots:
/// reads as `[T; K]` and drops the values when it goes.
pub(crate) struct Filled<'a, T, const K: usize> {
    /// Every slot holds a value (the invariant [`fill`] establishes).
    slots: &'a mut [MaybeUninit<T>; K],
}

/// Builds `[first(0), first(1), …]` in `slots`, each value written straight
/// into its slot, then calls `then(k, &mut value)` on it (e.g. to convert a
/// sample into the zeros `first` wrote). Should `first` or `then` panic,
/// the values already written are leaked, never read or dropped twice.
#[inline(always)]
pub(crate) fn fill<'a, T, const K: usize>(
    slots: &'a mut [MaybeUninit<T>; K],
    mut first: impl FnMut(usize) -> T,
    mut then: impl FnMut(usize, &mut T),
) -> Filled<'a, T, K> {
    for (k, slot) in slots.iter_mut().enumerate() {
        then(k, slot.write(first(k)));
    }
    Filled { slots }
}

impl<T, const K: usize> Deref for Filled<'_, T, K> {
    type Target = [T; K];

    #[inline(always)]
    fn deref(&self) -> &[T; K] {
        // SAFETY: every slot holds a value (see `fill`), and
        // `MaybeUninit<T>` has the size, alignment and layout of `T`, so
        // `[MaybeUninit<T>; K]` has those of `[T; K]`.
        unsafe { &*core::ptr::from_ref(self.slots).cast::<[T; K]>() }
    }
}

impl<T, const K: usize> core::ops::DerefMut for Filled<'_, T, K> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [T; K] {
        // SAFETY: as for `deref`, and the slots are borrowed mutably by
        // this `Filled` alone.
        unsafe { &mut *core::ptr::from_mut(self.slots).cast::<[T; K]>() }
    }
}

impl<T, const K: usize> Drop for Filled<'_, T, K> {
    fn drop(&mut self) {
        for slot in self.slots.iter_mut() {
            // SAFETY: every slot holds a value, dropped exactly once: the
            // slots are borrowed by this `Filled` alone, which is dropping.
            unsafe { slot.assume_init_drop() };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_every_element_in_place_in_order() {
        let mut s = slots::<[f32; 3], 4>();
        let base = s.as_ptr() as usize;
        let mut order = [0; 4];
        let mut n = 0;
        let filled = fill(
            &mut s,
            |k| [k as f32; 3],
            |k, v| {
                order[n] = k;
                n += 1;
                v[2] = -1.0;
            },
        );
        assert_eq!(&*filled as *const [[f32; 3]; 4] as usize, base);
        assert_eq!(
            *filled,
            [
                [0.0, 0.0, -1.0],
                [1.0, 1.0, -1.0],
                [2.0, 2.0, -1.0],
                [3.0, 3.0, -1.0]
            ]
        );
        assert_eq!(order, [0, 1, 2, 3]);
    }

    #[test]
    fn drops_each_value_once() {
        use std::rc::Rc;
        let shared = Rc::new(());
        {
            let mut s = slots::<Rc<()>, 3>();
            let filled = fill(&mut s, |_| Rc::clone(&shared), |_, _| {});
            assert_eq!(Rc::strong_count(&shared), 4);
            drop(filled);
        }
        assert_eq!(Rc::strong_count(&shared), 1);
    }
}
