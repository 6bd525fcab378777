//! Politics: grievance, contagion, protest and the state's response.
//!
//! Its contract is `contracts::PoliticsPhase`.
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
//! rather than spreading to the content, so it cannot feed on itself.
//! Protest breaks a share of the machines of every firm in the region (a
//! hand shop has few to lose) and raises the risk firms perceive, slowing
//! adoption and research for years.

use crate::model::contracts::PoliticsPhase;

use crate::model::rng::{self, Phase};
use crate::model::world::EventKind;
use crate::model::world::{
    for_each_chunk, refill, WorkerChunk, WorkerScratch, CRAFT, OPERATOR, PROTEST_WAVE, UNEMPLOYED,
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

pub fn politics(view: PoliticsPhase<'_>, buf: &mut Buffers, per_worker: &mut WorkerScratch) {
    let PoliticsPhase {
        params,
        clock,
        layout,
        economy,
        workers,
        firms,
        politics,
        events,
        flows,
    } = view;
    let behaviour = params.behaviour();
    let region_count = economy.len();
    buf.climate.clear();
    buf.climate.extend((0..region_count).map(|r| {
        let (mut sum, mut n) = (0.0, 0.0);
        for (s, _) in params.neighbours(r) {
            sum += politics[s].protest;
            n += 1.0;
        }
        let neighbours = if n > 0.0 { sum / n } else { 0.0 };
        let here = &politics[r];
        Climate {
            pull: 1.0
                + behaviour.contagion_local * here.protest
                + behaviour.contagion_neighbours * neighbours,
            adoption_rate: here.adoption_rate,
            repression: here.institutions.repression,
        }
    }));

    refill(&mut buf.sums, layout.len(), Sums::default());
    {
        let (seed, step) = (params.seed, clock.step);
        let climate = &buf.climate;
        let job = |c: &mut WorkerChunk<'_>, s: &mut Sums| {
            let mut rng =
                rng::Positioned::new(rng::stream(seed, step, Phase::Politics, c.index as u64));
            worker_politics(c, &climate[c.region], behaviour, &mut rng, s);
        };
        for_each_chunk(workers, per_worker, layout, &mut buf.sums, &job);
    }
    let by_region = &mut buf.by_region;
    refill(by_region, region_count, Sums::default());
    for ((r, _), s) in layout.iter().zip(&buf.sums) {
        by_region[*r].protesters += s.protesters;
    }

    for r in 0..region_count {
        let n = economy[r].workers.len() as f64;
        let region = &mut politics[r];
        let before = region.protest;
        region.protest = by_region[r].protesters / n;
        region.accommodation_relief = region.institutions.accommodation
            * (ACCOMMODATION_PER_PROTEST * region.protest).min(1.0);
        region.risk =
            behaviour.risk_persistence * region.risk + behaviour.risk_sensitivity * region.protest;
        let protest = region.protest;
        let year = clock.year;
        if before < PROTEST_WAVE && protest >= PROTEST_WAVE {
            events.record(
                params,
                clock,
                r,
                EventKind::Protest,
                protest,
                "a protest wave begins",
            );
            let repression = region.institutions.repression;
            if repression > 0.0 {
                events.record(
                    params,
                    clock,
                    r,
                    EventKind::Repression,
                    repression,
                    "troops and prosecutions against protesters",
                );
            }
        }
        let institutions = &region.institutions;
        if institutions.machine_ban_years > 0.0
            && protest >= institutions.machine_ban_trigger
            && year >= region.ban_until
        {
            let years = institutions.machine_ban_years;
            region.ban_until = year + years;
            events.record(
                params,
                clock,
                r,
                EventKind::MachineBan,
                years,
                "general-technology machines banned",
            );
        }
        // Machine-breaking: every firm of the region loses part of its machines.
        let share = (behaviour.destruction_rate * protest).min(1.0);
        if share > 0.0 {
            let mut destroyed = 0.0;
            for f in economy[r].firms.clone() {
                let lots = firms.machines.firm_lots(f);
                for capital in &mut firms.machines.capital[lots] {
                    destroyed += *capital * share;
                    *capital *= 1.0 - share;
                }
            }
            flows[r].capital_destroyed += destroyed;
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
    climate: &Climate,
    behaviour: &crate::scenario::Behaviour,
    rng: &mut rng::Positioned,
    s: &mut Sums,
) {
    let keep = behaviour.grievance_persistence as f32;
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
        let signal = behaviour.loss_weight as f32 * (-change).max(0.0)
            - behaviour.gain_weight as f32 * change.max(0.0)
            + behaviour.unemployment_weight as f32 * f32::from(unemployed)
            + (behaviour.adoption_rate_weight * climate.adoption_rate) as f32 * exposed;
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
        if g as f64 * climate.pull > threshold[i] as f64 {
            if climate.repression > 0.0 && rng.uniform_at(i as u64) < climate.repression {
                grievance[i] = (g + behaviour.repression_backlash as f32).min(GRIEVANCE_CEILING);
            } else {
                protesting[i] = 1;
                protesters += 1.0;
            }
        }
    }
    s.protesters += protesters;
}
