//! Facts checked by the compiler: parameter counts, sizes, auto traits.

use constnet::prelude::*;
use static_assertions::{assert_eq_size, assert_impl_all, const_assert_eq};

type Lecture = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);

// The lecture's network: (784·30 + 30) + (30·10 + 10).
const_assert_eq!(<Lecture as Params<f32>>::NUM_PARAMS, 23_860);
const_assert_eq!(<Dense<784, 100> as Params<f32>>::NUM_PARAMS, 78_500);
const_assert_eq!(<Sigmoid as Params<f64>>::NUM_PARAMS, 0);
const_assert_eq!(
    <((Dense<2, 3, f64>, Tanh), (Dense<3, 1, f64>,)) as Params<f64>>::NUM_PARAMS,
    13
);

// Activations are zero-sized; layers and networks are exactly their parameters.
assert_eq_size!(Sigmoid, ());
assert_eq_size!(Relu, ());
assert_eq_size!(Tanh, ());
assert_eq_size!(Dense<784, 30>, [f32; 23_550]);
assert_eq_size!(Lecture, [f32; 23_860]);
assert_eq_size!(Dense<3, 2, f64>, [f64; 8]);

assert_impl_all!(Dense<784, 30>: Send, Sync, Clone);
assert_impl_all!(Dense<3, 2, f64>: Send, Sync, Clone);
assert_impl_all!(Sigmoid: Send, Sync, Clone, Copy);
assert_impl_all!(Relu: Send, Sync, Clone, Copy);
assert_impl_all!(Tanh: Send, Sync, Clone, Copy);
assert_impl_all!(Lecture: Send, Sync, Clone, Layer<[f32; 784]>);
assert_impl_all!(Class<10>: Send, Sync, Copy);

#[test]
fn parameter_count_is_also_usable_at_run_time() {
    assert_eq!(Lecture::NUM_PARAMS, 23_860);
    let mut count = 0;
    Lecture::zeros().visit(|_, p: &[f32]| count += p.len());
    assert_eq!(count, Lecture::NUM_PARAMS);
}

#[test]
fn f32_and_f64_networks_agree() {
    use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
    let n32 = <(Dense<8, 5>, Tanh, Dense<5, 3>, Sigmoid)>::random(
        Init::StandardNormal,
        &mut ChaCha8Rng::seed_from_u64(9),
    );
    let n64 = <(Dense<8, 5, f64>, Tanh, Dense<5, 3, f64>, Sigmoid)>::random(
        Init::StandardNormal,
        &mut ChaCha8Rng::seed_from_u64(9),
    );
    let x: [f64; 8] = core::array::from_fn(|i| i as f64 / 8.0 - 0.4);
    let y32 = n32.forward(&x.map(|v| v as f32));
    let y64 = n64.forward(&x);
    for (a, b) in y32.iter().zip(&y64) {
        assert!((f64::from(*a) - b).abs() < 1e-5, "{a} vs {b}");
    }
}
