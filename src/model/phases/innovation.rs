//! Innovation: research funding, inventors' choices, invention, imitation
//! and inventors' moves between regions.
//!
//! Its contract is `contracts::Innovation`.
//!
//! Firms spend a share of revenue on research, less where they fear
//! machine-breaking. Inventors pick a project by expected reward, the value
//! of the output it could improve times the expected gain; special tools'
//! gains shrink with each improvement (diminishing returns) while the
//! general technology's grow with its installed base (increasing returns).
//! Success follows 1 - exp(-zeta * effort), gains are Beta draws (Dosi,
//! Fagiolo and Roventini 2010); an inventor may instead imitate a trade
//! neighbour's best practice, or move to the region that funds research best.
//! A general technology that the scenario makes feasible but nobody in the
//! region knows is a project too: developing it pays by the output it
//! would serve and the cost it would save there (docs/ODD.md, "Invention").
//!
//! The phase's steps: research funding (`fund_research`); the output each
//! technology could improve (`improvable_markets`) and the reward of
//! developing each feasible one (`invention_prospects`); then, inventor by
//! inventor, the project (`choose_project`), and development (`invent`),
//! imitation (`imitate`) or invention (`improve`) and perhaps a move
//! (`migrate`).

use crate::model::contracts::Innovation;
use crate::model::costs::{gain_from, method_cost, scale_factor, task_cost, Costing};
use crate::model::ledger::{Flow, Sector};
use crate::model::rng::{self, Phase};
use crate::model::world::EventKind;
use crate::model::world::{refill, CARRIED, GENERAL};
use crate::scenario::TechKind;
use rand::Rng;
use rand_distr::{Beta, Distribution};

pub fn innovation(mut view: Innovation<'_>, buf: &mut Buffers) {
    let behaviour = view.params.behaviour();
    let Buffers {
        count,
        pool,
        funding,
        market,
        mechanised,
        prospect,
    } = buf;
    fund_research(&mut view, count, pool, funding);
    improvable_markets(&view, market, mechanised);
    invention_prospects(&view, mechanised, prospect);

    let beta =
        Beta::new(behaviour.gain_beta_a, behaviour.gain_beta_b).expect("validated beta parameters");
    let mut rewards = [0.0f64; 64];
    for i in 0..view.inventors.region.len() {
        let mut rng = rng::stream(
            view.params.seed,
            view.clock.step,
            Phase::Innovation,
            i as u64,
        );
        let r = view.inventors.region[i] as usize;
        let Some(project) = choose_project(&view, r, market, prospect, &mut rewards, &mut rng)
        else {
            continue;
        };
        if view.knowledge.know(r, project) <= 0.0 {
            invent(&mut view, funding[r], r, project, &mut rng);
            continue;
        }
        if rng.random::<f64>() < behaviour.imitation_rate {
            imitate(&mut view, r, project);
            continue;
        }
        improve(&mut view, funding[r], r, project, &beta, &mut rng);
        if rng.random::<f64>() < behaviour.inventor_mobility {
            migrate(&mut view, i, r, project, count, pool, &mut rng);
        }
    }
}

