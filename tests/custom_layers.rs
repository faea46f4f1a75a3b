//! Layers written outside the crate work everywhere the built-in ones do,
//! and a wrong parameter description is caught rather than written out.

use constnet::activation::Activation;
use constnet::gradcheck::check_layer;
use constnet::io;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::{LayoutError, Role, Walker};

/// Two tensors whose description adds up to 5 values, declared as 6.
#[derive(Clone, Debug, PartialEq)]
struct Miscounted {
    a: [f64; 2],
    b: [f64; 3],
}

impl Params<f64> for Miscounted {
    const NUM_PARAMS: usize = 6;

    fn zeros() -> Self {
        Self {
            a: [0.0; 2],
            b: [0.0; 3],
        }
    }

    fn walk(w: &mut impl Walker<Self, f64>) {
        w.tensor("a", &[2], Role::Weight, |s| &s.a, |s| &mut s.a);
        w.tensor("b", &[3], Role::Bias, |s| &s.b, |s| &mut s.b);
    }
}

impl Layer<[f64; 2]> for Miscounted {
    type Output = [f64; 2];
    type Cache<const B: usize> = ();

    fn forward(&self, x: &[f64; 2]) -> [f64; 2] {
        [self.a[0] * x[0], self.a[1] * x[1]]
    }

    fn forward_train<const B: usize>(&self, x: &[[f64; 2]; B]) -> ([[f64; 2]; B], ()) {
        (x.each_ref().map(|x| self.forward(x)), ())
    }

    fn backward<const B: usize>(
        &self,
        x: &[[f64; 2]; B],
        (): &(),
        dy: &[[f64; 2]; B],
        grads: &mut Self,
        mode: GradMode,
        dx: Option<&mut [[f64; 2]; B]>,
    ) -> bool {
        let mut g = [0.0; 2];
        for (x, dy) in x.iter().zip(dy) {
            g[0] += dy[0] * x[0];
            g[1] += dy[1] * x[1];
        }
        mode.apply(&mut grads.a, &g);
        mode.apply(&mut grads.b, &[0.0; 3]);
        if let Some(dx) = dx {
            for (dx, dy) in dx.iter_mut().zip(dy) {
                *dx = [dy[0] * self.a[0], dy[1] * self.a[1]];
            }
        }
        grads.is_finite()
    }
}

/// A tensor described with another length than its slice has.
#[derive(Clone, Debug, PartialEq)]
struct Misshapen {
    a: [f32; 4],
}

impl Params<f32> for Misshapen {
    const NUM_PARAMS: usize = 6;

    fn zeros() -> Self {
        Self { a: [0.0; 4] }
    }

    fn walk(w: &mut impl Walker<Self, f32>) {
        w.tensor("a", &[2, 3], Role::Weight, |s| &s.a, |s| &mut s.a);
    }
}

#[test]
fn a_description_that_disagrees_with_num_params_is_an_error() {
    let layer = Miscounted::zeros();
    assert_eq!(
        layer.check(),
        Err(LayoutError::Count {
            num_params: 6,
            described: 5
        })
    );
    // Saving and loading refuse it with that error, before writing or
    // reading anything.
    let err = io::to_safetensors_bytes(&layer).unwrap_err();
    assert!(matches!(err, io::WeightsError::Layout(_)), "{err}");
    assert!(err.to_string().contains("NUM_PARAMS is 6"), "{err}");
    let mut target = Miscounted::zeros();
    let err = io::from_le_bytes(&mut target, &[0; 6 * 8]).unwrap_err();
    assert!(matches!(err, io::WeightsError::Layout(_)), "{err}");
    // A gradient check reports it as an infinite error naming the layout.
    let report = check_layer(&layer, &[1.0, 2.0], 0);
    assert!(report.max_error.is_infinite(), "{report}");
    assert!(report.worst.contains("layout"), "{report}");

    let err = Misshapen::zeros().check().unwrap_err();
    assert_eq!(
        err,
        LayoutError::Tensor {
            name: "a",
            shape_len: 6,
            slice_len: 4
        }
    );
}

/// `x ↦ x³`, an activation defined outside the crate; its derivative from
/// the output `y = x³` is `3·y^(2/3)`.
#[derive(Clone, Copy, Debug, Default)]
struct Cube;

impl Activation for Cube {
    fn apply<T: Scalar>(self, x: T) -> T {
        x * x * x
    }

    fn derivative<T: Scalar>(self, y: T) -> T {
        let three = T::one() + T::one() + T::one();
        three * y.abs().cbrt().powi(2)
    }
}

#[test]
fn a_user_activation_is_a_layer_that_trains() {
    type Net = (Dense<3, 4, f64>, Cube, Dense<4, 2, f64>);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let net = Net::random(Init::GlorotUniform, &mut rng);
    assert_eq!(Net::NUM_PARAMS, 3 * 4 + 4 + 4 * 2 + 2);
    let report = check_layer(&net, &[0.4, -0.3, 0.8], 1);
    assert!(report.max_error < 1e-6, "{report}");

    let mut trained = net.clone();
    let inputs = [[0.1, 0.2, 0.3], [0.5, -0.5, 0.0], [-0.2, 0.4, 0.9]];
    let targets = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]];
    let mut trainer = Trainer::new(Quadratic, Sgd::new(0.1));
    let first = trainer
        .step(&mut trained, inputs.iter().zip(&targets))
        .unwrap();
    let mut last = first;
    for _ in 0..200 {
        last = trainer
            .step(&mut trained, inputs.iter().zip(&targets))
            .unwrap();
    }
    assert!(last < first / 2.0, "{first} -> {last}");
}
