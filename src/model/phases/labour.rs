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

use crate::model::ledger::{Flow, Sector};
use crate::model::phases::{for_each_chunk, SETTLING_STEPS};
use crate::model::rest;
use crate::model::rng::{self, Phase};
use crate::model::world::{
    chunk_layout, refill, Leavers, WorkerChunk, WorkerScratch, World, CLASSES, CRAFT, CRAFT_SHOP,
    GENERAL, HIRED, NO_SEARCH, OPERATOR, REST, SEEK_REST, UNEMPLOYED, UNSKILLED,
};
use rand::Rng;

/// Search options: the three industry classes and the rest of the economy.
const OPTIONS: usize = CLASSES + 1;

pub fn labour(w: &mut World, buf: &mut Buffers, per_worker: &mut WorkerScratch) {
    let nr = w.regions.len();
    let nf = w.firms.len();
    let spy = w.scenario.steps_per_year as f64;
    let b = w.scenario.behaviour.clone();

    // Every buffer the phase needs is kept between steps (see `Buffers`).
    let Buffers {
        chances,
        shops,
        entry,
        leavers,
        fire_p,
        vacancies,
        demanded,
        rest_fire_p,
        wages,
        firm_terms,
        seekers,
        hire_p,
        total,
        cumulative,
        firm_ranges,
        tallies,
    } = buf;
    refill(fire_p, nf, [0.0; CLASSES]);
    refill(vacancies, nr, [0.0; OPTIONS]);
    refill(demanded, nr, [0.0; CLASSES]);

    // Head-count targets, layoff probabilities and vacancies.
    for f in 0..nf {
        let r = w.firms.region[f] as usize;
        if !w.firms.alive[f] {
            w.firms.target[f] = [0; CLASSES];
            fire_p[f] = [1.0; CLASSES];
            continue;
        }
        if w.firms.org[f] == CRAFT_SHOP {
            // Self-employed hand workers are never laid off and no shop
            // advertises for members: the trade grows by young entrants who
            // choose it and shrinks as its workers leave for better pay or
            // retire.
            w.firms.target[f] = w.firms.labour[f];
            if w.hired_task.is_some() {
                // A shop that pays hands for a task hires as many as keep
                // its members at work, and lets go those a machine has made
                // idle: the hand spinners the jenny and the mule displaced.
                let (members, req) = (w.firms.labour[f][CRAFT], w.firms.req[f]);
                let need = if req[CRAFT] > 1e-12 {
                    (req[HIRED] * f64::from(members) / req[CRAFT]).round() as u32
                } else {
                    0
                };
                w.firms.target[f][HIRED] = need;
                let have = w.firms.labour[f][HIRED];
                if have > need {
                    let firing_cost = w.regions[r].institutions.firing_cost;
                    fire_p[f][HIRED] =
                        ((have - need) as f64 / have as f64 / (1.0 + firing_cost)) as f32;
                } else {
                    // Unskilled work is one market: a shop's places for
                    // hands are offered with the rest of the economy's.
                    vacancies[r][SEEK_REST as usize] += (need - have) as f64;
                }
            }
            for k in 0..CLASSES {
                demanded[r][k] += w.firms.target[f][k] as f64;
            }
            continue;
        }
        // Staff for expected sales, not for this quarter's production net of
        // inventory: firms keep their workers through a short glut.
        let planned = w.firms.expected[f] * 1.05;
        let firing_cost = w.regions[r].institutions.firing_cost;
        for k in 0..CLASSES {
            let target = (w.firms.req[f][k] * planned).round() as u32;
            w.firms.target[f][k] = target;
            demanded[r][k] += target as f64;
            let have = w.firms.labour[f][k];
            if have > target {
                fire_p[f][k] = ((have - target) as f64 / have as f64 / (1.0 + firing_cost)) as f32;
            } else {
                vacancies[r][k] += (target - have) as f64;
            }
        }
    }
    refill(rest_fire_p, nr, 0.0);
    for (r, reg) in w.regions.iter_mut().enumerate() {
        let wanted = rest::labour_wanted(reg, reg.wage[UNSKILLED]);
        reg.rest_jobs += b.rest_adjustment * (wanted - reg.rest_jobs);
        let employed = reg.rest_employed as f64;
        if employed > reg.rest_jobs {
            rest_fire_p[r] = ((employed - reg.rest_jobs) / employed) as f32;
        } else {
            vacancies[r][SEEK_REST as usize] += reg.rest_jobs - employed;
        }
    }
    wages.clear();
    wages.extend(w.regions.iter().map(|r| r.wage));
    firm_terms.clear();
    firm_terms.extend((0..nf).map(|f| (w.pay_factor(f) as f32, w.quit_rate(f) as f32)));
    let class_education = w.class_education;

    // Pass 0: careers end and begin. Entrants choose between the region's
    // hand shops (weighted by their size) and the open labour market.
    let (seed, step) = (w.seed, w.step);
    refill(shops, nf, 0.0);
    entry.clear();
    for (r, reg) in w.regions.iter().enumerate() {
        let mut acc = 0.0;
        for f in reg.firms.clone() {
            if w.firms.alive[f] && w.firms.org[f] == CRAFT_SHOP {
                acc += f64::from(w.shop_members(f));
            }
            shops[f] = acc;
        }
        let start = w.scenario.start_year;
        entry.push(careers::EntryTerms {
            wage: reg.wage,
            craft_reputation: reg.craft_reputation,
            education: w.scenario.regions[r].education as f32,
            labour_force: reg.workers.len() as f64,
            threshold: (b.threshold_mean, b.threshold_spread),
            first_firm: reg.firms.start,
            end_firm: reg.firms.end,
            stage2_step: (!reg.stage_year[1].is_nan())
                .then(|| ((reg.stage_year[1] - start) * spy).round() as u32),
        });
    }
    // The labour force grows (or shrinks) at the scenario's demographic
    // rates once the clock has started; the settling years stand still.
    if step < SETTLING_STEPS {
        let mut changed = false;
        for r in 0..nr {
            let rate = w.scenario.regions[r].growth_at(w.year);
            let reg = &mut w.regions[r];
            reg.population *= (rate.ln_1p() / spy).exp();
            let active = reg.workers.len();
            if reg.population.floor() as usize == active || rate == 0.0 {
                continue;
            }
            let (start, slots) = (reg.workers.start, reg.slots_end - reg.workers.start);
            // The monetary authority gives each entrant the private money
            // per worker, so money grows with the people and population
            // growth alone neither deflates prices nor cuts nominal wages.
            let endowment = w.private_money_per_worker(r);
            let reg = &mut w.regions[r];
            let (_, after) = WorkerChunk::whole(&mut w.workers, per_worker).split_at(start);
            let (mut c, _) = after.split_at(slots);
            let mut rng = rng::stream(seed, step, Phase::Births, r as u64);
            let end = careers::grow(
                &mut c,
                active,
                reg.population,
                endowment,
                &mut rng,
                &entry[r],
                &shops[reg.firms.clone()],
                b.training_cost,
                b.occupation_sharpness,
                step as u32,
            );
            changed |= end != active;
            reg.workers.end = start + end;
            let issue = end.saturating_sub(active) as f64 * endowment;
            reg.government -= issue;
            reg.issued += issue;
            w.ledger
                .pay(Flow::Issue, Sector::Government, Sector::Households, issue);
        }
        if changed {
            chunk_layout(&w.regions, &mut w.layout);
        }
    }
    let layout = std::mem::take(&mut w.layout);
    refill(leavers, layout.len(), Leavers::default());
    {
        let (entry, shops, ranges) = (&*entry, &*shops, &w.regions);
        let leave_p = 1.0 / (b.working_life * spy);
        let job = |c: &mut WorkerChunk<'_>, out: &mut Leavers| {
            let mut rng = rng::stream(seed, step, Phase::Careers, c.index as u64);
            let firms = ranges[c.region].firms.clone();
            careers::renew(
                c,
                &mut rng,
                &entry[c.region],
                &shops[firms],
                leave_p,
                b.training_cost,
                b.occupation_sharpness,
                step as u32,
                out,
            );
        };
        for_each_chunk(&mut w.workers, per_worker, &layout, leavers, &job);
    }
    for ((r, _), l) in layout.iter().zip(leavers.iter()) {
        w.regions[*r].leavers.add(l);
    }

    // Last quarter's chance of a hire by option (certain on the first
    // step, or where no one applied): `hire_p` and `total` still hold it.
    chances.clear();
    chances.extend((0..nr).map(|r| {
        let mut c = [1.0; OPTIONS];
        if hire_p.len() == nr {
            for o in 0..OPTIONS {
                if total[r][o] > 0 {
                    c[o] = hire_p[r][o].max(0.02);
                }
            }
        }
        c
    }));

    // Pass A: layoffs and each worker's search option.
    refill(seekers, layout.len(), [0; OPTIONS]);
    {
        let (vac, fire_p, firm_terms, rest_fire_p, wages, chances, entry, shops) = (
            &*vacancies,
            &*fire_p,
            &*firm_terms,
            &*rest_fire_p,
            &*wages,
            &*chances,
            &*entry,
            &*shops,
        );
        let job = |c: &mut WorkerChunk<'_>, count: &mut [u32; OPTIONS]| {
            let mut rng = rng::stream(seed, step, Phase::Labour, c.index as u64);
            search(
                c,
                &mut rng,
                fire_p,
                firm_terms,
                rest_fire_p,
                wages,
                vac,
                chances,
                entry,
                shops,
                class_education,
                &b,
                count,
            );
        };
        for_each_chunk(&mut w.workers, per_worker, &layout, seekers, &job);
    }
    refill(hire_p, nr, [0.0; OPTIONS]);
    {
        refill(total, nr, [0; OPTIONS]);
        for ((r, _), s) in layout.iter().zip(seekers.iter()) {
            for o in 0..OPTIONS {
                total[*r][o] += s[o];
            }
        }
        for r in 0..nr {
            for o in 0..OPTIONS {
                if total[r][o] > 0 {
                    hire_p[r][o] = (vacancies[r][o] / total[r][o] as f64).min(1.0);
                }
            }
        }
    }
    // Cumulative vacancies per class over each region's firms, for placing hires.
    refill(cumulative, CLASSES * nf, 0.0);
    for reg in &w.regions {
        for k in 0..CLASSES {
            let mut acc = 0.0;
            for f in reg.firms.clone() {
                acc += w.firms.target[f][k].saturating_sub(w.firms.labour[f][k]) as f64;
                cumulative[k * nf + f] = acc;
            }
        }
    }
    firm_ranges.clear();
    firm_ranges.extend(w.regions.iter().map(|r| r.firms.clone()));

    // Pass B: hiring. How much work a chunk has depends on how many of its
    // workers search, so every chunk is its own task and rayon balances them.
    {
        let (hp, cum, ranges, vac) = (&*hire_p, &*cumulative, &*firm_ranges, &*vacancies);
        let job = |c: &mut WorkerChunk<'_>, _: &mut ()| {
            let mut rng = rng::stream(seed, step, Phase::Hiring, c.index as u64);
            hire(c, &mut rng, hp, cum, vac, ranges, nf);
        };
        // One empty slot per chunk: a vector of `()` never allocates.
        let mut slots = vec![(); layout.len()];
        for_each_chunk(&mut w.workers, per_worker, &layout, &mut slots, &job);
    }
    // Pass C: the head counts, layoffs, quits and hires that result, tallied
    // per group of chunks (the same work for every worker, so one group per
    // thread balances) and then added up. The tallies are whole numbers, so
    // their sum is exact and the same however the chunks are grouped: the
    // group count may follow the thread count.
    let groups = rayon::current_num_threads().min(layout.len()).max(1);
    tallies.resize_with(groups, Tally::default);
    for tally in tallies.iter_mut() {
        tally.clear(nf, nr);
    }
    let count = |c: &mut WorkerChunk<'_>, tally: &mut Tally| tally.count(c);
    for_each_chunk(&mut w.workers, per_worker, &layout, tallies, &count);
    w.layout = layout;
    let (first, rest) = tallies.split_at_mut(1);
    let sum = &mut first[0];
    for t in rest.iter() {
        sum.add(t);
    }
    w.firms.labour.copy_from_slice(&sum.labour);
    w.firms.fired.copy_from_slice(&sum.fired);
    w.firms.quits.copy_from_slice(&sum.quits);
    w.firms.hires.copy_from_slice(&sum.hires);

    // Wages follow excess demand for each class.
    for (r, reg) in w.regions.iter_mut().enumerate() {
        reg.rest_employed = sum.rest_employed[r];
        // Unskilled work: the rest of the economy's jobs and any hands the
        // hand shops hire (counted with the firms above).
        demanded[r][UNSKILLED] += reg.rest_jobs;
        let inst = &reg.institutions;
        // Bargaining: workers win `wage_passthrough` of the gap between the
        // unskilled wage and labour's marginal revenue product in the rest
        // of the economy each year, and every class's pay moves with it.
        let mrp = rest::marginal_revenue_product(reg);
        let gap = if mrp > 0.0 {
            (mrp / reg.wage[UNSKILLED] - 1.0).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        let bargained = inst.wage_passthrough * gap / spy;
        // Wage setters bargain over real pay: last quarter's change in the
        // cost of living passes into every wage (Blanchard and Katz 1999),
        // so deflation alone neither raises real wages nor costs jobs.
        let indexed = (reg.cpi / reg.cpi_last).powf(b.wage_indexation);
        for k in 0..CLASSES {
            let (d, s) = (demanded[r][k], f64::from(sum.supply[r][k]));
            let excess = if s > 0.0 {
                ((d - s) / s).clamp(-0.5, 0.5)
            } else if d > 0.0 {
                0.5
            } else {
                0.0
            };
            let mut change = b.wage_adjustment * excess;
            if change < 0.0 {
                change *= 1.0 - inst.union_strength;
            }
            reg.wage[k] *= (1.0 + change) * (1.0 + bargained) * indexed;
        }
        // Floors. General-technology workers can always take an unskilled
        // job, so their wage never falls below it. Hand workers, with or
        // without special tools, are attached to their trade and can fall to
        // subsistence (a fifth of the unskilled wage) or the legal minimum.
        let unskilled = reg.wage[UNSKILLED];
        for k in [CRAFT, OPERATOR] {
            reg.wage[k] = reg.wage[k].max(unskilled * inst.minimum_wage.max(0.2));
        }
        reg.wage[GENERAL] = reg.wage[GENERAL].max(unskilled);
        // Output per worker grows at the scenario's rate in the steady
        // state when total factor productivity grows at its `1 - a` power.
        reg.rest_productivity *=
            (1.0 + reg.rest_productivity_growth).powf((1.0 - reg.rest_alpha) / spy);
        // The price moves toward the one at which last quarter's spending
        // buys what the rest of the economy now makes.
        let made = reg.rest_output();
        if made > 0.0 && reg.rest_sales_last > 0.0 {
            let clearing = reg.rest_sales_last / made;
            reg.rest_price *= (clearing / reg.rest_price).powf(b.price_adjustment);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn search(
    c: &mut WorkerChunk<'_>,
    rng: &mut impl Rng,
    fire_p: &[[f32; CLASSES]],
    firm_terms: &[(f32, f32)],
    rest_fire_p: &[f32],
    wages: &[[f64; CLASSES]],
    vacancies: &[[f64; OPTIONS]],
    chances: &[[f64; OPTIONS]],
    entry: &[careers::EntryTerms],
    shops: &[f64],
    class_education: [f32; CLASSES],
    b: &crate::scenario::Behaviour,
    counts: &mut [u32; OPTIONS],
) {
    // Counted in a local copy, kept in registers (see `incomes::household`).
    let mut count = *counts;
    let r = c.region;
    let wage = &wages[r];
    let vac = &vacancies[r];
    let n = c.len();
    // Slices of the chunk's length, so that indexing needs no bounds checks.
    let (employer, previous, option) = (
        &mut c.employer[..n],
        &mut c.previous_employer[..n],
        &mut c.option[..n],
    );
    let (class, fired, group) = (&mut c.class[..n], &mut c.fired[..n], &c.group[..n]);
    let education = &c.education[..n];
    for i in 0..n {
        let e = employer[i];
        previous[i] = e;
        option[i] = NO_SEARCH;
        let u: f32 = rng.random();
        let looking = rng.random::<f64>();
        let current = if e < REST {
            let k = class[i] as usize;
            if u < fire_p[e as usize][k] {
                employer[i] = UNEMPLOYED;
                fired[i] = 1;
                continue;
            }
            let (pay, quit) = firm_terms[e as usize];
            // Turnover: some workers leave for reasons of their own.
            if u < fire_p[e as usize][k] + quit {
                employer[i] = UNEMPLOYED;
                continue;
            }
            if looking >= b.on_the_job_search {
                continue;
            }
            value(wage, k, group[i], b.craft_attachment) * pay as f64
        } else if e == REST {
            if u < rest_fire_p[r] {
                employer[i] = UNEMPLOYED;
                class[i] = UNSKILLED as u8;
                fired[i] = 1;
                continue;
            }
            if looking >= b.on_the_job_search {
                continue;
            }
            wage[UNSKILLED]
        } else {
            if fired[i] == 1 {
                // Laid off this quarter: starts searching next quarter.
                continue;
            }
            0.0
        };
        // Options are weighed by their pay times the chance of being hired,
        // judged by last quarter's: a crowded class is worth less than an
        // open one paying the same.
        let chance = &chances[r];
        let mut best = (current * 1.05, NO_SEARCH);
        for k in CRAFT..=GENERAL {
            if vac[k] > 0.0 && education[i] >= class_education[k] {
                let v = value(wage, k, group[i], b.craft_attachment) * chance[k];
                if v > best.0 {
                    best = (v, k as u8);
                }
            }
        }
        // A hand worker holds out for the trade while its wage, with the
        // attachment, still beats unskilled work: the handloom weavers who
        // stayed at their looms as piece rates fell.
        let group = group[i] as usize;
        let holding_out = (group == CRAFT || group == OPERATOR)
            && wage[group] * (1.0 + b.craft_attachment) >= wage[UNSKILLED];
        let rest_value = wage[UNSKILLED] * chance[SEEK_REST as usize];
        if vac[SEEK_REST as usize] > 0.0 && rest_value > best.0 && !holding_out {
            best = (rest_value, SEEK_REST);
        }
        if best.1 != NO_SEARCH {
            option[i] = best.1;
            count[best.1 as usize] += 1;
        } else if e == UNEMPLOYED && holding_out {
            // Back to the loom: a hand worker without a job who will not
            // take unskilled work works on their own account in one of the
            // region's shops, adding to its cloth and sharing its earnings,
            // as the handloom weavers crowded into the trade.
            let t = &entry[r];
            let region_shops = &shops[t.first_firm..t.end_firm];
            if region_shops.last().is_some_and(|&n| n > 0.0) {
                employer[i] = careers::pick_shop(region_shops, looking, t.first_firm);
                class[i] = CRAFT as u8;
                fired[i] = 0;
            }
        }
    }
    *counts = count;
}

/// What a job in class `k` is worth to a worker of `group`: its wage, with a
/// premium for staying in one's own trade.
fn value(wage: &[f64; CLASSES], k: usize, group: u8, attachment: f64) -> f64 {
    // Hand skills, with or without special tools, are specific to the trade.
    if k == group as usize && (k == CRAFT || k == OPERATOR) {
        wage[k] * (1.0 + attachment)
    } else {
        wage[k]
    }
}

fn hire(
    c: &mut WorkerChunk<'_>,
    rng: &mut impl Rng,
    hire_p: &[[f64; OPTIONS]],
    cumulative: &[f64],
    vacancies: &[[f64; OPTIONS]],
    firm_ranges: &[std::ops::Range<usize>],
    nf: usize,
) {
    let r = c.region;
    let range = firm_ranges[r].clone();
    // The region's places for each class over its firms, and where each is.
    let table = |k: usize| &cumulative[k * nf + range.start..k * nf + range.end];
    let places = |k: usize| table(k).last().copied().unwrap_or(0.0);
    let place = |k: usize, x: f64| {
        let t = table(k);
        (range.start + t.partition_point(|&cum| cum <= x).min(t.len() - 1)) as u32
    };
    for i in 0..c.len() {
        let o = c.option[i];
        if o == NO_SEARCH {
            continue;
        }
        let u: f64 = rng.random();
        let pick: f64 = rng.random();
        if u >= hire_p[r][o as usize] {
            continue;
        }
        if o == SEEK_REST {
            // An unskilled place is in a hand shop hiring hands or in the
            // rest of the economy, in proportion to the places each offers.
            let x = pick * vacancies[r][SEEK_REST as usize];
            c.employer[i] = if x < places(HIRED) {
                place(HIRED, x)
            } else {
                REST
            };
            c.class[i] = UNSKILLED as u8;
            c.group[i] = UNSKILLED as u8;
        } else {
            let k = o as usize;
            let total = places(k);
            if total <= 0.0 {
                continue;
            }
            c.employer[i] = place(k, pick * total);
            c.class[i] = k as u8;
            c.group[i] = k as u8;
        }
        c.fired[i] = 0;
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
    tallies: Vec<Tally>,
}

impl Buffers {
    /// Room for `chunks` chunks of workers, the most the run will have.
    pub fn reserve_chunks(&mut self, chunks: usize) {
        self.leavers.reserve(chunks);
        self.seekers.reserve(chunks);
    }
}

/// Head counts and moves of one group of chunks after hiring: per firm,
/// workers by class, layoffs by class, quits and hires; per region, labour
/// supply by class and jobs in the rest of the economy.
#[derive(Clone, Default)]
pub struct Tally {
    labour: Vec<[u32; CLASSES]>,
    fired: Vec<[u32; CLASSES]>,
    quits: Vec<u32>,
    hires: Vec<u32>,
    supply: Vec<[u32; CLASSES]>,
    rest_employed: Vec<u32>,
}

impl Tally {
    /// Empties the tally for `nf` firms and `nr` regions, keeping its memory.
    fn clear(&mut self, nf: usize, nr: usize) {
        fn zero<T: Copy + Default>(v: &mut Vec<T>, n: usize) {
            v.clear();
            v.resize(n, T::default());
        }
        zero(&mut self.labour, nf);
        zero(&mut self.fired, nf);
        zero(&mut self.quits, nf);
        zero(&mut self.hires, nf);
        zero(&mut self.supply, nr);
        zero(&mut self.rest_employed, nr);
    }

    /// Adds another group's tally to this one.
    fn add(&mut self, other: &Tally) {
        fn add_each<const N: usize>(a: &mut [[u32; N]], b: &[[u32; N]]) {
            for (x, y) in a.iter_mut().zip(b) {
                for k in 0..N {
                    x[k] += y[k];
                }
            }
        }
        add_each(&mut self.labour, &other.labour);
        add_each(&mut self.fired, &other.fired);
        add_each(&mut self.supply, &other.supply);
        for (x, y) in self.quits.iter_mut().zip(&other.quits) {
            *x += y;
        }
        for (x, y) in self.hires.iter_mut().zip(&other.hires) {
            *x += y;
        }
        for (x, y) in self.rest_employed.iter_mut().zip(&other.rest_employed) {
            *x += y;
        }
    }

    /// Counts one chunk's workers after hiring.
    fn count(&mut self, c: &WorkerChunk<'_>) {
        let r = c.region;
        let n = c.len();
        let (employer, class) = (&c.employer[..n], &c.class[..n]);
        let (previous, fired) = (&c.previous_employer[..n], &c.fired[..n]);
        // The chunk's region's counts are kept in registers and added once.
        let mut supply = [0u32; CLASSES];
        let mut rest_employed = 0;
        for i in 0..n {
            let e = employer[i];
            let k = class[i] as usize;
            let prev = previous[i];
            if e < REST {
                self.labour[e as usize][k] += 1;
                supply[k] += 1;
            } else if e == REST {
                rest_employed += 1;
                supply[UNSKILLED] += 1;
            } else {
                // The unemployed press on the wage of their own trade and,
                // since anyone can do unskilled work, on the unskilled wage
                // too, except hand workers still holding out for their trade.
                supply[k] += 1;
                if k != UNSKILLED && k != CRAFT && k != OPERATOR {
                    supply[UNSKILLED] += 1;
                }
            }
            if prev < REST && prev != e {
                if e == UNEMPLOYED && fired[i] == 1 {
                    self.fired[prev as usize][k] += 1;
                } else {
                    self.quits[prev as usize] += 1;
                }
            }
            if e < REST && prev != e {
                self.hires[e as usize] += 1;
            }
        }
        for k in 0..CLASSES {
            self.supply[r][k] += supply[k];
        }
        self.rest_employed[r] += rest_employed;
    }
}
