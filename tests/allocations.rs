//! Once its buffers are sized by the first steps, no phase allocates
//! anything but the text of the events it records: no per-agent, per-firm
//! or per-chunk allocation. A counting allocator proves it, phase by phase.

use ludd::model::phases::{self, Buffers, PIPELINE};
use ludd::model::world::World;
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

fn advance(w: &mut World, b: &mut Buffers) {
    phases::step(w, b).expect("steps");
    w.clock.step += 1;
    w.clock.year = w.params.scenario.year_of(w.clock.step);
}

#[test]
fn phases_allocate_only_for_events() {
    let llm = ludd::scenario::load("llm", &[]).unwrap().scenario;
    let loom = ludd::scenario::load("loom", &[]).unwrap().scenario;
    for (scenario, threads) in [
        (ludd::model::run::scaled(&llm, 200_000), 1),
        (ludd::model::run::scaled(&llm, 200_000), 2),
        (loom.clone(), 1),
        (loom, 2),
    ] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut w = World::new(&scenario, 5);
        let mut b = Buffers::new(&w);
        // The first steps size every buffer.
        pool.install(|| {
            for _ in 0..12 {
                advance(&mut w, &mut b);
            }
        });
        let (mut total, mut events) = (0, 0);
        pool.install(|| {
            for _ in 0..40 {
                // The start-of-step housekeeping (flows cleared, dated
                // policies) is done by a whole step every tenth quarter.
                for phase in PIPELINE {
                    let (allocations_before, events_before) =
                        (ALLOCATIONS.load(Ordering::Relaxed), w.events.list.len());
                    (phase.run)(&mut w, &mut b).expect("every phase runs and the books balance");
                    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations_before;
                    let new_events = w.events.list.len() - events_before;
                    // Formatting an event's text and storing it takes up to
                    // three allocations (the string grows once while it is
                    // formatted), and the list of events doubles now and then.
                    let allowed = 3 * new_events + usize::from(new_events > 0);
                    assert!(
                        allocations <= allowed,
                        "{} on {threads} threads, step {}: {} made {allocations} allocations \
                         with {new_events} events",
                        scenario.name,
                        w.clock.step,
                        phase.name
                    );
                    total += allocations;
                    events += new_events;
                }
                w.clock.step += 1;
                w.clock.year = w.params.scenario.year_of(w.clock.step);
                if w.clock.step % 10 == 0 {
                    advance(&mut w, &mut b);
                }
            }
        });
        eprintln!(
            "{} at {} workers on {threads} threads: {total} allocations in 40 steps, {events} events",
            scenario.name,
            w.workers.len()
        );
    }
}
