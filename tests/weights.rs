//! Saving and loading weights: safetensors round trips, PyTorch-shaped files
//! built by hand, every kind of mismatch, atomic saves, and the model embedded
//! at compile time. Malformed files (random cases) are property tests in
//! `tests/properties`.

use std::fs;
use std::path::{Path, PathBuf};

use constnet::io::{self, LeReader, TensorProblem, WeightsError};
use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};

type Nested<T> = (
    Dense<5, 4, T>,
    Relu,
    (Dense<4, 3, T>, Tanh, (Dense<3, 3, T>, Sigmoid)),
    Dense<3, 2, T>,
);
type Lecture = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);

/// Every parameter's bits, in visit order.
fn bits<N: Params<T>, T: Scalar>(net: &N) -> Vec<u64> {
    let mut out = Vec::new();
    net.visit(|_, p| out.extend(p.iter().map(|v| v.to_f64().unwrap().to_bits())));
    out
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("constnet-weights-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A tensor of a hand-made safetensors file.
struct Entry<'a> {
    name: &'a str,
    dtype: &'a str,
    shape: Vec<usize>,
    data: Vec<u8>,
}

fn f32s(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A safetensors file written by hand: `metadata` as the raw JSON value of
/// `__metadata__` (if any), tensors in the given order, header padded with
/// spaces to a multiple of 8 as the Python writer does.
fn safetensors_file(metadata: Option<&str>, entries: &[Entry<'_>]) -> Vec<u8> {
    let mut fields = Vec::new();
    if let Some(m) = metadata {
        fields.push(format!(r#""__metadata__":{m}"#));
    }
    let mut offset = 0;
    for e in entries {
        let shape: Vec<String> = e.shape.iter().map(ToString::to_string).collect();
        fields.push(format!(
            r#""{}":{{"dtype":"{}","shape":[{}],"data_offsets":[{offset},{}]}}"#,
            e.name,
            e.dtype,
            shape.join(","),
            offset + e.data.len()
        ));
        offset += e.data.len();
    }
    let mut header = format!("{{{}}}", fields.join(","));
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    for e in entries {
        bytes.extend_from_slice(&e.data);
    }
    bytes
}

/// What `safetensors.torch.save_file(model.state_dict(), path)` writes for
/// `Sequential(Linear(2, 3), Sigmoid(), Linear(3, 1), Sigmoid())` with the
/// weights below (tensors sorted by name, `{"format": "pt"}` metadata).
fn pytorch_file() -> Vec<u8> {
    safetensors_file(
        Some(r#"{"format":"pt"}"#),
        &[
            Entry {
                name: "0.bias",
                dtype: "F32",
                shape: vec![3],
                data: f32s(&[0.1, -0.2, 0.3]),
            },
            Entry {
                name: "0.weight",
                dtype: "F32",
                shape: vec![3, 2],
                data: f32s(&[0.5, -1.0, 1.5, 2.0, -0.25, 0.75]),
            },
            Entry {
                name: "2.bias",
                dtype: "F32",
                shape: vec![1],
                data: f32s(&[-0.5]),
            },
            Entry {
                name: "2.weight",
                dtype: "F32",
                shape: vec![1, 3],
                data: f32s(&[1.0, -2.0, 0.5]),
            },
        ],
    )
}

type Small = (Dense<2, 3>, Sigmoid, Dense<3, 1>, Sigmoid);

fn mismatch(result: Result<(), WeightsError>) -> Vec<TensorProblem> {
    match result {
        Err(WeightsError::Mismatch { problems, .. }) => problems,
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn round_trip_f32_nested_is_bit_identical() {
    let net = Nested::<f32>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(1));
    let bytes = io::to_safetensors_bytes(&net).unwrap();
    let mut loaded = Nested::<f32>::zeros();
    io::from_safetensors_bytes(&mut loaded, &bytes).unwrap();
    assert_eq!(bits(&loaded), bits(&net));
    // Nested tuples get dotted names.
    let header = String::from_utf8_lossy(&bytes[8..]).into_owned();
    for key in ["0.weight", "2.0.weight", "2.2.0.bias", "3.weight"] {
        assert!(header.contains(&format!("\"{key}\"")), "{key} in {header}");
    }
    // A second save of the loaded network gives the same bytes.
    assert_eq!(io::to_safetensors_bytes(&loaded).unwrap(), bytes);
}

#[test]
fn round_trip_f64_nested_through_a_file() {
    let dir = scratch("f64");
    let path = dir.join("nested.safetensors");
    let mut net = Nested::<f64>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(2));
    // Values f32 cannot hold exactly survive.
    net.0.bias[0] = 0.1;
    net.3.weight[1][2] = 1e-300;
    io::save_safetensors(&net, &path).unwrap();
    let loaded: Box<Nested<f64>> = io::load_safetensors(&path).unwrap();
    assert_eq!(bits(&*loaded), bits(&net));
    assert!(String::from_utf8_lossy(&fs::read(&path).unwrap()).contains(r#""dtype":"F64""#));
    let mut into = Nested::<f64>::zeros();
    io::load_safetensors_into(&mut into, &path).unwrap();
    assert_eq!(into, net);
    assert_eq!(entries(&dir), ["nested.safetensors"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn raw_le_bytes_round_trip_f32_and_f64() {
    let a = Nested::<f32>::random(Init::GlorotUniform, &mut ChaCha8Rng::seed_from_u64(3));
    let mut b = Nested::<f32>::zeros();
    io::from_le_bytes(&mut b, &io::to_le_bytes(&a)).unwrap();
    assert_eq!(bits(&a), bits(&b));
    let c = Nested::<f64>::random(Init::GlorotUniform, &mut ChaCha8Rng::seed_from_u64(3));
    let mut d = Nested::<f64>::zeros();
    io::from_le_bytes(&mut d, &io::to_le_bytes(&c)).unwrap();
    assert_eq!(bits(&c), bits(&d));
}

#[test]
fn pytorch_sequential_file_loads_and_gives_the_same_outputs() {
    let net: Small = {
        let mut net = Small::zeros();
        io::from_safetensors_bytes(&mut net, &pytorch_file()).unwrap();
        net
    };
    assert_eq!(net.0.weight, [[0.5, -1.0], [1.5, 2.0], [-0.25, 0.75]]);
    assert_eq!(net.2.bias, [-0.5]);
    // The forward pass of the PyTorch model, written out in f64.
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    let (w1, b1) = ([[0.5, -1.0], [1.5, 2.0], [-0.25, 0.75]], [0.1, -0.2, 0.3]);
    let (w2, b2) = ([1.0, -2.0, 0.5], -0.5);
    for x in [[0.0, 0.0], [1.0, 2.0], [-3.0, 0.5]] {
        let h: Vec<f64> = (0..3)
            .map(|o| sigmoid(b1[o] + w1[o][0] * x[0] + w1[o][1] * x[1]))
            .collect();
        let expected = sigmoid(b2 + (0..3).map(|i| w2[i] * h[i]).sum::<f64>());
        let [y] = net.forward(&[x[0] as f32, x[1] as f32]);
        assert!((f64::from(y) - expected).abs() < 1e-6, "{y} vs {expected}");
    }
}

#[test]
fn f32_files_widen_into_f64_networks_but_f64_files_do_not_narrow() {
    let mut wide = <(Dense<2, 3, f64>, Sigmoid, Dense<3, 1, f64>, Sigmoid)>::zeros();
    io::from_safetensors_bytes(&mut wide, &pytorch_file()).unwrap();
    assert_eq!(wide.0.bias, [0.1_f32, -0.2, 0.3].map(f64::from));

    let f64_file = io::to_safetensors_bytes(&wide).unwrap();
    let mut narrow = Small::zeros();
    let problems = mismatch(io::from_safetensors_bytes(&mut narrow, &f64_file));
    assert_eq!(problems.len(), 4);
    assert!(problems.iter().all(|p| matches!(
        p,
        TensorProblem::WrongDtype { expected: "F32", found, .. } if found == "F64"
    )));
    assert_eq!(narrow, Small::zeros());
}

#[test]
fn each_problem_kind() {
    let ok = |name: &'static str, shape: Vec<usize>| Entry {
        name,
        dtype: "F32",
        data: vec![0; 4 * shape.iter().product::<usize>()],
        shape,
    };
    let full = || {
        vec![
            ok("0.weight", vec![3, 2]),
            ok("0.bias", vec![3]),
            ok("2.weight", vec![1, 3]),
            ok("2.bias", vec![1]),
        ]
    };
    let load = |entries: &[Entry<'_>]| {
        let mut net = Small::zeros();
        mismatch(io::from_safetensors_bytes(
            &mut net,
            &safetensors_file(None, entries),
        ))
    };

    let mut missing = full();
    missing.remove(3);
    assert_eq!(
        load(&missing),
        [TensorProblem::Missing {
            key: "2.bias".into(),
            shape: vec![1]
        }]
    );

    let mut unexpected = full();
    unexpected.push(ok("4.weight", vec![2, 2]));
    assert_eq!(
        load(&unexpected),
        [TensorProblem::Unexpected {
            key: "4.weight".into(),
            dtype: "F32".into(),
            shape: vec![2, 2]
        }]
    );

    // Keras' [in, out] layout, not transposed.
    let mut transposed = full();
    transposed[0] = ok("0.weight", vec![2, 3]);
    assert_eq!(
        load(&transposed),
        [TensorProblem::WrongShape {
            key: "0.weight".into(),
            expected: vec![3, 2],
            found: vec![2, 3]
        }]
    );

    let mut half = full();
    half[1] = Entry {
        name: "0.bias",
        dtype: "BF16",
        shape: vec![3],
        data: vec![0; 6],
    };
    assert_eq!(
        load(&half),
        [TensorProblem::WrongDtype {
            key: "0.bias".into(),
            expected: "F32",
            found: "BF16".into()
        }]
    );
}

#[test]
fn several_problems_are_reported_at_once() {
    let entries = [
        Entry {
            name: "0.weight",
            dtype: "F16",
            shape: vec![2, 3],
            data: vec![0; 12],
        },
        Entry {
            name: "0.bias",
            dtype: "F32",
            shape: vec![3],
            data: f32s(&[1.0, 2.0, 3.0]),
        },
        Entry {
            name: "2.weight",
            dtype: "F32",
            shape: vec![1, 3],
            data: f32s(&[1.0; 3]),
        },
        Entry {
            name: "running_mean",
            dtype: "F32",
            shape: vec![],
            data: f32s(&[0.0]),
        },
        Entry {
            name: "1.weight",
            dtype: "I64",
            shape: vec![1],
            data: vec![0; 8],
        },
    ];
    let bytes = safetensors_file(Some(r#"{"format":"pt","note":"hand-made"}"#), &entries);
    let mut net = Small::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(4));
    let before = net.clone();
    let err = io::from_safetensors_bytes(&mut net, &bytes).unwrap_err();
    assert_eq!(
        err.problems(),
        [
            TensorProblem::WrongDtype {
                key: "0.weight".into(),
                expected: "F32",
                found: "F16".into()
            },
            TensorProblem::WrongShape {
                key: "0.weight".into(),
                expected: vec![3, 2],
                found: vec![2, 3]
            },
            TensorProblem::Missing {
                key: "2.bias".into(),
                shape: vec![1]
            },
            TensorProblem::Unexpected {
                key: "1.weight".into(),
                dtype: "I64".into(),
                shape: vec![1]
            },
            TensorProblem::Unexpected {
                key: "running_mean".into(),
                dtype: "F32".into(),
                shape: vec![]
            },
        ]
    );
    assert_eq!(
        err.to_string(),
        "the weights do not fit the network (5 problems): \
         tensor `0.weight` has dtype F16, expected F32; \
         tensor `0.weight` has shape [2, 3], expected [3, 2]; \
         missing tensor `2.bias` of shape [1]; \
         unexpected tensor `1.weight` (I64, shape [1]); \
         unexpected tensor `running_mean` (F32, shape [])"
    );
    // Nothing was loaded, not even the tensors that fit.
    assert_eq!(net, before);
}

#[test]
fn malformed_files_are_format_errors() {
    let valid = pytorch_file();
    let header_len = u64::from_le_bytes(valid[..8].try_into().unwrap()) as usize;
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("shorter than the length prefix", vec![1, 2, 3]),
        ("truncated data", valid[..valid.len() - 1].to_vec()),
        ("truncated header", valid[..8 + header_len / 2].to_vec()),
        ("trailing byte", [valid.clone(), vec![0]].concat()),
        (
            "huge header length",
            [u64::MAX.to_le_bytes().to_vec(), valid[8..].to_vec()].concat(),
        ),
        (
            "garbage header",
            [8u64.to_le_bytes().to_vec(), b"not json".to_vec()].concat(),
        ),
        (
            "header not an object",
            [8u64.to_le_bytes().to_vec(), b"[1,2,3] ".to_vec()].concat(),
        ),
    ];
    let overlapping = br#"{"0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[12,24]}}"#;
    let huge = br#"{"a":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,18446744073709551615]}}"#;
    let overflowing =
        br#"{"a":{"dtype":"F64","shape":[4611686018427387904,8],"data_offsets":[0,0]}}"#;
    for (name, header) in [
        ("overlapping offsets", &overlapping[..]),
        ("huge claimed length", &huge[..]),
        ("shape overflow", &overflowing[..]),
    ] {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&[0; 24]);
        cases.push((name, bytes));
    }
    for (name, bytes) in cases {
        let mut net = Small::zeros();
        match io::from_safetensors_bytes(&mut net, &bytes) {
            Err(WeightsError::Format { path: None, .. }) => {}
            other => panic!("{name}: expected a format error, got {other:?}"),
        }
        assert_eq!(net, Small::zeros(), "{name}");
    }
}

#[test]
fn failed_saves_leave_no_temporary_file_and_the_old_file_untouched() {
    let dir = scratch("atomic");
    let net = Small::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(5));

    // The target directory does not exist.
    let err = io::save_safetensors(&net, dir.join("missing/model.safetensors")).unwrap_err();
    assert!(
        matches!(&err, WeightsError::Io { path, .. } if path.ends_with("missing/model.safetensors"))
    );
    assert!(entries(&dir).is_empty());

    // A good model is in place; a save that fails must not touch it.
    let good = dir.join("model.safetensors");
    io::save_safetensors(&net, &good).unwrap();
    let saved = fs::read(&good).unwrap();
    assert!(io::save_safetensors(&Small::zeros(), good.join("child.safetensors")).is_err());
    assert_eq!(fs::read(&good).unwrap(), saved);

    // The rename itself fails (the target is a non-empty directory) after the
    // temporary file was written: it is removed.
    let taken = dir.join("taken.safetensors");
    fs::create_dir(&taken).unwrap();
    fs::write(taken.join("keep"), b"x").unwrap();
    let err = io::save_safetensors(&net, &taken).unwrap_err();
    assert!(matches!(err, WeightsError::Io { .. }), "{err}");
    assert_eq!(entries(&dir), ["model.safetensors", "taken.safetensors"]);
    assert_eq!(entries(&taken), ["keep"]);

    // A successful save replaces the file as a whole.
    io::save_safetensors(&Small::zeros(), &good).unwrap();
    let reloaded: Box<Small> = io::load_safetensors(&good).unwrap();
    assert_eq!(*reloaded, Small::zeros());
    assert_eq!(entries(&dir), ["model.safetensors", "taken.safetensors"]);
    fs::remove_dir_all(&dir).unwrap();
}

/// Saving over an existing file keeps its permission bits; a new file gets
/// the same default permissions as any file the process creates.
#[cfg(unix)]
#[test]
fn saving_over_a_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    let dir = scratch("permissions");
    let net = Small::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(7));

    // A new file: the default mode, as for a file written with `fs::write`.
    let reference = dir.join("reference");
    fs::write(&reference, b"").unwrap();
    let path = dir.join("model.safetensors");
    io::save_safetensors(&net, &path).unwrap();
    assert_eq!(mode(&path), mode(&reference));

    // Replacing files of other modes keeps each mode, the file's content is
    // the new model's, and no temporary file is left.
    for old_mode in [0o640, 0o600, 0o755, 0o444] {
        fs::set_permissions(&path, fs::Permissions::from_mode(old_mode)).unwrap();
        io::save_safetensors(&Small::zeros(), &path).unwrap();
        assert_eq!(mode(&path), old_mode, "{old_mode:o}");
        let loaded: Box<Small> = io::load_safetensors(&path).unwrap();
        assert_eq!(*loaded, Small::zeros());
        io::save_safetensors(&net, &path).unwrap();
        assert_eq!(mode(&path), old_mode, "{old_mode:o}");
    }
    assert_eq!(entries(&dir), ["model.safetensors", "reference"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn load_errors_name_the_file() {
    let dir = scratch("names");
    let path = dir.join("small.safetensors");
    fs::write(&path, b"garbage").unwrap();
    let err = io::load_safetensors::<Small, f32>(&path).unwrap_err();
    assert!(matches!(err, WeightsError::Format { .. }));
    assert_eq!(err.path(), Some(path.as_path()));
    assert!(
        err.to_string()
            .starts_with(&format!("{}: not a valid safetensors file", path.display()))
    );
    let missing = dir.join("none.safetensors");
    let err = io::load_safetensors::<Small, f32>(&missing).unwrap_err();
    assert!(matches!(err, WeightsError::Io { .. }));
    assert_eq!(err.path(), Some(missing.as_path()));
    fs::remove_dir_all(&dir).unwrap();
}

/// The committed model, embedded at compile time.
static EMBEDDED: Lecture = {
    let mut r = LeReader::new(include_bytes!("../examples/model/lecture.bin"));
    let net = (r.dense(), Sigmoid, r.dense(), Sigmoid);
    r.finish();
    net
};

#[test]
fn the_embedded_model_equals_the_safetensors_model() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/model/lecture.safetensors");
    let loaded: Box<Lecture> = io::load_safetensors(&path).unwrap();
    assert_eq!(bits(&EMBEDDED), bits(&*loaded));
    assert_eq!(
        io::to_le_bytes(&EMBEDDED),
        include_bytes!("../examples/model/lecture.bin")
    );
    // And it is a trained model: most of the first MNIST test images right.
    let test =
        constnet::data::Mnist::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist"))
            .unwrap()
            .test
            .head(1000);
    let m = constnet::train::ConfusionMatrix::of(&EMBEDDED, test.inputs(), test.labels());
    assert!(m.accuracy() > 0.9, "{}", m.accuracy());
}

// ---------------------------------------------------------------------------
// Issue 15: non-finite weights, plain-word format errors, reliable saves.

/// A `Nested` network with one bad value planted at `(tensor, index)` in
/// visit order, as the tensor's key names it.
fn planted<T: Scalar>(value: T, key: &str, index: usize) -> Nested<T> {
    let mut net = Nested::<T>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(8));
    let mut planted = false;
    net.visit_mut(|spec, values| {
        if spec.key() == key {
            values[index] = value;
            planted = true;
        }
    });
    assert!(planted, "{key}");
    net
}

fn assert_non_finite(err: &WeightsError, key: &str, index: usize, value: io::NonFinite) {
    match err {
        WeightsError::NonFinite {
            key: k,
            index: i,
            value: v,
            ..
        } => assert_eq!((k.as_str(), *i, *v), (key, index, value), "{err}"),
        other => panic!("expected a non-finite error, got {other:?}"),
    }
    assert!(
        err.to_string().ends_with(&format!(
            "tensor `{key}` holds {value} at index {index}: weights must be finite"
        )),
        "{err}"
    );
}

fn non_finite_is_rejected<T: Scalar>() {
    use io::NonFinite;
    let dir = scratch(&format!("non-finite-{}", size_of::<T>()));
    let good = Nested::<T>::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(9));
    for (value, kind) in [
        (T::nan(), NonFinite::Nan),
        (-T::nan(), NonFinite::Nan),
        (T::infinity(), NonFinite::PosInf),
        (T::neg_infinity(), NonFinite::NegInf),
    ] {
        for (key, index) in [
            ("0.weight", 0),
            ("2.0.weight", 7),
            ("2.2.0.bias", 2),
            ("3.bias", 1),
        ] {
            let bad = planted(value, key, index);

            // Saving: in memory, to a file (which is neither created nor,
            // when it exists, touched), and raw.
            assert_non_finite(
                &io::to_safetensors_bytes(&bad).unwrap_err(),
                key,
                index,
                kind,
            );
            let path = dir.join("model.safetensors");
            let _ = fs::remove_file(&path);
            let err = io::save_safetensors(&bad, &path).unwrap_err();
            assert_non_finite(&err, key, index, kind);
            assert_eq!(err.path(), Some(path.as_path()));
            assert!(!path.exists());
            io::save_safetensors(&good, &path).unwrap();
            let saved = fs::read(&path).unwrap();
            assert!(io::save_safetensors(&bad, &path).is_err());
            assert_eq!(fs::read(&path).unwrap(), saved);
            assert_non_finite(&io::try_to_le_bytes(&bad).unwrap_err(), key, index, kind);

            // Loading: the data written anyway is refused and the network
            // keeps its weights.
            let bytes = io::to_safetensors_bytes_allow_non_finite(&bad).unwrap();
            let mut net = good.clone();
            let err = io::from_safetensors_bytes(&mut net, &bytes).unwrap_err();
            assert_non_finite(&err, key, index, kind);
            assert_eq!(bits(&net), bits(&good));
            fs::write(&path, &bytes).unwrap();
            let err = io::load_safetensors_into(&mut net, &path).unwrap_err();
            assert_non_finite(&err, key, index, kind);
            assert_eq!(err.path(), Some(path.as_path()));
            assert_eq!(bits(&net), bits(&good));
            assert!(io::load_safetensors::<Nested<T>, T>(&path).is_err());
            let raw = io::to_le_bytes(&bad);
            assert_non_finite(
                &io::from_le_bytes(&mut net, &raw).unwrap_err(),
                key,
                index,
                kind,
            );
            assert_eq!(bits(&net), bits(&good));

            // The opt-outs take the values as they are, bit for bit.
            io::from_safetensors_bytes_allow_non_finite(&mut net, &bytes).unwrap();
            assert_eq!(bits(&net), bits(&bad));
            let mut raw_net = good.clone();
            io::from_le_bytes_allow_non_finite(&mut raw_net, &raw).unwrap();
            assert_eq!(bits(&raw_net), bits(&bad));
        }
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn non_finite_weights_are_refused_on_save_and_load_f32() {
    non_finite_is_rejected::<f32>();
}

#[test]
fn non_finite_weights_are_refused_on_save_and_load_f64() {
    non_finite_is_rejected::<f64>();
}

#[test]
fn non_finite_f32_data_is_refused_by_an_f64_network() {
    // A hand-made (PyTorch-like) file with an infinity in the second bias.
    let mut file = pytorch_file();
    let len = file.len();
    file[len - 4..].copy_from_slice(&f32::NEG_INFINITY.to_le_bytes()); // 2.weight[0][2]
    let mut wide = <(Dense<2, 3, f64>, Sigmoid, Dense<3, 1, f64>, Sigmoid)>::zeros();
    let err = io::from_safetensors_bytes(&mut wide, &file).unwrap_err();
    assert_non_finite(&err, "2.weight", 2, io::NonFinite::NegInf);
    assert_eq!(
        wide,
        <(Dense<2, 3, f64>, Sigmoid, Dense<3, 1, f64>, Sigmoid)>::zeros()
    );
}

/// A truncated or padded file says in plain words what is wrong, with the
/// byte counts, never the JSON parser's internals.
#[test]
fn cut_off_files_say_what_is_missing() {
    let valid = pytorch_file();
    let header = u64::from_le_bytes(valid[..8].try_into().unwrap()) as usize;
    let data = valid.len() - 8 - header;
    let mut cases: Vec<(String, Vec<u8>, String)> = vec![
        ("empty".into(), vec![], "the file is empty".into()),
        (
            "3 bytes".into(),
            valid[..3].to_vec(),
            "the file is cut off: 3 bytes, fewer than the 8 that give the header's length".into(),
        ),
    ];
    for cut in [8, 9, 8 + header / 2, 8 + header - 1] {
        cases.push((
            format!("cut at {cut}"),
            valid[..cut].to_vec(),
            format!(
                "the header is cut off: expected {header} bytes, found {}",
                cut - 8
            ),
        ));
    }
    for kept in [0, 1, data / 2, data - 1] {
        cases.push((
            format!("{kept} bytes of data"),
            valid[..8 + header + kept].to_vec(),
            format!("the data is cut off: expected {data} bytes (to the end of tensor `2.weight`), found {kept}"),
        ));
    }
    cases.push((
        "2 bytes too many".into(),
        [valid.clone(), vec![0, 0]].concat(),
        format!(
            "2 bytes after the tensor data: expected {data} bytes, found {}",
            data + 2
        ),
    ));
    cases.push((
        "not safetensors".into(),
        b"not a safetensors file at all".to_vec(),
        format!(
            "the first 8 bytes give a header length of {} bytes, more than the 100000000 \
             safetensors allows: not a safetensors file",
            u64::from_le_bytes(*b"not a sa")
        ),
    ));
    for (name, bytes, expected) in cases {
        let mut net = Small::zeros();
        let err = io::from_safetensors_bytes(&mut net, &bytes).unwrap_err();
        assert!(
            matches!(err, WeightsError::Format { .. }),
            "{name}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("not a valid safetensors file: {expected}"),
            "{name}"
        );
        assert_eq!(net, Small::zeros(), "{name}");
    }
}

/// The text of a panic raised by `f`.
fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(ToString::to_string))
        .unwrap_or_default()
}

/// The panics of `LeReader` (compile errors in a `static`; here at run
/// time, where the same messages are panics) give the byte counts.
#[test]
fn le_reader_messages_give_byte_counts() {
    type Two = (Dense<2, 2>, Sigmoid, Dense<2, 1>);
    let read = |bytes: Vec<u8>| {
        move || {
            let mut r = LeReader::new(&bytes);
            let _: Two = (r.dense(), Sigmoid, r.dense());
            r.finish();
        }
    };
    assert_eq!(
        panic_message(read(vec![0; 35])),
        "LeReader: the bytes end 1 byte too early: the Dense<2, 1> at byte 24 needs 12 bytes, 11 remain"
    );
    assert_eq!(
        panic_message(read(vec![0; 10])),
        "LeReader: the bytes end 14 bytes too early: the Dense<2, 2> at byte 0 needs 24 bytes, 10 remain"
    );
    assert_eq!(
        panic_message(read(vec![0; 41])),
        "LeReader: 5 bytes left over after the network's last parameter (36 read, 41 given)"
    );
    let mut bad = vec![0; 36];
    bad[28..32].copy_from_slice(&f32::INFINITY.to_le_bytes()); // 2.weight[0][1]
    assert_eq!(
        panic_message(read(bad.clone())),
        "LeReader: the Dense<2, 1> at byte 24 has +inf in weight[0][1] (byte 28): weights must be finite"
    );
    bad[28..32].fill(0);
    bad[32..36].copy_from_slice(&f32::NAN.to_le_bytes()); // 2.bias[0]
    assert_eq!(
        panic_message(read(bad)),
        "LeReader: the Dense<2, 1> at byte 24 has NaN in bias[0] (byte 32): weights must be finite"
    );
    assert_eq!(
        panic_message(|| {
            let mut r = LeReader::new(&[0, 0, 0, 0, 0, 0, 0xf0, 0xff, 1]);
            let _ = r.f64();
        }),
        "LeReader: the f64 at byte 0 is -inf: weights must be finite"
    );
    assert_eq!(
        panic_message(|| {
            let mut r = LeReader::new(&[0, 0, 0x80, 0x3f, 0, 0]);
            let _ = r.f32();
            let _ = r.f32();
        }),
        "LeReader: the bytes end 2 bytes too early: the f32 at byte 4 needs 4 bytes, 2 remain"
    );
    assert_eq!(
        panic_message(|| {
            let _ = Dense::<1, 1, f64>::from_le_bytes_f64(&[0; 17]);
        }),
        "LeReader: 1 byte left over after the network's last parameter (16 read, 17 given)"
    );
}

/// A save killed half-way leaves its temporary file; the next save of the
/// same target removes it, and leaves alone the files of other targets, other
/// files, and the temporary file of a save still running (locked).
#[test]
fn the_next_save_removes_temporary_files_left_by_killed_saves() {
    let dir = scratch("stale");
    let path = dir.join("model.safetensors");
    let net = Small::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(10));
    let stale = [
        ".model.safetensors.4194303.0.tmp",
        ".model.safetensors.1.17.tmp",
        // This process's own id, as after a restart in a fresh container.
        &format!(".model.safetensors.{}.999999.tmp", std::process::id()),
    ];
    let kept = [
        ".model.safetensors.1.2.3.tmp",
        ".model.safetensors.tmp",
        ".model.safetensors.1.tmp",
        ".other.safetensors.1.0.tmp",
        "model.safetensors.bak",
    ];
    for name in stale.iter().chain(&kept) {
        fs::write(dir.join(name), vec![7; 1000]).unwrap();
    }
    // A concurrent save, in the middle of writing: its file is locked.
    let running = dir.join(".model.safetensors.2.0.tmp");
    let running_file = fs::File::create(&running).unwrap();
    running_file.lock().unwrap();

    io::save_safetensors(&net, &path).unwrap();
    let mut expected: Vec<String> = kept.iter().map(ToString::to_string).collect();
    expected.push(".model.safetensors.2.0.tmp".into());
    expected.push("model.safetensors".into());
    expected.sort();
    assert_eq!(entries(&dir), expected);
    let loaded: Box<Small> = io::load_safetensors(&path).unwrap();
    assert_eq!(*loaded, net);

    // Once that save is gone (its lock released), its file is stale too.
    drop(running_file);
    io::save_safetensors(&net, &path).unwrap();
    assert!(!running.exists());
    fs::remove_dir_all(&dir).unwrap();
}

/// Saving through a symbolic link replaces the file it points to (keeping
/// that file's mode), not the link; a dangling link gets its file created.
#[cfg(unix)]
#[test]
fn saving_through_a_symlink_writes_the_target() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = scratch("symlink");
    fs::create_dir(dir.join("runs")).unwrap();
    let target = dir.join("runs/model-7.safetensors");
    let old = Small::zeros();
    io::save_safetensors(&old, &target).unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.join("latest.safetensors");
    symlink("runs/model-7.safetensors", &link).unwrap();
    let chain = dir.join("best.safetensors");
    symlink("latest.safetensors", &chain).unwrap();

    let net = Small::random(Init::StandardNormal, &mut ChaCha8Rng::seed_from_u64(11));
    io::save_safetensors(&net, &chain).unwrap();
    for l in [&link, &chain] {
        assert!(
            fs::symlink_metadata(l).unwrap().file_type().is_symlink(),
            "{}",
            l.display()
        );
    }
    let loaded: Box<Small> = io::load_safetensors(&target).unwrap();
    assert_eq!(*loaded, net);
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    assert_eq!(entries(&dir.join("runs")), ["model-7.safetensors"]);

    let dangling = dir.join("next.safetensors");
    symlink("runs/model-8.safetensors", &dangling).unwrap();
    io::save_safetensors(&net, &dangling).unwrap();
    assert!(
        fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let loaded: Box<Small> = io::load_safetensors(dir.join("runs/model-8.safetensors")).unwrap();
    assert_eq!(*loaded, net);
    assert_eq!(
        entries(&dir),
        [
            "best.safetensors",
            "latest.safetensors",
            "next.safetensors",
            "runs"
        ]
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// A save into a directory without write permission fails with an error
/// naming the directory. Root bypasses the permission (as in CI): then the
/// assertion is skipped, with a message.
#[cfg(unix)]
#[test]
fn a_read_only_directory_is_named_in_the_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("read-only");
    let locked = dir.join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let path = locked.join("model.safetensors");
    let result = if fs::write(locked.join("probe"), b"").is_ok() {
        println!(
            "skipped: permissions are not enforced for this user (root?), so {} is writable",
            locked.display()
        );
        None
    } else {
        Some(io::save_safetensors(&Small::zeros(), &path))
    };
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    if let Some(result) = result {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, WeightsError::Io { source, .. }
            if source.kind() == std::io::ErrorKind::PermissionDenied),
            "{err:?}"
        );
        assert_eq!(err.path(), Some(path.as_path()));
        let message = err.to_string();
        assert!(
            message.contains(&format!(
                "cannot create a file in the directory `{}`",
                locked.display()
            )),
            "{message}"
        );
        assert!(entries(&locked).is_empty());
    }
    fs::remove_dir_all(&dir).unwrap();
}
