//! The checks behind constnet's fuzz targets, and their seed inputs.
//!
//! Each public function takes one fuzzer input and panics (a finding) if the
//! library panics, returns an error of the wrong kind, breaks a documented
//! invariant, or allocates more than the input justifies. The fuzz targets in
//! `fuzz_targets/` only call these; the `replay` example runs them on files
//! without libFuzzer, and the tests below run them on the seeds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{self, Read, Write};
use std::path::Path;

use constnet::data::{DataError, Idx};
use constnet::io::{self as weights, WeightsError};
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

/// The network the weight loaders are fuzzed with.
pub type Net<T> = (Dense<4, 3, T>, Relu, Dense<3, 2, T>);

/// Allocation allowed whatever the input: buffers of fixed size (the IDX
/// reader's 8 KiB `BufReader` and up to 64 KiB of initial element buffer,
/// the inflater's state and window, JSON parser state, error messages).
pub const SLACK: usize = 512 << 10;

/// Peak heap use per byte of input (after decompression, for gzip) allowed on
/// top of [`SLACK`] when reading IDX data or raw weights: a growing `Vec`
/// holds at most twice its contents, plus the old buffer while it moves.
pub const IDX_FACTOR: usize = 4;

/// Peak heap use per byte of input allowed on top of [`SLACK`] when reading
/// safetensors: the JSON header is parsed into `serde_json` values (a 32-byte
/// `Value` for a 2-byte `0,`), twice (the offset pre-check, then the
/// safetensors crate), each in growing `Vec`s.
pub const SAFETENSORS_FACTOR: usize = 64;

// ---------------------------------------------------------------------------
// Peak heap measurement

thread_local! {
    /// Bytes this thread has allocated and not freed, through the global
    /// allocator (frees of other threads' blocks can make it undercount).
    static CURRENT: Cell<usize> = const { Cell::new(0) };
    /// The most `CURRENT` has been since the last [`peak_heap`] started.
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting this thread's live bytes and their peak.
struct Measuring;

fn grow(bytes: usize) {
    let now = CURRENT.with(|c| {
        c.set(c.get().saturating_add(bytes));
        c.get()
    });
    PEAK.with(|p| p.set(p.get().max(now)));
}

fn shrink(bytes: usize) {
    CURRENT.with(|c| c.set(c.get().saturating_sub(bytes)));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters are thread-local `Cell`s with const initialisers, which never
// allocate.
unsafe impl GlobalAlloc for Measuring {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as a move: old and new blocks both live for a moment.
        grow(new_size);
        // SAFETY: forwarded unchanged.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        shrink(if new.is_null() {
            new_size
        } else {
            layout.size()
        });
        new
    }
}

#[global_allocator]
static GLOBAL: Measuring = Measuring;

/// Runs `f` and returns its result with the peak number of heap bytes it had
/// allocated at once on this thread (beyond what was live before).
pub fn peak_heap<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = CURRENT.with(Cell::get);
    PEAK.with(|p| p.set(before));
    let result = f();
    (result, PEAK.with(Cell::get).saturating_sub(before))
}

/// Panics unless `peak` bytes are within [`SLACK`] plus `factor` per byte of
/// `justified`.
fn assert_proportional(what: &str, peak: usize, justified: usize, factor: usize) {
    let limit = SLACK.saturating_add(justified.saturating_mul(factor));
    assert!(
        peak <= limit,
        "{what}: allocated {peak} bytes at once for {justified} bytes of input (limit {limit})"
    );
}

// ---------------------------------------------------------------------------
// The checks

/// The name the IDX reader is given for fuzzer input.
const NAME: &str = "<fuzz>";

/// The most decompressed bytes [`idx`] counts to bound an input's memory.
const MAX_INFLATED: u64 = 256 << 20;

/// How many bytes gzip data decompresses to before it ends or turns corrupt.
fn inflated_len(gz: &[u8]) -> u64 {
    let mut decoder = MultiGzDecoder::new(gz).take(MAX_INFLATED);
    let mut buf = [0; 1 << 14];
    let mut total = 0;
    loop {
        match decoder.read(&mut buf) {
            Ok(0) | Err(_) => return total,
            Ok(n) => total += n as u64,
        }
    }
}

