//! Reorganization, entry and exit.
//!
//! Its contract is `contracts::Reorganization`.
//!
//! A factory that runs the general technology on every task it covers and
//! produces at least the average firm's output may reorganize around it
//! (the integrated managerial firm, the modular network): a dip while it
//! adjusts, then a lasting productivity bonus on its general tasks. Firms
//! that lose money for too long exit; empty places fill again with entrants
//! that copy a successful firm's methods when the industry makes profits.

use crate::model::contracts::{costing, Reorganization};
use crate::model::ledger::{Flow, Sector};
use crate::model::plans::best_plan;
use crate::model::rng::{self, Phase};
use crate::model::world::EventKind;
use crate::model::world::{FACTORY, REORGANIZED};
use crate::scenario::TechKind;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

pub fn reorganization(mut view: Reorganization<'_>) {
    let behaviour = view.params.behaviour();
    let tasks = view.params.tasks();
    for r in 0..view.params.region_count() {
        let range = view.economy[r].firms.clone();
        // The region's firms alive at the start of the phase: how many, their
        // output, how many made money, and the largest (the last of equals).
        let (mut alive, mut total_output, mut in_profit) = (0usize, 0.0f64, 0usize);
        let mut leader: Option<usize> = None;
        for f in range.clone().filter(|&f| view.firms.alive[f]) {
            alive += 1;
            total_output += view.firms.output[f];
            in_profit += usize::from(view.firms.loss_quarters[f] == 0);
            if leader.is_none_or(|l| {
                view.firms.output[f]
                    .total_cmp(&view.firms.output[l])
                    .is_ge()
            }) {
                leader = Some(f);
            }
        }
        let mean_output = total_output / alive.max(1) as f64;
        // Entrants come when most incumbents make money, or when the region
        // has no producer left and its market is served from abroad.
        let profitable = alive == 0 || in_profit * 2 > alive;
        for f in range {
            // Each firm's stream is made only when it draws: most firms
            // draw nothing in a quarter, and making a stream costs more
            // than the rest of their turn.
            let stream = || {
                rng::stream(
                    view.params.seed,
                    view.clock.step,
                    Phase::Reorganization,
                    f as u64,
                )
            };
            if view.firms.alive[f] {
                let all_general = (0..tasks).all(|t| {
                    let j = view.firms.choice[f * tasks + t] as usize;
                    view.params.tech_kind[j] == TechKind::General
                        || !(0..view.params.techs()).any(|g| {
                            view.params.tech_kind[g] == TechKind::General
                                && view.params.tech_tasks[g] & (1 << t) != 0
                                && view.firms.fixed_paid[f] & (1 << g) != 0
                        })
                });
                if view.firms.organization[f] == FACTORY
                    && all_general
                    && view.firms.output[f] >= mean_output
                    && stream().random::<f64>()
                        < behaviour.reorganization_rate / (1.0 + view.politics[r].risk)
                {
                    view.firms.organization[f] = REORGANIZED;
                    view.firms.reorganized_at[f] = view.clock.year;
                    view.events.record(
                        view.params,
                        view.clock,
                        r,
                        EventKind::Reorganization,
                        view.firms.output[f],
                        "a firm reorganizes around the general technology",
                    );
                }
                // A region's last firm stays while it still makes something,
                // so that its market keeps a producer; one that makes
                // nothing closes too, and the region is served from abroad
                // until a factory enters (an idle last firm would otherwise
                // keep entry closed for ever, as no incumbent makes money).
                let last_and_working = alive == 1 && view.firms.output[f] > 0.0;
                if view.firms.loss_quarters[f] as f64 >= behaviour.exit_patience
                    && !last_and_working
                {
                    exit(&mut view, r, f);
                }
            } else if profitable {
                let mut rng = stream();
                if rng.random::<f64>() < behaviour.entry_rate {
                    enter(&mut view, r, f, leader, &mut rng);
                }
            }
        }
    }
}

