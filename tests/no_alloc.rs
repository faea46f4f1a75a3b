//! Inference, backpropagation and a training step never touch the heap,
//! counted by a global allocator that records this thread's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use constnet::prelude::*;
use constnet::rand::{SeedableRng, rngs::ChaCha8Rng};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a thread-local `Cell` with a const initialiser, which never
// allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

type Net = (Dense<784, 30>, Sigmoid, Dense<30, 10>, Sigmoid);

#[test]
fn forward_backward_and_training_step_do_not_allocate() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut net = Box::new(Net::random(Init::StandardNormal, &mut rng));
    let mut grads = Box::new(Net::zeros());
    let mut trainer = Box::new(Trainer::new(Quadratic, Sgd::new(3.0)));
    let inputs: Vec<[f32; 784]> = (0..10).map(|i| [i as f32 / 10.0; 784]).collect();
    let labels: Vec<Class<10>> = (0..10).filter_map(Class::new).collect();

    // Kernel selection happens once per process, at first use, and reads the
    // environment (which allocates): do it before counting.
    let _ = constnet::kernel::backend();

    // The counter must see allocations at all, or the test proves nothing.
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 16]))) > 0);

    let mut sink = 0.0;
    let n = allocations_during(|| {
        let y = net.forward(&inputs[0]);
        sink += y[0];
        let block: &[[f32; 784]; 8] = inputs[..8].try_into().expect("8 samples");
        let ys = net.forward_batch(block);
        sink += ys[7][0];
        let (y, cache) = net.forward_train(block);
        let dx = net.backward(&cache, &y, &mut grads);
        sink += dx[0][0];
        let cost = trainer
            .step(&mut *net, inputs.iter().zip(&labels))
            .expect("finite");
        sink += cost;
    });
    assert_eq!(n, 0, "heap allocations in the hot path");
    assert!(sink.is_finite());
}