/// IDX data, plain or gzip-compressed (detected from its first bytes):
/// [`Idx::from_reader`] returns an array whose data matches its dimensions, or
/// a [`DataError`] naming the input, without allocating more than the data
/// (decompressed) justifies, whatever the header claims.
pub fn idx(data: &[u8]) {
    let justified = if data.starts_with(&[0x1f, 0x8b]) {
        // A gzip bomb justifies what it inflates to, and the gzip header's
        // own fields (name, comment, extra) count too.
        usize::try_from(inflated_len(data))
            .unwrap_or(usize::MAX)
            .saturating_add(data.len())
    } else {
        data.len()
    };
    let (result, peak) = peak_heap(|| Idx::from_reader(data, NAME));
    match result {
        Ok(idx) => {
            let len = idx
                .dims()
                .iter()
                .try_fold(1_usize, |a, &d| a.checked_mul(d));
            assert_eq!(len, Some(idx.data().len()), "{idx:?}");
            assert_eq!(idx.path(), Path::new(NAME));
        }
        Err(err) => check_data_error(&err),
    }
    assert_proportional("Idx::from_reader", peak, justified, IDX_FACTOR);
}

fn check_data_error(err: &DataError) {
    assert_eq!(err.path(), Some(Path::new(NAME)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(NAME) && !message.contains('\n'),
        "{message}"
    );
}

/// `data` gzip-compressed, then as [`idx`]: valid gzip around arbitrary IDX
/// data, which random mutation of compressed bytes seldom reaches.
pub fn idx_gzip(data: &[u8]) {
    idx(&gzip(data));
}

/// `bytes` gzip-compressed, fast.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    // Writing to a `Vec` cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// A safetensors file loaded into [`Net<f32>`] and [`Net<f64>`]: success,
/// after which saving and loading again gives the same parameters, or a
/// [`WeightsError::Format`], [`WeightsError::Mismatch`] or
/// [`WeightsError::NonFinite`] that leaves the network untouched (and, for
/// `NonFinite`, a file that `from_safetensors_bytes_allow_non_finite` loads);
/// memory proportional to the input.
pub fn safetensors(data: &[u8]) {
    safetensors_into::<f32>(data);
    safetensors_into::<f64>(data);
}

fn safetensors_into<T: Scalar>(data: &[u8]) {
    let mut net = Net::<T>::zeros();
    let (result, peak) = peak_heap(|| weights::from_safetensors_bytes(&mut net, data));
    assert_proportional(
        "from_safetensors_bytes",
        peak,
        data.len(),
        SAFETENSORS_FACTOR,
    );
    match result {
        Ok(()) => {
            let saved = weights::to_safetensors_bytes(&net);
            let saved = saved.unwrap_or_else(|e| panic!("saving a loaded network: {e}"));
            let mut again = Net::<T>::zeros();
            if let Err(e) = weights::from_safetensors_bytes(&mut again, &saved) {
                panic!("loading a saved network: {e}");
            }
            assert_eq!(weights::to_le_bytes(&again), weights::to_le_bytes(&net));
        }
        Err(err) => {
            assert!(
                matches!(
                    err,
                    WeightsError::Format { path: None, .. }
                        | WeightsError::Mismatch { path: None, .. }
                        | WeightsError::NonFinite { path: None, .. }
                ),
                "{err:?}"
            );
            assert!(!err.to_string().contains('\n'), "{err}");
            assert_eq!(net, Net::<T>::zeros(), "changed by a failed load");
            if matches!(err, WeightsError::NonFinite { .. }) {
                let allowed = weights::from_safetensors_bytes_allow_non_finite(&mut net, data);
                assert!(allowed.is_ok(), "only non-finite, yet {allowed:?}");
            }
        }
    }
}

/// Raw little-endian weights loaded into [`Net<f32>`] and [`Net<f64>`]: of
/// the right length they load and save back to the same bytes, unless a
/// value is NaN or infinite: a [`WeightsError::NonFinite`] that leaves the
/// network untouched, and `from_le_bytes_allow_non_finite` loads them; of
/// any other length they are a [`WeightsError::Length`] that leaves the
/// network untouched.
pub fn le_bytes(data: &[u8]) {
    le_bytes_into::<f32>(data);
    le_bytes_into::<f64>(data);
}

fn le_bytes_into<T: Scalar>(data: &[u8]) {
    let mut net = Net::<T>::zeros();
    let expected = Net::<T>::NUM_PARAMS * size_of::<T>();
    let (result, peak) = peak_heap(|| weights::from_le_bytes(&mut net, data));
    assert_proportional("from_le_bytes", peak, data.len(), IDX_FACTOR);
    match result {
        Ok(()) => {
            assert_eq!(data.len(), expected);
            assert_eq!(weights::to_le_bytes(&net), data);
        }
        Err(WeightsError::Length {
            path: None,
            expected: e,
            found,
        }) => {
            assert_eq!((e, found), (expected, data.len()));
            assert_ne!(found, expected);
            assert_eq!(net, Net::<T>::zeros(), "changed by a failed load");
        }
        Err(WeightsError::NonFinite { path: None, .. }) => {
            assert_eq!(data.len(), expected);
            assert_eq!(net, Net::<T>::zeros(), "changed by a failed load");
            let allowed = weights::from_le_bytes_allow_non_finite(&mut net, data);
            assert!(allowed.is_ok(), "{allowed:?}");
            assert_eq!(weights::to_le_bytes(&net), data);
        }
        Err(err) => panic!("unexpected error {err:?}"),
    }
}

// ---------------------------------------------------------------------------
// Training steps

/// Reads `f32`s (four little-endian bytes each) from the input, then zeros.
struct Floats<'a>(&'a [u8]);

