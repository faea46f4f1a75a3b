//! The MNIST handwritten digits (and Fashion-MNIST), as labelled data sets.
//!
//! MNIST comes as four IDX files: training images and labels (60,000 of
//! each) and test images and labels (10,000 of each). Images are 28 × 28
//! grey levels, `0` for background to `255` for ink; labels are digits
//! `0..=9`. [Fashion-MNIST] uses the same file names, shapes and format for
//! ten kinds of clothing, so [`Mnist::load`] reads it too; its class names
//! are [`FASHION_MNIST_CLASSES`].
//!
//! [Fashion-MNIST]: https://github.com/zalandoresearch/fashion-mnist

use std::path::{Path, PathBuf};

use super::idx::Pending;
use super::{DataError, Dataset, Idx};
use crate::{Class, Pixels};

/// The width and height of an MNIST image, in pixels.
pub const SIDE: usize = 28;

/// The number of pixels in an MNIST image: the input width of a network.
pub const PIXELS: usize = SIDE * SIDE;

/// The number of MNIST classes: the output width of a classifier.
pub const NUM_CLASSES: usize = 10;

/// The file name of the training images, without `.gz`.
pub const TRAIN_IMAGES: &str = "train-images-idx3-ubyte";

/// The file name of the training labels, without `.gz`.
pub const TRAIN_LABELS: &str = "train-labels-idx1-ubyte";

/// The file name of the test images, without `.gz`.
pub const TEST_IMAGES: &str = "t10k-images-idx3-ubyte";

/// The file name of the test labels, without `.gz`.
pub const TEST_LABELS: &str = "t10k-labels-idx1-ubyte";

/// An MNIST data set: 28 × 28 images as [`Pixels`], with labels `0..=9`.
pub type Images = Dataset<PIXELS, NUM_CLASSES, Pixels<PIXELS>>;

/// The names of the ten Fashion-MNIST classes, indexed by label.
///
/// ```
/// use constnet::Class;
/// use constnet::data::mnist::FASHION_MNIST_CLASSES;
///
/// let label = Class::<10>::new(9).ok_or("label out of range")?;
/// assert_eq!(FASHION_MNIST_CLASSES[label.index()], "Ankle boot");
/// # Ok::<(), &str>(())
/// ```
pub const FASHION_MNIST_CLASSES: [&str; NUM_CLASSES] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// The MNIST (or Fashion-MNIST) training and test sets: images as
/// [`Pixels`], grey levels `0..=255` kept as bytes (47 MB for the 60,000
/// training images, against 188 MB as `f32`) and read by a network as
/// `level / 255`, in `[0, 1]`.
///
/// # Examples
/// ```no_run
/// use constnet::data::Mnist;
///
/// let mnist = Mnist::load("data/mnist")?;
/// assert_eq!((mnist.train.len(), mnist.test.len()), (60_000, 10_000));
/// let (image, label) = mnist.train.get(0).ok_or("empty training set")?;
/// assert_eq!(label.index(), 5);
/// assert_eq!(image.0.iter().max(), Some(&255));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Mnist {
    /// The training set: 60,000 examples for MNIST.
    pub train: Images,
    /// The test set: 10,000 examples for MNIST.
    pub test: Images,
}

