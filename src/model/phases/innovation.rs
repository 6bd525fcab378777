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
//!
//! The phase's steps: research funding (`fund_research`); the output each
//! technology could improve (`improvable_markets`); then, inventor by
//! inventor, the project (`choose_project`), and imitation (`imitate`) or
//! invention (`improve`) and perhaps a move (`migrate`).

use crate::model::costs::scale_factor;
use crate::model::ledger::{Flow, Sector};
use crate::model::rng::{self, Phase};
use crate::model::world::EventKind;
use crate::model::world::{refill, World, GENERAL};
use crate::scenario::{Behaviour, TechKind};
use rand::Rng;
use rand_distr::{Beta, Distribution};

pub fn innovation(world: &mut World, buf: &mut Buffers) {
    let behaviour = world.scenario.behaviour.clone();
    let Buffers {
        count,
        pool,
        market,
    } = buf;
    fund_research(world, count, pool, &behaviour);
    improvable_markets(world, market);

    let beta =
        Beta::new(behaviour.gain_beta_a, behaviour.gain_beta_b).expect("validated beta parameters");
    let mut rewards = [0.0f64; 64];
    for i in 0..world.inventors.region.len() {
        let mut rng = rng::stream(world.seed, world.step, Phase::Innovation, i as u64);
        let r = world.inventors.region[i] as usize;
        let Some(project) = choose_project(world, r, market, &mut rewards, &mut rng, &behaviour)
        else {
            continue;
        };
        if rng.random::<f64>() < behaviour.imitation_rate {
            imitate(world, r, project);
            continue;
        }
        improve(world, i, r, project, &beta, &mut rng, &behaviour);
        if rng.random::<f64>() < behaviour.inventor_mobility {
            migrate(world, i, r, project, count, pool, &mut rng);
        }
    }
}

/// Research funding, paid by firms to their region's inventors: each live
/// firm in a region with inventors spends `research_share` of its revenue
/// (less where machine-breaking is feared), and each inventor is paid an
/// equal share of the region's pool.
fn fund_research(
    world: &mut World,
    count: &mut Vec<usize>,
    pool: &mut Vec<f64>,
    behaviour: &Behaviour,
) {
    let region_count = world.regions.len();
    refill(count, region_count, 0);
    for &r in &world.inventors.region {
        count[r as usize] += 1;
    }
    refill(pool, region_count, 0.0);
    for f in 0..world.firms.len() {
        let r = world.firms.region[f] as usize;
        if !world.firms.alive[f] || count[r] == 0 {
            continue;
        }
        let spend = (behaviour.research_share * world.firms.revenue[f]
            / (1.0 + world.regions[r].risk))
            .min(world.firms.cash[f].max(0.0));
        world.firms.cash[f] -= spend;
        pool[r] += spend;
    }
    for (r, &spent) in pool.iter().enumerate() {
        world.flows[r].research_spending = spent;
    }
    let total: f64 = pool.iter().sum();
    world.ledger.paid(Flow::Research, Sector::Firms, total);
    let mut received = 0.0;
    for i in 0..world.inventors.region.len() {
        let r = world.inventors.region[i] as usize;
        let pay = pool[r] / count[r] as f64;
        world.inventors.income[i] = pay;
        world.inventors.savings[i] += pay;
        received += pay;
    }
    world
        .ledger
        .received(Flow::Research, Sector::Inventors, received);
}

/// The value of output each technology could improve, per region.
fn improvable_markets(world: &World, market: &mut Vec<f64>) {
    let (techs, tasks) = (world.techs(), world.tasks());
    refill(market, world.regions.len() * techs, 0.0);
    for f in 0..world.firms.len() {
        if !world.firms.alive[f] {
            continue;
        }
        let r = world.firms.region[f] as usize;
        for t in 0..tasks {
            let using = world.firms.choice[f * tasks + t] as usize;
            let value = world.firms.revenue[f] * world.task_labour[t];
            for j in 0..techs {
                if world.tech_tasks[j] & (1 << t) == 0 {
                    continue;
                }
                // Special tools improve the output of the firms that could use
                // them; the general technology all the output of its tasks.
                if world.tech_kind[j] == TechKind::General
                    || world.tech_kind[using] != TechKind::General
                {
                    market[r * techs + j] += value;
                }
            }
        }
    }
}

