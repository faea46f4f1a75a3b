//! Values built directly on the heap from zeroed memory.

use crate::activation::{Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
use crate::{Dense, Scalar};

/// Types for which memory of all zero bytes is a valid value: what lets
/// [`Params::boxed_zeros`](crate::Params::boxed_zeros) build a network of any
/// size on the heap without passing it through the stack.
///
/// Implemented for [`Dense`], the activations and tuples of such types.
///
/// # Safety
/// An implementor must be valid, and safe to use and drop, when every byte
/// of it is zero: only floats, integers, zero-sized types and arrays or
/// tuples of such types qualify (no references, `Box`, `NonZero*` or enums
/// without a zero discriminant).
///
/// # Examples
/// ```
/// use constnet::kernel::zeroed_box;
/// use constnet::prelude::*;
/// let layer: Box<Dense<2, 2>> = zeroed_box();
/// assert_eq!(*layer, Dense::zeros());
/// ```
pub unsafe trait Zeroable {}

// SAFETY: arrays of f32 or f64, for which all-zero bytes is +0.0.
unsafe impl<const IN: usize, const OUT: usize, T: Scalar> Zeroable for Dense<IN, OUT, T> {}
// SAFETY: zero-sized types.
unsafe impl Zeroable for Sigmoid {}
// SAFETY: zero-sized type.
unsafe impl Zeroable for Relu {}
// SAFETY: zero-sized type.
unsafe impl Zeroable for Tanh {}
// SAFETY: zero-sized type.
unsafe impl Zeroable for Identity {}
// SAFETY: zero-sized type.
unsafe impl Zeroable for Softmax {}
// SAFETY: a single f64 slope (all-zero bytes: slope 0, a valid ReLU);
// `boxed_zeros` then resets it to the default.
unsafe impl Zeroable for LeakyRelu {}

macro_rules! zeroable_tuple {
    ($($t:ident),+) => {
        // SAFETY: a tuple is valid when each field is; padding bytes are
        // never read.
        unsafe impl<$($t: Zeroable),+> Zeroable for ($($t,)+) {}
    };
}
zeroable_tuple!(A);
zeroable_tuple!(A, B);
zeroable_tuple!(A, B, C);
zeroable_tuple!(A, B, C, D);
zeroable_tuple!(A, B, C, D, E);
zeroable_tuple!(A, B, C, D, E, F);
zeroable_tuple!(A, B, C, D, E, F, G);
zeroable_tuple!(A, B, C, D, E, F, G, H);
zeroable_tuple!(A, B, C, D, E, F, G, H, I);
zeroable_tuple!(A, B, C, D, E, F, G, H, I, J);
zeroable_tuple!(A, B, C, D, E, F, G, H, I, J, K);
zeroable_tuple!(A, B, C, D, E, F, G, H, I, J, K, L);

/// A `Box<P>` whose memory is all zero bytes, allocated directly on the heap
/// (never on the stack, whatever the size of `P`).
///
/// ```
/// use constnet::kernel::zeroed_box;
/// let values: Box<(constnet::Dense<4, 3>, constnet::Relu)> = zeroed_box();
/// assert_eq!(values.0.bias, [0.0; 3]);
/// ```
///
/// Needs the `alloc` feature (on by default).
#[cfg(feature = "alloc")]
#[must_use]
pub fn zeroed_box<P: Zeroable>() -> alloc::boxed::Box<P> {
    let uninit = alloc::boxed::Box::<P>::new_zeroed();
    // SAFETY: `P: Zeroable` promises all-zero bytes are a valid `P`.
    unsafe { uninit.assume_init() }
}