/// Research funding and inventors' pay. Each live firm in a region with
/// inventors spends `research_share` of its revenue on research (less where
/// machine-breaking is feared), and each machine builder the same share of
/// the receipts of its last orders, as the capital-good firms of Dosi,
/// Fagiolo and Roventini (2010) do. An inventor's research funding is an
/// equal share of the region's pool (`funding`, per region) and sets the
/// effort behind the project.
///
/// Inventors are paid as the mechanics and engineers who made the
/// improvements of the Industrial Revolution were (Meisenzahl and Mokyr
/// 2012), and as the salaried staff of the industrial laboratories that
/// followed (Mowery and Rosenberg 1998): a skilled worker's wage, the
/// region's general-class wage, not a share of whatever the pool holds.
/// Research pays that wage as far as the pool reaches; an inventor it does
/// not fund full time earns the rest at their trade in the rest of the
/// economy. Money beyond the inventors' wages pays for their assistants,
/// instruments and materials, bought from the rest of the economy.
fn fund_research(
    view: &mut Innovation,
    count: &mut Vec<usize>,
    pool: &mut Vec<f64>,
    funding: &mut Vec<f64>,
) {
    let behaviour = view.params.behaviour();
    let region_count = view.params.region_count();
    refill(count, region_count, 0);
    for &r in &view.inventors.region {
        count[r as usize] += 1;
    }
    refill(pool, region_count, 0.0);
    let mut from_firms = 0.0;
    for f in 0..view.firms.len() {
        let r = view.firms.region[f] as usize;
        if !view.firms.alive[f] || count[r] == 0 {
            continue;
        }
        let spend = (behaviour.research_share * view.firms.revenue[f]
            / (1.0 + view.politics[r].risk))
            .min(view.firms.cash[f].max(0.0));
        view.firms.cash[f] -= spend;
        pool[r] += spend;
        from_firms += spend;
    }
    view.ledger.paid(Flow::Research, Sector::Firms, from_firms);
    let mut from_builders = 0.0;
    for (r, pool) in pool.iter_mut().enumerate() {
        if count[r] == 0 {
            continue;
        }
        for j in 0..view.builders.techs {
            let b = view.builders.of(r, j);
            let spend = behaviour.research_share * view.builders.cash[b].max(0.0);
            view.builders.cash[b] -= spend;
            *pool += spend;
            from_builders += spend;
        }
    }
    view.ledger
        .paid(Flow::Research, Sector::Builders, from_builders);
    let (mut to_inventors, mut to_rest, mut trade_pay) = (0.0, 0.0, 0.0);
    refill(funding, region_count, 0.0);
    for (r, &spent) in pool.iter().enumerate() {
        view.flows[r].research_spending = spent;
        if count[r] == 0 {
            continue;
        }
        funding[r] = spent / count[r] as f64;
        let salary = view.economy[r].wage[GENERAL];
        let research_pay = funding[r].min(salary);
        let inputs = spent - research_pay * count[r] as f64;
        let trade = (salary - research_pay) * count[r] as f64;
        let region = &mut view.economy[r];
        region.rest_cash += inputs - trade;
        region.rest_sales += inputs;
        to_inventors += spent - inputs;
        to_rest += inputs;
        trade_pay += trade;
    }
    view.ledger
        .received(Flow::Research, Sector::Inventors, to_inventors);
    view.ledger.received(Flow::Research, Sector::Rest, to_rest);
    view.ledger
        .pay(Flow::Wages, Sector::Rest, Sector::Inventors, trade_pay);
    let inventors = &mut view.inventors;
    for i in 0..inventors.region.len() {
        let r = inventors.region[i] as usize;
        let salary = view.economy[r].wage[GENERAL];
        inventors.income[i] = salary;
        inventors.savings[i] += salary;
    }
}

/// The value of output each technology could improve, per region
/// (`market`), and the value and quantity of each task's output made with
/// special tools (`mechanised`, `[region * tasks + task]`): the factories
/// that would buy a general technology, the scale of stage 1.
fn improvable_markets(view: &Innovation, market: &mut Vec<f64>, mechanised: &mut Vec<(f64, f64)>) {
    let (techs, tasks) = (view.params.techs(), view.params.tasks());
    refill(market, view.params.region_count() * techs, 0.0);
    refill(mechanised, view.params.region_count() * tasks, (0.0, 0.0));
    for f in 0..view.firms.len() {
        if !view.firms.alive[f] {
            continue;
        }
        let r = view.firms.region[f] as usize;
        for t in 0..tasks {
            let using = view.firms.choice[f * tasks + t] as usize;
            let share = view.params.task_labour[t];
            let value = view.firms.revenue[f] * share;
            if view.params.tech_kind[using] == TechKind::Special {
                mechanised[r * tasks + t].0 += value;
                mechanised[r * tasks + t].1 += view.firms.output[f] * share;
            }
            for j in 0..techs {
                if view.params.tech_tasks[j] & (1 << t) == 0 {
                    continue;
                }
                // Special tools improve the output of the firms that could use
                // them; the general technology all the output of its tasks.
                if view.params.tech_kind[j] == TechKind::General
                    || view.params.tech_kind[using] != TechKind::General
                {
                    market[r * techs + j] += value;
                }
            }
        }
    }
}

