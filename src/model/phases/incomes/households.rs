//! Households, the incomes phase's pass over the workers: what each
//! region's workers face this quarter, and each worker's income, taxes,
//! consumption, saving and learning, summed per chunk and then per region.

use super::Buffers;
use crate::model::contracts::Incomes;

use crate::model::rng;
use crate::model::world::{
    for_each_chunk, refill, WorkerChunk, WorkerScratch, CLASSES, GENERAL, REST, UNEMPLOYED,
    UNSKILLED,
};

/// Purpose tag for the fixed per-worker draw that decides relief eligibility.
const ELIGIBILITY: u64 = 0xE1;

/// Sums over one chunk of workers, or over a region's.
#[derive(Clone, Copy, Default)]
pub(super) struct Sums {
    pub(super) firm_wages: f64,
    pub(super) rest_wages: f64,
    pub(super) relief: f64,
    pub(super) severance: f64,
    pub(super) taxes: f64,
    pub(super) consumption: f64,
}

/// What a worker in region `r` faces this quarter.
#[derive(Clone, Copy)]
pub(super) struct Terms {
    wage: [f64; CLASSES],
    relief: f64,
    firing_cost: f64,
    income_tax: f64,
    eligibility: f64,
    learning: f32,
    price: f64,
}

/// The terms each region's workers face: wages, relief, severance, tax,
/// the pace of learning and the cost of living.
pub(super) fn worker_terms(view: &Incomes, terms: &mut Vec<Terms>) {
    let behaviour = view.params.behaviour();
    terms.clear();
    terms.extend(
        view.economy
            .iter()
            .zip(view.politics)
            .map(|(region, politics)| {
                let institutions = &politics.institutions;
                Terms {
                    wage: region.wage,
                    relief: institutions.relief_replacement
                        * region.wage[UNSKILLED]
                        * (1.0 + politics.accommodation_relief),
                    firing_cost: institutions.firing_cost,
                    income_tax: institutions.income_tax,
                    eligibility: institutions.relief_eligibility,
                    learning: (behaviour.learning_speed
                        * institutions.retraining
                        * institutions.education_spending
                        / 0.01) as f32,
                    price: region.cpi / region.cpi0,
                }
            }),
    );
}

/// Workers' income, taxes, consumption, savings and learning, chunk by
/// chunk, and the chunks' sums added up by region in the chunks' order.
pub(super) fn household_pass(
    view: &mut Incomes,
    buf: &mut Buffers,
    per_worker: &mut WorkerScratch,
) {
    let behaviour = view.params.behaviour();
    let Buffers {
        terms,
        pay_factors,
        sums,
        by_region,
        ..
    } = buf;
    let layout = view.layout;
    refill(sums, layout.len(), Sums::default());
    {
        let seed = view.params.seed;
        let (from_income, from_wealth) =
            (behaviour.consumption_income, behaviour.consumption_wealth);
        let (pay, terms): (&[[f64; CLASSES]], &[Terms]) = (pay_factors, terms);
        let job = |chunk: &mut WorkerChunk<'_>, chunk_sums: &mut Sums| {
            let chunk_terms = &terms[chunk.region];
            household(
                chunk,
                chunk_terms,
                pay,
                seed,
                from_income,
                from_wealth,
                chunk_sums,
            );
        };
        for_each_chunk(view.workers, per_worker, layout, sums, &job);
    }
    refill(by_region, view.params.region_count(), Sums::default());
    for ((r, _), s) in view.layout.iter().zip(sums.iter()) {
        let t = &mut by_region[*r];
        t.firm_wages += s.firm_wages;
        t.rest_wages += s.rest_wages;
        t.relief += s.relief;
        t.severance += s.severance;
        t.taxes += s.taxes;
        t.consumption += s.consumption;
    }
}

/// One chunk of workers earns, pays tax, spends, saves and learns.
fn household(
    c: &mut WorkerChunk<'_>,
    t: &Terms,
    pay: &[[f64; CLASSES]],
    seed: u64,
    cc: f64,
    cw: f64,
    sums: &mut Sums,
) {
    // The sums are kept in a local copy and written back once: the compiler
    // may not keep a caller's memory in registers across a check that could
    // panic, and would store every sum every worker.
    let mut s = *sums;
    let n = c.len();
    // Slices of the chunk's length, so that indexing needs no bounds checks.
    let (employer, class, fired) = (&c.employer[..n], &c.class[..n], &mut c.fired[..n]);
    let (savings, income) = (&mut c.savings[..n], &mut c.income[..n]);
    let (reference, lifetime) = (&mut c.reference[..n], &mut c.lifetime[..n]);
    let education = &mut c.education[..n];
    for i in 0..n {
        let e = employer[i];
        let k = class[i] as usize;
        let mut gross = 0.0;
        let mut relief = 0.0;
        let mut severance = 0.0;
        if e < REST {
            gross = t.wage[k] * pay[e as usize][k];
            s.firm_wages += gross;
        } else if e == REST {
            gross = t.wage[UNSKILLED];
            s.rest_wages += gross;
        } else {
            if fired[i] == 1 && k != UNSKILLED {
                severance = t.firing_cost * t.wage[k];
                s.severance += severance;
            }
            if rng::fixed_uniform(seed, ELIGIBILITY, (c.start + i) as u64) < t.eligibility {
                relief = t.relief;
                s.relief += relief;
            }
        }
        let tax = t.income_tax * (gross + severance);
        s.taxes += tax;
        let disposable = gross + severance - tax + relief;
        let spend = (cc * disposable + cw * savings[i])
            .min(savings[i] + disposable)
            .max(0.0);
        s.consumption += spend;
        savings[i] += disposable - spend;
        income[i] = disposable as f32;
        reference[i] = 0.97 * reference[i] + 0.03 * disposable as f32;
        lifetime[i] += disposable / t.price;
        if e == UNEMPLOYED {
            fired[i] = fired[i].saturating_add(1).max(2);
        }
        // General skills grow outside general jobs, fastest while out of work.
        if k != GENERAL || e == UNEMPLOYED {
            let pace = if e == UNEMPLOYED { 1.0 } else { 0.25 };
            education[i] += t.learning * pace * (1.0 - education[i]);
        }
    }
    *sums = s;
}
