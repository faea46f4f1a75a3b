//! constnet in a `#![no_std]` crate without `alloc`, as on a microcontroller:
//! a small network built at compile time (or from a seeded RNG), inference,
//! and one step of stochastic gradient descent, all on the stack.
//!
//! The crate depends on constnet with `default-features = false` and has no
//! `extern crate alloc`, so nothing here or in constnet's core can reach a
//! heap.
//!
//! ```
//! use constnet_no_std_example::{FIXED, SAMPLE, TARGET, sgd_step};
//! let mut net = FIXED;
//! let (before, after) = sgd_step(&mut net, &SAMPLE, &TARGET, 0.5)?;
//! assert!(after < before);
//! # Ok::<(), constnet::TrainError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use constnet::prelude::*;
use constnet::rand::SeedableRng;
use constnet::rand::rngs::ChaCha8Rng;
use constnet::{TrainError, train};

/// The network: 4 inputs, 8 hidden ReLU units, 3 sigmoid outputs.
pub type Net = (Dense<4, 8>, Relu, Dense<8, 3>, Sigmoid);

/// A fixed network, built at compile time: no RNG, no heap, no start-up
/// work. (A trained one would come from `constnet::io::LeReader` over
/// `include_bytes!`.)
pub const FIXED: Net = (
    Dense {
        weight: pattern(3),
        bias: [0.1; 8],
    },
    Relu,
    Dense {
        weight: pattern(5),
        bias: [-0.2, 0.0, 0.2],
    },
    Sigmoid,
);

/// An input of the demo.
pub const SAMPLE: [f32; 4] = [0.5, -1.0, 0.25, 2.0];

/// The target of [`SAMPLE`].
pub const TARGET: [f32; 3] = [1.0, 0.0, 1.0];

/// Deterministic weights in [−0.5, 0.5) for a `[[f32; IN]; OUT]` matrix: a
/// multiplicative pattern modulo 13, shifted by `seed`.
const fn pattern<const IN: usize, const OUT: usize>(seed: usize) -> [[f32; IN]; OUT] {
    let mut w = [[0.0; IN]; OUT];
    let mut o = 0;
    while o < OUT {
        let mut i = 0;
        while i < IN {
            w[o][i] = ((o * IN + i) * 7 + seed) as f32 % 13.0 / 13.0 - 0.5;
            i += 1;
        }
        o += 1;
    }
    w
}

/// The same architecture, initialised from a seeded ChaCha RNG (He normal
/// weights, zero biases): the same seed gives the same network on every
/// target.
#[must_use]
pub fn seeded(seed: u64) -> Net {
    Net::random(Init::HeNormal, &mut ChaCha8Rng::seed_from_u64(seed))
}

/// Inference: the network's three outputs for `x`.
#[must_use]
pub fn infer(net: &Net, x: &[f32; 4]) -> [f32; 3] {
    net.forward(x)
}

/// One step of plain SGD with learning rate `learning_rate` on one sample
/// under the quadratic loss `½‖ŷ − y‖²`. Returns the loss before and after
/// the step. The gradient buffer lives on the stack (67 floats).
///
/// # Errors
/// [`TrainError`] if the loss or a gradient is not finite (`net` is then
/// unchanged).
pub fn sgd_step(
    net: &mut Net,
    x: &[f32; 4],
    target: &[f32; 3],
    learning_rate: f32,
) -> Result<(f32, f32), TrainError> {
    let mut grads = Net::zeros();
    let mut sgd = Sgd::new(learning_rate);
    let before = train::step(
        net,
        &Quadratic,
        &mut sgd,
        &mut [],
        &mut grads,
        [(x, target)],
    )?;
    let after = Quadratic.loss(&net.forward(x), target);
    Ok((before, after))
}
