//! Innovation: research funding, inventors' choices, invention, imitation
//! and inventors' moves between regions.
//!
//! Reads:
//! - firms: `firms.region`, `firms.alive`, `firms.revenue`, `firms.cash`,
//!   `firms.choice` (the technology each task uses).
//! - inventors: `inventors.region`, `inventors.income` (this step's pay, as
//!   research effort).
//! - knowledge: `knowledge.productivity`, `knowledge.improvements`,
//!   `knowledge.experience` (the general technology's returns to scale,
//!   through `costs::scale_factor`).
//! - regions: `regions[r].risk`, `regions[r].wage` (the general class's, to
//!   turn pay into effort), `regions[r].institutions.export_embargo` and
//!   `.embargo_leak` (through `leak`).
//! - routes: `network` (trade neighbours through `neighbours`) and each
//!   route's `knowledge_flow`.
//! - scenario: `scenario.behaviour` (`research_share`, `appropriability`,
//!   `inventor_choice_sharpness`, `imitation_rate`, `innovation_zeta`,
//!   `gain_beta_a`, `gain_beta_b`, `inventor_mobility`);
//!   `scenario.technologies[j]` (`improvement`, `diminishing`, `scale_gain`).
//!
//! Writes:
//! - firms: `firms.cash` (research spending).
//! - inventors: `inventors.income`, `inventors.savings`, `inventors.region`
//!   (moves).
//! - knowledge: `knowledge.productivity` (invention, imitation, know-how
//!   carried by a moving inventor), `knowledge.improvements`.
//! - flows: `flows[r].research_spending`.
//! - ledger: `Flow::Research` (firms pay, inventors receive).
//! - events: `Invention`, `Migration`, `EmbargoLeak` (an inventor leaves a
//!   region under embargo).
//! - `buf`: working memory only (inventors and research money per region,
//!   the value of output each technology could improve), refilled each step.
//!
//! Firms spend a share of revenue on research, less where they fear
//! machine-breaking. Inventors pick a project by expected reward, the value
//! of the output it could improve times the expected gain; special tools'
//! gains shrink with each improvement (diminishing returns) while the
//! general technology's grow with its installed base (increasing returns).
//! Success follows 1 - exp(-zeta * effort), gains are Beta draws (Dosi,
//! Fagiolo and Roventini 2010); an inventor may instead imitate a trade
//! neighbour's best practice, or move to the region that funds research best.

use crate::model::costs::scale_factor;
use crate::model::ledger::{Flow, Sector};
use crate::model::rng::{self, Phase};
use crate::model::world::EventKind;
use crate::model::world::{refill, World, GENERAL};
use crate::scenario::TechKind;
use rand::Rng;
use rand_distr::{Beta, Distribution};

