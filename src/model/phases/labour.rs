//! Labour market.
//!
//! Reads:
//! - firms: `firms.alive`, `firms.region`, `firms.org` (hand shops),
//!   `firms.expected`, `firms.req` (the plan's labour per unit),
//!   `firms.labour`, `firms.sharing` (pay factor and quit rate, through
//!   `pay_factor` and `quit_rate`).
//! - workers: `workers.employer`, `workers.class`, `workers.group`,
//!   `workers.education`, `workers.fired` (the layoff clock); for leavers
//!   (careers), `workers.entered`, `workers.cohort`, `workers.lifetime`.
//! - regions: `regions[r].firms`, `regions[r].wage`, `regions[r].stage_year`
//!   and `regions[r].craft_reputation` (careers),
//!   `regions[r].rest_sales_last` (the rest of the economy's demand),
//!   `regions[r].rest_price`, `regions[r].rest_productivity`,
//!   `regions[r].rest_capital`, `regions[r].rest_alpha`,
//!   `regions[r].rest_productivity_growth`, `regions[r].rest_jobs`,
//!   `regions[r].rest_employed`, `regions[r].cpi`, `regions[r].cpi_last`;
//!   `regions[r].institutions.firing_cost`, `.union_strength`,
//!   `.minimum_wage`, `.wage_passthrough`.
//! - scenario: `scenario.regions[r].education` (entrants' schooling);
//!   `scenario.behaviour` (`rest_adjustment`, `on_the_job_search`,
//!   `craft_attachment`, `wage_adjustment`, `wage_indexation`,
//!   `price_adjustment`, `base_quit_rate`, `working_life`, `training_cost`,
//!   `occupation_sharpness`, `threshold_mean`, `threshold_spread`);
//!   `scenario.wage_policy` (`premium`, `quit_reduction`); `class_education`;
//!   `hired_task` (hand shops that hire hands offer unskilled places beside
//!   the rest of the economy's).
//!
//! Writes:
//! - firms: `firms.target`, `firms.labour`, `firms.fired`, `firms.quits`,
//!   `firms.hires`.
//! - workers: `workers.employer`, `workers.class`, `workers.group`,
//!   `workers.fired` (set on a layoff, cleared on a hire); for each leaver's
//!   place (careers) every worker array except `region` and `savings`.
//! - regions: `regions[r].rest_jobs`, `regions[r].rest_employed`,
//!   `regions[r].wage`, `regions[r].rest_productivity`,
//!   `regions[r].rest_price`, `regions[r].leavers`.
//! - `buf` and `per_worker` (each worker's search option and previous
//!   employer): working memory only, refilled each step.
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

use crate::model::ledger::{Flow, Sector};
use crate::model::phases::{for_each_chunk, SETTLING_STEPS};
use crate::model::rng::{self, Phase};
use crate::model::world::{
    chunk_layout, refill, Leavers, WorkerChunk, WorkerScratch, World, CLASSES, CRAFT_SHOP,
};
use crate::scenario::Behaviour;

/// Search options: the three industry classes and the rest of the economy.
const OPTIONS: usize = CLASSES + 1;

/// The chunks of workers, each a region and a range of worker slots.
type Layout = [(usize, std::ops::Range<usize>)];

pub fn labour(world: &mut World, buf: &mut Buffers, per_worker: &mut WorkerScratch) {
    let behaviour = world.scenario.behaviour.clone();

    // Demand: head-count targets, layoff probabilities and vacancies, in
    // the firms and in the rest of the economy, and the terms on offer.
    demand::firm_targets(world, buf);
    demand::rest_jobs(world, buf, &behaviour);
    demand::offers(world, buf);

    // Careers end and begin, and the labour force grows.
    entry_terms(world, buf, &behaviour);
    if world.step < SETTLING_STEPS {
        population(world, buf, per_worker, &behaviour);
    }
    // The layout is lent to the passes over the workers, which borrow the
    // world's workers mutably, and given back once they are done.
    let layout = std::mem::take(&mut world.layout);
    careers(world, &layout, buf, per_worker, &behaviour);

    // Search, hiring and counting.
    search::last_chances(world.regions.len(), buf);
    search::search_pass(world, &layout, buf, per_worker, &behaviour);
    search::hire_chances(world.regions.len(), &layout, buf);
    hiring::vacancy_tables(world, buf);
    hiring::hire_pass(world, &layout, buf, per_worker);
    hiring::count_pass(world, &layout, buf, per_worker);
    world.layout = layout;

    // Wages and the rest of the economy's price.
    wages::adjust(world, buf, &behaviour);
}