impl Floats<'_> {
    fn next(&mut self) -> f32 {
        match self.0.split_first_chunk::<4>() {
            Some((bytes, rest)) => {
                self.0 = rest;
                f32::from_le_bytes(*bytes)
            }
            None => 0.0,
        }
    }

    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
}

/// The network of the `train_step` target.
pub type StepNet = (Dense<3, 4>, Tanh, Dense<4, 2>, Sigmoid);

/// Up to three training steps of [`StepNet`] chosen by the input: its
/// first byte picks the optimizer (SGD, SGD with momentum or weight decay,
/// RMSprop, Adam, AdamW) and the batch size (1 to 8), then come the
/// learning rate, the parameters (non-finite ones replaced by 0) and the
/// samples and targets, all as raw `f32` bits — NaN, infinities and values
/// near the largest float included. Each step must return `Ok` and leave
/// every parameter and optimizer state value finite, or return an error and
/// leave the network and the state exactly as they were.
pub fn train_step(data: &[u8]) {
    use constnet::optim::{Momentum, RmsProp};
    let mut floats = Floats(data);
    let choice = floats.byte();
    let batch = usize::from(choice >> 5) + 1;
    let rate = floats.next();
    match choice % 6 {
        0 => steps(Sgd::new(rate), batch, floats),
        1 => steps(
            Sgd::new(rate).with_momentum(0.9, Momentum::Nesterov),
            batch,
            floats,
        ),
        2 => steps(Sgd::new(rate).with_weight_decay(0.5), batch, floats),
        3 => steps(RmsProp::new(rate).with_momentum(0.5), batch, floats),
        4 => steps(Adam::new(rate), batch, floats),
        _ => steps(
            Adam::new(rate).with_decoupled_weight_decay(0.1),
            batch,
            floats,
        ),
    }
}

fn steps<O: Optimizer<f32>>(mut optimizer: O, batch: usize, mut floats: Floats<'_>) {
    let mut net = StepNet::zeros();
    net.visit_mut(|_, values| {
        for v in values {
            let f = floats.next();
            *v = if f.is_finite() { f } else { 0.0 };
        }
    });
    let inputs: Vec<[f32; 3]> = (0..batch)
        .map(|_| [floats.next(), floats.next(), floats.next()])
        .collect();
    let targets: Vec<[f32; 2]> = (0..batch).map(|_| [floats.next(), floats.next()]).collect();
    let mut state: Vec<StepNet> = (0..optimizer.slots()).map(|_| StepNet::zeros()).collect();
    let mut grads = StepNet::zeros();
    for _ in 0..3 {
        let (net_before, state_before) = (net.clone(), state.clone());
        let result = constnet::train::step(
            &mut net,
            &Quadratic,
            &mut optimizer,
            &mut state,
            &mut grads,
            inputs.iter().zip(&targets),
        );
        match result {
            Ok(cost) => {
                assert!(cost.is_finite(), "Ok with a cost of {cost}");
                assert!(
                    net.is_finite(),
                    "Ok leaves a parameter that is not finite: {net:?}"
                );
                assert!(
                    state.iter().all(Params::is_finite),
                    "Ok leaves state that is not finite"
                );
            }
            Err(err) => {
                assert!(bits_equal(&net, &net_before), "{err} changed the network");
                assert!(
                    state
                        .iter()
                        .zip(&state_before)
                        .all(|(a, b)| bits_equal(a, b)),
                    "{err} changed the optimizer's state"
                );
                return;
            }
        }
    }
}

/// Whether two values have the same parameter bits.
fn bits_equal<P: Params<f32>>(a: &P, b: &P) -> bool {
    let bits = |p: &P| {
        let mut out = Vec::new();
        p.visit(|_, v| out.extend(v.iter().map(|x| x.to_bits())));
        out
    };
    bits(a) == bits(b)
}

// ---------------------------------------------------------------------------
// Seeds

/// The IDX encoding of an unsigned-byte array with dimensions `dims`.
pub fn idx_bytes(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0x08, u8::try_from(dims.len()).unwrap_or(u8::MAX)];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

