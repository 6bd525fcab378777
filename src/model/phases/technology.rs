//! Technology choice and investment.
//!
//! Its contract is `contracts::Technology`; `running` and `reviews` are working memory only (the share of each region's live firms running each technology, which imitation reads; each firm's plans, costed at the start of the phase, and the education its workers need to use the general technology on their own).
//!
//! A firm that reviews its methods compares, task by task, the unit cost of
//! each technology it knows and weighs (a method it does not run it may
//! pass over until it sees its neighbours use it: `adoption_imitation`):
//! labour at the going wage of the class that
//! works it, plus the user cost of its machines. A general technology also
//! needs a lumpy set-up cost, spread over the firm's expected output, so it
//! pays only at scale; and its machine cost falls with experience (Wright's
//! law) while its productivity rises with the installed base, so that
//! adoption by some firms makes it cheaper for the others. The plan names
//! the method a firm buys new machines of on each task; the machines it
//! already holds, lots of older vintages and other methods, run beside the
//! new ones until they are scrapped or replaced (`order`).
//!
//! The phase's steps: the share of each region's firms running each
//! method (`running_shares`); every firm's current and best plans, costed
//! in parallel (`cost_reviews`); then, firm by firm in order, the wear of
//! its lots, the decision, its order of machines task by task and how it
//! pays for them (`decide`, `wear`, `order`, `pay_for_machines`,
//! `install`); and workers' own use of the general technology
//! (`individual_use`).

use crate::model::contracts::{costing, machine_market, Technology};
use crate::model::costs::{
    depreciation, machine_price, method_cost, perceived_machine_price, task_cost,
};
use crate::model::ledger::{Flow, Sector};
use crate::model::plans::{best_plan, evaluate, usable, works_by_hand, Plan};
use crate::model::rng::{self, Phase};
use crate::model::world::{EventKind, Purchase, CLASSES, CRAFT_SHOP, FACTORY, GENERAL, REST};
use crate::scenario::TechKind;
use rand::Rng;
use rayon::prelude::*;

/// The methods firm `f` weighs in this review: those it runs, and each
/// other with probability `1 - a + a * share`, `a` being
/// `adoption_imitation` and `share` the share of its region's firms that
/// run it (`running`). One number is drawn per method, in the order of the
/// technologies, so that the draws do not depend on which methods are
/// usable.
fn weighed_methods(view: &Technology, f: usize, running: &[f64], rng: &mut impl Rng) -> u64 {
    let imitation = view.params.behaviour().adoption_imitation;
    let runs = methods_run(view, f);
    let mut weighed = u64::MAX;
    for (j, &share) in running.iter().enumerate() {
        let u: f64 = rng.random();
        if runs & (1 << j) == 0 && u >= 1.0 - imitation + imitation * share {
            weighed &= !(1 << j);
        }
    }
    weighed
}

/// The technologies firm `f` runs on some task, as bits.
fn methods_run(view: &Technology, f: usize) -> u64 {
    let tasks = view.params.tasks();
    view.firms.choice[f * tasks..(f + 1) * tasks]
        .iter()
        .fold(0, |bits, &j| bits | 1 << j)
}

/// Each quarter an employer also weighs the wage policy, if the
/// scenario has one and it is possible here: higher pay per worker against
/// more output per worker and fewer quits to replace (each replacement costs
/// `hiring_cost` quarters of wage). It adopts the policy when that lowers its
/// labour cost per unit by more than the switching threshold, and drops it
/// when it raises it.
fn review_wage_policy(view: &mut Technology, f: usize, plan: &Plan) {
    let Some(policy) = &view.params.scenario.wage_policy else {
        return;
    };
    let r = view.firms.region[f] as usize;
    let here = policy
        .origin
        .as_deref()
        .is_none_or(|o| o == view.params.region_name(r));
    if !here || view.clock.year < policy.possible_from {
        return;
    }
    let behaviour = view.params.behaviour();
    // Labour cost per unit at market pay and effort (undoing the current
    // policy's effort gain, which the plan's labour needs include).
    let labour: f64 = (0..CLASSES)
        .map(|k| plan.req[k] * view.economy[r].wage[k])
        .sum::<f64>()
        * view.params.effort_factor(view.firms, f);
    let turnover = |quits: f64| 1.0 + behaviour.hiring_cost * quits;
    let without = labour * turnover(behaviour.base_quit_rate);
    let with = labour * (1.0 + policy.premium) / (1.0 + policy.effort_gain)
        * turnover(behaviour.base_quit_rate * (1.0 - policy.quit_reduction));
    let sharing = view.firms.sharing[f];
    if !sharing && with < without * (1.0 - behaviour.switch_threshold) {
        view.firms.sharing[f] = true;
        let detail = format!("a firm adopts {}", policy.name);
        view.events
            .record(view.params, view.clock, r, EventKind::Adoption, 1.0, detail);
    } else if sharing && with > without {
        view.firms.sharing[f] = false;
    }
}

