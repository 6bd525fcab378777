//! The step: a pipeline of named phases. Each phase is a module with one
//! public function whose doc comment says what it reads and what it writes.

pub mod accounting;
pub mod diffusion;
pub mod incomes;
pub mod innovation;
pub mod labour;
pub mod politics;
pub mod production;
pub mod reorganization;
pub mod technology;
pub mod trade;

use crate::error::{LuddError, Result};
use crate::model::world::World;
use std::ops::Range;

/// Workers per chunk in the parallel per-worker phases. Chunks never
/// straddle two regions and their boundaries depend only on the scenario,
/// so every chunk's random stream and partial sums are the same at any
/// thread count; partial sums are then folded in chunk order.
pub const CHUNK: usize = 4096;

/// The phases in the order they run, with their names for diagnostics.
pub const PHASES: [&str; 10] = [
    "innovation",
    "technology",
    "production",
    "trade",
    "labour",
    "incomes",
    "politics",
    "diffusion",
    "reorganization",
    "accounting",
];

/// Advances the world by one step.
pub fn step(w: &mut World) -> Result<()> {
    step_timed(w, None)
}

/// Advances the world by one step, adding each phase's wall time in
/// seconds to `seconds` (in `PHASES` order) when given.
pub fn step_timed(w: &mut World, mut seconds: Option<&mut [f64; 10]>) -> Result<()> {
    begin_step(w);
    let phases: [fn(&mut World); 9] = [
        innovation::innovation,
        technology::technology,
        production::production,
        trade::trade,
        labour::labour,
        incomes::incomes,
        politics::politics,
        diffusion::diffusion,
        reorganization::reorganization,
    ];
    for (k, (phase, run)) in PHASES.iter().zip(phases).enumerate() {
        let _span = tracing::trace_span!("phase", name = phase).entered();
        let started = std::time::Instant::now();
        run(w);
        check_finite(w, phase)?;
        if let Some(s) = seconds.as_deref_mut() {
            s[k] += started.elapsed().as_secs_f64();
        }
    }
    let started = std::time::Instant::now();
    let result = accounting::accounting(w);
    if let Some(s) = seconds {
        s[9] += started.elapsed().as_secs_f64();
    }
    result
}

/// Start-of-step housekeeping: the step's flow records are cleared and the
/// dated policy changes that have come due take effect.
fn begin_step(w: &mut World) {
    for f in w.flows.iter_mut() {
        *f = Default::default();
    }
    for reg in w.regions.iter_mut() {
        reg.rest_sales_last = reg.rest_sales;
        reg.rest_sales = 0.0;
    }
    while let Some(p) = w.scenario.policies.get(w.next_policy) {
        if p.year > w.year + 1e-9 {
            break;
        }
        let r = w
            .scenario
            .region_index(&p.region)
            .expect("validated region");
        w.regions[r].institutions.set(&p.field, p.value);
        let detail = if p.note.is_empty() {
            format!("{} = {}", p.field, p.value)
        } else {
            format!("{} = {}: {}", p.field, p.value, p.note)
        };
        w.event(
            r,
            crate::model::observe::record::EventKind::Policy,
            p.value,
            &detail,
        );
        w.next_policy += 1;
    }
}

/// Stops the run if a region-level aggregate is no longer a finite number,
/// naming the step, phase and region.
fn check_finite(w: &World, phase: &'static str) -> Result<()> {
    let fail = |region: &str, message: String| LuddError::Simulation {
        step: w.step,
        year: w.year,
        phase,
        region: region.to_string(),
        message,
    };
    for r in &w.regions {
        let values = [
            ("wage", r.wage.iter().sum::<f64>()),
            ("rest_price", r.rest_price),
            ("rest_cash", r.rest_cash),
            ("owners_wealth", r.owners_wealth),
            ("merchants_cash", r.merchants_cash),
            ("government", r.government),
            ("price_index", r.price_index),
            ("cpi", r.cpi),
            ("protest", r.protest),
            ("risk", r.risk),
        ];
        if let Some((name, v)) = values.iter().find(|(_, v)| !v.is_finite()) {
            return Err(fail(&r.name, format!("{name} became {v}")));
        }
        let firms = &w.firms;
        if let Some(f) = r.firms.clone().find(|&f| {
            !(firms.cash[f].is_finite()
                && firms.price[f].is_finite()
                && firms.expected[f].is_finite())
        }) {
            return Err(fail(
                &r.name,
                format!("firm {f} has a non-finite cash, price or expected sales"),
            ));
        }
    }
    Ok(())
}

