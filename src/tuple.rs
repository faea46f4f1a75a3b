//! Networks as tuples of layers: `(A, B, C)` is `C ∘ B ∘ A`.
//!
//! A tuple of up to 12 layers is itself a layer, and tuples nest, so
//! `((A, B), C)` is a network too. The compile-time shape check is one bound
//! per link: `B: Layer<A::Output>`. When sizes do not chain, that bound fails
//! and the compiler names both sizes:
//!
//! ```text
//! error[E0599]: the method `forward` exists for tuple `(Dense<784, 30>, Sigmoid, Dense<20, 10>)`,
//!               but its trait bounds were not satisfied
//!    = note: the following trait bounds were not satisfied:
//!            `Dense<20, 10>: Layer<[f32; 30]>`
//! ```
//!
//! Where a network is passed to a function with a `Layer` bound instead, the
//! error is E0277 and reads "`Dense<20, 10>` cannot take an input of type
//! `[f32; 30]`".
//!
//! For three layers the macro below expands to (parameter impl left out):
//!
//! ```text
//! impl<I: Tensor, A: Layer<I>, B: Layer<A::Output>, C: Layer<B::Output>> Layer<I> for (A, B, C) {
//!     type Output = C::Output;
//!     // Each layer's cache, and each layer's input but the first (the
//!     // caller's, which backward receives again).
//!     type Cache<const BATCH: usize> = (
//!         (A::Cache<BATCH>, B::Cache<BATCH>, C::Cache<BATCH>),
//!         ((), [A::Output; BATCH], [B::Output; BATCH]),
//!     );
//!     fn forward(&self, x: &I) -> Self::Output {
//!         let x = self.0.forward(x);
//!         let x = self.1.forward(&x);
//!         let x = self.2.forward(&x);
//!         x
//!     }
//!     fn forward_train<const BATCH: usize>(&self, x: &[I; BATCH]) -> ([Self::Output; BATCH], Self::Cache<BATCH>) {
//!         let (y, a) = self.0.forward_train(x);
//!         let xb = y;
//!         let (y, b) = self.1.forward_train(&xb);
//!         let xc = y;
//!         let (y, c) = self.2.forward_train(&xc);
//!         (y, ((a, b, c), ((), xb, xc)))
//!     }
//!     fn backward<const BATCH: usize>(&self, x: &[I; BATCH], cache: &Self::Cache<BATCH>, dy: &[Self::Output; BATCH],
//!                                      grads: &mut Self, mode: GradMode, dx: Option<&mut [I; BATCH]>) -> bool {
//!         let mut dc = [B::Output::zeros(); BATCH]; // ∂loss/∂(C's input)
//!         let finite = self.2.backward(&cache.1.2, &cache.0.2, dy, &mut grads.2, mode, Some(&mut dc));
//!         let mut db = [A::Output::zeros(); BATCH]; // ∂loss/∂(B's input)
//!         let finite = finite & self.1.backward(&cache.1.1, &cache.0.1, &dc, &mut grads.1, mode, Some(&mut db));
//!         finite & self.0.backward(x, &cache.0.0, &db, &mut grads.0, mode, dx)
//!     }
//!     // forward_batch: like forward.
//! }
//! ```

use core::mem::MaybeUninit;

use crate::kernel::TupleInPlace;
use crate::{GradMode, Layer, LayerInfo, Params, Scalar, Tensor, Walker};

/// A block of zero tensors of the type of `like`'s.
#[inline(always)]
fn zeros_like<X: Tensor, const B: usize>(_like: &[X; B]) -> [X; B] {
    core::array::from_fn(|_| X::zeros())
}