/// Technology choice and investment for every firm. `running` is working
/// memory: the share of each region's live firms running each technology.
pub fn technology(mut view: Technology<'_>, reviews: &mut Vec<Review>, running: &mut Vec<f64>) {
    running_shares(&mut view, running);
    cost_reviews(&view, reviews, running);
    for f in 0..view.firms.len() {
        if view.firms.alive[f] {
            decide(&mut view, f, &reviews[f]);
        }
    }
    individual_use(&mut view, reviews);
}

/// Each region's live firms, and the share of them that run each method,
/// which a firm weighing methods it does not run imitates.
fn running_shares(view: &mut Technology, running: &mut Vec<f64>) {
    let techs = view.params.techs();
    running.clear();
    running.resize(view.params.region_count() * techs, 0.0);
    for r in 0..view.params.region_count() {
        let range = view.economy[r].firms.clone();
        let mut alive = 0usize;
        for f in range.filter(|&f| view.firms.alive[f]) {
            alive += 1;
            let runs = methods_run(view, f);
            for j in (0..techs).filter(|&j| runs & (1 << j) != 0) {
                running[r * techs + j] += 1.0;
            }
        }
        view.economy[r].firms_alive = alive;
        for share in &mut running[r * techs..(r + 1) * techs] {
            *share /= alive.max(1) as f64;
        }
    }
}

/// Costing plans is most of the phase's work, and a firm's costs depend
/// only on the state at the start of the phase and on its own record, not
/// on what the firms before it decide (they draw on owners' wealth, which
/// no plan reads). So every firm's current and best plans are costed in
/// parallel first, and decisions are then taken in firm order (`decide`).
fn cost_reviews(view: &Technology, reviews: &mut Vec<Review>, running: &[f64]) {
    let behaviour = view.params.behaviour();
    let (tasks, techs) = (view.params.tasks(), view.params.techs());
    reviews.resize(view.firms.len(), Review::default());
    reviews.par_iter_mut().enumerate().for_each(|(f, review)| {
        *review = Review::default();
        if !view.firms.alive[f] {
            return;
        }
        let r = view.firms.region[f] as usize;
        let mut rng = rng::stream(
            view.params.seed,
            view.clock.step,
            Phase::Technology,
            f as u64,
        );
        // Perceived risk of machine-breaking makes reviews rarer.
        let rate = behaviour.review_rate / (1.0 + view.politics[r].risk);
        let costing = costing!(view);
        review.current = evaluate(
            &costing,
            view.firms,
            f,
            &view.firms.choice[f * tasks..(f + 1) * tasks],
        );
        // A factory that has just entered (no output yet) reviews at once.
        let new = view.firms.organization[f] == FACTORY
            && view.firms.fixed_paid[f] == 0
            && view.firms.output[f] == 0.0;
        review.reviewed = rng.random::<f64>() < rate || new;
        if review.reviewed {
            let weighed = if behaviour.adoption_imitation > 0.0 && !new {
                weighed_methods(view, f, &running[r * techs..(r + 1) * techs], &mut rng)
            } else {
                u64::MAX
            };
            review.best = best_plan(&costing, view.firms, f, weighed);
        }
    });
}

