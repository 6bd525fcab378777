//! Labour market.
//!
//! Its contract is `contracts::Labour`; `buf` and `per_worker` (each worker's search option and previous employer) are working memory only, refilled each step.
//!
//! The phase is a sequence of named steps, in the order below: demand
//! (`labour/demand.rs`), careers and population (here, with the worker
//! level in `labour/careers.rs`), search (`labour/search.rs`), hiring and
//! counting (`labour/hiring.rs`), and wages and the rest of the economy's
//! price (`labour/wages.rs`).
//!
//! Careers end and begin first (`careers`). Factories set a head count per
//! class from planned output; excess workers are laid off at random (slower
//! with firing costs); hand shops neither lay off nor advertise. The rest
//! of the economy wants the workers whose marginal revenue product pays the
//! wage (`model::rest`). Job seekers (the unemployed, and a few employed
//! workers looking for better pay) apply to the option worth most, pay
//! times last quarter's chance of a hire, counting a hand worker's
//! attachment to the trade; each is hired with probability
//! vacancies/seekers and placed with a firm in proportion to its vacancies;
//! an unemployed hand worker who will not take unskilled work goes back to
//! the loom. Four passes over the workers (careers, search, hiring,
//! counting), so its cost grows linearly (a binary search per hire).
//! Wages then move with excess demand for each class, downward more slowly
//! where unions are strong, toward labour's marginal revenue product by
//! bargaining, and with the cost of living by indexation; the rest of the
//! economy's price moves toward the one that clears its market.

mod careers;
mod demand;
mod hiring;
mod search;
mod wages;

use crate::model::contracts::Labour;
use crate::model::ledger::{Flow, Sector};

use crate::model::rng::{self, Phase};
use crate::model::world::{
    chunk_layout, for_each_chunk, private_money_per_worker, refill, Leavers, WorkerChunk,
    WorkerScratch, CLASSES, CRAFT_SHOP,
};

/// Search options: the three industry classes and the rest of the economy.
const OPTIONS: usize = CLASSES + 1;

/// The chunks of workers, each a region and a range of worker slots.
type Chunks = [(usize, std::ops::Range<usize>)];

pub fn labour(mut view: Labour<'_>, buf: &mut Buffers, per_worker: &mut WorkerScratch) {
    // Demand: head-count targets, layoff probabilities and vacancies, in
    // the firms and in the rest of the economy, and the terms on offer.
    demand::firm_targets(&mut view, buf);
    demand::rest_jobs(&mut view, buf);
    demand::offers(&view, buf);

    // Careers end and begin, and the labour force grows.
    entry_terms(&mut view, buf);
    if !view.clock.settling() {
        population(&mut view, buf, per_worker);
    }
    // The layout is lent to the passes over the workers, which borrow the
    // world's workers mutably, and given back once they are done.
    let layout = std::mem::take(view.layout);
    careers(&mut view, &layout, buf, per_worker);

    // Search, hiring and counting.
    search::last_searchers(view.params.region_count(), buf);
    search::search_pass(&mut view, &layout, buf, per_worker);
    search::hire_chances(view.params.region_count(), &layout, buf);
    hiring::vacancy_tables(&view, buf);
    hiring::hire_pass(&mut view, &layout, buf, per_worker);
    hiring::count_pass(&mut view, &layout, buf, per_worker);
    *view.layout = layout;

    // Wages and the rest of the economy's price.
    wages::adjust(&mut view, buf);
}

/// What an entrant in each region faces, and the cumulative head count of
/// each region's open hand shops, where entrants to the trade are seated.
fn entry_terms(view: &mut Labour, buf: &mut Buffers) {
    let behaviour = view.params.behaviour();
    let steps_per_year = view.params.steps_per_year();
    let firm_count = view.firms.len();
    let Buffers { shops, entry, .. } = buf;
    // Entrants choose between the region's hand shops (weighted by their
    // size) and the open labour market.
    refill(shops, firm_count, 0.0);
    entry.clear();
    for (r, region) in view.economy.iter().enumerate() {
        let mut acc = 0.0;
        for f in region.firms.clone() {
            if view.firms.alive[f] && view.firms.organization[f] == CRAFT_SHOP {
                acc += f64::from(view.params.shop_members(view.firms, f));
            }
            shops[f] = acc;
        }
        let start = view.params.scenario.start_year;
        entry.push(careers::EntryTerms {
            wage: region.wage,
            craft_reputation: region.craft_reputation,
            education: view.params.scenario.regions[r].education as f32,
            labour_force: region.workers.len() as f64,
            threshold: (behaviour.threshold_mean, behaviour.threshold_spread),
            first_firm: region.firms.start,
            end_firm: region.firms.end,
            stage2_step: (!view.stages[r].stage_year[1].is_nan())
                .then(|| ((view.stages[r].stage_year[1] - start) * steps_per_year).round() as u32),
        });
    }
}