/// An inventor in region `r` chooses a project by expected reward (logit
/// on log reward); none if no known technology promises any.
fn choose_project(
    world: &World,
    r: usize,
    market: &[f64],
    rewards: &mut [f64; 64],
    rng: &mut impl Rng,
    behaviour: &Behaviour,
) -> Option<usize> {
    let techs = world.techs();
    let mut sum = 0.0;
    for (j, reward) in rewards.iter_mut().enumerate().take(techs) {
        *reward = 0.0;
        if world.tech_kind[j] == TechKind::Craft || world.know(r, j) <= 0.0 {
            continue;
        }
        let v = market[r * techs + j] * behaviour.appropriability * expected_gain(world, r, j);
        if v > 0.0 {
            *reward = v.powf(behaviour.inventor_choice_sharpness);
            sum += *reward;
        }
    }
    if sum <= 0.0 {
        return None;
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
    Some(project)
}

/// Imitation: close part of the gap to the best neighbour's practice.
fn imitate(world: &mut World, r: usize, project: usize) {
    let techs = world.techs();
    let k = r * techs + project;
    let best = world
        .neighbours(r)
        .map(|(s, _)| world.knowledge.productivity[s * techs + project] * leak(world, s))
        .fold(0.0, f64::max);
    if best > world.knowledge.productivity[k] {
        world.knowledge.productivity[k] += 0.2 * (best - world.knowledge.productivity[k]);
    }
}

/// Invention: with a chance that grows with the inventor's effort (pay
/// over the general wage), the project's productivity in the region rises
/// by a gain drawn around the expected one.
fn improve(
    world: &mut World,
    i: usize,
    r: usize,
    project: usize,
    beta: &Beta<f64>,
    rng: &mut impl Rng,
    behaviour: &Behaviour,
) {
    let k = r * world.techs() + project;
    let beta_mean = behaviour.gain_beta_a / (behaviour.gain_beta_a + behaviour.gain_beta_b);
    let effort = world.inventors.income[i] / world.regions[r].wage[GENERAL].max(1e-9);
    if rng.random::<f64>() < 1.0 - (-behaviour.innovation_zeta * effort).exp() {
        let gain = expected_gain(world, r, project) * beta.sample(rng) / beta_mean;
        world.knowledge.productivity[k] *= 1.0 + gain;
        world.knowledge.improvements[k] += 1;
        let detail = format!(
            "improvement of {}",
            world.scenario.technologies[project].name
        );
        world.event(r, EventKind::Invention, gain, &detail);
    }
}

/// Mobility: the inventor moves along a trade route to the neighbour that
/// pays research best, carrying know-how; denser contact makes moves
/// likelier.
fn migrate(
    world: &mut World,
    i: usize,
    r: usize,
    project: usize,
    count: &mut [usize],
    pool: &[f64],
    rng: &mut impl Rng,
) {
    let techs = world.techs();
    let here = pool[r] / count[r].max(1) as f64;
    let contact = rng.random::<f64>();
    let (best_r, best_pay) = world
        .neighbours(r)
        .filter(|(_, route)| contact < route.knowledge_flow * 5.0)
        .map(|(s, _)| (s, pool[s] / (count[s] + 1) as f64))
        .fold((r, here), |a, c| if c.1 > a.1 { c } else { a });
    let allowed = rng.random::<f64>() < leak(world, r);
    if best_r != r && best_pay > 1.3 * here && allowed {
        world.inventors.region[i] = best_r as u16;
        count[r] -= 1;
        count[best_r] += 1;
        // The inventor carries the know-how of the project in hand
        // (Slater carried the water frame to Rhode Island in 1789).
        let carried = 0.9 * world.knowledge.productivity[r * techs + project];
        let there = &mut world.knowledge.productivity[best_r * techs + project];
        if carried > *there {
            *there = carried;
        }
        let kind = if world.regions[r].institutions.export_embargo >= 0.5 {
            EventKind::EmbargoLeak
        } else {
            EventKind::Migration
        };
        let detail = format!(
            "an inventor moves from {} to {}",
            world.regions[r].name, world.regions[best_r].name
        );
        world.event(best_r, kind, 1.0, &detail);
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
