//! The step: a pipeline of named phases. Each phase is a module with one
//! public function; the module's header says what it reads and what it
//! writes.
//!
//! The headers' `Reads:` and `Writes:` lists are grouped by owner and name
//! state by its path: `firms.cash`, `workers.grievance`, `regions[r].wage`,
//! `regions[r].institutions.*`, `knowledge.experience`, `flows[r].*` (the
//! step's outputs), the `ledger` by flow, the `events` by kind. They count
//! what a phase reaches through the helpers it calls (the formulas of
//! `costs`, and `World` methods such as `pay_factor`, `neighbours`,
//! `output_shares`, `event`, `first_adoption`). A field updated from its
//! own value (`+=`, `-=`, `*=`, a moving average) is listed under `Writes`,
//! and under `Reads` as well only when its value also steers something
//! else. Left out everywhere: the clock and seed (`step`, `year`, `seed`,
//! `scenario.steps_per_year`) and the metadata fixed at the start
//! (`tech_kind`, `tech_class`, `tech_tasks`, `task_labour`, names,
//! `layout`). A phase's buffers (`Buffers` below) are working memory only:
//! refilled each quarter, they carry nothing the model reads.
//!
//! `begin_step`, before the phases:
//!
//! Reads: `scenario.policies` (`year`, `region`, `field`, `value`, `note`)
//! from `next_policy` on; `regions[r].rest_sales`.
//!
//! Writes:
//! - flows: every `flows[r].*` field, cleared.
//! - regions: `regions[r].rest_sales_last` (last step's sales),
//!   `regions[r].rest_sales` (cleared), and the `regions[r].institutions`
//!   field each policy that has come due names (any of them).
//! - `next_policy`.
//! - events: `Policy`.

