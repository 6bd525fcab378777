//! Each phase's kernel, and the whole step, at 100k and 1M workers of the
//! llm scenario (scaled as `ludd bench` scales it).
//!
//! Run with `cargo bench --bench phases`. Every sample starts from a copy of
//! the same world, stepped 20 quarters from the scenario's start so that
//! firms, markets and protest are under way; the copy is made outside the
//! timing. A phase is timed alone on that state, as it would run inside a
//! step. The allocation columns come from divan's counting allocator and
//! show what a phase allocates per call.

use divan::counter::ItemsCount;
use divan::{AllocProfiler, Bencher};
use ludd::model::world::World;
use std::sync::OnceLock;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

const SIZES: [u64; 2] = [100_000, 1_000_000];

fn main() {
    divan::main();
}

/// The warmed-up world at `workers` workers, built once per size.
fn world(workers: u64) -> &'static World {
    static WORLDS: OnceLock<Vec<(u64, World)>> = OnceLock::new();
    let worlds = WORLDS.get_or_init(|| {
        SIZES
            .iter()
            .map(|&n| {
                let loaded = ludd::scenario::load("llm", &[]).expect("built in");
                let scenario = ludd::model::run::scaled(&loaded.scenario, n);
                let mut w = World::new(&scenario, 1);
                for _ in 0..20 {
                    ludd::model::phases::step(&mut w).expect("steps");
                    w.step += 1;
                    w.year = scenario.year_of(w.step);
                }
                (n, w)
            })
            .collect()
    });
    &worlds
        .iter()
        .find(|(n, _)| *n == workers)
        .expect("a size")
        .1
}

/// Times `phase` on fresh copies of the warmed-up world; counts agent-steps.
fn time(bencher: Bencher, workers: u64, phase: impl Fn(&mut World)) {
    let w = world(workers);
    let agents = w.workers.len() + w.firms.len() + w.inventors.region.len() + w.regions.len();
    bencher
        .counter(ItemsCount::new(agents))
        .with_inputs(|| w.clone())
        .bench_local_refs(|w| phase(w));
}

macro_rules! phase_bench {
    ($name:ident, $phase:path) => {
        #[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
        fn $name(bencher: Bencher, workers: u64) {
            time(bencher, workers, $phase);
        }
    };
}

phase_bench!(innovation, ludd::model::phases::innovation::innovation);
phase_bench!(technology, ludd::model::phases::technology::technology);
phase_bench!(production, ludd::model::phases::production::production);
phase_bench!(trade, ludd::model::phases::trade::trade);
phase_bench!(labour, ludd::model::phases::labour::labour);
phase_bench!(incomes, ludd::model::phases::incomes::incomes);
phase_bench!(politics, ludd::model::phases::politics::politics);
phase_bench!(diffusion, ludd::model::phases::diffusion::diffusion);
phase_bench!(
    reorganization,
    ludd::model::phases::reorganization::reorganization
);

/// The accounting check (it returns whether the books balance).
fn accounting(w: &mut World) {
    divan::black_box(ludd::model::phases::accounting::accounting(w)).ok();
}
phase_bench!(accounting_check, accounting);

/// The whole step: every phase in order, with the start-of-step housekeeping.
fn whole_step(w: &mut World) {
    ludd::model::phases::step(w).expect("steps");
}
phase_bench!(step, whole_step);

/// The whole step on one thread, for the speed-up of two threads over one.
#[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
fn step_one_thread(bencher: Bencher, workers: u64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    time(bencher, workers, |w| pool.install(|| whole_step(w)));
}
