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
//! adoption by some firms makes it cheaper for the others.
//!
//! The phase's steps: the share of each region's firms running each
//! method (`running_shares`); every firm's current and best plans, costed
//! in parallel (`cost_reviews`); then, firm by firm in order, the decision,
//! the machines it buys and how it pays for them (`decide`, `spending`);
//! and workers' own use of the general technology (`individual_use`).

use crate::model::contracts::{costing, Technology};
use crate::model::costs::{firm_depreciation, machine_price, task_cost};
use crate::model::ledger::{Flow, Sector};
use crate::model::plans::{best_plan, evaluate, usable, Plan};
use crate::model::rng::{self, Phase};
use crate::model::world::{EventKind, CLASSES, CRAFT_SHOP, FACTORY, GENERAL, REST};
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
/// its pay terms; buys the machines and set-up the plan needs, financed by
/// its cash and its owners, or waits if it cannot pay for a switch; and
/// records the methods it now runs.
fn decide(view: &mut Technology, f: usize, review: &Review) {
    let behaviour = view.params.behaviour();
    let tasks = view.params.tasks();
    let r = view.firms.region[f] as usize;
    // Machines wear out, each technology's at its own rate.
    let wear = firm_depreciation(&costing!(view), view.firms, f);
    view.firms.capital[f] *= 1.0 - wear;
    let Review {
        current,
        best,
        reviewed,
        ..
    } = *review;
    let mut plan = current;
    let sharing = view.firms.sharing[f];
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
    // Capital the plan needs at the output the firm plans for; machines of
    // tasks that change method are scrapped.
    let unchanged =
        plan.choice[..tasks] == current.choice[..tasks] && view.firms.sharing[f] == sharing;
    let keep = if unchanged {
        // Same methods, same terms: every machine is kept. (Costing the
        // tasks again would give exactly the plan's own capital and a
        // ratio of exactly 1.)
        1.0
    } else {
        share_kept(view, f, r, &plan, &current)
    };
    let planned_output = view.firms.expected[f] * 1.1;
    let kept_capital = view.firms.capital[f] * keep;
    let needed = (plan.capital_req * planned_output - kept_capital).max(0.0);
    let per_tech = spending(view, f, r, &plan, needed);
    let tax_rate = view.politics[r].institutions.general_tech_tax;
    let pre_tax: f64 = per_tech.iter().sum();
    let tax: f64 = (0..view.params.techs())
        .filter(|&j| view.params.tech_kind[j] == TechKind::General)
        .map(|j| per_tech[j] * tax_rate)
        .sum();
    let total = pre_tax + tax;
    let switching = plan.choice[..tasks] != current.choice[..tasks];
    let mut scale = 1.0;
    if total > 0.0 {
        // Finance: own cash first, then owners' equity; otherwise a switch
        // waits and an expansion is scaled down to what cash allows.
        let cash = view.firms.cash[f].max(0.0);
        let shortfall = (total - 0.8 * cash).max(0.0);
        let affordable = shortfall <= 0.0 || view.economy[r].owners_wealth > 2.0 * shortfall;
        if !affordable && switching {
            view.firms.capital[f] = view.firms.capital[f].min(current.capital_req * planned_output);
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
        pay_for_machines(view, f, r, &per_tech, pre_tax, tax, scale);
    }
    view.firms.capital[f] = kept_capital + needed * scale;
    if plan.choice[..tasks] != current.choice[..tasks] {
        for t in 0..tasks {
            let j = plan.choice[t] as usize;
            if plan.choice[t] != current.choice[t] {
                first_adoption(view, r, j);
            }
        }
        view.firms.choice[f * tasks..(f + 1) * tasks].copy_from_slice(&plan.choice[..tasks]);
        view.firms.fixed_paid[f] |= plan.new_fixed;
        if plan.new_fixed != 0 && view.firms.organization[f] < FACTORY {
            view.firms.organization[f] = FACTORY;
        }
    }
    view.firms.req[f] = plan.req;
    view.firms.capital_req[f] = plan.capital_req;
    view.firms.unit_cost[f] = plan.unit_cost;
}

/// The share of firm `f`'s machines it keeps when it moves from plan
/// `current` to `plan`: those of the tasks whose method stays; the
/// machines of tasks that change method are scrapped.
fn share_kept(view: &Technology, f: usize, r: usize, plan: &Plan, current: &Plan) -> f64 {
    if current.capital_req <= 0.0 {
        return 1.0;
    }
    let costing = costing!(view);
    let kept: f64 = (0..view.params.tasks())
        .filter(|&t| plan.choice[t] == current.choice[t])
        .map(|t| task_cost(&costing, view.firms, Some(f), r, t, plan.choice[t] as usize).capital)
        .sum();
    (kept / current.capital_req).min(1.0)
}

/// Firm `f` pays `scale` of its spending on machines and set-ups: before
/// tax to the rest of the economy, which makes them, and the tax on the
/// general technology to the government. Sales of general machines are
/// counted in units (spending at today's price over that price), so
/// falling prices show as more machines sold, as unit sales of PCs do.
fn pay_for_machines(
    view: &mut Technology,
    f: usize,
    r: usize,
    per_tech: &[f64; 64],
    pre_tax: f64,
    tax: f64,
    scale: f64,
) {
    for (j, spend) in per_tech.iter().enumerate().take(view.params.techs()) {
        if *spend > 0.0 && view.params.tech_kind[j] == TechKind::General {
            let price = machine_price(&costing!(view), r, j);
            view.flows[r].general_capital_sales += spend * scale / price;
        }
    }
    let total = pre_tax + tax;
    view.firms.cash[f] -= total * scale;
    view.ledger.pay(
        Flow::Investment,
        Sector::Firms,
        Sector::Rest,
        pre_tax * scale,
    );
    view.ledger
        .pay(Flow::Taxes, Sector::Firms, Sector::Government, tax * scale);
    let region = &mut view.economy[r];
    region.rest_cash += pre_tax * scale;
    region.rest_sales += pre_tax * scale;
    view.government[r].cash += tax * scale;
    view.flows[r].government_revenue += tax * scale;
}

/// Spending per technology before tax on `needed` capital for firm `f`'s
/// plan: machines bought task by task, and the set-up cost of any
/// technology the plan adds.
fn spending(view: &Technology, f: usize, r: usize, plan: &Plan, needed: f64) -> [f64; 64] {
    let tasks = view.params.tasks();
    let mut per_tech = [0.0f64; 64];
    if needed > 0.0 && plan.capital_req > 0.0 {
        for t in 0..tasks {
            let j = plan.choice[t] as usize;
            let costing = costing!(view);
            let c = task_cost(&costing, view.firms, Some(f), r, t, j).capital;
            per_tech[j] += needed * c / plan.capital_req * machine_price(&costing, r, j);
        }
    }
    for (j, spend) in per_tech.iter_mut().enumerate().take(view.params.techs()) {
        if plan.new_fixed & (1 << j) != 0 {
            *spend += view.params.scenario.technologies[j].fixed_cost
                * view.params.steps_per_year()
                * machine_price(&costing!(view), r, j);
        }
    }
    per_tech
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
