//! Reading data sets: IDX files and the MNIST digits.
//!
//! [IDX] is the simple binary format of the [MNIST database] of handwritten
//! digits: a short big-endian header giving an element type and the size of
//! each dimension, followed by the elements of an n-dimensional array. MNIST
//! is four IDX files, usually gzip-compressed: 60,000 training images of
//! 28 × 28 pixels with their labels, and 10,000 test images with theirs.
//! [Fashion-MNIST] is a drop-in replacement with pictures of clothing in the
//! same files and format.
//!
//! - [`Idx`] reads one IDX file, plain or gzip-compressed;
//! - [`Mnist`] reads the four MNIST (or Fashion-MNIST) files of a directory
//!   into a training and a test [`Dataset`], images kept as bytes
//!   ([`Pixels`](crate::Pixels));
//! - [`Dataset`] pairs inputs with [`Class`](crate::Class) labels, with the
//!   input and output widths of a network in its type;
//! - every failure is a [`DataError`] naming the file at fault.
//!
//! [IDX]: http://yann.lecun.com/exdb/mnist/
//! [MNIST database]: http://yann.lecun.com/exdb/mnist/
//! [Fashion-MNIST]: https://github.com/zalandoresearch/fashion-mnist
//!
//! # Examples
//! ```no_run
//! use constnet::data::Mnist;
//!
//! let mnist = Mnist::load("data/mnist")?;
//! for (image, label) in mnist.test.head(3).iter() {
//!     let ink: u32 = image.0.iter().map(|&p| u32::from(p)).sum();
//!     println!("a {label} with {:.0} pixels' worth of ink", f64::from(ink) / 255.0);
//! }
//! # Ok::<(), constnet::data::DataError>(())
//! ```

pub mod dataset;
mod error;
pub mod idx;
pub mod mnist;

pub use dataset::Dataset;
pub use error::DataError;
pub use idx::Idx;
pub use mnist::Mnist;