/// Firm `f` takes the plan its review found, if it saves enough; weighs
/// its pay terms; orders the machines of its plan's methods, task by task
/// (`order`), financed by its cash and its owners, or waits if it cannot
/// pay for a new set-up; and records the methods it now buys.
fn decide(view: &mut Technology, f: usize, review: &Review) {
    let behaviour = view.params.behaviour();
    let tasks = view.params.tasks();
    let r = view.firms.region[f] as usize;
    wear(view, f);
    let Review {
        current,
        best,
        reviewed,
        ..
    } = *review;
    let mut plan = current;
    if reviewed && best.decision_cost < current.decision_cost * (1.0 - behaviour.switch_threshold) {
        plan = best;
    }
    // Pay terms are weighed every quarter, not only when methods are
    // reviewed: they need no machines, and the cost of turnover shows
    // in every quarter's hiring bill. Self-employed hand workers have no
    // employer to offer them: a shop weighs the policy only once it has
    // become a factory.
    if view.firms.organization[f] != CRAFT_SHOP {
        review_wage_policy(view, f, &plan);
    }
    let planned_output = view.firms.expected[f] * 1.1;
    let mut orders = [Order::default(); 16];
    // Machine capital ordered, and set-ups bought, by technology, in
    // units of machine capital.
    let mut spending = Spending::default();
    for (t, order) in orders.iter_mut().enumerate().take(tasks) {
        *order = self::order(view, f, t, plan.choice[t] as usize, planned_output);
        spending.machines[plan.choice[t] as usize] += order.capital;
    }
    for j in (0..view.params.techs()).filter(|&j| plan.new_fixed & (1 << j) != 0) {
        spending.set_ups[j] +=
            view.params.scenario.technologies[j].fixed_cost * view.params.steps_per_year();
    }
    let tax_rate = view.politics[r].institutions.general_tech_tax;
    let at_price = |j: usize| {
        (spending.machines[j] + spending.set_ups[j]) * machine_price(&costing!(view), r, j)
    };
    let pre_tax: f64 = (0..view.params.techs()).map(at_price).sum();
    let tax: f64 = (0..view.params.techs())
        .filter(|&j| view.params.tech_kind[j] == TechKind::General)
        .map(|j| at_price(j) * tax_rate)
        .sum();
    let total = pre_tax + tax;
    let mut scale = 1.0;
    if total > 0.0 {
        // Finance: own cash first, then owners' equity; otherwise a new
        // set-up waits, and machines are bought as far as cash allows.
        let cash = view.firms.cash[f].max(0.0);
        let shortfall = (total - 0.8 * cash).max(0.0);
        let affordable = shortfall <= 0.0 || view.economy[r].owners_wealth > 2.0 * shortfall;
        if !affordable && plan.new_fixed != 0 {
            return;
        }
        if affordable && shortfall > 0.0 {
            view.economy[r].owners_wealth -= shortfall;
            view.firms.cash[f] += shortfall;
            view.ledger
                .pay(Flow::Equity, Sector::Owners, Sector::Firms, shortfall);
        } else if !affordable {
            scale = (0.8 * cash / total).clamp(0.0, 1.0);
        }
        pay_for_machines(view, f, r, &spending, tax, scale);
    }
    for (t, order) in orders.iter().enumerate().take(tasks) {
        install(view, f, t, plan.choice[t], order, scale);
    }
    if plan.choice[..tasks] != current.choice[..tasks] {
        for t in 0..tasks {
            let j = plan.choice[t] as usize;
            if plan.choice[t] != current.choice[t] {
                first_adoption(view, r, j);
            }
        }
        view.firms.choice[f * tasks..(f + 1) * tasks].copy_from_slice(&plan.choice[..tasks]);
    }
    view.firms.fixed_paid[f] |= plan.new_fixed;
    if plan.new_fixed != 0 && view.firms.organization[f] < FACTORY {
        view.firms.organization[f] = FACTORY;
    }
    view.firms.req[f] = plan.req;
    view.firms.unit_cost[f] = plan.unit_cost;
}

/// Machines wear out, each lot at its technology's rate.
fn wear(view: &mut Technology, f: usize) {
    let machines = &mut view.firms.machines;
    for k in machines.firm_lots(f) {
        machines.capital[k] *= 1.0 - depreciation(view.params, machines.tech[k] as usize);
    }
}

/// A firm's order of machines for one task: the capital it buys and the
/// output a quarter that capital can make (`units`), and the lots the new
/// machines may replace (bits of the task's lots) with their output
/// (`replaced`).
#[derive(Clone, Copy, Debug, Default)]
struct Order {
    capital: f64,
    units: f64,
    replaced_lots: u8,
    replaced: f64,
    /// Lots scrapped whatever is bought: dearer to run than hand work.
    scrapped_lots: u8,
}