impl Mnist {
    /// Reads the four MNIST files from `dir`.
    ///
    /// For each of [`TRAIN_IMAGES`], [`TRAIN_LABELS`], [`TEST_IMAGES`] and
    /// [`TEST_LABELS`], the gzip-compressed `NAME.gz` is read if it exists,
    /// else the uncompressed `NAME`. The files are checked as by
    /// [`from_idx`], and neither set may be empty. Fashion-MNIST files, which
    /// have the same names, load the same way.
    ///
    /// The headers of a set's images and labels are both read and compared
    /// before either file's elements: a wrong shape, a count mismatch or an
    /// empty set is reported without decompressing the (possibly huge, or
    /// corrupt) bodies.
    ///
    /// # Errors
    /// - [`DataError::Io`] naming `NAME.gz` if neither `NAME.gz` nor `NAME`
    ///   exists, or naming the file if it cannot be read;
    /// - any error of [`Idx::read`] for an invalid file;
    /// - any error of [`from_idx`] for files with the wrong shapes, different
    ///   numbers of images and labels, or labels above 9;
    /// - [`DataError::Empty`], naming both files, for a training or test set
    ///   of no images.
    ///
    /// # Examples
    /// ```no_run
    /// use constnet::data::Mnist;
    ///
    /// let mnist = Mnist::load("data/mnist")?;
    /// println!("{} training images", mnist.train.len());
    /// # Ok::<(), constnet::data::DataError>(())
    /// ```
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, DataError> {
        let dir = dir.as_ref();
        let load = |images: &str, labels: &str| {
            // Both headers first: a count mismatch or an empty set is found
            // before decompressing either body.
            let images = Pending::open(&locate(dir, images))?;
            let labels = Pending::open(&locate(dir, labels))?;
            let n = check_dims(images.dims(), images.path(), labels.dims(), labels.path())?;
            if n == 0 {
                return Err(DataError::Empty {
                    inputs: images.path().to_path_buf(),
                    labels: labels.path().to_path_buf(),
                });
            }
            let labels = labels.read_elements()?;
            let images = images.read_elements()?;
            from_idx(&images, &labels)
        };
        // Both sets at once: decompression dominates the loading time. If no
        // thread can be started, the test set is read afterwards instead.
        let (train, test) = std::thread::scope(|scope| {
            let test = std::thread::Builder::new()
                .name("mnist-test-set".into())
                .spawn_scoped(scope, || load(TEST_IMAGES, TEST_LABELS));
            let train = load(TRAIN_IMAGES, TRAIN_LABELS);
            let test = match test {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => load(TEST_IMAGES, TEST_LABELS),
            };
            (train, test)
        });
        Ok(Self {
            train: train?,
            test: test?,
        })
    }
}

/// The number of examples of MNIST images of shape `images` and labels of
/// shape `labels`, read from `images_path` and `labels_path`.
///
/// # Errors
/// [`DataError::Shape`] unless the shapes are `[n, 28, 28]` and `[m]`;
/// [`DataError::CountMismatch`] if `n != m`.
fn check_dims(
    images: &[usize],
    images_path: &Path,
    labels: &[usize],
    labels_path: &Path,
) -> Result<usize, DataError> {
    let n = match *images {
        [n, SIDE, SIDE] => n,
        _ => {
            return Err(DataError::Shape {
                path: images_path.to_path_buf(),
                expected: vec![None, Some(SIDE), Some(SIDE)],
                found: images.to_vec(),
            });
        }
    };
    let [n_labels] = *labels else {
        return Err(DataError::Shape {
            path: labels_path.to_path_buf(),
            expected: vec![None],
            found: labels.to_vec(),
        });
    };
    if n != n_labels {
        return Err(DataError::CountMismatch {
            inputs: n,
            labels: n_labels,
            paths: Some((images_path.to_path_buf(), labels_path.to_path_buf())),
        });
    }
    Ok(n)
}

/// `dir/NAME.gz`, unless only `dir/NAME` exists.
fn locate(dir: &Path, name: &str) -> PathBuf {
    let gz = dir.join(format!("{name}.gz"));
    let plain = dir.join(name);
    if matches!(gz.try_exists(), Ok(false)) && matches!(plain.try_exists(), Ok(true)) {
        plain
    } else {
        gz
    }
}