/// An inventor in region `r` chooses a project by expected reward (logit
/// on log reward): improving a technology the region knows, or developing
/// a feasible one nobody there knows yet (`prospect`); none if no project
/// promises any.
fn choose_project(
    view: &Innovation,
    r: usize,
    market: &[f64],
    prospect: &[f64],
    rewards: &mut [f64; 64],
    rng: &mut impl Rng,
) -> Option<usize> {
    let behaviour = view.params.behaviour();
    let techs = view.params.techs();
    let mut sum = 0.0;
    for (j, reward) in rewards.iter_mut().enumerate().take(techs) {
        *reward = 0.0;
        if view.params.tech_kind[j] == TechKind::Craft {
            continue;
        }
        let v = if view.knowledge.know(r, j) > 0.0 {
            market[r * techs + j] * behaviour.appropriability * expected_gain(view, r, j)
        } else {
            prospect[r * techs + j]
        };
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
fn imitate(view: &mut Innovation, r: usize, project: usize) {
    let techs = view.params.techs();
    let k = r * techs + project;
    let best = view
        .params
        .neighbours(r)
        .map(|(s, _)| {
            view.knowledge.productivity[s * techs + project] * view.politics[s].knowledge_leak(r)
        })
        .fold(0.0, f64::max);
    if best > view.knowledge.productivity[k] {
        view.knowledge.productivity[k] += 0.2 * (best - view.knowledge.productivity[k]);
    }
}

/// Invention: with a chance that grows with the inventor's effort (research
/// funding over the general wage: the inventor's own time and, beyond it,
/// assistants and instruments), the project's productivity in the region rises
/// by a gain drawn around the expected one.
fn improve(
    view: &mut Innovation,
    funding: f64,
    r: usize,
    project: usize,
    beta: &Beta<f64>,
    rng: &mut impl Rng,
) {
    let behaviour = view.params.behaviour();
    let k = r * view.params.techs() + project;
    let beta_mean = behaviour.gain_beta_a / (behaviour.gain_beta_a + behaviour.gain_beta_b);
    let effort = funding / view.economy[r].wage[GENERAL].max(1e-9);
    if rng.random::<f64>() < 1.0 - (-behaviour.innovation_zeta * effort).exp() {
        let gain = expected_gain(view, r, project) * beta.sample(rng) / beta_mean;
        view.knowledge.productivity[k] *= 1.0 + gain;
        view.knowledge.improvements[k] += 1;
        let detail = format!(
            "improvement of {}",
            view.params.scenario.technologies[project].name
        );
        view.events.record(
            view.params,
            view.clock,
            r,
            EventKind::Invention,
            gain,
            &detail,
        );
    }
}

/// Mobility: the inventor moves along a trade route to the neighbour that
/// pays research best, carrying know-how; denser contact makes moves
/// likelier, and the home region's emigration law lets only its leak go.
fn migrate(
    view: &mut Innovation,
    i: usize,
    r: usize,
    project: usize,
    count: &mut [usize],
    pool: &[f64],
    rng: &mut impl Rng,
) {
    let techs = view.params.techs();
    let here = pool[r] / count[r].max(1) as f64;
    let contact = rng.random::<f64>();
    let (best_r, best_pay) = view
        .params
        .neighbours(r)
        .filter(|(_, route)| contact < route.knowledge_flow * 5.0)
        .map(|(s, _)| (s, pool[s] / (count[s] + 1) as f64))
        .fold((r, here), |a, c| if c.1 > a.1 { c } else { a });
    let allowed = rng.random::<f64>() < view.politics[r].emigration_allowed();
    if best_r != r && best_pay > 1.3 * here && allowed {
        view.inventors.region[i] = best_r as u16;
        count[r] -= 1;
        count[best_r] += 1;
        // The inventor carries the know-how of the project in hand
        // (Slater carried the water frame to Rhode Island in 1789).
        let carried = CARRIED * view.knowledge.productivity[r * techs + project];
        let there = &mut view.knowledge.productivity[best_r * techs + project];
        if carried > *there {
            *there = carried;
        }
        let kind = if view.politics[r].emigration_allowed() < 1.0 {
            EventKind::EmigrationLeak
        } else {
            EventKind::Migration
        };
        let detail = format!(
            "an inventor moves from {} to {}",
            view.params.region_name(r),
            view.params.region_name(best_r)
        );
        view.events
            .record(view.params, view.clock, best_r, kind, 1.0, &detail);
    }
}

/// The innovation phase's working space, kept between steps: inventors,
/// research money and research money per inventor by region; the value of
/// output each technology could improve and the expected reward of
/// inventing it, `[region * technologies + technology]`; the value of each
/// task's output made with special tools, `[region * tasks + task]`.
#[derive(Clone, Default)]
pub struct Buffers {
    count: Vec<usize>,
    pool: Vec<f64>,
    funding: Vec<f64>,
    market: Vec<f64>,
    mechanised: Vec<(f64, f64)>,
    prospect: Vec<f64>,
}

/// Years over which an inventor expects to keep the gains of a new
/// technology: the term of a patent, 14 years in England from the Statute
/// of Monopolies (1624) to 1919 and in the United States to 1861, 17 there
/// from 1861 to 1995 and 20 since (TRIPS, 1994). The shortest term serves
/// every scenario; secrecy and lead time protect an invention as much as
/// the term does (Levin et al. 1987, Brookings Papers 3).
const PATENT_YEARS: i32 = 14;

/// The expected reward of developing each general technology that is
/// feasible this year and that region `r` does not know yet: the value of
/// the output it would serve in the region's factories (the tasks' output
/// made with special tools, the scale of stage 1), times the unit-cost
/// saving it would bring there at the region's own wages and machine
/// prices, times the share of the gain an inventor keeps
/// (`appropriability`), over the difficulty of development against an
/// improvement (`invention_difficulty`). The saving is that of the
/// technology as its inventor expects it to be over a patent's life: its
/// first productivity raised by a yearly improvement of its own size,
/// diminishing as its improvements do, and by the returns to the installed
/// base (`scale_gain`) at the experience that a patent's life of making
/// those factories' output would give. The market-size effect of Acemoglu
/// (2002, "Directed technical change", Review of Economic Studies 69) and
/// Allen's (2009) induced invention: research goes where the market for
/// its result is large and where it saves the dear factor.
fn invention_prospects(view: &Innovation, mechanised: &[(f64, f64)], prospect: &mut Vec<f64>) {
    let params = view.params;
    let behaviour = params.behaviour();
    let (techs, tasks) = (params.techs(), params.tasks());
    let steps_per_year = params.steps_per_year();
    refill(prospect, params.region_count() * techs, 0.0);
    let costing = Costing {
        params,
        year: view.clock.year,
        knowledge: view.knowledge,
        economy: view.economy,
        politics: view.politics,
        government: view.government,
    };
    for (j, t) in params.scenario.technologies.iter().enumerate() {
        if !t.feasible_by(view.clock.year) {
            continue;
        }
        let improved = t.productivity
            * (0..PATENT_YEARS)
                .map(|k| 1.0 + t.improvement * t.diminishing.powi(k))
                .product::<f64>();
        let serves = |task: usize| params.tech_tasks[j] & (1 << task) != 0;
        for r in 0..params.region_count() {
            if view.knowledge.know(r, j) > 0.0 {
                continue;
            }
            // The experience a patent's life of making the factories'
            // output would give, in the units production counts it in.
            let made: f64 = (0..tasks)
                .filter(|&task| serves(task))
                .map(|task| mechanised[r * tasks + task].1)
                .sum();
            let experience = PATENT_YEARS as f64 * steps_per_year * made
                / view.economy[r].first_unit(steps_per_year);
            let developed = improved * gain_from(params, j, experience);
            let mut value = 0.0;
            for task in (0..tasks).filter(|&task| serves(task)) {
                let served = mechanised[r * tasks + task].0;
                if served <= 0.0 {
                    continue;
                }
                let current = (0..techs)
                    .filter(|&i| {
                        params.tech_kind[i] != TechKind::General
                            && params.tech_tasks[i] & (1 << task) != 0
                            && view.knowledge.know(r, i) > 0.0
                    })
                    .map(|i| task_cost(&costing, view.firms, None, r, task, i).unit_cost)
                    .fold(f64::INFINITY, f64::min);
                let new = method_cost(&costing, view.firms, None, r, task, j, developed).unit_cost;
                value += served * (1.0 - new / current).max(0.0);
            }
            prospect[r * techs + j] =
                value * behaviour.appropriability / behaviour.invention_difficulty;
        }
    }
}

/// Development of a feasible technology the region does not know: with the
/// chance an improvement has at the inventor's effort, over the difficulty
/// of development against an improvement, the region has it, at the
/// productivity its sources give the first version. It is then known as
/// any technology is: it spreads along trade routes, with inventors who
/// move and with mechanics who emigrate, and builders and firms may take
/// it up.
///
/// Money does not buy a new technology as it buys an improvement: the
/// effort is the inventor's own time as far as research pays for it, and
/// what that time achieves grows with the skills of the region's people
/// (its general education at the start): a region's capacity to invent
/// is its inventors and its skills, not its research budget at its wages
/// (Meisenzahl and Mokyr 2012 on the mechanics behind British invention).
fn invent(view: &mut Innovation, funding: f64, r: usize, project: usize, rng: &mut impl Rng) {
    let behaviour = view.params.behaviour();
    let time = (funding / view.economy[r].wage[GENERAL].max(1e-9)).min(1.0);
    let effort = time * view.params.scenario.regions[r].education;
    let chance = 1.0 - (-behaviour.innovation_zeta * effort / behaviour.invention_difficulty).exp();
    if rng.random::<f64>() < chance {
        let t = &view.params.scenario.technologies[project];
        view.knowledge.productivity[r * view.params.techs() + project] = t.productivity;
        let detail = format!("{} is developed in {}", t.name, view.params.region_name(r));
        view.events.record(
            view.params,
            view.clock,
            r,
            EventKind::NewTechnology,
            t.productivity,
            &detail,
        );
    }
}

/// Expected fractional gain of the next improvement of technology `j` in region `r`.
fn expected_gain(view: &Innovation, r: usize, j: usize) -> f64 {
    let t = &view.params.scenario.technologies[j];
    let n = view.knowledge.improvements[r * view.params.techs() + j];
    let mut gain = t.improvement * t.diminishing.powi(n as i32);
    if view.params.tech_kind[j] == TechKind::General {
        gain *= scale_factor(view.params, view.knowledge, r, j);
    }
    gain
}
