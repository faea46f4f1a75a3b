//! Writing your own layers: a learned per-element gain `Scale<N>` and a
//! skip connection `Residual<L>`, used in a network trained on MNIST with
//! `fit`, checked against finite differences, and saved and reloaded
//! through safetensors and raw bytes.
//!
//! ```text
//! cargo run --release --example custom_layer
//! ```

use std::error::Error;
use std::path::PathBuf;

use constnet::data::Mnist;
use constnet::gradcheck::{check_block, check_layer};
use constnet::io;
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use constnet::train::FitConfig;
use constnet::{Role, Walker};

/// `y = g ⊙ x`: one learned gain per element, starting at 1.
#[derive(Clone, Debug, PartialEq)]
struct Scale<const N: usize, T = f32> {
    gain: [T; N],
}

impl<const N: usize, T: Scalar> Params<T> for Scale<N, T> {
    const NUM_PARAMS: usize = N;

    fn zeros() -> Self {
        Self {
            gain: [T::zero(); N],
        }
    }

    /// One tensor, `gain` of shape `[N]`, initialised to ones.
    fn walk(w: &mut impl Walker<Self, T>) {
        w.tensor("gain", &[N], Role::Ones, |s| &s.gain, |s| &mut s.gain);
    }
}

impl<const N: usize, T: Scalar> Layer<[T; N]> for Scale<N, T> {
    type Output = [T; N];
    /// Nothing: `∂L/∂g = Σ dy ⊙ x` needs only the inputs.
    type Cache<const B: usize> = ();

    fn forward(&self, x: &[T; N]) -> [T; N] {
        core::array::from_fn(|i| self.gain[i] * x[i])
    }

    fn forward_train<const B: usize>(&self, x: &[[T; N]; B]) -> ([[T; N]; B], ()) {
        (x.each_ref().map(|x| self.forward(x)), ())
    }

    fn backward<const B: usize>(
        &self,
        x: &[[T; N]; B],
        (): &(),
        dy: &[[T; N]; B],
        grads: &mut Self,
        mode: GradMode,
        dx: Option<&mut [[T; N]; B]>,
    ) -> bool {
        // ∂L/∂gᵢ = Σₖ dyₖᵢ·xₖᵢ, summed over the block.
        let mut gain = [T::zero(); N];
        for (x, dy) in x.iter().zip(dy) {
            for i in 0..N {
                gain[i] = gain[i] + dy[i] * x[i];
            }
        }
        mode.apply(&mut grads.gain, &gain);
        // ∂L/∂xᵢ = dyᵢ·gᵢ.
        if let Some(dx) = dx {
            for (dx, dy) in dx.iter_mut().zip(dy) {
                *dx = core::array::from_fn(|i| dy[i] * self.gain[i]);
            }
        }
        grads.is_finite()
    }
}

/// `y = x + f(x)` for any layer (or network) `f` from `[T; N]` to `[T; N]`.
#[derive(Clone, Debug, PartialEq)]
struct Residual<L> {
    inner: L,
}

impl<L: Params<T>, T: Scalar> Params<T> for Residual<L> {
    const NUM_PARAMS: usize = L::NUM_PARAMS;

    fn zeros() -> Self {
        Self { inner: L::zeros() }
    }

    /// The inner layer's tensors, under index 0 (`"0.weight"`, …).
    fn walk(w: &mut impl Walker<Self, T>) {
        w.layer(0, |r| &r.inner, |r| &mut r.inner);
    }
}

impl<L, T: Scalar, const N: usize> Layer<[T; N]> for Residual<L>
where
    L: Layer<[T; N], Output = [T; N]>,
{
    type Output = [T; N];
    type Cache<const B: usize> = L::Cache<B>;

    fn forward(&self, x: &[T; N]) -> [T; N] {
        let f = self.inner.forward(x);
        core::array::from_fn(|i| x[i] + f[i])
    }

    fn forward_train<const B: usize>(&self, x: &[[T; N]; B]) -> ([[T; N]; B], L::Cache<B>) {
        let (mut y, cache) = self.inner.forward_train(x);
        for (y, x) in y.iter_mut().zip(x) {
            for (y, x) in y.iter_mut().zip(x) {
                *y = *y + *x;
            }
        }
        (y, cache)
    }

    /// The inner layer's backward pass; the skip adds `dy` to `∂L/∂x`.
    fn backward<const B: usize>(
        &self,
        x: &[[T; N]; B],
        cache: &L::Cache<B>,
        dy: &[[T; N]; B],
        grads: &mut Self,
        mode: GradMode,
        dx: Option<&mut [[T; N]; B]>,
    ) -> bool {
        match dx {
            None => self
                .inner
                .backward(x, cache, dy, &mut grads.inner, mode, None),
            Some(dx) => {
                let finite =
                    self.inner
                        .backward(x, cache, dy, &mut grads.inner, mode, Some(&mut *dx));
                for (dx, dy) in dx.iter_mut().zip(dy) {
                    for (d, &g) in dx.iter_mut().zip(dy) {
                        *d = *d + g;
                    }
                }
                finite
            }
        }
    }
}