macro_rules! tuple_impl {
    (
        all [$($all:ident $cache:ident $k:tt),+];
        first $first_cache:ident;
        rest [$($cur:ident $cur_cache:ident $cur_in:ident $i:tt after $prev:ident),*];
        rev [$($rev:ident $j:tt),*];
        last $last:ident
    ) => {
        impl<T: Scalar, $($all: Params<T>),+> Params<T> for ($($all,)+) {
            const NUM_PARAMS: usize = 0 $(+ $all::NUM_PARAMS)+;

            fn zeros() -> Self {
                ($($all::zeros(),)+)
            }

            fn walk(walker: &mut impl Walker<Self, T>) {
                $(walker.layer($k, |t| &t.$k, |t| &mut t.$k);)+
            }

            fn zeros_in(slot: &mut MaybeUninit<Self>) -> &mut Self {
                Self::tuple_in_place(slot, ($($all::zeros_in,)+))
            }
        }

        impl<In: Tensor, A: Layer<In>, $($cur: Layer<$prev::Output>),*> Layer<In> for ($($all,)+) {
            type Output = $last::Output;
            type Cache<const BATCH: usize> = (
                ($($all::Cache<BATCH>,)+),
                ((), $([$prev::Output; BATCH],)*),
            );

            #[inline]
            fn forward(&self, x: &In) -> Self::Output {
                let x = self.0.forward(x);
                $(let x = self.$i.forward(&x);)*
                x
            }

            fn forward_batch<const BATCH: usize>(&self, x: &[In; BATCH]) -> [Self::Output; BATCH] {
                let x = self.0.forward_batch(x);
                $(let x = self.$i.forward_batch(&x);)*
                x
            }

            fn forward_train<const BATCH: usize>(
                &self,
                x: &[In; BATCH],
            ) -> ([Self::Output; BATCH], Self::Cache<BATCH>) {
                let (y, $first_cache) = self.0.forward_train(x);
                $(
                    let $cur_in = y;
                    let (y, $cur_cache) = self.$i.forward_train(&$cur_in);
                )*
                (y, (($($cache,)+), ((), $($cur_in,)*)))
            }

            fn backward<const BATCH: usize>(
                &self,
                x: &[In; BATCH],
                cache: &Self::Cache<BATCH>,
                dy: &[Self::Output; BATCH],
                grads: &mut Self,
                mode: GradMode,
                dx: Option<&mut [In; BATCH]>,
            ) -> bool {
                let finite = true;
                $(
                    // ∂loss/∂(input of layer $j): the `dy` of the layer before.
                    let mut d = zeros_like(&(cache.1).$j);
                    let finite = finite
                        & self.$j.backward(&(cache.1).$j, &(cache.0).$j, dy, &mut grads.$j, mode, Some(&mut d));
                    let dy = &d;
                )*
                finite & self.0.backward(x, &(cache.0).0, dy, &mut grads.0, mode, dx)
            }

            fn describe(&self, f: &mut dyn FnMut(LayerInfo)) {
                <A as Layer<In>>::describe(&self.0, f);
                $(<$cur as Layer<$prev::Output>>::describe(&self.$i, f);)*
            }
        }
    };
}

tuple_impl!(all [A a 0]; first a; rest []; rev []; last A);
tuple_impl!(all [A a 0, B b 1]; first a; rest [B b xb 1 after A]; rev [B 1]; last B);
tuple_impl!(all [A a 0, B b 1, C c 2]; first a; rest [B b xb 1 after A, C c xc 2 after B]; rev [C 2, B 1]; last C);
tuple_impl!(all [A a 0, B b 1, C c 2, D d 3]; first a; rest [B b xb 1 after A, C c xc 2 after B, D d xd 3 after C]; rev [D 3, C 2, B 1]; last D);
tuple_impl!(all [A a 0, B b 1, C c 2, D d 3, E e 4]; first a; rest [B b xb 1 after A, C c xc 2 after B, D d xd 3 after C, E e xe 4 after D]; rev [E 4, D 3, C 2, B 1]; last E);
tuple_impl!(all [A a 0, B b 1, C c 2, D d 3, E e 4, F f 5]; first a; rest [B b xb 1 after A, C c xc 2 after B, D d xd 3 after C, E e xe 4 after D, F f xf 5 after E]; rev [F 5, E 4, D 3, C 2, B 1]; last F);
tuple_impl!(all [A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6]; first a; rest [B b xb 1 after A, C c xc 2 after B, D d xd 3 after C, E e xe 4 after D, F f xf 5 after E, G g xg 6 after F]; rev [G 6, F 5, E 4, D 3, C 2, B 1]; last G);
tuple_impl!(all [A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7]; first a; rest [B b xb 1 after A, C c xc 2 after B, D d xd 3 after C, E e xe 4 after D, F f xf 5 after E, G g xg 6 after F, H h xh 7 after G]; rev [H 7, G 6, F 5, E 4, D 3, C 2, B 1]; last H);
tuple_impl!(all [A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8]; first a; rest [B b xb 1 after A, C c xc 2 after B, D d xd 3 after C, E e xe 4 after D, F f xf 5 after E, G g xg 6 after F, H h xh 7 after G, I i xi 8 after H]; rev [I 8, H 7, G 6, F 5, E 4, D 3, C 2, B 1]; last I);
tuple_impl!(all [A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9]; first a; rest [B b xb 1 after A, C c xc 2 after B, D d xd 3 after C, E e xe 4 after D, F f xf 5 after E, G g xg 6 after F, H h xh 7 after G, I i xi 8 after H, J j xj 9 after I]; rev [J 9, I 8, H 7, G 6, F 5, E 4, D 3, C 2, B 1]; last J);
tuple_impl!(all [A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9, K k 10]; first a; rest [B b xb 1 after A, C c xc 2 after B, D d xd 3 after C, E e xe 4 after D, F f xf 5 after E, G g xg 6 after F, H h xh 7 after G, I i xi 8 after H, J j xj 9 after I, K k xk 10 after J]; rev [K 10, J 9, I 8, H 7, G 6, F 5, E 4, D 3, C 2, B 1]; last K);
tuple_impl!(all [A a 0, B b 1, C c 2, D d 3, E e 4, F f 5, G g 6, H h 7, I i 8, J j 9, K k 10, L l 11]; first a; rest [B b xb 1 after A, C c xc 2 after B, D d xd 3 after C, E e xe 4 after D, F f xf 5 after E, G g xg 6 after F, H h xh 7 after G, I i xi 8 after H, J j xj 9 after I, K k xk 10 after J, L l xl 11 after K]; rev [L 11, K 10, J 9, I 8, H 7, G 6, F 5, E 4, D 3, C 2, B 1]; last L);