/// The MNIST data set made of an images array and a labels array.
///
/// This is what [`Mnist::load`] does with each pair of files; call it directly
/// for IDX data that does not come from those files, such as data in memory.
///
/// # Errors
/// - [`DataError::Shape`] if `images` is not of shape `[n, 28, 28]` or
///   `labels` not of shape `[n]`;
/// - [`DataError::CountMismatch`] if they have different `n`;
/// - [`DataError::LabelOutOfRange`] for a label above 9.
///
/// Errors name the [`Idx::path`] of the array at fault.
///
/// # Examples
/// ```
/// use constnet::Sample;
/// use constnet::data::{Idx, mnist};
///
/// // One black image with a white top-left pixel, labelled 3.
/// let mut image = vec![0, 0, 0x08, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28];
/// image.extend([255]);
/// image.extend([0; 783]);
/// let images = Idx::from_reader(&image[..], "images")?;
/// let labels = Idx::from_reader(&[0, 0, 0x08, 1, 0, 0, 0, 1, 3][..], "labels")?;
///
/// let data = mnist::from_idx(&images, &labels)?;
/// let (pixels, label) = data.get(0).ok_or("empty")?;
/// assert_eq!((pixels.0[0], pixels.0[1], label.index()), (255, 0, 3));
/// let x: [f32; 784] = pixels.to_input();
/// assert_eq!((x[0], x[1]), (1.0, 0.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn from_idx(images: &Idx, labels: &Idx) -> Result<Images, DataError> {
    check_dims(images.dims(), images.path(), labels.dims(), labels.path())?;

    let classes = labels
        .data()
        .iter()
        .enumerate()
        .map(|(index, &label)| {
            Class::new(usize::from(label)).ok_or_else(|| DataError::LabelOutOfRange {
                path: labels.path().to_path_buf(),
                index,
                label,
                classes: NUM_CLASSES,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    // `Idx` holds exactly `n * 784` bytes.
    let (pixels, _) = images.data().as_chunks::<PIXELS>();
    Dataset::from_samples(pixels.iter().map(|&p| Pixels(p)).collect(), classes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::idx::tests::{gzip, idx_bytes, temp_dir};
    use std::io;
    use std::time::Instant;

    fn idx(name: &str, dims: &[u32], data: &[u8]) -> Idx {
        Idx::from_reader(&idx_bytes(dims, data)[..], name).expect("valid IDX")
    }

    /// `n` images, image `i` having every pixel `i * 10`, labelled `i % 10`.
    fn images_and_labels(n: u8) -> (Vec<u8>, Vec<u8>) {
        let mut pixels = Vec::new();
        for i in 0..n {
            pixels.extend([i * 10; PIXELS]);
        }
        let labels = (0..n).map(|i| i % 10).collect::<Vec<_>>();
        (
            idx_bytes(&[u32::from(n), 28, 28], &pixels),
            idx_bytes(&[u32::from(n)], &labels),
        )
    }

    #[test]
    fn converts_images_and_labels() {
        let (images, labels) = images_and_labels(12);
        let images = Idx::from_reader(&images[..], "i").expect("valid");
        let labels = Idx::from_reader(&labels[..], "l").expect("valid");
        let data = from_idx(&images, &labels).expect("valid");
        assert_eq!(data.len(), 12);
        for (i, (x, c)) in data.iter().enumerate() {
            assert_eq!(c.index(), i % 10);
            assert!(x.0.iter().all(|&p| usize::from(p) == i * 10));
        }
        let white = idx("w", &[1, 28, 28], &[255; PIXELS]);
        let one = idx("l", &[1], &[0]);
        let data = from_idx(&white, &one).expect("valid");
        assert_eq!(data.inputs(), [Pixels([255; PIXELS])]);
        assert_eq!(data.to_f32().inputs(), [[1.0; PIXELS]]);
    }

    #[test]
    fn wrong_image_shape() {
        let flat = idx("flat.idx", &[2, 784], &[0; 2 * 784]);
        let labels = idx("labels.idx", &[2], &[0, 1]);
        let err = from_idx(&flat, &labels).unwrap_err();
        assert!(
            matches!(&err, DataError::Shape { found, .. } if *found == [2, 784]),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "flat.idx: expected shape [*, 28, 28], found [2, 784]"
        );
        let images = idx("images.idx", &[1, 28, 28], &[0; 784]);
        let labels = idx("labels.idx", &[1, 1], &[0]);
        let err = from_idx(&images, &labels).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("labels.idx: expected shape [*]"),
            "{err}"
        );
    }

    #[test]
    fn count_mismatch() {
        let images = idx("images.idx", &[2, 28, 28], &[0; 2 * 784]);
        let labels = idx("labels.idx", &[3], &[0, 1, 2]);
        let err = from_idx(&images, &labels).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::CountMismatch {
                    inputs: 2,
                    labels: 3,
                    paths: Some(_)
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "2 inputs in images.idx but 3 labels in labels.idx"
        );
    }

    #[test]
    fn label_out_of_range() {
        let images = idx("images.idx", &[3, 28, 28], &[0; 3 * 784]);
        let labels = idx("labels.idx", &[3], &[9, 10, 200]);
        let err = from_idx(&images, &labels).unwrap_err();
        assert!(
            matches!(
                err,
                DataError::LabelOutOfRange {
                    index: 1,
                    label: 10,
                    classes: 10,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("labels.idx: label 10 at index 1")
        );
    }

    #[test]
    fn load_prefers_gzip_and_falls_back_to_plain() {
        let dir = temp_dir("load");
        let (train_images, train_labels) = images_and_labels(3);
        let (test_images, test_labels) = images_and_labels(2);
        // Mixed: compressed and plain files, and a decoy that must be ignored.
        std::fs::write(dir.join(format!("{TRAIN_IMAGES}.gz")), gzip(&train_images)).expect("w");
        std::fs::write(dir.join(TRAIN_IMAGES), b"ignored: the .gz wins").expect("w");
        std::fs::write(dir.join(TRAIN_LABELS), &train_labels).expect("w");
        std::fs::write(dir.join(TEST_IMAGES), &test_images).expect("w");
        std::fs::write(dir.join(format!("{TEST_LABELS}.gz")), gzip(&test_labels)).expect("w");
        let mnist = Mnist::load(&dir).expect("valid files");
        assert_eq!((mnist.train.len(), mnist.test.len()), (3, 2));
        assert_eq!(mnist.test.labels()[1].index(), 1);

        // With a file missing, the error names its `.gz` path.
        std::fs::remove_file(dir.join(TEST_IMAGES)).expect("remove");
        let err = Mnist::load(&dir).unwrap_err();
        let missing = dir.join(format!("{TEST_IMAGES}.gz"));
        assert!(
            matches!(&err, DataError::Io { path, source } if *path == missing
                && source.kind() == io::ErrorKind::NotFound),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(&*missing.to_string_lossy()),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn missing_directory_is_an_io_error_naming_the_path() {
        let err = Mnist::load("no/such/mnist/dir").unwrap_err();
        assert!(
            matches!(&err, DataError::Io { path, .. }
                if *path == Path::new("no/such/mnist/dir").join("train-images-idx3-ubyte.gz")),
            "{err:?}"
        );
        assert!(err.to_string().contains("no/such/mnist/dir"), "{err}");
    }

    #[test]
    fn real_mnist() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist");
        let start = Instant::now();
        let mnist = Mnist::load(dir).expect("MNIST in data/mnist");
        eprintln!("loaded MNIST in {:?}", start.elapsed());
        assert_eq!(mnist.train.len(), 60_000);
        assert_eq!(mnist.test.len(), 10_000);
        assert_eq!(mnist.train.labels().first().map(|c| c.index()), Some(5));
        assert_eq!(mnist.test.labels().first().map(|c| c.index()), Some(7));
        for set in [&mnist.train, &mnist.test] {
            let pixels = set.inputs().iter().flat_map(|p| p.0);
            let (min, max) = pixels.fold((u8::MAX, 0), |(lo, hi), p| (lo.min(p), hi.max(p)));
            assert_eq!((min, max), (0, 255));
            // Every digit occurs.
            let mut counts = [0_usize; NUM_CLASSES];
            for c in set.labels() {
                counts[c.index()] += 1;
            }
            assert!(counts.iter().all(|&n| n > set.len() / 20), "{counts:?}");
        }
        assert_eq!(mnist.test.head(1_000).len(), 1_000);
    }
}