fn exit(view: &mut Reorganization, r: usize, f: usize) {
    let cash = view.firms.cash[f];
    view.firms.cash[f] = 0.0;
    view.economy[r].owners_wealth += cash;
    view.ledger
        .pay(Flow::Dividends, Sector::Firms, Sector::Owners, cash);
    view.firms.alive[f] = false;
    view.firms.machines.clear_firm(f);
    view.firms.inventory[f] = 0.0;
    view.firms.expected[f] = 0.0;
    view.firms.loss_quarters[f] = 0;
    view.events.record(
        view.params,
        view.clock,
        r,
        EventKind::Exit,
        view.firms.output[f],
        "a firm exits",
    );
}

/// An entrant is a factory: it copies the leader's methods except the
/// general technology (whose set-up it decides on at its first review, in
/// its first quarter) and starts small; with no firm left to copy it starts
/// from the slot's last methods. It enters only where the general
/// technology is its best plan: mills were built for power.
fn enter(view: &mut Reorganization, r: usize, f: usize, leader: Option<usize>, rng: &mut impl Rng) {
    let tasks = view.params.tasks();
    let model = leader.unwrap_or(f);
    let scale = if leader.is_some() {
        view.firms.expected[model].max(1.0)
    } else {
        1.0
    };
    let seed_money =
        scale * view.firms.unit_cost[model].max(view.economy[r].wage[crate::model::world::CRAFT]);
    if view.economy[r].owners_wealth < 4.0 * seed_money {
        return;
    }
    // Where the leader runs the general technology, the entrant starts with
    // the most productive hand or special method known for that task.
    // A fixed array, not a vector: an entry that does not happen allocates nothing.
    let mut methods = [0u8; 16];
    for (t, method) in methods.iter_mut().enumerate().take(tasks) {
        let j = view.firms.choice[model * tasks + t] as usize;
        *method = if view.params.tech_kind[j] != TechKind::General {
            j as u8
        } else {
            (0..view.params.techs())
                .filter(|&c| {
                    view.params.tech_kind[c] != TechKind::General
                        && view.params.tech_tasks[c] & (1 << t) != 0
                        && view.knowledge.know(r, c) > 0.0
                })
                .max_by(|&a, &b| {
                    view.knowledge
                        .know(r, a)
                        .total_cmp(&view.knowledge.know(r, b))
                })
                .expect("a validated craft technology is known from the start") as u8
        };
    }
    view.firms.choice[f * tasks..(f + 1) * tasks].copy_from_slice(&methods[..tasks]);
    let spread = LogNormal::new(0.0, view.params.behaviour().firm_heterogeneity.max(1e-9))
        .expect("valid lognormal");
    let techs = view.params.techs();
    for j in 0..techs {
        view.firms.efficiency[f * techs + j] = spread.sample(rng) as f32;
        view.firms.own_experience[f * techs + j] = 0.0;
    }
    // Entrants are factories: owners' capital employing wage workers, built
    // to use the general technology. They enter only where it is the best
    // plan for them, and review their methods in their first quarter.
    view.firms.organization[f] = FACTORY;
    view.firms.fixed_paid[f] = 0;
    view.firms.reorganized_at[f] = f64::NAN;
    let plan = best_plan(&costing!(view), view.firms, f, u64::MAX);
    if !plan.choice[..tasks]
        .iter()
        .any(|&j| view.params.tech_kind[j as usize] == TechKind::General)
    {
        return;
    }
    view.firms.alive[f] = true;
    view.firms.output[f] = 0.0;
    view.firms.machines.clear_firm(f);
    view.firms.inventory[f] = 0.0;
    view.firms.expected[f] = 0.5 * scale;
    view.firms.price[f] = view.firms.price[model];
    view.firms.loss_quarters[f] = 0;
    view.economy[r].owners_wealth -= seed_money;
    view.firms.cash[f] += seed_money;
    view.ledger
        .pay(Flow::Equity, Sector::Owners, Sector::Firms, seed_money);
    view.events.record(
        view.params,
        view.clock,
        r,
        EventKind::Entry,
        seed_money,
        "a firm enters",
    );
}
