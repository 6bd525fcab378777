//! Politics: grievance, contagion, protest and the state's response.
//!
//! Reads:
//! - workers: `workers.income`, `workers.reference`, `workers.employer`
//!   (unemployment), `workers.group`, `workers.threshold`.
//! - regions: `regions[r].protest` (last quarter's, here and in trade
//!   neighbours), `regions[r].adoption_rate`, `regions[r].ban_until`,
//!   `regions[r].workers` (head count), `regions[r].firms`;
//!   `regions[r].institutions.repression`, `.accommodation`,
//!   `.machine_ban_years`, `.machine_ban_trigger`.
//! - routes: `network` (trade neighbours, through `neighbours`).
//! - scenario: `scenario.behaviour` (`contagion_local`,
//!   `contagion_neighbours`, `grievance_persistence`, `loss_weight`,
//!   `gain_weight`, `unemployment_weight`, `adoption_rate_weight`,
//!   `repression_backlash`, `risk_persistence`, `risk_sensitivity`,
//!   `destruction_rate`).
//!
//! Writes:
//! - workers: `workers.grievance` (a slow average of the signal, raised by
//!   repression), `workers.protesting`.
//! - regions: `regions[r].protest`, `regions[r].accommodation_relief`,
//!   `regions[r].risk` (decays, rises with protest), `regions[r].ban_until`.
//! - firms: `firms.capital` (machine-breaking, at every firm of the region).
//! - flows: `flows[r].capital_destroyed`.
//! - events: `Protest`, `Repression`, `MachineBan`.
//! - `buf`: working memory only (each region's climate, protesters per
//!   chunk and region), refilled each step. `per_worker` is only handed on
//!   to `for_each_chunk`; this phase neither reads nor writes it.
//!
//! Grievance grows with income losses against a reference (losses weigh
//! more than gains), with unemployment, and with the local rate at which
//! machines replace hand work (Mellor et al. 2015). A worker protests when
//! grievance plus the pull of protest around them (own region, and trade
//! neighbours: Aidt and Leon-Ablan 2021) passes a personal threshold
//! (Granovetter 1978). Relief softens income losses and so grievance
//! (Caprettini and Voth 2020). Repression deters protesters now, and each
//! worker it deters resents it: their grievance rises and fades only slowly,
//! so repression stores up grievance for later (the repression-dissent
//! "backlash", Francisco 1995). The resentment stays with those repressed
//! rather than spreading to the content, so it cannot feed on itself. Protest breaks machines at adopting firms and raises the
//! risk they perceive, slowing adoption and research for years.

use crate::model::phases::for_each_chunk;
use crate::model::rng::{self, Phase};
use crate::model::world::EventKind;
use crate::model::world::{
    refill, WorkerChunk, WorkerScratch, World, CRAFT, OPERATOR, PROTEST_WAVE, UNEMPLOYED,
};

/// How much of the local rate of adoption aggrieves workers outside the
/// hand trades (groups other than craft and operator): a fifth of what it
/// does to those whose work the machines replace, since it threatens their
/// living only at one remove.
const OTHER_GROUPS_EXPOSURE: f32 = 0.2;

/// The most grievance a worker can hold (docs/ODD.md, politics): the
/// signal and repression's backlash raise it no further, so that however
/// deep the losses or harsh the repression, grievance stays on the scale of
/// the protest thresholds and fades in bounded time once they end.
const GRIEVANCE_CEILING: f32 = 3.0;

/// Accommodation's relief per unit of protest intensity: a region's
/// `accommodation` is granted in full once a tenth of its workers protest,
/// and in proportion below that.
const ACCOMMODATION_PER_PROTEST: f64 = 10.0;

#[derive(Clone, Copy, Default)]
struct Sums {
    protesters: f64,
}

#[derive(Clone, Copy)]
struct Climate {
    pull: f64,
    adoption_rate: f64,
    repression: f64,
}

