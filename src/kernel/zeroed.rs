//! Values built where they live: on the heap without passing through the
//! stack, and tuples element by element in their own place.

use core::mem::MaybeUninit;

/// Writes all-zero bytes into `slot` and returns it as a value: safe for
/// every [`bytemuck::Zeroable`] type, for which all-zero bytes are a valid
/// value. What [`Params::zeros_in`](crate::Params::zeros_in) of a large
/// layer does, so that no copy of it is ever made on the stack.
///
/// ```
/// use core::mem::MaybeUninit;
/// let mut slot = MaybeUninit::<[f32; 4]>::uninit();
/// assert_eq!(*constnet::kernel::zeroed_in(&mut slot), [0.0; 4]);
/// ```
pub fn zeroed_in<P: bytemuck::Zeroable>(slot: &mut MaybeUninit<P>) -> &mut P {
    // SAFETY: after the write every byte of the slot is zero, which
    // `P: Zeroable` promises is a valid `P`.
    unsafe {
        slot.as_mut_ptr().write_bytes(0, 1);
        slot.assume_init_mut()
    }
}

/// A `Box<P>` whose value `init` writes straight into the heap memory, never
/// into a value on the stack first. `init` must return the value it wrote
/// into its slot (as [`MaybeUninit::write`] does), else this panics.
///
/// # Panics
/// If `init` returns a reference to anything but its slot.
#[cfg(feature = "alloc")]
pub(crate) fn boxed_in_place<P>(
    init: impl FnOnce(&mut MaybeUninit<P>) -> &mut P,
) -> alloc::boxed::Box<P> {
    let mut boxed = alloc::boxed::Box::<P>::new_uninit();
    let slot: *const P = boxed.as_ptr();
    let value: *const P = init(&mut boxed);
    assert!(
        core::ptr::eq(slot, value),
        "Params::zeros_in returned a value other than its slot"
    );
    // SAFETY: a safe `init` can only return a reference to a `P` at the
    // slot's address after writing a valid `P` there (`MaybeUninit::write`,
    // `zeroed_in` or `tuple_in_place`), and the address was just checked.
    unsafe { boxed.assume_init() }
}

/// A boxed slice of `len` values, each written by `init` straight into its
/// place on the heap, as [`boxed_in_place`] does for one value.
///
/// # Panics
/// If `init` returns a reference to anything but its slot.
#[cfg(feature = "alloc")]
pub(crate) fn boxed_slice_in_place<P>(
    len: usize,
    init: impl Fn(&mut MaybeUninit<P>) -> &mut P,
) -> alloc::boxed::Box<[P]> {
    let mut boxed = alloc::boxed::Box::<[P]>::new_uninit_slice(len);
    for slot in boxed.iter_mut() {
        let at: *const P = slot.as_ptr();
        let value: *const P = init(slot);
        assert!(
            core::ptr::eq(at, value),
            "Params::zeros_in returned a value other than its slot"
        );
    }
    // SAFETY: every element was written in its place (checked above).
    unsafe { boxed.assume_init() }
}

/// Builds a tuple in `slot` element by element: each element's slot is
/// handed to the matching closure, which must return the value it wrote
/// there.
pub(crate) trait TupleInPlace<Fs> {
    /// Runs the closures on the element slots; returns the tuple.
    fn tuple_in_place(slot: &mut MaybeUninit<Self>, inits: Fs) -> &mut Self
    where
        Self: Sized;
}

macro_rules! tuple_in_place {
    ($($t:ident $f:ident $k:tt),+) => {
        impl<$($t, $f: FnOnce(&mut MaybeUninit<$t>) -> &mut $t),+> TupleInPlace<($($f,)+)>
            for ($($t,)+)
        {
            fn tuple_in_place(slot: &mut MaybeUninit<Self>, inits: ($($f,)+)) -> &mut Self {
                let base = slot.as_mut_ptr();
                $({
                    // SAFETY: `base` points to the tuple's memory, so the
                    // field's address is in bounds and aligned for `$t`, and
                    // no other reference to that field exists here.
                    let field = unsafe { &mut *(&raw mut (*base).$k).cast::<MaybeUninit<$t>>() };
                    let at: *const $t = field.as_ptr();
                    let written: *const $t = (inits.$k)(field);
                    assert!(
                        core::ptr::eq(at, written),
                        "Params::zeros_in returned a value other than its slot"
                    );
                })+
                // SAFETY: every element was written in its place (checked
                // above); a tuple has no other invariant.
                unsafe { slot.assume_init_mut() }
            }
        }
    };
}

tuple_in_place!(A FA 0);
tuple_in_place!(A FA 0, B FB 1);
tuple_in_place!(A FA 0, B FB 1, C FC 2);
tuple_in_place!(A FA 0, B FB 1, C FC 2, D FD 3);
tuple_in_place!(A FA 0, B FB 1, C FC 2, D FD 3, E FE 4);
tuple_in_place!(A FA 0, B FB 1, C FC 2, D FD 3, E FE 4, F FF 5);
tuple_in_place!(A FA 0, B FB 1, C FC 2, D FD 3, E FE 4, F FF 5, G FG 6);
tuple_in_place!(A FA 0, B FB 1, C FC 2, D FD 3, E FE 4, F FF 5, G FG 6, H FH 7);
tuple_in_place!(A FA 0, B FB 1, C FC 2, D FD 3, E FE 4, F FF 5, G FG 6, H FH 7, I FI 8);
tuple_in_place!(A FA 0, B FB 1, C FC 2, D FD 3, E FE 4, F FF 5, G FG 6, H FH 7, I FI 8, J FJ 9);
tuple_in_place!(A FA 0, B FB 1, C FC 2, D FD 3, E FE 4, F FF 5, G FG 6, H FH 7, I FI 8, J FJ 9, K FK 10);
tuple_in_place!(A FA 0, B FB 1, C FC 2, D FD 3, E FE 4, F FF 5, G FG 6, H FH 7, I FI 8, J FJ 9, K FK 10, L FL 11);

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;

    #[test]
    fn tuples_are_built_in_place() {
        let boxed = boxed_in_place::<([f32; 3], u8, [f64; 2])>(|slot| {
            <([f32; 3], u8, [f64; 2])>::tuple_in_place(
                slot,
                (
                    |s: &mut MaybeUninit<[f32; 3]>| zeroed_in(s),
                    |s: &mut MaybeUninit<u8>| s.write(7),
                    |s: &mut MaybeUninit<[f64; 2]>| s.write([1.0, 2.0]),
                ),
            )
        });
        assert_eq!(*boxed, ([0.0; 3], 7, [1.0, 2.0]));
    }

    #[test]
    #[should_panic(expected = "other than its slot")]
    fn a_value_elsewhere_is_refused() {
        let _ = boxed_in_place::<[f32; 2]>(|_| {
            alloc::boxed::Box::leak(alloc::boxed::Box::new([1.0; 2]))
        });
    }
}
