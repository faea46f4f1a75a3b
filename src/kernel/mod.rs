//! Numeric kernels: the inner loops every layer is built from.
//!
//! All hot loops of constnet go through this module, so this is the one place
//! where speed is tuned. The kernels here are portable Rust written so the
//! compiler vectorises them: independent accumulators instead of one
//! dependent chain of additions (which the compiler may not reorder), and
//! fixed-size chunks without bounds checks in the loop body.

mod portable;

pub(crate) use portable::{axpy, dot};
