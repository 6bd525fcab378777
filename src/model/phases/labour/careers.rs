//! Careers: retirement and entry, the first pass of the labour market.
//!
//! Each quarter a worker leaves the labour force (retires or dies) with
//! probability one over `working_life` years; the place is taken by a
//! young entrant of the same region, who inherits the leaver's savings (so
//! no money is lost) and chooses an occupation: an apprenticeship in the
//! region's hand trade, or the open labour market. The choice weighs the
//! going earnings of each, less the cost of training for the trade, with a
//! logit of sharpness `occupation_sharpness` in log earnings. Hand trades
//! therefore shrink mainly because fewer young people enter them, as the
//! handloom weavers' trade did (Bythell 1969, The Handloom Weavers), not
//! only by layoffs. Leavers are drawn by geometric gaps, so the pass costs
//! in proportion to the leavers, not to the workers.
//!
//! Reads: `workers.entered`, `workers.cohort`, `workers.lifetime` (the
//! leaver's record); the entry terms built by the labour phase.
//! Writes, for each leaver's place: every worker array except `savings`
//! and `region`; the region's `Leavers` tally through `out`.

use crate::model::world::{Leavers, WorkerChunk, CLASSES, CRAFT, UNEMPLOYED, UNSKILLED};
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// What an entrant in one region faces this quarter.
#[derive(Clone, Copy, Debug)]
pub struct EntryTerms {
    pub wage: [f64; CLASSES],
    /// What the hand trade is remembered to pay, over the labourer's wage.
    pub craft_reputation: f64,
    /// Mean schooling of the region's young (the scenario's education).
    pub education: f32,
    /// Workers in the region's labour force.
    pub labour_force: f64,
    pub threshold: (f64, f64),
    /// First firm of the region, for the shops' table, and one past its last.
    pub first_firm: usize,
    pub end_firm: usize,
    /// The step at which stage 2 began in the region, if it has.
    pub stage2_step: Option<u32>,
}

/// Retires this quarter's leavers in the chunk and seats their successors.
/// `shops` is the cumulative head count of the region's open hand shops, by
/// firm from `terms.first_firm`; empty or all zero when there are none.
#[allow(clippy::too_many_arguments)]
pub fn renew(
    c: &mut WorkerChunk<'_>,
    rng: &mut impl Rng,
    terms: &EntryTerms,
    shops: &[f64],
    leave_p: f64,
    training_cost: f64,
    sharpness: f64,
    step: u32,
    out: &mut Leavers,
) {
    if leave_p <= 0.0 || c.is_empty() {
        return;
    }
    let log_stay = (1.0 - leave_p.min(0.999_999)).ln();
    let threshold =
        Normal::new(terms.threshold.0, terms.threshold.1.max(1e-9)).expect("valid normal");
    let craft_p = craft_choice(terms, shops, training_cost, sharpness);
    let mut i = gap(rng, log_stay);
    while i < c.len() {
        if let Some(s2) = terms.stage2_step {
            let from = s2.max(c.entered[i]);
            let steps = step.saturating_sub(from) as f64;
            out.all += 1.0;
            out.all_income += c.lifetime[i];
            out.all_steps += steps;
            if c.cohort[i] == 1 {
                out.cohort += 1.0;
                out.cohort_income += c.lifetime[i];
                out.cohort_steps += steps;
            }
        }
        seat(c, i, rng, terms, shops, craft_p, &threshold, step);
        i += 1 + gap(rng, log_stay);
    }
}

/// The chance that an entrant apprentices in the hand trade: a logit on
/// the trade's earnings less the cost of training against the open
/// market's wage, each alternative weighted by the places it offers (the
/// trade's share of the region's labour force, and the rest). The hand
/// trade is one small group of occupations against all others: weighting
/// by size (McFadden 1978, "Modelling the choice of residential location",
/// on aggregated alternatives) makes a trade that pays as well as the open
/// market draw entrants in proportion to its size, so it keeps its size,
/// and only a better-paid trade grows. None where no hand shop is open.
fn craft_choice(terms: &EntryTerms, shops: &[f64], training_cost: f64, sharpness: f64) -> f64 {
    let shop_total = shops.last().copied().unwrap_or(0.0);
    let craft_value = terms.craft_reputation * terms.wage[UNSKILLED] * (1.0 - training_cost);
    let open_value = terms.wage[UNSKILLED];
    if shop_total > 0.0 && craft_value > 0.0 && open_value > 0.0 {
        let size = (shop_total / terms.labour_force.max(1.0)).clamp(0.0, 1.0);
        let craft = size * craft_value.powf(sharpness);
        let open = (1.0 - size) * open_value.powf(sharpness);
        craft / (craft + open)
    } else {
        0.0
    }
}

