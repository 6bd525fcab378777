//! Running a scenario: build the world, step it, record every step.

use crate::error::Result;
use crate::record::{Event, Records};
use crate::scenario::Scenario;
use crate::summary::{summarize, SummaryRow};
use crate::world::World;
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
    let mut records = Records::default();
    let steps = scenario.steps();
    for _ in 0..steps {
        crate::phases::step(&mut world)?;
        crate::record::record(&mut world, &mut records);
        crate::stages::update(&mut world, &mut records);
        world.step += 1;
        world.year = scenario.year_of(world.step);
    }
    let summary = summarize(&world, &records);
    let agents = world.workers.len()
        + world.firms.len()
        + world.inventors.region.len()
        + world.regions.len();
    Ok(RunOutput {
        scenario: scenario.clone(),
        seed,
        events: std::mem::take(&mut world.events),
        summary,
        region_names: world.regions.iter().map(|r| r.name.clone()).collect(),
        steps,
        workers: world.workers.len(),
        agents,
        wall_seconds: started.elapsed().as_secs_f64(),
        worst_imbalance: world.worst_imbalance,
        records,
    })
}

/// Runs one scenario with many seeds, in parallel; results come back in
/// seed order and each run is identical to running it alone.
pub fn ensemble(scenario: &Scenario, seeds: &[u64]) -> Result<Vec<RunOutput>> {
    use rayon::prelude::*;
    seeds.par_iter().map(|&seed| run(scenario, seed)).collect()
}
