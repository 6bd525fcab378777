//! The step: a pipeline of named phases. Each phase is a module with one
//! public function, which takes the view of its contract (the groups of
//! the world it reads and writes, declared in `model::contracts`) and its
//! buffers; the module's header gives the economics and the order of its
//! named steps. The pipeline lends each phase its view in turn, so no
//! phase sees the whole world, and none calls another: what phases share
//! sits below them (`costs`, `plans`, the world's own methods).
//!
//! A phase's buffers (`Buffers` below) are working memory only: refilled
//! each quarter, they carry nothing the model reads.
//!
//! Before the phases, `begin_step` clears the step's flows, keeps last
//! step's sales of the rest of the economy as its demand, and enacts the
//! scenario's dated policies that have come due (each sets one institution
//! of one region and is recorded as a `Policy` event).

pub mod accounting;
pub mod building;
pub mod diffusion;
pub mod incomes;
pub mod innovation;
pub mod labour;
pub mod politics;
pub mod production;
pub mod reorganization;
pub mod stages;
pub mod technology;
pub mod trade;

use crate::error::{LuddError, Result};
use crate::model::contracts::{
    Accounting, Building, Diffusion, Incomes, Innovation, Labour, PoliticsPhase, Production,
    Reorganization, StagesPhase, Technology, Trade,
};
use crate::model::world::{
    Clock, Economy, Events, Flows, Parameters, Politics, WorkerScratch, World, SETTLING_STEPS,
};
use std::time::Instant;

/// The step pipeline's working memory: each phase's buffers, and the
/// per-worker arrays of the labour market's search. They are refilled every
/// quarter and kept between quarters, so that a step allocates nothing; they
/// carry nothing from one quarter to the next that the model reads.
#[derive(Clone, Default)]
pub struct Buffers {
    pub workers: WorkerScratch,
    pub innovation: innovation::Buffers,
    /// Firms' plans costed at the start of the technology phase.
    pub technology: Vec<technology::Review>,
    /// Share of each region's live firms running each technology.
    pub running: Vec<f64>,
    pub trade: trade::Buffers,
    pub labour: labour::Buffers,
    pub incomes: incomes::Buffers,
    pub politics: politics::Buffers,
    pub diffusion: diffusion::Buffers,
    /// Households' savings summed per chunk of workers.
    pub accounting: Vec<f64>,
}

impl Buffers {
    pub fn new(world: &World) -> Buffers {
        let mut buffers = Buffers {
            workers: WorkerScratch::new(world.workers.len()),
            ..Buffers::default()
        };
        // The per-chunk buffers get room for the most chunks the labour
        // force will fill (the layout's reserved capacity), so that a chunk
        // added by population growth allocates nothing.
        let chunks = world.layout.capacity();
        buffers.labour.reserve_chunks(chunks);
        buffers.incomes.reserve_chunks(chunks);
        buffers.politics.reserve_chunks(chunks);
        buffers
    }
}

/// Whether `settle` runs a phase while it brings a new world to the steady
/// state of its starting technologies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settling {
    /// The phase runs in every settling step: the markets, the incomes and
    /// the books.
    Runs,
    /// The phase is held still while the world settles: technology,
    /// invention, protest, diffusion, reorganization and the stages.
    HeldStill,
}

/// One phase of the pipeline: its name for diagnostics, whether `settle`
/// runs it, and how the pipeline calls it with the buffers it uses.
#[derive(Clone, Copy)]
pub struct Phase {
    pub name: &'static str,
    pub settling: Settling,
    pub run: fn(&mut World, &mut Buffers) -> Result<()>,
}

/// Declares the pipeline once: each line names a phase, says whether
/// `settle` runs it and how it is called with the buffers it uses (a phase
/// that can fail the run ends its call with `?`); from it come
/// `PHASE_COUNT`, `PHASES` and `PIPELINE`.
macro_rules! pipeline {
    ($($name:ident($world:ident, $buffers:ident), $settling:ident => $call:expr,)*) => {
        /// How many phases a step runs.
        pub const PHASE_COUNT: usize = [$(stringify!($name),)*].len();

        /// The phases' names in the order they run, for diagnostics and
        /// timings.
        pub const PHASES: [&str; PHASE_COUNT] = [$(stringify!($name),)*];

        /// The phases in the order they run.
        pub const PIPELINE: [Phase; PHASE_COUNT] = [
            $(Phase {
                name: stringify!($name),
                settling: Settling::$settling,
                run: |$world: &mut World, $buffers: &mut Buffers| -> Result<()> {
                    $call;
                    Ok(())
                },
            },)*
        ];
    };
}