/// Seats a young entrant in place `i` of the chunk: schooling, protest
/// threshold, and an apprenticeship in a hand shop (with chance `craft_p`)
/// or a search on the open market. Savings are left as they are.
#[allow(clippy::too_many_arguments)]
fn seat(
    c: &mut WorkerChunk<'_>,
    i: usize,
    rng: &mut impl Rng,
    terms: &EntryTerms,
    shops: &[f64],
    craft_p: f64,
    threshold: &Normal<f64>,
    step: u32,
) {
    let open_value = terms.wage[UNSKILLED];
    let u: f64 = rng.random();
    c.education[i] = (terms.education + 0.15 * (rng.random::<f32>() - 0.5) * 2.0).clamp(0.0, 1.0);
    c.threshold[i] = threshold.sample(rng).max(0.0) as f32;
    let pick: f64 = rng.random();
    if u < craft_p {
        c.employer[i] = pick_shop(shops, pick, terms.first_firm);
        c.class[i] = CRAFT as u8;
        c.group[i] = CRAFT as u8;
        c.fired[i] = 0;
        c.reference[i] = terms.wage[CRAFT] as f32;
    } else {
        c.employer[i] = UNEMPLOYED;
        c.class[i] = UNSKILLED as u8;
        c.group[i] = UNSKILLED as u8;
        // Not laid off: an entrant looks for work at once.
        c.fired[i] = 2;
        c.reference[i] = open_value as f32;
    }
    c.income[i] = c.reference[i];
    c.grievance[i] = 0.0;
    c.protesting[i] = 0;
    c.cohort[i] = 0;
    c.lifetime[i] = 0.0;
    c.entered[i] = step;
}

/// Brings the region's labour force to the whole part of `population`:
/// new entrants take the next free slots after its workers (`c` views the
/// slots from the region's first worker to its last), and when the labour
/// force shrinks its last workers leave, their savings passing to the
/// region's first worker so that no money is lost. Each entrant is given
/// `endowment` of new money. Returns the region's new end of workers.
#[allow(clippy::too_many_arguments)]
pub fn grow(
    c: &mut WorkerChunk<'_>,
    active: usize,
    population: f64,
    endowment: f64,
    rng: &mut impl Rng,
    terms: &EntryTerms,
    shops: &[f64],
    training_cost: f64,
    sharpness: f64,
    step: u32,
) -> usize {
    let target = (population.max(1.0).floor() as usize).clamp(1, c.len());
    if target > active {
        let craft_p = craft_choice(terms, shops, training_cost, sharpness);
        let threshold =
            Normal::new(terms.threshold.0, terms.threshold.1.max(1e-9)).expect("valid normal");
        for i in active..target {
            seat(c, i, rng, terms, shops, craft_p, &threshold, step);
            c.savings[i] = endowment;
        }
    }
    for i in (target..active).rev() {
        let savings = std::mem::take(&mut c.savings[i]);
        c.savings[0] += savings;
        c.employer[i] = UNEMPLOYED;
        c.fired[i] = 0;
        c.protesting[i] = 0;
    }
    target
}

/// A hand shop of the region, chosen with probability proportional to its
/// head count by the uniform number `pick`; `shops` must not be all zero.
pub fn pick_shop(shops: &[f64], pick: f64, first_firm: usize) -> u32 {
    let total = shops.last().copied().unwrap_or(0.0);
    let at = shops
        .partition_point(|&cum| cum <= pick * total)
        .min(shops.len() - 1);
    (first_firm + at) as u32
}

/// Workers to skip before the next leaver: geometric with the leaving probability.
fn gap(rng: &mut impl Rng, log_stay: f64) -> usize {
    let u: f64 = rng.random();
    let g = ((1.0 - u).ln() / log_stay).floor();
    if g.is_finite() && g < usize::MAX as f64 / 2.0 {
        g as usize
    } else {
        usize::MAX / 2
    }
}