/// Small IDX files: valid arrays of one to three dimensions (an MNIST-shaped
/// image and labels among them, made up here), an empty one, and headers
/// that lie about their size.
fn plain_idx_seeds() -> Vec<Vec<u8>> {
    let image: Vec<u8> = (0..28 * 28).map(|i| (i * 7 % 256) as u8).collect();
    vec![
        idx_bytes(&[3], &[7, 2, 1]),
        idx_bytes(&[2, 3], &[1, 2, 3, 4, 5, 6]),
        idx_bytes(&[1, 28, 28], &image),
        idx_bytes(&[0], &[]),
        idx_bytes(&[u32::MAX, 0, 5], &[]),
        // 2^31 items announced, 4 present.
        idx_bytes(&[1 << 31], &[1, 2, 3, 4]),
        idx_bytes(&[u32::MAX, u32::MAX, u32::MAX], &[9; 8]),
    ]
}

/// Seed inputs for each fuzz target, by target name.
pub fn seeds() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let plain = plain_idx_seeds();
    let mut idx = plain.clone();
    idx.extend(plain.iter().take(3).map(|bytes| gzip(bytes)));

    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let f32_net = Net::<f32>::random(Init::StandardNormal, &mut rng);
    let f64_net = Net::<f64>::random(Init::StandardNormal, &mut rng);
    // A diverged network: a NaN and an infinity, which loading refuses.
    let mut diverged = f32_net.clone();
    diverged.0.weight[1][2] = f32::NAN;
    diverged.2.bias[1] = f32::NEG_INFINITY;
    let safetensors = [
        weights::to_safetensors_bytes(&f32_net),
        weights::to_safetensors_bytes(&f64_net),
        weights::to_safetensors_bytes(&Dense::<4, 3>::zeros()),
        weights::to_safetensors_bytes_allow_non_finite(&diverged),
    ]
    .into_iter()
    .filter_map(Result::ok)
    .collect();
    let le_bytes = vec![
        weights::to_le_bytes(&f32_net),
        weights::to_le_bytes(&f64_net),
        weights::to_le_bytes(&diverged),
    ];
    // One input per optimizer and a few batch sizes: an ordinary learning
    // rate and small values, then a huge rate, then NaN inputs.
    let mut train_step = Vec::new();
    for (choice, rate) in [
        (0_u8, 0.5_f32),
        (33, 0.1),
        (66, 1e30),
        (99, 1e-3),
        (132, 3e38),
        (197, 0.01),
    ] {
        let mut bytes = vec![choice];
        bytes.extend_from_slice(&rate.to_le_bytes());
        for i in 0..(StepNet::NUM_PARAMS + 40) {
            let v = if choice == 197 && i == StepNet::NUM_PARAMS {
                f32::NAN
            } else {
                (i as f32 * 0.37).sin()
            };
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        train_step.push(bytes);
    }
    vec![
        ("idx", idx),
        ("idx_gzip", plain),
        ("train_step", train_step),
        ("safetensors", safetensors),
        ("le_bytes", le_bytes),
    ]
}

/// The check of the fuzz target `name`.
pub fn check(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "idx" => idx,
        "idx_gzip" => idx_gzip,
        "safetensors" => safetensors,
        "le_bytes" => le_bytes,
        "train_step" => train_step,
        _ => return None,
    })
}

/// Writes each target's seeds to `dir/<target>/seed-<n>`.
pub fn write_seeds(dir: &Path) -> io::Result<usize> {
    let mut written = 0;
    for (target, inputs) in seeds() {
        let target_dir = dir.join(target);
        std::fs::create_dir_all(&target_dir)?;
        for (i, input) in inputs.iter().enumerate() {
            std::fs::write(target_dir.join(format!("seed-{i}")), input)?;
            written += 1;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_pass_their_checks_and_so_do_their_truncations() {
        for (target, inputs) in seeds() {
            let check = check(target).expect("every seeded target has a check");
            assert!(!inputs.is_empty(), "{target}");
            for input in &inputs {
                for cut in [0, 1, 4, 8, input.len() / 2, input.len().saturating_sub(1)] {
                    check(input.get(..cut).unwrap_or(input));
                }
                check(input);
            }
        }
    }

    #[test]
    fn a_lying_header_costs_no_more_than_slack() {
        let bytes = idx_bytes(&[1 << 31], &[1, 2, 3, 4]);
        let (result, peak) = peak_heap(|| Idx::from_reader(&bytes[..], NAME));
        assert!(matches!(result, Err(DataError::Truncated { .. })));
        assert!(peak <= SLACK, "{peak}");
        assert!(peak > 0, "the allocator measures");
    }

    #[test]
    #[should_panic(expected = "allocated")]
    fn the_allocation_check_fires() {
        let (_, peak) = peak_heap(|| vec![0_u8; 2 * SLACK]);
        assert_proportional("a big vector", peak, 0, IDX_FACTOR);
    }
}