pub fn innovation(w: &mut World, buf: &mut Buffers) {
    let nr = w.regions.len();
    let techs = w.techs();
    let tasks = w.tasks();
    let b = w.scenario.behaviour.clone();

    let Buffers {
        count,
        pool,
        market,
    } = buf;
    // Research funding, paid by firms to their region's inventors.
    refill(count, nr, 0);
    for &r in &w.inventors.region {
        count[r as usize] += 1;
    }
    refill(pool, nr, 0.0);
    for f in 0..w.firms.len() {
        let r = w.firms.region[f] as usize;
        if !w.firms.alive[f] || count[r] == 0 {
            continue;
        }
        let spend = (b.research_share * w.firms.revenue[f] / (1.0 + w.regions[r].risk))
            .min(w.firms.cash[f].max(0.0));
        w.firms.cash[f] -= spend;
        pool[r] += spend;
    }
    for (r, &spent) in pool.iter().enumerate() {
        w.flows[r].research_spending = spent;
    }
    let total: f64 = pool.iter().sum();
    w.ledger.paid(Flow::Research, Sector::Firms, total);
    let mut received = 0.0;
    for i in 0..w.inventors.region.len() {
        let r = w.inventors.region[i] as usize;
        let pay = pool[r] / count[r] as f64;
        w.inventors.income[i] = pay;
        w.inventors.savings[i] += pay;
        received += pay;
    }
    w.ledger
        .received(Flow::Research, Sector::Inventors, received);

    // The value of output each technology could improve, per region.
    refill(market, nr * techs, 0.0);
    for f in 0..w.firms.len() {
        if !w.firms.alive[f] {
            continue;
        }
        let r = w.firms.region[f] as usize;
        for t in 0..tasks {
            let using = w.firms.choice[f * tasks + t] as usize;
            let value = w.firms.revenue[f] * w.task_labour[t];
            for j in 0..techs {
                if w.tech_tasks[j] & (1 << t) == 0 {
                    continue;
                }
                // Special tools improve the output of the firms that could use
                // them; the general technology all the output of its tasks.
                if w.tech_kind[j] == TechKind::General || w.tech_kind[using] != TechKind::General {
                    market[r * techs + j] += value;
                }
            }
        }
    }

    let beta = Beta::new(b.gain_beta_a, b.gain_beta_b).expect("validated beta parameters");
    let beta_mean = b.gain_beta_a / (b.gain_beta_a + b.gain_beta_b);
    let mut rewards = [0.0f64; 64];
    for i in 0..w.inventors.region.len() {
        let mut rng = rng::stream(w.seed, w.step, Phase::Innovation, i as u64);
        let r = w.inventors.region[i] as usize;
        // Choose a project by expected reward (logit on log reward).
        let mut sum = 0.0;
        for (j, reward) in rewards.iter_mut().enumerate().take(techs) {
            *reward = 0.0;
            if w.tech_kind[j] == TechKind::Craft || w.know(r, j) <= 0.0 {
                continue;
            }
            let v = market[r * techs + j] * b.appropriability * expected_gain(w, r, j);
            if v > 0.0 {
                *reward = v.powf(b.inventor_choice_sharpness);
                sum += *reward;
            }
        }
        if sum <= 0.0 {
            continue;
        }
        let mut x = rng.random::<f64>() * sum;
        let mut project = 0;
        for (j, reward) in rewards.iter().enumerate().take(techs) {
            if *reward > 0.0 {
                project = j;
                if x < *reward {
                    break;
                }
                x -= reward;
            }
        }
        let k = r * techs + project;

        if rng.random::<f64>() < b.imitation_rate {
            // Imitation: close part of the gap to the best neighbour's practice.
            let best = w
                .neighbours(r)
                .map(|(s, _)| w.knowledge.productivity[s * techs + project] * leak(w, s))
                .fold(0.0, f64::max);
            if best > w.knowledge.productivity[k] {
                w.knowledge.productivity[k] += 0.2 * (best - w.knowledge.productivity[k]);
            }
            continue;
        }
        let effort = w.inventors.income[i] / w.regions[r].wage[GENERAL].max(1e-9);
        if rng.random::<f64>() < 1.0 - (-b.innovation_zeta * effort).exp() {
            let gain = expected_gain(w, r, project) * beta.sample(&mut rng) / beta_mean;
            w.knowledge.productivity[k] *= 1.0 + gain;
            w.knowledge.improvements[k] += 1;
            let detail = format!("improvement of {}", w.scenario.technologies[project].name);
            w.event(r, EventKind::Invention, gain, &detail);
        }

        // Mobility: move along a trade route to the neighbour that pays
        // research best, carrying know-how; denser contact makes moves likelier.
        if rng.random::<f64>() < b.inventor_mobility {
            let here = pool[r] / count[r].max(1) as f64;
            let contact = rng.random::<f64>();
            let (best_r, best_pay) = w
                .neighbours(r)
                .filter(|(_, route)| contact < route.knowledge_flow * 5.0)
                .map(|(s, _)| (s, pool[s] / (count[s] + 1) as f64))
                .fold((r, here), |a, c| if c.1 > a.1 { c } else { a });
            let allowed = rng.random::<f64>() < leak(w, r);
            if best_r != r && best_pay > 1.3 * here && allowed {
                w.inventors.region[i] = best_r as u16;
                count[r] -= 1;
                count[best_r] += 1;
                // The inventor carries the know-how of the project in hand
                // (Slater carried the water frame to Rhode Island in 1789).
                let carried = 0.9 * w.knowledge.productivity[r * techs + project];
                let there = &mut w.knowledge.productivity[best_r * techs + project];
                if carried > *there {
                    *there = carried;
                }
                let kind = if w.regions[r].institutions.export_embargo >= 0.5 {
                    EventKind::EmbargoLeak
                } else {
                    EventKind::Migration
                };
                let detail = format!(
                    "an inventor moves from {} to {}",
                    w.regions[r].name, w.regions[best_r].name
                );
                w.event(best_r, kind, 1.0, &detail);
            }
        }
    }
}

/// The innovation phase's working space, kept between steps: inventors and
/// research money per region, and the value of output each technology could
/// improve, `[region * technologies + technology]`.
#[derive(Clone, Default)]
pub struct Buffers {
    count: Vec<usize>,
    pool: Vec<f64>,
    market: Vec<f64>,
}

/// Expected fractional gain of the next improvement of technology `j` in region `r`.
pub fn expected_gain(w: &World, r: usize, j: usize) -> f64 {
    let t = &w.scenario.technologies[j];
    let n = w.knowledge.improvements[r * w.techs() + j];
    let mut gain = t.improvement * t.diminishing.powi(n as i32);
    if w.tech_kind[j] == TechKind::General {
        gain *= scale_factor(w, r, j);
    }
    gain
}

/// Share of normal knowledge flow that leaves region `s` (1 without an embargo).
pub fn leak(w: &World, s: usize) -> f64 {
    let inst = &w.regions[s].institutions;
    if inst.export_embargo >= 0.5 {
        inst.embargo_leak
    } else {
        1.0
    }
}