/// What firm `f` orders for task `t`, whose method for new capacity is `j`,
/// to make `planned` units a quarter. A lot is scrapped when running it
/// costs more than doing the work by hand (Salter 1960: a machine is kept
/// while it covers its operating cost, whatever it cost to buy), and
/// replaced when a new machine pays for itself out of the operating cost
/// it saves within the replacement payback period
/// (`replacement_payback_years`, as the firms of Dosi, Fagiolo and
/// Roventini 2010 do). The firm buys new machines of its
/// method for the output its kept lots cannot make; the rest of its lots,
/// of older vintages and other methods, run beside them.
fn order(view: &Technology, f: usize, t: usize, j: usize, planned: f64) -> Order {
    let params = view.params;
    let r = view.firms.region[f] as usize;
    let costing = costing!(view);
    let machines = &view.firms.machines;
    let buys = params.tech_kind[j] != TechKind::Craft
        && params.scenario.technologies[j].capital_per_worker > 0.0;
    let holds = machines.lots(f, t).any(|k| machines.capital[k] > 0.0);
    let mut order = Order::default();
    if !buys && !holds {
        return order;
    }
    // Hand work (the firm's hand method for the task) is the yardstick only
    // where the firm works by hand; a new machine only where its method is one.
    let hand_method = view.firms.choice[f * params.tasks() + t] as usize;
    let hand = (holds && works_by_hand(params, view.firms, f, t))
        .then(|| task_cost(&costing, view.firms, Some(f), r, t, hand_method));
    let new = buys.then(|| task_cost(&costing, view.firms, Some(f), r, t, j));
    let price = new.map_or(0.0, |new| {
        new.capital * perceived_machine_price(&costing, r, j)
    });
    let payback = params.behaviour().replacement_payback_years * params.steps_per_year();
    let mut kept = 0.0;
    for (slot, k) in machines.lots(f, t).enumerate() {
        if machines.capital[k] <= 0.0 {
            continue;
        }
        let tech = machines.tech[k] as usize;
        let lot = method_cost(
            &costing,
            view.firms,
            Some(f),
            r,
            t,
            tech,
            machines.productivity[k] as f64,
        );
        let units = machines.capital[k] / lot.capital.max(1e-12);
        if hand.is_some_and(|hand| lot.operating >= hand.operating) {
            order.scrapped_lots |= 1 << slot;
        } else if new.is_some_and(|new| price <= payback * (lot.operating - new.operating)) {
            order.replaced_lots |= 1 << slot;
            order.replaced += units;
        } else {
            kept += units;
        }
    }
    if let Some(new) = new {
        order.units = (planned - kept).max(0.0);
        order.capital = order.units * new.capital;
    }
    order
}