pub mod accounting;
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
    Accounting, Diffusion, Incomes, Innovation, Labour, PoliticsPhase, Production, Reorganization,
    StagesPhase, Technology, Trade,
};
use crate::model::world::{
    Clock, Economy, Events, Flows, Parameters, Politics, WorkerChunk, WorkerScratch, World,
};
use std::ops::Range;
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
    pub fn new(w: &World) -> Buffers {
        let mut b = Buffers {
            workers: WorkerScratch::new(w.workers.len()),
            ..Buffers::default()
        };
        // The per-chunk buffers get room for the most chunks the labour
        // force will fill (the layout's reserved capacity), so that a chunk
        // added by population growth allocates nothing.
        let chunks = w.layout.capacity();
        b.labour.reserve_chunks(chunks);
        b.incomes.reserve_chunks(chunks);
        b.politics.reserve_chunks(chunks);
        b
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
    ($($name:ident($w:ident, $b:ident), $settling:ident => $call:expr,)*) => {
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
                run: |$w: &mut World, $b: &mut Buffers| -> Result<()> {
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
    innovation(w, b), HeldStill => innovation::innovation(Innovation::lend(w), &mut b.innovation),
    technology(w, b), HeldStill => technology::technology(Technology::lend(w), &mut b.technology, &mut b.running),
    production(w, _b), Runs => production::production(Production::lend(w)),
    trade(w, b), Runs => trade::trade(Trade::lend(w), &mut b.trade),
    labour(w, b), Runs => labour::labour(Labour::lend(w), &mut b.labour, &mut b.workers),
    incomes(w, b), Runs => incomes::incomes(Incomes::lend(w), &mut b.incomes, &mut b.workers),
    politics(w, b), HeldStill => politics::politics(PoliticsPhase::lend(w), &mut b.politics, &mut b.workers),
    diffusion(w, b), HeldStill => diffusion::diffusion(Diffusion::lend(w), &mut b.diffusion),
    reorganization(w, _b), HeldStill => reorganization::reorganization(Reorganization::lend(w)),
    stages(w, _b), HeldStill => stages::stages(StagesPhase::lend(w)),
    accounting(w, b), Runs => accounting::accounting(Accounting::lend(w), &mut b.accounting)?,
}

/// Advances the world by one step.
pub fn step(w: &mut World, buffers: &mut Buffers) -> Result<()> {
    step_timed(w, buffers, None)
}

/// Advances the world by one step, adding each phase's wall time in
/// seconds to `seconds` (in `PHASES` order) when given.
pub fn step_timed(
    w: &mut World,
    buffers: &mut Buffers,
    mut seconds: Option<&mut [f64; PHASE_COUNT]>,
) -> Result<()> {
    begin_step(w);
    for (k, phase) in PIPELINE.iter().enumerate() {
        let started = Instant::now();
        run_phase(w, buffers, phase)?;
        if let Some(s) = seconds.as_deref_mut() {
            s[k] += started.elapsed().as_secs_f64();
        }
    }
    Ok(())
}

/// Runs one phase, then checks that the region aggregates are still finite
/// numbers, so that a run that goes wrong stops at the phase that broke it.
fn run_phase(w: &mut World, buffers: &mut Buffers, phase: &Phase) -> Result<()> {
    let name = phase.name;
    let _span = tracing::trace_span!("phase", name).entered();
    (phase.run)(w, buffers)?;
    check_finite(w, name)
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
pub fn settle(w: &mut World, buffers: &mut Buffers) -> Result<()> {
    let steps = (w.params.behaviour().settle_years * w.params.steps_per_year()).round() as usize;
    let knowledge = w.knowledge.clone();
    for k in 0..steps {
        w.clock.step = SETTLING_STEPS + k;
        clear_flows(&mut w.flows, &mut w.economy);
        for phase in PIPELINE.iter().filter(|p| p.settling == Settling::Runs) {
            run_phase(w, buffers, phase)?;
        }
    }
    w.clock.step = 0;
    w.clock.year = w.params.scenario.start_year;
    w.events.list.clear();
    w.knowledge = knowledge;
    let ws = &mut w.workers;
    for i in 0..ws.len() {
        ws.grievance[i] = 0.0;
        ws.protesting[i] = 0;
        ws.reference[i] = ws.income[i];
        ws.lifetime[i] = 0.0;
        ws.entered[i] = 0;
    }
    for ((economy, politics), stages) in
        w.economy.iter_mut().zip(&mut w.politics).zip(&mut w.stages)
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

/// First step number of the settling steps' random streams: far beyond any
/// run's own steps, so the two never share a stream.
pub const SETTLING_STEPS: usize = 1 << 40;

/// Start-of-step housekeeping: the step's flow records are cleared and the
/// dated policy changes that have come due take effect.
fn begin_step(w: &mut World) {
    clear_flows(&mut w.flows, &mut w.economy);
    enact_policies(&w.params, &mut w.clock, &mut w.politics, &mut w.events);
}

/// The scenario's dated policies that have come due, in order of year:
/// each sets one institution of one region and is recorded as an event.
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
        politics[r].institutions.set(&p.field, p.value);
        let detail = if p.note.is_empty() {
            format!("{} = {}", p.field, p.value)
        } else {
            format!("{} = {}: {}", p.field, p.value, p.note)
        };
        events.record(
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
    }
}

/// Stops the run if a region-level aggregate is no longer a finite number,
/// naming the step, phase and region.
fn check_finite(w: &World, phase: &'static str) -> Result<()> {
    let fail = |region: &str, message: String| LuddError::Simulation {
        step: w.clock.step,
        year: w.clock.year,
        phase,
        region: region.to_string(),
        message,
    };
    for (i, r) in w.economy.iter().enumerate() {
        let (politics, name) = (&w.politics[i], w.params.region_name(i));
        let values = [
            ("wage", r.wage.iter().sum::<f64>()),
            ("rest_price", r.rest_price),
            ("rest_cash", r.rest_cash),
            ("owners_wealth", r.owners_wealth),
            ("merchants_cash", r.merchants_cash),
            ("government", w.government[i].cash),
            ("price_index", r.price_index),
            ("cpi", r.cpi),
            ("protest", politics.protest),
            ("risk", politics.risk),
        ];
        if let Some((field, v)) = values.iter().find(|(_, v)| !v.is_finite()) {
            return Err(fail(name, format!("{field} became {v}")));
        }
        let firms = &w.firms;
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

/// Runs `job` on every chunk of workers in parallel, handing it the chunk's
/// views of every worker array and one output slot.
///
/// `out` has one slot per group of chunks: chunk `k` of `layout` belongs to
/// group `k * out.len() / layout.len()`, the chunks of a group run one after
/// another, in order, and each group gets its own slot. With one slot per
/// chunk, every chunk has its own; with fewer, a group's chunks share one
/// (the labour market's tallies). The arrays are split in halves, by
/// groups, with `rayon::join` until each half is one group: no allocation
/// and no `unsafe`, and since chunk boundaries come from the scenario, each
/// chunk sees the same workers and random stream at any thread count.
pub fn for_each_chunk<S: Send>(
    ws: &mut crate::model::world::Workers,
    sc: &mut WorkerScratch,
    layout: &[(usize, Range<usize>)],
    out: &mut [S],
    job: &(impl Fn(&mut WorkerChunk<'_>, &mut S) + Sync),
) {
    let whole = WorkerChunk::whole(ws, sc);
    let groups = out.len();
    let chunks = layout.len();
    if chunks == 0 {
        return;
    }
    assert!(
        groups > 0 && groups <= chunks.max(1),
        "one slot per group of chunks"
    );
    split(whole, layout, 0, chunks, 0, groups, out, job);
}

/// The recursive half of `for_each_chunk`: `span` holds the workers of
/// chunks `first..last`, which make up groups `g0..g0 + out.len()`.
#[allow(clippy::too_many_arguments)]
fn split<S: Send>(
    span: WorkerChunk<'_>,
    layout: &[(usize, Range<usize>)],
    first: usize,
    last: usize,
    g0: usize,
    groups: usize,
    out: &mut [S],
    job: &(impl Fn(&mut WorkerChunk<'_>, &mut S) + Sync),
) {
    let chunks = layout.len();
    // First chunk of group g.
    let group_start = |g: usize| g * chunks / groups;
    if out.len() == 1 {
        let mut rest = span;
        for k in first..last {
            let (r, range) = &layout[k];
            // Slots not yet in the labour force lie between regions' workers.
            let gap = range.start - rest.start;
            let (_, from) = rest.split_at(gap);
            let (mut chunk, tail) = from.split_at(range.len());
            chunk.index = k;
            chunk.region = *r;
            chunk.start = range.start;
            job(&mut chunk, &mut out[0]);
            rest = tail;
        }
        return;
    }
    let half = out.len() / 2;
    let mid = group_start(g0 + half);
    let offset = layout[mid].1.start - span.start;
    let (left, right) = span.split_at(offset);
    let (out_left, out_right) = out.split_at_mut(half);
    rayon::join(
        || split(left, layout, first, mid, g0, groups, out_left, job),
        || split(right, layout, mid, last, g0 + half, groups, out_right, job),
    );
}