pub fn politics(w: &mut World, buf: &mut Buffers, per_worker: &mut WorkerScratch) {
    let b = w.scenario.behaviour.clone();
    let nr = w.regions.len();
    buf.climate.clear();
    buf.climate.extend((0..nr).map(|r| {
        let (mut sum, mut n) = (0.0, 0.0);
        for (s, _) in w.neighbours(r) {
            sum += w.regions[s].protest;
            n += 1.0;
        }
        let neighbours = if n > 0.0 { sum / n } else { 0.0 };
        let reg = &w.regions[r];
        Climate {
            pull: 1.0 + b.contagion_local * reg.protest + b.contagion_neighbours * neighbours,
            adoption_rate: reg.adoption_rate,
            repression: reg.institutions.repression,
        }
    }));

    let layout = std::mem::take(&mut w.layout);
    refill(&mut buf.sums, layout.len(), Sums::default());
    {
        let (seed, step) = (w.seed, w.step);
        let (bh, climate) = (&b, &buf.climate);
        let job = |c: &mut WorkerChunk<'_>, s: &mut Sums| {
            let mut rng =
                rng::Positioned::new(rng::stream(seed, step, Phase::Politics, c.index as u64));
            let k = &climate[c.region];
            worker_politics(c, k, bh, &mut rng, s);
        };
        for_each_chunk(&mut w.workers, per_worker, &layout, &mut buf.sums, &job);
    }
    let by_region = &mut buf.by_region;
    refill(by_region, nr, Sums::default());
    for ((r, _), s) in layout.iter().zip(&buf.sums) {
        by_region[*r].protesters += s.protesters;
    }
    w.layout = layout;

    for r in 0..nr {
        let n = w.regions[r].workers.len() as f64;
        let s = by_region[r];
        let before = w.regions[r].protest;
        let reg = &mut w.regions[r];
        reg.protest = s.protesters / n;
        reg.accommodation_relief =
            reg.institutions.accommodation * (ACCOMMODATION_PER_PROTEST * reg.protest).min(1.0);
        reg.risk = b.risk_persistence * reg.risk + b.risk_sensitivity * reg.protest;
        let protest = reg.protest;
        let year = w.year;
        if before < PROTEST_WAVE && protest >= PROTEST_WAVE {
            w.event(r, EventKind::Protest, protest, "a protest wave begins");
            let repression = w.regions[r].institutions.repression;
            if repression > 0.0 {
                w.event(
                    r,
                    EventKind::Repression,
                    repression,
                    "troops and prosecutions against protesters",
                );
            }
        }
        let reg = &mut w.regions[r];
        if reg.institutions.machine_ban_years > 0.0
            && protest >= reg.institutions.machine_ban_trigger
            && year >= reg.ban_until
        {
            reg.ban_until = year + reg.institutions.machine_ban_years;
            let years = reg.institutions.machine_ban_years;
            w.event(
                r,
                EventKind::MachineBan,
                years,
                "general-technology machines banned",
            );
        }
        // Machine-breaking: adopting firms lose part of their machines.
        let share = (b.destruction_rate * protest).min(1.0);
        if share > 0.0 {
            let mut destroyed = 0.0;
            for f in w.regions[r].firms.clone() {
                let lost = w.firms.capital[f] * share;
                w.firms.capital[f] -= lost;
                destroyed += lost;
            }
            w.flows[r].capital_destroyed += destroyed;
        }
    }
}

/// The politics phase's working space, kept between steps: the climate
/// each region's workers face, and protesters per chunk and per region.
#[derive(Clone, Default)]
pub struct Buffers {
    climate: Vec<Climate>,
    sums: Vec<Sums>,
    by_region: Vec<Sums>,
}

impl Buffers {
    /// Room for `chunks` chunks of workers, the most the run will have.
    pub fn reserve_chunks(&mut self, chunks: usize) {
        self.sums.reserve(chunks);
    }
}

fn worker_politics(
    c: &mut WorkerChunk<'_>,
    k: &Climate,
    b: &crate::scenario::Behaviour,
    rng: &mut rng::Positioned,
    s: &mut Sums,
) {
    let keep = b.grievance_persistence as f32;
    let n = c.len();
    // Grievance first, in one pass of arithmetic over slices of the
    // chunk's length; then the thresholds, where the few who pass one may
    // need a random number.
    let (income, reference, employer) = (&c.income[..n], &c.reference[..n], &c.employer[..n]);
    let (group, grievance) = (&c.group[..n], &mut c.grievance[..n]);
    for i in 0..n {
        let reference = reference[i].max(1e-6);
        let change = (income[i] - reference) / reference;
        let unemployed = employer[i] == UNEMPLOYED;
        let g = group[i] as usize;
        let exposed = if g == CRAFT || g == OPERATOR {
            1.0
        } else {
            OTHER_GROUPS_EXPOSURE
        };
        let signal = b.loss_weight as f32 * (-change).max(0.0)
            - b.gain_weight as f32 * change.max(0.0)
            + b.unemployment_weight as f32 * f32::from(unemployed)
            + (b.adoption_rate_weight * k.adoption_rate) as f32 * exposed;
        grievance[i] = (keep * grievance[i] + (1.0 - keep) * signal).clamp(0.0, GRIEVANCE_CEILING);
    }
    let (threshold, protesting) = (&c.threshold[..n], &mut c.protesting[..n]);
    let mut protesters = 0.0;
    for i in 0..n {
        let g = grievance[i];
        protesting[i] = 0;
        // Contagion multiplies grievance: protest around a worker draws in
        // the aggrieved, but cannot make the content protest. Worker i's
        // chance of being deterred is the stream's i-th number, drawn only
        // where repression can deter.
        if g as f64 * k.pull > threshold[i] as f64 {
            if k.repression > 0.0 && rng.uniform_at(i as u64) < k.repression {
                grievance[i] = (g + b.repression_backlash as f32).min(GRIEVANCE_CEILING);
            } else {
                protesting[i] = 1;
                protesters += 1.0;
            }
        }
    }
    s.protesters += protesters;
}
