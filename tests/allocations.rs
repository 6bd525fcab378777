//! Once its buffers are sized by the first steps, the step allocates
//! nothing but the text of the events it records: no per-agent, per-firm or
//! per-chunk allocation. A counting allocator proves it.

use ludd::world::World;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; the
// counter only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn advance(w: &mut World) {
    ludd::phases::step(w).expect("steps");
    w.step += 1;
    w.year = w.scenario.year_of(w.step);
}

#[test]
fn steps_allocate_only_for_events() {
    let llm = ludd::scenario::load("llm", &[]).unwrap().scenario;
    let loom = ludd::scenario::load("loom", &[]).unwrap().scenario;
    for (scenario, threads) in [
        (ludd::run::scaled(&llm, 200_000), 1),
        (ludd::run::scaled(&llm, 200_000), 2),
        (loom.clone(), 1),
        (loom, 2),
    ] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut w = World::new(&scenario, 5);
        pool.install(|| {
            for _ in 0..12 {
                advance(&mut w);
            }
        });
        let steps = 40;
        let events_before = w.events.len();
        let counted = pool.install(|| {
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            for _ in 0..steps {
                advance(&mut w);
            }
            ALLOCATIONS.load(Ordering::Relaxed) - before
        });
        let events = w.events.len() - events_before;
        // An event's text is formatted and then stored (two strings), and
        // the events list doubles now and then.
        let allowed = 2 * events + 2 * (usize::BITS - w.events.len().leading_zeros()) as usize;
        assert!(
            counted <= allowed,
            "{} on {threads} threads: {counted} allocations in {steps} steps with {events} events",
            scenario.name
        );
        eprintln!(
            "{} at {} workers on {threads} threads: {counted} allocations in {steps} steps, {events} events",
            scenario.name,
            w.workers.len()
        );
    }
}