/// Mutable views of every worker array over one chunk.
pub struct WorkerChunk<'a> {
    pub index: usize,
    pub region: usize,
    pub start: usize,
    pub employer: &'a mut [u32],
    pub class: &'a mut [u8],
    pub group: &'a mut [u8],
    pub education: &'a mut [f32],
    pub threshold: &'a mut [f32],
    pub grievance: &'a mut [f32],
    pub income: &'a mut [f32],
    pub reference: &'a mut [f32],
    pub savings: &'a mut [f64],
    pub fired: &'a mut [u8],
    pub protesting: &'a mut [u8],
    pub cohort: &'a mut [u8],
    pub lifetime: &'a mut [f64],
    pub option: &'a mut [u8],
    pub previous_employer: &'a mut [u32],
}

impl WorkerChunk<'_> {
    pub fn len(&self) -> usize {
        self.employer.len()
    }
    pub fn is_empty(&self) -> bool {
        self.employer.is_empty()
    }
}

/// The chunk layout: (region, worker range) pairs in worker order.
pub fn chunk_layout(regions: &[crate::model::world::RegionState]) -> Vec<(usize, Range<usize>)> {
    let mut layout = Vec::new();
    for (r, reg) in regions.iter().enumerate() {
        let mut start = reg.workers.start;
        while start < reg.workers.end {
            let end = (start + CHUNK).min(reg.workers.end);
            layout.push((r, start..end));
            start = end;
        }
    }
    layout
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
    sc: &mut crate::model::world::Scratch,
    layout: &[(usize, Range<usize>)],
    out: &mut [S],
    job: &(impl Fn(&mut WorkerChunk<'_>, &mut S) + Sync),
) {
    let whole = WorkerChunk {
        index: 0,
        region: 0,
        start: 0,
        employer: &mut ws.employer,
        class: &mut ws.class,
        group: &mut ws.group,
        education: &mut ws.education,
        threshold: &mut ws.threshold,
        grievance: &mut ws.grievance,
        income: &mut ws.income,
        reference: &mut ws.reference,
        savings: &mut ws.savings,
        fired: &mut ws.fired,
        protesting: &mut ws.protesting,
        cohort: &mut ws.cohort,
        lifetime: &mut ws.lifetime,
        option: &mut sc.option,
        previous_employer: &mut sc.previous_employer,
    };
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
            let (mut chunk, tail) = rest.split_at(range.len());
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
    let offset = layout[mid].1.start - layout[first].1.start;
    let (left, right) = span.split_at(offset);
    let (out_left, out_right) = out.split_at_mut(half);
    rayon::join(
        || split(left, layout, first, mid, g0, groups, out_left, job),
        || split(right, layout, mid, last, g0 + half, groups, out_right, job),
    );
}

impl<'a> WorkerChunk<'a> {
    /// The first `n` workers and the rest, as two views.
    fn split_at(self, n: usize) -> (WorkerChunk<'a>, WorkerChunk<'a>) {
        macro_rules! halves {
            ($($field:ident),*) => {{
                $(let $field = self.$field.split_at_mut(n);)*
                (
                    WorkerChunk { index: self.index, region: self.region, start: self.start, $($field: $field.0,)* },
                    WorkerChunk { index: self.index, region: self.region, start: self.start + n, $($field: $field.1,)* },
                )
            }};
        }
        halves!(
            employer,
            class,
            group,
            education,
            threshold,
            grievance,
            income,
            reference,
            savings,
            fired,
            protesting,
            cohort,
            lifetime,
            option,
            previous_employer
        )
    }
}