/// The labour force grows (or shrinks) at the scenario's demographic rates
/// once the clock has started; the settling years stand still.
fn population(view: &mut Labour, buf: &Buffers, per_worker: &mut WorkerScratch) {
    let behaviour = view.params.behaviour();
    let steps_per_year = view.params.steps_per_year();
    let (seed, step) = (view.params.seed, view.clock.step);
    let mut changed = false;
    for r in 0..view.params.region_count() {
        let rate = view.params.scenario.regions[r].growth_at(view.clock.year);
        let region = &mut view.economy[r];
        region.population *= (rate.ln_1p() / steps_per_year).exp();
        let active = region.workers.len();
        if region.population.floor() as usize == active || rate == 0.0 {
            continue;
        }
        let (start, slots) = (
            region.workers.start,
            region.slots_end - region.workers.start,
        );
        // The monetary authority gives each entrant the private money
        // per worker, so money grows with the people and population
        // growth alone neither deflates prices nor cuts nominal wages.
        let endowment = private_money_per_worker(
            view.workers,
            view.inventors,
            view.firms,
            r,
            &view.economy[r],
        );
        let region = &mut view.economy[r];
        let (_, after) = WorkerChunk::whole(view.workers, per_worker).split_at(start);
        let (mut chunk, _) = after.split_at(slots);
        let mut rng = rng::stream(seed, step, Phase::Births, r as u64);
        let end = careers::grow(
            &mut chunk,
            active,
            region.population,
            endowment,
            &mut rng,
            &buf.entry[r],
            &buf.shops[region.firms.clone()],
            behaviour.training_cost,
            behaviour.occupation_sharpness,
            step as u32,
        );
        changed |= end != active;
        region.workers.end = start + end;
        let issue = end.saturating_sub(active) as f64 * endowment;
        view.government[r].cash -= issue;
        view.government[r].issued += issue;
        view.ledger
            .pay(Flow::Issue, Sector::Government, Sector::Households, issue);
    }
    if changed {
        chunk_layout(view.economy, view.layout);
    }
}

/// The first pass over the workers: careers end and begin, and each
/// region counts who left.
fn careers(view: &mut Labour, layout: &Chunks, buf: &mut Buffers, per_worker: &mut WorkerScratch) {
    let behaviour = view.params.behaviour();
    let steps_per_year = view.params.steps_per_year();
    let (seed, step) = (view.params.seed, view.clock.step);
    let Buffers {
        shops,
        entry,
        leavers,
        ..
    } = buf;
    refill(leavers, layout.len(), Leavers::default());
    {
        let (entry, shops, ranges) = (&*entry, &*shops, &*view.economy);
        let leave_p = 1.0 / (behaviour.working_life * steps_per_year);
        let job = |chunk: &mut WorkerChunk<'_>, out: &mut Leavers| {
            let mut rng = rng::stream(seed, step, Phase::Careers, chunk.index as u64);
            let firms = ranges[chunk.region].firms.clone();
            careers::renew(
                chunk,
                &mut rng,
                &entry[chunk.region],
                &shops[firms],
                leave_p,
                behaviour.training_cost,
                behaviour.occupation_sharpness,
                step as u32,
                out,
            );
        };
        for_each_chunk(view.workers, per_worker, layout, leavers, &job);
    }
    for ((r, _), left) in layout.iter().zip(leavers.iter()) {
        view.stages[*r].leavers.add(left);
    }
}

/// The labour market's working space, kept between steps so that the phase
/// allocates nothing once the first step has sized it.
#[derive(Clone, Default)]
pub struct Buffers {
    /// Per region: how many searched last quarter (at least one).
    searched: Vec<f64>,
    /// Per firm: cumulative head count of each region's open hand shops,
    /// where entrants to the trade are seated.
    shops: Vec<f64>,
    /// Per region: what entrants face; per chunk: who left.
    entry: Vec<careers::EntryTerms>,
    leavers: Vec<Leavers>,
    /// Per firm: layoff probability by class; pay factor and quit rate.
    fire_p: Vec<[f32; CLASSES]>,
    firm_terms: Vec<(f32, f32)>,
    /// Per region: vacancies by search option, jobs demanded by class,
    /// layoff probability in the rest of the economy, wages, hiring
    /// probability by option, seekers by option, the region's firms.
    vacancies: Vec<[f64; OPTIONS]>,
    demanded: Vec<[f64; CLASSES]>,
    rest_fire_p: Vec<f32>,
    wages: Vec<[f64; CLASSES]>,
    hire_p: Vec<[f64; OPTIONS]>,
    total: Vec<[u32; OPTIONS]>,
    firm_ranges: Vec<std::ops::Range<usize>>,
    /// Per chunk: seekers by option.
    seekers: Vec<[u32; OPTIONS]>,
    /// Cumulative vacancies per class over each region's firms, `[class * firms + firm]`.
    cumulative: Vec<f64>,
    /// Head-count tallies of the hiring pass, one per group of chunks.
    tallies: Vec<hiring::Tally>,
}

impl Buffers {
    /// Room for `chunks` chunks of workers, the most the run will have.
    pub fn reserve_chunks(&mut self, chunks: usize) {
        self.leavers.reserve(chunks);
        self.seekers.reserve(chunks);
    }
}