/// Installs `scale` of firm `f`'s order for task `t` of machines of method
/// `j`: scraps the lots dearer to run than hand work, and of the lots the
/// order replaces the share its new machines take over, and adds the new
/// machines as a lot of this year's vintage.
fn install(view: &mut Technology, f: usize, t: usize, j: u8, order: &Order, scale: f64) {
    let r = view.firms.region[f] as usize;
    let bought = order.capital * scale;
    // The order is bought in full or scaled down to what cash allows. The
    // new machines make first what the kept lots cannot, and take over the
    // rest from the lots they replace, which are scrapped only as far as
    // the new machines take over: those not needed to make the planned
    // output stand by rather than go to scrap.
    let replaced_share = if order.replaced > 0.0 {
        let shortfall = (order.units - order.replaced).max(0.0);
        ((scale * order.units - shortfall) / order.replaced).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let productivity = view.knowledge.know(r, j as usize) as f32;
    for (slot, k) in view.firms.machines.lots(f, t).enumerate() {
        let capital = &mut view.firms.machines.capital[k];
        if order.scrapped_lots & (1 << slot) != 0 {
            *capital = 0.0;
        } else if order.replaced_lots & (1 << slot) != 0 {
            *capital *= 1.0 - replaced_share;
        }
    }
    if bought <= 0.0 {
        return;
    }
    // The lot that costs most to run: the one a purchase takes the place
    // of when every lot is taken (and none is of its technology).
    let costing = costing!(view);
    let machines = &view.firms.machines;
    let lots = machines.lots(f, t);
    let full = lots
        .clone()
        .all(|k| machines.capital[k] > 0.0 && machines.tech[k] != j);
    let mut worst = (f64::NEG_INFINITY, lots.start);
    for k in lots.filter(|_| full) {
        let tech = machines.tech[k] as usize;
        let embodied = machines.productivity[k] as f64;
        let cost = method_cost(&costing, view.firms, Some(f), r, t, tech, embodied).operating;
        if cost > worst.0 {
            worst = (cost, k);
        }
    }
    let purchase = Purchase {
        tech: j,
        capital: bought,
        productivity,
        year: view.clock.year as f32,
    };
    view.firms.machines.add(f, t, purchase, worst.1);
}

/// What a firm buys in a quarter, by technology, in units of machine
/// capital: machines for its lots, and the set-up of a new method (the
/// engines, gear and systems it needs before its first machine, which
/// come from the same builders).
#[derive(Clone, Copy)]
struct Spending {
    machines: [f64; 64],
    set_ups: [f64; 64],
}

impl Default for Spending {
    fn default() -> Spending {
        Spending {
            machines: [0.0; 64],
            set_ups: [0.0; 64],
        }
    }
}

/// Firm `f` pays `scale` of its spending on machines and set-ups at the
/// offer its region's buyers were posted (see `MachineMarket::order`), and
/// the tax on the general technology to its government.
fn pay_for_machines(
    view: &mut Technology,
    f: usize,
    r: usize,
    spending: &Spending,
    tax: f64,
    scale: f64,
) {
    let mut market = machine_market!(view);
    let mut paid = tax * scale;
    for j in 0..view.params.techs() {
        let (machines, set_ups) = (spending.machines[j] * scale, spending.set_ups[j] * scale);
        paid += market.order(Sector::Firms, r, j, machines, set_ups);
    }
    view.firms.cash[f] -= paid;
    view.ledger
        .pay(Flow::Taxes, Sector::Firms, Sector::Government, tax * scale);
    view.government[r].cash += tax * scale;
    view.flows[r].government_revenue += tax * scale;
}

/// Workers who take up the general technology on their own. Where a
/// technology needs no set-up by the firm to be used (a chat assistant:
/// `individual_use`), a worker with the education it asks for uses it at
/// work as soon as it does some task of the firm faster than the method the
/// firm runs there, whether or not the firm has adopted it: in 2024 many
/// more American workers used generative AI at work (Bick, Blandin and
/// Deming 2024) than firms used it to produce (Bonney et al. 2024, Census
/// BTOS). The consumer versions cost a few dollars a month, next to
/// nothing beside a professional's wage, so speed alone decides. The
/// time saved is the worker's own: the firm's plan, output and costs
/// change only when the firm itself sets the technology up (the firm's
/// review above), which is why individual use precedes measured gains.
fn individual_use(view: &mut Technology, reviews: &mut [Review]) {
    // Most scenarios have no such technology: no pass over the workers.
    if !view
        .params
        .scenario
        .technologies
        .iter()
        .any(|t| t.individual_use)
    {
        return;
    }
    let tasks = view.params.tasks();
    {
        let view = &*view;
        let costing = costing!(view);
        reviews.par_iter_mut().enumerate().for_each(|(f, review)| {
            review.tool_education = f32::INFINITY;
            if !view.firms.alive[f] {
                return;
            }
            let r = view.firms.region[f] as usize;
            for g in 0..view.params.techs() {
                let tech = &view.params.scenario.technologies[g];
                if view.params.tech_kind[g] != TechKind::General
                    || !tech.individual_use
                    || !usable(&costing, r, g)
                {
                    continue;
                }
                // The firm's own efficiency and organization do not reach a
                // tool its workers bring themselves: a typical user's speed.
                let faster = (0..tasks).any(|t| {
                    let j = view.firms.choice[f * tasks + t] as usize;
                    view.params.tech_tasks[g] & (1 << t) != 0
                        && view.params.tech_kind[j] != TechKind::General
                        && task_cost(&costing, view.firms, None, r, t, g).labour
                            < task_cost(&costing, view.firms, Some(f), r, t, j).labour
                });
                if faster {
                    review.tool_education =
                        review.tool_education.min(tech.education_required as f32);
                }
            }
        });
    }
    // One pass over the workers in index order; a count of whole numbers,
    // so nothing depends on the order anyway.
    for r in 0..view.params.region_count() {
        let mut users = 0u32;
        for i in view.economy[r].workers.clone() {
            let e = view.workers.employer[i];
            if e < REST
                && view.workers.class[i] as usize != GENERAL
                && view.workers.education[i] >= reviews[e as usize].tool_education
            {
                users += 1;
            }
        }
        view.economy[r].general_users = users;
    }
}

/// One firm's review of its methods, costed before any firm decides: the
/// plan it runs now, whether it reviews its methods this quarter, and if so
/// the cheapest plan it could switch to.
#[derive(Clone, Copy, Debug, Default)]
pub struct Review {
    current: Plan,
    best: Plan,
    reviewed: bool,
    /// Education a worker of the firm needs to use the general technology
    /// on their own (infinite: it does none of the firm's tasks faster).
    tool_education: f32,
}

/// Records the first use of technology `j` in region `r` as an event.
fn first_adoption(view: &mut Technology, r: usize, j: usize) {
    let k = r * view.params.techs() + j;
    if !view.knowledge.adopted[k] {
        view.knowledge.adopted[k] = true;
        let detail = format!(
            "first firm adopts {}",
            view.params.scenario.technologies[j].name
        );
        view.events.record(
            view.params,
            view.clock,
            r,
            EventKind::Adoption,
            1.0,
            &detail,
        );
    }
}
