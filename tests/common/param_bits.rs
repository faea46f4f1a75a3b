//! The bits of every parameter of an `f32` network, in visiting order: for
//! tests that compare two networks to the bit. Include it with
//! `#[path = "common/param_bits.rs"] mod param_bits;`.

use constnet::Params;

/// The bits of every parameter of `net`, in the order [`Params::visit`]
/// gives them.
pub fn param_bits<N: Params<f32>>(net: &N) -> Vec<u32> {
    let mut out = Vec::new();
    net.visit(|_, p: &[f32]| out.extend(p.iter().map(|v| v.to_bits())));
    out
}
