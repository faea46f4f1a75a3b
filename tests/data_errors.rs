//! Bad MNIST directories: empty sets, and mismatched files found from their
//! headers alone, before either body is decompressed.

#![cfg(feature = "std")]

use std::io::Write;
use std::path::{Path, PathBuf};

use constnet::data::mnist::{TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS};
use constnet::data::{DataError, Mnist};
use flate2::Compression;
use flate2::write::GzEncoder;

/// The IDX encoding of an unsigned-byte array of shape `dims`, with `body`
/// as its elements (whether or not it has the right length).
fn idx(dims: &[u32], body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![
        0,
        0,
        0x08,
        u8::try_from(dims.len()).expect("few dimensions"),
    ];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(body);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("writing to a Vec");
    encoder.finish().expect("writing to a Vec")
}

/// `n` black images and their labels, all 0.
fn set(n: u32) -> (Vec<u8>, Vec<u8>) {
    let len = usize::try_from(n).expect("small");
    (
        idx(&[n, 28, 28], &vec![0; len * 784]),
        idx(&[n], &vec![0; len]),
    )
}

/// A fresh directory holding `files` (name, gzip-compressed content).
fn dir_with(name: &str, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "constnet-data-errors-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    for (file, content) in files {
        std::fs::write(dir.join(format!("{file}.gz")), gzip(content)).expect("write");
    }
    dir
}

fn gz(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.gz"))
}

/// Loads a directory holding valid training and test sets of `train` and
/// `test` examples, which must fail; its path and the error.
fn load_sets(name: &str, train: u32, test: u32) -> (PathBuf, DataError) {
    let (train_images, train_labels) = set(train);
    let (test_images, test_labels) = set(test);
    let dir = dir_with(
        name,
        &[
            (TRAIN_IMAGES, train_images),
            (TRAIN_LABELS, train_labels),
            (TEST_IMAGES, test_images),
            (TEST_LABELS, test_labels),
        ],
    );
    let err = Mnist::load(&dir).expect_err("an empty set");
    (dir, err)
}

#[test]
fn an_empty_test_set_is_an_error_naming_both_files() {
    let (dir, err) = load_sets("empty-test", 3, 0);
    assert!(
        matches!(&err, DataError::Empty { inputs, labels }
            if *inputs == gz(&dir, TEST_IMAGES) && *labels == gz(&dir, TEST_LABELS)),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&*gz(&dir, TEST_IMAGES).to_string_lossy())
            && msg.contains(&*gz(&dir, TEST_LABELS).to_string_lossy())
            && msg.contains("no examples"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_empty_training_set_is_an_error_naming_both_files() {
    let (dir, err) = load_sets("empty-train", 0, 2);
    assert!(
        matches!(&err, DataError::Empty { inputs, labels }
            if *inputs == gz(&dir, TRAIN_IMAGES) && *labels == gz(&dir, TRAIN_LABELS)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{} and {} hold no examples: the data set is empty",
            gz(&dir, TRAIN_IMAGES).display(),
            gz(&dir, TRAIN_LABELS).display()
        )
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A gzip stream cut short: decoding its body fails.
fn corrupt_gzip_after_header(header: &[u8]) -> Vec<u8> {
    // The header, then a body of varied bytes (so that it compresses to
    // more than a few bytes), compressed and cut in the middle.
    let body: Vec<u8> = (0..5 * 784_u32).map(|i| (i * 7919 % 251) as u8).collect();
    let mut gz = gzip(&[header, &body].concat());
    gz.truncate(gz.len() / 2);
    gz
}

/// A directory with a valid training set of two examples, `labels` test
/// labels, and as test images a gzip file whose body is corrupt after the
/// IDX header of `dims`.
fn with_corrupt_test_images(name: &str, labels: u32, dims: &[u32]) -> PathBuf {
    let (train_images, train_labels) = set(2);
    let (_, test_labels) = set(labels);
    let dir = dir_with(
        name,
        &[
            (TRAIN_IMAGES, train_images),
            (TRAIN_LABELS, train_labels),
            (TEST_LABELS, test_labels),
        ],
    );
    std::fs::write(
        gz(&dir, TEST_IMAGES),
        corrupt_gzip_after_header(&idx(dims, &[])),
    )
    .expect("write");
    dir
}

#[test]
fn counts_are_compared_before_either_body_is_read() {
    // Five images announced, and a body that cannot be decoded: if the body
    // were read first, the error would be about it.
    let dir = with_corrupt_test_images("count-first", 3, &[5, 28, 28]);
    let err = Mnist::load(&dir).expect_err("5 images, 3 labels");
    assert!(
        matches!(
            &err,
            DataError::CountMismatch {
                inputs: 5,
                labels: 3,
                paths: Some((i, l))
            } if *i == gz(&dir, TEST_IMAGES) && *l == gz(&dir, TEST_LABELS)
        ),
        "{err:?}"
    );

    // The same with a plain (uncompressed) images file whose body is cut
    // short: a count mismatch, not a truncated file.
    std::fs::remove_file(gz(&dir, TEST_IMAGES)).expect("remove");
    std::fs::write(dir.join(TEST_IMAGES), idx(&[5, 28, 28], &[1; 10])).expect("write");
    let err = Mnist::load(&dir).expect_err("5 images, 3 labels");
    assert!(
        matches!(
            &err,
            DataError::CountMismatch {
                inputs: 5,
                labels: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "5 inputs in {} but 3 labels in {}",
            dir.join(TEST_IMAGES).display(),
            gz(&dir, TEST_LABELS).display()
        )
    );

    // A labels body that cannot be decoded loses to the count mismatch too.
    std::fs::write(
        gz(&dir, TEST_LABELS),
        corrupt_gzip_after_header(&idx(&[3], &[])),
    )
    .expect("write");
    let err = Mnist::load(&dir).expect_err("5 images, 3 labels");
    assert!(
        matches!(
            err,
            DataError::CountMismatch {
                inputs: 5,
                labels: 3,
                ..
            }
        ),
        "{err:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn shapes_are_checked_before_either_body_is_read() {
    let dir = with_corrupt_test_images("shape-first", 3, &[3, 32, 32]);
    let err = Mnist::load(&dir).expect_err("32 × 32 images");
    assert!(
        matches!(&err, DataError::Shape { path, found, .. }
            if *path == gz(&dir, TEST_IMAGES) && *found == [3, 32, 32]),
        "{err:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_corrupt_body_with_matching_counts_is_still_found() {
    let dir = with_corrupt_test_images("corrupt-body", 5, &[5, 28, 28]);
    let err = Mnist::load(&dir).expect_err("a corrupt body");
    assert!(
        matches!(&err, DataError::Io { path, .. } if *path == gz(&dir, TEST_IMAGES)),
        "{err:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
