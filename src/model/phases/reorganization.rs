//! Reorganization, entry and exit.
//!
//! Reads:
//! - firms: `firms.alive`, `firms.output`, `firms.loss_quarters`,
//!   `firms.choice`, `firms.fixed_paid`, `firms.org`, `firms.cash` (paid out
//!   at exit); for an entrant, the leader's (with no firm left, the slot's
//!   own) `firms.expected`, `firms.unit_cost`, `firms.choice` and
//!   `firms.price`.
//! - knowledge: `knowledge.productivity` (the best hand or special method an
//!   entrant can start with).
//! - regions: `regions[r].firms`, `regions[r].risk`,
//!   `regions[r].owners_wealth`, `regions[r].wage` (the craft wage, for an
//!   entrant's seed money).
//! - scenario: `scenario.behaviour` (`reorganization_rate`, `exit_patience`,
//!   `entry_rate`, `firm_heterogeneity`).
//!
//! Writes:
//! - firms: `firms.org`, `firms.reorganized_at` (reorganization); at exit
//!   `firms.alive`, `firms.cash`, `firms.capital`, `firms.inventory`,
//!   `firms.expected`, `firms.loss_quarters`; at entry `firms.alive`,
//!   `firms.choice`, `firms.efficiency`, `firms.fixed_paid`, `firms.org`,
//!   `firms.reorganized_at`, `firms.capital`, `firms.inventory`,
//!   `firms.expected`, `firms.price`, `firms.loss_quarters`, `firms.cash`.
//! - regions: `regions[r].owners_wealth` (an exiting firm's cash, an
//!   entrant's seed money).
//! - ledger: `Flow::Dividends` (an exiting firm's cash to owners),
//!   `Flow::Equity` (owners to an entrant).
//! - events: `Reorganization`, `Exit`, `Entry`.
//!
//! A factory that runs the general technology on every task it covers and
//! produces at least the average firm's output may reorganize around it
//! (the integrated managerial firm, the modular network): a dip while it
//! adjusts, then a lasting productivity bonus on its general tasks. Firms
//! that lose money for too long exit; empty places fill again with entrants
//! that copy a successful firm's methods when the industry makes profits.

use crate::model::ledger::{Flow, Sector};
use crate::model::rng::{self, Phase};
use crate::model::world::EventKind;
use crate::model::world::{World, FACTORY, REORGANIZED};
use crate::scenario::TechKind;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