/// A small MNIST classifier built from both.
type Net = (
    Dense<784, 32>,
    Relu,
    Residual<(Dense<32, 32>, Relu)>,
    Scale<32>,
    Dense<32, 10>,
);

/// `data/mnist` when run from the repository root, else the copy next to
/// this crate's manifest.
fn data_dir() -> PathBuf {
    let relative = PathBuf::from("data/mnist");
    if relative.is_dir() {
        relative
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    // 1. Gradients against finite differences, in f64.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut scale = Scale::<5, f64>::random(Init::StandardNormal, &mut rng);
    scale.gain = [0.5, -1.5, 2.0, 0.1, 1.0];
    let residual = Residual::<(Dense<5, 5, f64>, Tanh)>::random(Init::StandardNormal, &mut rng);
    let x = [0.3, -0.7, 0.2, 0.9, -0.1];
    let xs = [x, [1.0, 0.5, -0.5, 0.0, 0.25], [-0.3, 0.3, 0.8, -0.9, 0.6]];
    let reports = [
        ("Scale", check_layer(&scale, &x, 1)),
        ("Residual", check_layer(&residual, &x, 2)),
        ("Scale, a block of 3", check_block(&scale, &xs, 3)),
        ("Residual, a block of 3", check_block(&residual, &xs, 4)),
        (
            "Scale then Residual",
            check_layer(&(scale.clone(), residual.clone()), &x, 5),
        ),
    ];
    for (name, report) in &reports {
        println!("gradcheck {name}: {report}");
        if report.max_error > 1e-6 {
            return Err(format!("{name}: gradient check failed: {report}").into());
        }
    }

    // 2. Training with `fit`, like any built-in layer.
    let mnist = Mnist::load(data_dir())?;
    let (train, test) = (&mnist.train, &mnist.test);
    let mut net = Net::random(Init::HeUniform, &mut ChaCha8Rng::seed_from_u64(0));
    let mut trainer = Trainer::new(SoftmaxCrossEntropy, Adam::new(1e-3));
    let history = trainer.fit(
        &mut net,
        train.inputs(),
        train.labels(),
        Some((test.inputs(), test.labels())),
        FitConfig::new(2, 32),
        &mut (),
    )?;
    for (epoch, metrics) in history.epochs.iter().enumerate() {
        println!(
            "epoch {}: training loss {:.4}, test accuracy {:.2}%",
            epoch + 1,
            metrics.loss,
            100.0 * metrics.validation.map_or(f64::NAN, |v| v.accuracy)
        );
    }

    // 3. Saved and reloaded, through safetensors and raw bytes.
    let path = std::env::temp_dir().join(format!(
        "constnet-custom-layer-{}.safetensors",
        std::process::id()
    ));
    io::save_safetensors(&net, &path)?;
    let from_file: Box<Net> = io::load_safetensors(&path)?;
    std::fs::remove_file(&path)?;
    let mut from_bytes = Net::zeros();
    io::from_le_bytes(&mut from_bytes, &io::to_le_bytes(&net))?;
    let mut keys = Vec::new();
    net.visit(|spec, _| keys.push(spec.key()));
    println!("tensors: {}", keys.join(", "));

    let identical = test.inputs().iter().all(|image| {
        let x = image.to_input();
        let y = net.forward(&x);
        from_file.forward(&x) == y && from_bytes.forward(&x) == y
    });
    println!(
        "reloaded networks (safetensors, raw bytes) give identical outputs on all {} test images: {}",
        test.len(),
        if identical { "yes" } else { "no" }
    );
    if !identical {
        return Err("a reloaded network differs from the trained one".into());
    }
    Ok(())
}
