//! Search, the labour market's second pass over the workers: layoffs and
//! quits, and each worker's choice of the option worth most to search,
//! weighed by last quarter's chance of a hire; then this quarter's chance
//! of a hire by option, vacancies over seekers.

use super::{careers, Buffers, Chunks, OPTIONS};
use crate::model::contracts::Labour;

use crate::model::rng::{self, Phase};
use crate::model::world::{
    for_each_chunk, refill, WorkerChunk, WorkerScratch, CLASSES, CRAFT, GENERAL, NO_SEARCH,
    OPERATOR, REST, SEEK_REST, UNEMPLOYED, UNSKILLED,
};
use crate::scenario::Behaviour;
use rand::Rng;

/// How many workers searched in each region last quarter (`total` still
/// holds them by option), at least one: the crowd a searcher expects to
/// share this quarter's vacancies with.
pub(super) fn last_searchers(region_count: usize, buf: &mut Buffers) {
    let Buffers {
        searched, total, ..
    } = buf;
    searched.clear();
    searched.extend((0..region_count).map(|r| {
        let n: u32 = total.get(r).map_or(0, |t| t.iter().sum());
        f64::from(n.max(1))
    }));
}

/// Layoffs and each worker's search option, chunk by chunk, counting the
/// seekers of each option per chunk.
pub(super) fn search_pass(
    view: &mut Labour,
    layout: &Chunks,
    buf: &mut Buffers,
    per_worker: &mut WorkerScratch,
) {
    let behaviour = view.params.behaviour();
    let (seed, step) = (view.params.seed, view.clock.step);
    let class_education = view.params.class_education;
    let Buffers {
        seekers,
        vacancies,
        fire_p,
        firm_terms,
        rest_fire_p,
        wages,
        searched,
        entry,
        shops,
        ..
    } = buf;
    refill(seekers, layout.len(), [0; OPTIONS]);
    let (vacancies, fire_p, firm_terms, rest_fire_p, wages, searched, entry, shops) = (
        &*vacancies,
        &*fire_p,
        &*firm_terms,
        &*rest_fire_p,
        &*wages,
        &*searched,
        &*entry,
        &*shops,
    );
    let job = |chunk: &mut WorkerChunk<'_>, count: &mut [u32; OPTIONS]| {
        let mut rng = rng::stream(seed, step, Phase::Labour, chunk.index as u64);
        search(
            chunk,
            &mut rng,
            fire_p,
            firm_terms,
            rest_fire_p,
            wages,
            vacancies,
            searched,
            entry,
            shops,
            class_education,
            behaviour,
            count,
        );
    };
    for_each_chunk(view.workers, per_worker, layout, seekers, &job);
}

/// This quarter's chance of a hire by option in each region: vacancies
/// over the seekers of all its chunks, at most one.
pub(super) fn hire_chances(region_count: usize, layout: &Chunks, buf: &mut Buffers) {
    let Buffers {
        hire_p,
        total,
        seekers,
        vacancies,
        ..
    } = buf;
    refill(hire_p, region_count, [0.0; OPTIONS]);
    refill(total, region_count, [0; OPTIONS]);
    for ((r, _), s) in layout.iter().zip(seekers.iter()) {
        for o in 0..OPTIONS {
            total[*r][o] += s[o];
        }
    }
    for r in 0..region_count {
        for o in 0..OPTIONS {
            if total[r][o] > 0 {
                hire_p[r][o] = (vacancies[r][o] / total[r][o] as f64).min(1.0);
            }
        }
    }
}

