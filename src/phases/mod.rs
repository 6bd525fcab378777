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
use crate::world::World;
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
        w.event(r, crate::record::EventKind::Policy, p.value, &detail);
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
pub fn chunk_layout(regions: &[crate::world::RegionState]) -> Vec<(usize, Range<usize>)> {
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

/// Splits the worker arrays into disjoint chunks following `layout`.
pub fn worker_chunks<'a>(
    ws: &'a mut crate::world::Workers,
    sc: &'a mut crate::world::Scratch,
    layout: &[(usize, Range<usize>)],
) -> Vec<WorkerChunk<'a>> {
    let mut employer = ws.employer.as_mut_slice();
    let mut class = ws.class.as_mut_slice();
    let mut group = ws.group.as_mut_slice();
    let mut education = ws.education.as_mut_slice();
    let mut threshold = ws.threshold.as_mut_slice();
    let mut grievance = ws.grievance.as_mut_slice();
    let mut income = ws.income.as_mut_slice();
    let mut reference = ws.reference.as_mut_slice();
    let mut savings = ws.savings.as_mut_slice();
    let mut fired = ws.fired.as_mut_slice();
    let mut protesting = ws.protesting.as_mut_slice();
    let mut cohort = ws.cohort.as_mut_slice();
    let mut lifetime = ws.lifetime.as_mut_slice();
    let mut option = sc.option.as_mut_slice();
    let mut previous_employer = sc.previous_employer.as_mut_slice();
    let mut out = Vec::with_capacity(layout.len());
    macro_rules! take {
        ($field:ident, $n:expr) => {{
            let (head, tail) = std::mem::take(&mut $field).split_at_mut($n);
            $field = tail;
            head
        }};
    }
    for (index, (region, range)) in layout.iter().enumerate() {
        let n = range.len();
        out.push(WorkerChunk {
            index,
            region: *region,
            start: range.start,
            employer: take!(employer, n),
            class: take!(class, n),
            group: take!(group, n),
            education: take!(education, n),
            threshold: take!(threshold, n),
            grievance: take!(grievance, n),
            income: take!(income, n),
            reference: take!(reference, n),
            savings: take!(savings, n),
            fired: take!(fired, n),
            protesting: take!(protesting, n),
            cohort: take!(cohort, n),
            lifetime: take!(lifetime, n),
            option: take!(option, n),
            previous_employer: take!(previous_employer, n),
        });
    }
    out
}