pub fn reorganization(w: &mut World) {
    let b = w.scenario.behaviour.clone();
    let tasks = w.tasks();
    for r in 0..w.regions.len() {
        let range = w.regions[r].firms.clone();
        // The region's firms alive at the start of the phase: how many, their
        // output, how many made money, and the largest (the last of equals).
        let (mut alive, mut total_output, mut in_profit) = (0usize, 0.0f64, 0usize);
        let mut leader: Option<usize> = None;
        for f in range.clone().filter(|&f| w.firms.alive[f]) {
            alive += 1;
            total_output += w.firms.output[f];
            in_profit += usize::from(w.firms.loss_quarters[f] == 0);
            if leader.is_none_or(|l| w.firms.output[f].total_cmp(&w.firms.output[l]).is_ge()) {
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
            let stream = || rng::stream(w.seed, w.step, Phase::Reorganization, f as u64);
            if w.firms.alive[f] {
                let all_general = (0..tasks).all(|t| {
                    let j = w.firms.choice[f * tasks + t] as usize;
                    w.tech_kind[j] == TechKind::General
                        || !(0..w.techs()).any(|g| {
                            w.tech_kind[g] == TechKind::General
                                && w.tech_tasks[g] & (1 << t) != 0
                                && w.firms.fixed_paid[f] & (1 << g) != 0
                        })
                });
                if w.firms.org[f] == FACTORY
                    && all_general
                    && w.firms.output[f] >= mean_output
                    && stream().random::<f64>() < b.reorganization_rate / (1.0 + w.regions[r].risk)
                {
                    w.firms.org[f] = REORGANIZED;
                    w.firms.reorganized_at[f] = w.year;
                    w.event(
                        r,
                        EventKind::Reorganization,
                        w.firms.output[f],
                        "a firm reorganizes around the general technology",
                    );
                }
                // A region's last firm stays while it still makes something,
                // so that its market keeps a producer; one that makes
                // nothing closes too, and the region is served from abroad
                // until a factory enters (an idle last firm would otherwise
                // keep entry closed for ever, as no incumbent makes money).
                let last_and_working = alive == 1 && w.firms.output[f] > 0.0;
                if w.firms.loss_quarters[f] as f64 >= b.exit_patience && !last_and_working {
                    exit(w, r, f);
                }
            } else if profitable {
                let mut rng = stream();
                if rng.random::<f64>() < b.entry_rate {
                    enter(w, r, f, leader, &mut rng);
                }
            }
        }
    }
}

fn exit(w: &mut World, r: usize, f: usize) {
    let cash = w.firms.cash[f];
    w.firms.cash[f] = 0.0;
    w.regions[r].owners_wealth += cash;
    w.ledger
        .pay(Flow::Dividends, Sector::Firms, Sector::Owners, cash);
    w.firms.alive[f] = false;
    w.firms.capital[f] = 0.0;
    w.firms.inventory[f] = 0.0;
    w.firms.expected[f] = 0.0;
    w.firms.loss_quarters[f] = 0;
    w.event(r, EventKind::Exit, w.firms.output[f], "a firm exits");
}

/// An entrant is a factory: it copies the leader's methods except the
/// general technology (whose set-up it decides on at its first review, in
/// its first quarter) and starts small; with no firm left to copy it starts
/// from the slot's last methods. It enters only where the general
/// technology is its best plan: mills were built for power.
fn enter(w: &mut World, r: usize, f: usize, leader: Option<usize>, rng: &mut impl Rng) {
    let tasks = w.tasks();
    let model = leader.unwrap_or(f);
    let scale = if leader.is_some() {
        w.firms.expected[model].max(1.0)
    } else {
        1.0
    };
    let seed_money =
        scale * w.firms.unit_cost[model].max(w.regions[r].wage[crate::model::world::CRAFT]);
    if w.regions[r].owners_wealth < 4.0 * seed_money {
        return;
    }
    // Where the leader runs the general technology, the entrant starts with
    // the most productive hand or special method known for that task.
    // A fixed array, not a vector: an entry that does not happen allocates nothing.
    let mut methods = [0u8; 16];
    for (t, method) in methods.iter_mut().enumerate().take(tasks) {
        let j = w.firms.choice[model * tasks + t] as usize;
        *method = if w.tech_kind[j] != TechKind::General {
            j as u8
        } else {
            (0..w.techs())
                .filter(|&c| {
                    w.tech_kind[c] != TechKind::General
                        && w.tech_tasks[c] & (1 << t) != 0
                        && w.know(r, c) > 0.0
                })
                .max_by(|&a, &b| w.know(r, a).total_cmp(&w.know(r, b)))
                .expect("a validated craft technology is known from the start") as u8
        };
    }
    w.firms.choice[f * tasks..(f + 1) * tasks].copy_from_slice(&methods[..tasks]);
    let spread = LogNormal::new(0.0, w.scenario.behaviour.firm_heterogeneity.max(1e-9))
        .expect("valid lognormal");
    let techs = w.techs();
    for j in 0..techs {
        w.firms.efficiency[f * techs + j] = spread.sample(rng) as f32;
    }
    // Entrants are factories: owners' capital employing wage workers, built
    // to use the general technology. They enter only where it is the best
    // plan for them, and review their methods in their first quarter.
    w.firms.org[f] = FACTORY;
    w.firms.fixed_paid[f] = 0;
    w.firms.reorganized_at[f] = f64::NAN;
    let plan = crate::model::phases::technology::best_plan(w, f, u64::MAX);
    if !plan.choice[..tasks]
        .iter()
        .any(|&j| w.tech_kind[j as usize] == TechKind::General)
    {
        return;
    }
    w.firms.alive[f] = true;
    w.firms.output[f] = 0.0;
    w.firms.capital[f] = 0.0;
    w.firms.inventory[f] = 0.0;
    w.firms.expected[f] = 0.5 * scale;
    w.firms.price[f] = w.firms.price[model];
    w.firms.loss_quarters[f] = 0;
    w.regions[r].owners_wealth -= seed_money;
    w.firms.cash[f] += seed_money;
    w.ledger
        .pay(Flow::Equity, Sector::Owners, Sector::Firms, seed_money);
    w.event(r, EventKind::Entry, seed_money, "a firm enters");
}