/// Each worker of the chunk is laid off, quits, or picks the option worth
/// most to search; a hand worker holding out may go back to the loom.
#[allow(clippy::too_many_arguments)]
fn search(
    c: &mut WorkerChunk<'_>,
    rng: &mut impl Rng,
    fire_p: &[[f32; CLASSES]],
    firm_terms: &[(f32, f32)],
    rest_fire_p: &[f32],
    wages: &[[f64; CLASSES]],
    vacancies: &[[f64; OPTIONS]],
    searched: &[f64],
    entry: &[careers::EntryTerms],
    shops: &[f64],
    class_education: [f32; CLASSES],
    behaviour: &Behaviour,
    counts: &mut [u32; OPTIONS],
) {
    // Counted in a local copy, kept in registers (see `incomes::households::household`).
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
    // The region's hand shops, which a hand worker out of work may go back to.
    let t = &entry[r];
    let region_shops = &shops[t.first_firm..t.end_firm];
    let trade_open = region_shops.last().is_some_and(|&n| n > 0.0);
    for i in 0..n {
        // A hand worker holds out for the trade while its wage, with the
        // attachment, still beats unskilled work: the handloom weavers who
        // stayed at their looms as piece rates fell. Once the region has no
        // hand shop left there is no loom to go back to, and the trade's
        // wage is no longer paid by anyone: they seek work like the rest.
        let hand = group[i] as usize;
        let holding_out = trade_open
            && (hand == CRAFT || hand == OPERATOR)
            && wage[hand] * (1.0 + behaviour.craft_attachment) >= wage[UNSKILLED];
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
            if looking >= behaviour.on_the_job_search {
                continue;
            }
            value(wage, k, group[i], behaviour.craft_attachment) * pay as f64
        } else if e == REST {
            if u < rest_fire_p[r] {
                employer[i] = UNEMPLOYED;
                class[i] = UNSKILLED as u8;
                fired[i] = 1;
                continue;
            }
            if looking >= behaviour.on_the_job_search {
                continue;
            }
            wage[UNSKILLED]
        } else {
            if fired[i] == 1 {
                // Laid off this quarter: starts searching next quarter.
                continue;
            }
            // A hand worker out of work who holds out can always go back to
            // the loom on their own account, at the trade's piece earnings
            // for certain: a place in a factory must beat that, not nothing,
            // to be worth queueing for.
            if holding_out {
                value(wage, CRAFT, group[i], behaviour.craft_attachment)
            } else {
                0.0
            }
        };
        // Directed search (Harris and Todaro 1970): a searcher applies for
        // one option, drawn in proportion to what its places are worth (pay
        // times vacancies), so applicants spread until each option's pay
        // times its chance of a hire is the same. Searching is then worth
        // the places' worth over last quarter's searchers (at most the best
        // pay on offer), and a worker searches when that beats what they
        // have. Choosing the single best option by last quarter's chances
        // instead sent every searcher to the same few places at once.
        let mut weights = [0.0; OPTIONS];
        let (mut places, mut top) = (0.0, 0.0f64);
        for k in CRAFT..=GENERAL {
            if vac[k] > 0.0 && education[i] >= class_education[k] {
                let pay = value(wage, k, group[i], behaviour.craft_attachment);
                weights[k] = pay * vac[k];
                places += weights[k];
                top = top.max(pay);
            }
        }
        if vac[SEEK_REST as usize] > 0.0 && !holding_out {
            weights[SEEK_REST as usize] = wage[UNSKILLED] * vac[SEEK_REST as usize];
            places += weights[SEEK_REST as usize];
            top = top.max(wage[UNSKILLED]);
        }
        let worth = (places / searched[r]).min(top);
        let mut best = (current * 1.05, NO_SEARCH);
        if places > 0.0 && worth > best.0 {
            let mut x = rng.random::<f64>() * places;
            for (o, &w) in weights.iter().enumerate() {
                if w > 0.0 {
                    best = (worth, o as u8);
                    if x < w {
                        break;
                    }
                    x -= w;
                }
            }
        }
        if best.1 != NO_SEARCH {
            option[i] = best.1;
            count[best.1 as usize] += 1;
        } else if e == UNEMPLOYED && holding_out {
            // Back to the loom: a hand worker without a job who will not
            // take unskilled work works on their own account in one of the
            // region's shops, adding to its cloth and sharing its earnings,
            // as the handloom weavers crowded into the trade.
            employer[i] = careers::pick_shop(region_shops, looking, t.first_firm);
            class[i] = CRAFT as u8;
            fired[i] = 0;
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