// The stages are dated from the step's output once reorganization has
// settled which firms run what; accounting, which closes the books, runs
// last. Each phase is lent the view of its contract (`model::contracts`).
pipeline! {
    innovation(world, buffers), HeldStill => innovation::innovation(Innovation::lend(world), &mut buffers.innovation),
    building(world, _buffers), Runs => building::building(Building::lend(world)),
    technology(world, buffers), HeldStill => technology::technology(Technology::lend(world), &mut buffers.technology, &mut buffers.running),
    production(world, _buffers), Runs => production::production(Production::lend(world)),
    trade(world, buffers), Runs => trade::trade(Trade::lend(world), &mut buffers.trade),
    labour(world, buffers), Runs => labour::labour(Labour::lend(world), &mut buffers.labour, &mut buffers.workers),
    incomes(world, buffers), Runs => incomes::incomes(Incomes::lend(world), &mut buffers.incomes, &mut buffers.workers),
    politics(world, buffers), HeldStill => politics::politics(PoliticsPhase::lend(world), &mut buffers.politics, &mut buffers.workers),
    diffusion(world, buffers), HeldStill => diffusion::diffusion(Diffusion::lend(world), &mut buffers.diffusion),
    reorganization(world, _buffers), HeldStill => reorganization::reorganization(Reorganization::lend(world)),
    stages(world, _buffers), HeldStill => stages::stages(StagesPhase::lend(world)),
    accounting(world, buffers), Runs => accounting::accounting(Accounting::lend(world), &mut buffers.accounting)?,
}

/// Advances the world by one step.
pub fn step(world: &mut World, buffers: &mut Buffers) -> Result<()> {
    step_timed(world, buffers, None)
}

/// Advances the world by one step, adding each phase's wall time in
/// seconds to `seconds` (in `PHASES` order) when given.
pub fn step_timed(
    world: &mut World,
    buffers: &mut Buffers,
    mut seconds: Option<&mut [f64; PHASE_COUNT]>,
) -> Result<()> {
    begin_step(world);
    for (k, phase) in PIPELINE.iter().enumerate() {
        let started = Instant::now();
        run_phase(world, buffers, phase)?;
        if let Some(s) = seconds.as_deref_mut() {
            s[k] += started.elapsed().as_secs_f64();
        }
    }
    Ok(())
}

/// Runs one phase, then checks that the region aggregates are still finite
/// numbers, so that a run that goes wrong stops at the phase that broke it.
fn run_phase(world: &mut World, buffers: &mut Buffers, phase: &Phase) -> Result<()> {
    let name = phase.name;
    let _span = tracing::trace_span!("phase", name).entered();
    (phase.run)(world, buffers)?;
    check_finite(world, name)
}

/// Brings a new world to the steady state of its starting technologies
/// before the clock starts: the markets, wages, trade and the rest of the
/// economy (the phases `PIPELINE` marks `Settling::Runs`) run for
/// `settle_years` with every technology choice, invention, diffusion,
/// reorganization, protest, stage and dated policy held still, so a run
/// starts from its stage-1 steady state rather than from the shock of its
/// hand-set initial values. The settling steps draw from their own random
/// streams (steps numbered from `SETTLING_STEPS`), and afterwards the clock,
/// the events, experience with each technology, grievance, reference
/// incomes, lifetime incomes and the price baselines start afresh.
pub fn settle(world: &mut World, buffers: &mut Buffers) -> Result<()> {
    let steps =
        (world.params.behaviour().settle_years * world.params.steps_per_year()).round() as usize;
    let knowledge = world.knowledge.clone();
    for k in 0..steps {
        world.clock.step = SETTLING_STEPS + k;
        clear_flows(&mut world.flows, &mut world.economy);
        for phase in PIPELINE.iter().filter(|p| p.settling == Settling::Runs) {
            run_phase(world, buffers, phase)?;
        }
    }
    world.clock.step = 0;
    world.clock.year = world.params.scenario.start_year;
    world.events.list.clear();
    world.knowledge = knowledge;
    let workers = &mut world.workers;
    for i in 0..workers.len() {
        workers.grievance[i] = 0.0;
        workers.protesting[i] = 0;
        workers.reference[i] = workers.income[i];
        workers.lifetime[i] = 0.0;
        workers.entered[i] = 0;
    }
    for ((economy, politics), stages) in world
        .economy
        .iter_mut()
        .zip(&mut world.politics)
        .zip(&mut world.stages)
    {
        politics.protest = 0.0;
        politics.risk = 0.0;
        economy.cpi0 = economy.cpi;
        politics
            .mechanized_history
            .iter_mut()
            .for_each(|x| *x = 0.0);
        politics.adoption_rate = 0.0;
        stages.leavers = Default::default();
    }
    Ok(())
}

