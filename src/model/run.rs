//! Running a scenario: build the world, step it, record every step.

use crate::error::Result;
use crate::model::observe::summary::{summarize, SummaryRow};
use crate::model::observe::Records;
use crate::model::phases::{self, Buffers};
use crate::model::world::{Event, World};
use crate::scenario::Scenario;
use std::time::Instant;

/// Everything a run produces, ready to be written out.
pub struct RunOutput {
    pub scenario: Scenario,
    pub seed: u64,
    pub records: Records,
    pub events: Vec<Event>,
    pub summary: Vec<SummaryRow>,
    pub region_names: Vec<String>,
    pub steps: usize,
    pub workers: usize,
    pub agents: usize,
    pub wall_seconds: f64,
    pub worst_imbalance: f64,
}

impl RunOutput {
    pub fn agent_steps_per_second(&self) -> f64 {
        (self.agents * self.steps) as f64 / self.wall_seconds.max(1e-9)
    }
}

/// Runs a validated scenario with one seed. Uses the current rayon thread
/// pool; the result does not depend on its size.
pub fn run(scenario: &Scenario, seed: u64) -> Result<RunOutput> {
    let started = Instant::now();
    let mut world = World::new(scenario, seed);
    let mut buffers = Buffers::new(&world);
    phases::settle(&mut world, &mut buffers)?;
    let mut records = Records::default();
    let steps = scenario.steps();
    for _ in 0..steps {
        phases::step(&mut world, &mut buffers)?;
        crate::model::observe::record::record(&world, &mut records);
        world.clock.step += 1;
        world.clock.year = scenario.year_of(world.clock.step);
    }
    let summary = summarize(&world, &records);
    let agents = world.agents();
    Ok(RunOutput {
        scenario: scenario.clone(),
        seed,
        events: std::mem::take(&mut world.events.list),
        summary,
        region_names: world
            .params
            .scenario
            .regions
            .iter()
            .map(|r| r.name.clone())
            .collect(),
        steps,
        workers: world.labour_force(),
        agents,
        wall_seconds: started.elapsed().as_secs_f64(),
        worst_imbalance: world.ledger.worst_imbalance,
        records,
    })
}

/// Runs one scenario with many seeds, in parallel; results come back in
/// seed order and each run is identical to running it alone.
pub fn ensemble(scenario: &Scenario, seeds: &[u64]) -> Result<Vec<RunOutput>> {
    use rayon::prelude::*;
    seeds.par_iter().map(|&seed| run(scenario, seed)).collect()
}

/// Runs `job(0..jobs)` on `threads` plain threads, each taking the next job
/// in turn and running it inside its own one-thread rayon pool. A thread
/// never picks up a second job while one is in progress (as rayon's work
/// stealing would), so at most `threads` runs are alive at once and memory
/// stays bounded whatever the number of jobs. Runs give the same result on
/// one thread as on many, so nothing else changes. Stops at the first error.
pub fn bounded_parallel<E: Send>(
    jobs: usize,
    threads: usize,
    job: &(dyn Fn(usize) -> std::result::Result<(), E> + Sync),
) -> std::result::Result<(), E> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let first_error = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1).min(jobs.max(1)) {
            scope.spawn(|| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .expect("a one-thread pool starts");
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= jobs {
                        break;
                    }
                    if let Err(e) = pool.install(|| job(i)) {
                        stop.store(true, Ordering::Relaxed);
                        first_error.lock().expect("not poisoned").get_or_insert(e);
                    }
                }
            });
        }
    });
    match first_error.into_inner().expect("not poisoned") {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A scenario scaled to about `workers` worker agents: workers, firms and
/// inventors of every region in proportion (at least 10 workers, one firm),
/// and `people_per_agent` divided by the same factor, so the economy it
/// stands for is the same size.
pub fn scaled(scenario: &Scenario, workers: u64) -> Scenario {
    let mut s = scenario.clone();
    let total: u64 = s.regions.iter().map(|r| u64::from(r.workers)).sum();
    let factor = workers as f64 / total.max(1) as f64;
    for r in s.regions.iter_mut() {
        let scale = |n: u32| ((f64::from(n) * factor).round()).min(f64::from(u32::MAX)) as u32;
        r.workers = scale(r.workers).max(10);
        r.firms = scale(r.firms).clamp(1, r.workers);
        r.inventors = scale(r.inventors);
    }
    s.people_per_agent /= factor;
    s
}

/// What `bench` measured.
pub struct Bench {
    pub steps: usize,
    pub workers: usize,
    pub agents: usize,
    pub wall_seconds: f64,
    /// Seconds spent in each phase, in `phases::PHASES` order.
    pub phase_seconds: [f64; phases::PHASE_COUNT],
    pub setup_seconds: f64,
}

impl Bench {
    pub fn agent_steps_per_second(&self) -> f64 {
        (self.agents * self.steps) as f64 / self.wall_seconds.max(1e-9)
    }
}

/// Steps a validated scenario `steps` times without recording tables,
/// timing every phase. Uses the current rayon pool.
pub fn bench(scenario: &Scenario, seed: u64, steps: usize) -> Result<Bench> {
    let started = Instant::now();
    // The run ends after the benchmarked steps, so the world reserves slots
    // only for the labour force those steps reach.
    let mut span = scenario.clone();
    span.end_year = scenario.year_of(steps + 1);
    let mut world = World::new(&span, seed);
    let mut buffers = Buffers::new(&world);
    phases::settle(&mut world, &mut buffers)?;
    let setup_seconds = started.elapsed().as_secs_f64();
    let mut phase_seconds = [0.0; phases::PHASE_COUNT];
    let stepping = Instant::now();
    for _ in 0..steps {
        phases::step_timed(&mut world, &mut buffers, Some(&mut phase_seconds))?;
        world.clock.step += 1;
        world.clock.year = scenario.year_of(world.clock.step);
    }
    let agents = world.agents();
    Ok(Bench {
        steps,
        workers: world.labour_force(),
        agents,
        wall_seconds: stepping.elapsed().as_secs_f64(),
        phase_seconds,
        setup_seconds,
    })
}
