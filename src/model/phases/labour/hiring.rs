//! Hiring and counting, the labour market's last passes over the workers:
//! each seeker is hired with probability vacancies/seekers and placed with
//! a firm in proportion to its vacancies (a binary search per hire); then
//! the head counts, layoffs, quits and hires that result are tallied.

use super::{Buffers, Chunks, OPTIONS};
use crate::model::contracts::Labour;

use crate::model::rng::{self, Phase};
use crate::model::world::{
    for_each_chunk, refill, WorkerChunk, WorkerScratch, CLASSES, CRAFT, HIRED, NO_SEARCH, OPERATOR,
    REST, SEEK_REST, UNEMPLOYED, UNSKILLED,
};
use rand::Rng;

/// Cumulative vacancies per class over each region's firms, for placing
/// hires, and each region's range of firms.
pub(super) fn vacancy_tables(view: &Labour, buf: &mut Buffers) {
    let firm_count = view.firms.len();
    let Buffers {
        cumulative,
        firm_ranges,
        ..
    } = buf;
    refill(cumulative, CLASSES * firm_count, 0.0);
    for region in view.economy.iter() {
        for k in 0..CLASSES {
            let mut acc = 0.0;
            for f in region.firms.clone() {
                acc += view.firms.target[f][k].saturating_sub(view.firms.labour[f][k]) as f64;
                cumulative[k * firm_count + f] = acc;
            }
        }
    }
    firm_ranges.clear();
    firm_ranges.extend(view.economy.iter().map(|r| r.firms.clone()));
}

/// The hiring pass. How much work a chunk has depends on how many of its
/// workers search, so every chunk is its own task and rayon balances them.
pub(super) fn hire_pass(
    view: &mut Labour,
    layout: &Chunks,
    buf: &Buffers,
    per_worker: &mut WorkerScratch,
) {
    let (seed, step) = (view.params.seed, view.clock.step);
    let firm_count = view.firms.len();
    let (hire_p, cumulative, firm_ranges, vacancies) = (
        &buf.hire_p,
        &buf.cumulative,
        &buf.firm_ranges,
        &buf.vacancies,
    );
    let job = |chunk: &mut WorkerChunk<'_>, _: &mut ()| {
        let mut rng = rng::stream(seed, step, Phase::Hiring, chunk.index as u64);
        hire(
            chunk,
            &mut rng,
            hire_p,
            cumulative,
            vacancies,
            firm_ranges,
            firm_count,
        );
    };
    // One empty slot per chunk: a vector of `()` never allocates.
    let mut slots = vec![(); layout.len()];
    for_each_chunk(view.workers, per_worker, layout, &mut slots, &job);
}

/// The counting pass: the head counts, layoffs, quits and hires that
/// result, tallied per group of chunks (the same work for every worker, so
/// one group per thread balances) and then added up into the first tally,
/// which the firms' counts copy. The tallies are whole numbers, so their
/// sum is exact and the same however the chunks are grouped: the group
/// count may follow the thread count.
pub(super) fn count_pass(
    view: &mut Labour,
    layout: &Chunks,
    buf: &mut Buffers,
    per_worker: &mut WorkerScratch,
) {
    let (firm_count, region_count) = (view.firms.len(), view.params.region_count());
    let tallies = &mut buf.tallies;
    let groups = rayon::current_num_threads().min(layout.len()).max(1);
    tallies.resize_with(groups, Tally::default);
    for tally in tallies.iter_mut() {
        tally.clear(firm_count, region_count);
    }
    let count = |chunk: &mut WorkerChunk<'_>, tally: &mut Tally| tally.count(chunk);
    for_each_chunk(view.workers, per_worker, layout, tallies, &count);
    let (first, others) = tallies.split_at_mut(1);
    let sum = &mut first[0];
    for tally in others.iter() {
        sum.add(tally);
    }
    view.firms.labour.copy_from_slice(&sum.labour);
    view.firms.fired.copy_from_slice(&sum.fired);
    view.firms.quits.copy_from_slice(&sum.quits);
    view.firms.hires.copy_from_slice(&sum.hires);
}

/// Each searching worker of the chunk is hired with the option's chance
/// and placed with a firm in proportion to its vacancies.
fn hire(
    c: &mut WorkerChunk<'_>,
    rng: &mut impl Rng,
    hire_p: &[[f64; OPTIONS]],
    cumulative: &[f64],
    vacancies: &[[f64; OPTIONS]],
    firm_ranges: &[std::ops::Range<usize>],
    firm_count: usize,
) {
    let r = c.region;
    let range = firm_ranges[r].clone();
    // The region's places for each class over its firms, and where each is.
    let table = |k: usize| &cumulative[k * firm_count + range.start..k * firm_count + range.end];
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

/// Head counts and moves of one group of chunks after hiring: per firm,
/// workers by class, layoffs by class, quits and hires; per region, labour
/// supply by class and jobs in the rest of the economy.
#[derive(Clone, Default)]
pub(super) struct Tally {
    pub(super) labour: Vec<[u32; CLASSES]>,
    fired: Vec<[u32; CLASSES]>,
    quits: Vec<u32>,
    hires: Vec<u32>,
    pub(super) supply: Vec<[u32; CLASSES]>,
    pub(super) rest_employed: Vec<u32>,
}

impl Tally {
    /// Empties the tally for `firms` firms and `regions` regions, keeping its memory.
    fn clear(&mut self, firms: usize, regions: usize) {
        fn zero<T: Copy + Default>(v: &mut Vec<T>, n: usize) {
            v.clear();
            v.resize(n, T::default());
        }
        zero(&mut self.labour, firms);
        zero(&mut self.fired, firms);
        zero(&mut self.quits, firms);
        zero(&mut self.hires, firms);
        zero(&mut self.supply, regions);
        zero(&mut self.rest_employed, regions);
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
