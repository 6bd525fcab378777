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
use ludd::model::phases::{self, Buffers, PIPELINE};
use ludd::model::world::World;
use std::sync::OnceLock;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

const SIZES: [u64; 2] = [100_000, 1_000_000];

fn main() {
    divan::main();
}

/// A world and the step pipeline's buffers.
type State = (World, Buffers);

/// The warmed-up world at `workers` workers, built once per size.
fn world(workers: u64) -> &'static State {
    static WORLDS: OnceLock<Vec<(u64, State)>> = OnceLock::new();
    let worlds = WORLDS.get_or_init(|| {
        SIZES
            .iter()
            .map(|&n| {
                let loaded = ludd::scenario::load("llm", &[]).expect("built in");
                let scenario = ludd::model::run::scaled(&loaded.scenario, n);
                let mut w = World::new(&scenario, 1);
                let mut b = Buffers::new(&w);
                for _ in 0..20 {
                    phases::step(&mut w, &mut b).expect("steps");
                    w.clock.step += 1;
                    w.clock.year = scenario.year_of(w.clock.step);
                }
                (n, (w, b))
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
fn time(bencher: Bencher, workers: u64, phase: impl Fn(&mut World, &mut Buffers)) {
    let state = world(workers);
    let w = &state.0;
    let agents = w.agents();
    bencher
        .counter(ItemsCount::new(agents))
        .with_inputs(|| state.clone())
        .bench_local_refs(|(w, b)| phase(w, b));
}

macro_rules! phase_bench {
    ($name:ident, $phase:expr) => {
        #[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
        fn $name(bencher: Bencher, workers: u64) {
            time(bencher, workers, $phase);
        }
    };
}

/// The phase called `name` in the pipeline. What it returns is kept from
/// the optimizer and otherwise set aside: accounting's check on a copied
/// world is timed whether or not the books it is handed balance.
fn phase(name: &str) -> impl Fn(&mut World, &mut Buffers) {
    let run = PIPELINE
        .iter()
        .find(|p| p.name == name)
        .expect("a phase of the pipeline")
        .run;
    move |w, b| {
        divan::black_box(run(w, b)).ok();
    }
}

phase_bench!(innovation, phase("innovation"));
phase_bench!(technology, phase("technology"));
phase_bench!(production, phase("production"));
phase_bench!(trade, phase("trade"));
phase_bench!(labour, phase("labour"));
phase_bench!(incomes, phase("incomes"));
phase_bench!(politics, phase("politics"));
phase_bench!(diffusion, phase("diffusion"));
phase_bench!(reorganization, phase("reorganization"));
phase_bench!(stages, phase("stages"));
phase_bench!(accounting_check, phase("accounting"));

/// The whole step: every phase in order, with the start-of-step housekeeping.
fn whole_step(w: &mut World, b: &mut Buffers) {
    phases::step(w, b).expect("steps");
}
phase_bench!(step, whole_step);

/// The whole step on one thread, for the speed-up of two threads over one.
#[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
fn step_one_thread(bencher: Bencher, workers: u64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    time(bencher, workers, |w, b| pool.install(|| whole_step(w, b)));
}