/// What an entrant in each region faces, and the cumulative head count of
/// each region's open hand shops, where entrants to the trade are seated.
fn entry_terms(world: &mut World, buf: &mut Buffers, behaviour: &Behaviour) {
    let steps_per_year = world.scenario.steps_per_year as f64;
    let firm_count = world.firms.len();
    let Buffers { shops, entry, .. } = buf;
    // Entrants choose between the region's hand shops (weighted by their
    // size) and the open labour market.
    refill(shops, firm_count, 0.0);
    entry.clear();
    for (r, region) in world.regions.iter().enumerate() {
        let mut acc = 0.0;
        for f in region.firms.clone() {
            if world.firms.alive[f] && world.firms.org[f] == CRAFT_SHOP {
                acc += f64::from(world.shop_members(f));
            }
            shops[f] = acc;
        }
        let start = world.scenario.start_year;
        entry.push(careers::EntryTerms {
            wage: region.wage,
            craft_reputation: region.craft_reputation,
            education: world.scenario.regions[r].education as f32,
            labour_force: region.workers.len() as f64,
            threshold: (behaviour.threshold_mean, behaviour.threshold_spread),
            first_firm: region.firms.start,
            end_firm: region.firms.end,
            stage2_step: (!region.stage_year[1].is_nan())
                .then(|| ((region.stage_year[1] - start) * steps_per_year).round() as u32),
        });
    }
}

/// The labour force grows (or shrinks) at the scenario's demographic rates
/// once the clock has started; the settling years stand still.
fn population(
    world: &mut World,
    buf: &Buffers,
    per_worker: &mut WorkerScratch,
    behaviour: &Behaviour,
) {
    let steps_per_year = world.scenario.steps_per_year as f64;
    let (seed, step) = (world.seed, world.step);
    let mut changed = false;
    for r in 0..world.regions.len() {
        let rate = world.scenario.regions[r].growth_at(world.year);
        let region = &mut world.regions[r];
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
        let endowment = world.private_money_per_worker(r);
        let region = &mut world.regions[r];
        let (_, after) = WorkerChunk::whole(&mut world.workers, per_worker).split_at(start);
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
        region.government -= issue;
        region.issued += issue;
        world
            .ledger
            .pay(Flow::Issue, Sector::Government, Sector::Households, issue);
    }
    if changed {
        chunk_layout(&world.regions, &mut world.layout);
    }
}

/// The first pass over the workers: careers end and begin, and each
/// region counts who left.
fn careers(
    world: &mut World,
    layout: &Layout,
    buf: &mut Buffers,
    per_worker: &mut WorkerScratch,
    behaviour: &Behaviour,
) {
    let steps_per_year = world.scenario.steps_per_year as f64;
    let (seed, step) = (world.seed, world.step);
    let Buffers {
        shops,
        entry,
        leavers,
        ..
    } = buf;
    refill(leavers, layout.len(), Leavers::default());
    {
        let (entry, shops, ranges) = (&*entry, &*shops, &world.regions);
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
        for_each_chunk(&mut world.workers, per_worker, layout, leavers, &job);
    }
    for ((r, _), left) in layout.iter().zip(leavers.iter()) {
        world.regions[*r].leavers.add(left);
    }
}

/// The labour market's working space, kept between steps so that the phase
/// allocates nothing once the first step has sized it.
#[derive(Clone, Default)]
pub struct Buffers {
    /// Per region: last quarter's chance of a hire by search option.
    chances: Vec<[f64; OPTIONS]>,
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