/// Start-of-step housekeeping: the step's flow records are cleared and the
/// dated policy changes that have come due take effect.
fn begin_step(world: &mut World) {
    clear_flows(&mut world.flows, &mut world.economy);
    enact_policies(
        &world.params,
        &mut world.clock,
        &mut world.politics,
        &mut world.events,
    );
}

/// The scenario's dated policies that have come due, in order of year:
/// each sets one institution of one region (or an embargo it aims at one
/// other region) and is recorded as an event.
fn enact_policies(
    params: &Parameters,
    clock: &mut Clock,
    politics: &mut [Politics],
    events: &mut Events,
) {
    while let Some(p) = params.scenario.policies.get(clock.next_policy) {
        if p.year > clock.year + 1e-9 {
            break;
        }
        let r = params
            .scenario
            .region_index(&p.region)
            .expect("validated region");
        let field = match &p.toward {
            Some(toward) => {
                let t = params
                    .scenario
                    .region_index(toward)
                    .expect("validated region");
                politics[r].embargo_toward[t] = p.value >= 0.5;
                format!("{} toward {toward}", p.field)
            }
            None => {
                politics[r].institutions.set(&p.field, p.value);
                p.field.clone()
            }
        };
        let detail = if p.note.is_empty() {
            format!("{field} = {}", p.value)
        } else {
            format!("{field} = {}: {}", p.value, p.note)
        };
        events.record(
            params,
            clock,
            r,
            crate::model::world::EventKind::Policy,
            p.value,
            &detail,
        );
        clock.next_policy += 1;
    }
}

/// The step's flow records cleared, and last step's sales of the rest of
/// the economy kept as its demand.
fn clear_flows(flows: &mut Flows, economy: &mut [Economy]) {
    flows.clear();
    for region in economy.iter_mut() {
        region.rest_sales_last = region.rest_sales;
        region.rest_sales = 0.0;
        region.builder_profit = 0.0;
    }
}

/// Stops the run if a region-level aggregate is no longer a finite number,
/// naming the step, phase and region.
fn check_finite(world: &World, phase: &'static str) -> Result<()> {
    let fail = |region: &str, message: String| LuddError::Simulation {
        step: world.clock.step,
        year: world.clock.year,
        phase,
        region: region.to_string(),
        message,
    };
    for (i, r) in world.economy.iter().enumerate() {
        let (politics, name) = (&world.politics[i], world.params.region_name(i));
        let values = [
            ("wage", r.wage.iter().sum::<f64>()),
            ("rest_price", r.rest_price),
            ("rest_cash", r.rest_cash),
            ("owners_wealth", r.owners_wealth),
            ("merchants_cash", r.merchants_cash),
            ("government", world.government[i].cash),
            ("price_index", r.price_index),
            ("machine_price", r.machine_price.iter().sum::<f64>()),
            ("cpi", r.cpi),
            ("protest", politics.protest),
            ("risk", politics.risk),
        ];
        if let Some((field, v)) = values.iter().find(|(_, v)| !v.is_finite()) {
            return Err(fail(name, format!("{field} became {v}")));
        }
        let firms = &world.firms;
        if let Some(f) = r.firms.clone().find(|&f| {
            !(firms.cash[f].is_finite()
                && firms.price[f].is_finite()
                && firms.expected[f].is_finite())
        }) {
            return Err(fail(
                name,
                format!("firm {f} has a non-finite cash, price or expected sales"),
            ));
        }
    }
    Ok(())
}
