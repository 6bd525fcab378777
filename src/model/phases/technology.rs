//! Technology choice and investment.
//!
//! Reads:
//! - firms: `firms.alive`, `firms.region`, `firms.choice`, `firms.fixed_paid`,
//!   `firms.efficiency`, `firms.reorganized_at` (the organization factor),
//!   `firms.sharing` (pay and effort factors, the wage-policy review),
//!   `firms.expected`, `firms.price` (set-up costing through
//!   `costs::potential_sales`), `firms.capital`, `firms.cash`.
//! - knowledge: `knowledge.productivity` (what is known and usable),
//!   `knowledge.experience` (machine prices by Wright's law and returns to
//!   scale, through the cost formulas), `knowledge.adopted` (first use).
//! - regions: `regions[r].firms`, `regions[r].wage`, `regions[r].risk`,
//!   `regions[r].ban_until`, `regions[r].institutions.general_tech_tax`,
//!   `regions[r].owners_wealth` (equity finance); for set-up costing, last
//!   quarter's `regions[r].market_units` and `regions[r].supplier_weight`,
//!   `regions[r].firms_alive` (as counted here), `regions[r].infrastructure`
//!   and `regions[r].institutions.tariff`.
//! - routes: each route's `transport_cost` and `tariff` (delivered prices).
//! - workers: `workers.employer`, `workers.class`, `workers.education`
//!   (individual use of the general technology).
//! - scenario: `scenario.behaviour` (`review_rate`, `adoption_imitation`,
//!   `switch_threshold`,
//!   `capital_user_cost`, `payback_years`, `price_sensitivity`,
//!   `presence_elasticity`, `reorganization_dip_years`,
//!   `reorganization_bonus`, and for the wage policy `hiring_cost` and
//!   `base_quit_rate`); `scenario.technologies[j]`
//!   (`fixed_cost`, `capital_per_worker`, `learning_exponent`, `scale_gain`,
//!   `depreciation`, `individual_use`, `education_required`);
//!   `scenario.industry.markup`, `.materials_share` (with `regions[r].rest_price`,
//!   the materials in a plan's cost) and `.shops_can_invest` (whether a hand
//!   shop may set up the general technology; `firms.org` tells shops
//!   apart); `scenario.wage_policy` (`origin`,
//!   `possible_from`, `premium`, `effort_gain`, `quit_reduction`).
//!
//! Writes:
//! - firms: `firms.choice`, `firms.fixed_paid`, `firms.org` (to factory),
//!   `firms.capital` (depreciation, scrapping, investment), `firms.cash`,
//!   `firms.sharing` (the wage policy), `firms.req`, `firms.capital_req`,
//!   `firms.unit_cost`.
//! - knowledge: `knowledge.adopted` (through `first_adoption`).
//! - regions: `regions[r].firms_alive`, `regions[r].owners_wealth` (equity),
//!   `regions[r].rest_cash` and `regions[r].rest_sales` (machines bought),
//!   `regions[r].government` (the general-technology tax),
//!   `regions[r].general_users` (workers using the general technology on
//!   their own).
//! - flows: `flows[r].general_capital_sales`, `flows[r].government_revenue`.
//! - ledger: `Flow::Equity` (owners to firms), `Flow::Investment` (firms to
//!   the rest of the economy), `Flow::Taxes` (firms to the government).
//! - events: `Adoption` (a technology's first use in a region, and a firm
//!   taking up the wage policy).
//! - `running`: working memory only (the share of each region's live firms
//!   running each technology, which imitation reads).
//! - `reviews`: working memory only (each firm's plans, costed at the start
//!   of the phase, and the education its workers need to use the general
//!   technology on their own).
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

use crate::model::costs::{
    factory_price, firm_depreciation, machine_price, materials_cost, potential_sales, task_cost,
};
use crate::model::ledger::{Flow, Sector};
use crate::model::rng::{self, Phase};
use crate::model::world::{World, CLASSES, CRAFT_SHOP, FACTORY, GENERAL, REST};
use crate::scenario::{Behaviour, TechKind};
use rand::Rng;
use rayon::prelude::*;

/// A firm's production plan: one technology per task and what it needs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plan {
    pub choice: [u8; 16],
    pub req: [f64; CLASSES],
    pub capital_req: f64,
    /// Variable unit cost: labour plus machine user cost.
    pub unit_cost: f64,
    /// Unit cost including set-up costs not yet paid, spread over expected output.
    pub decision_cost: f64,
    /// Technologies whose set-up cost this plan still needs.
    pub new_fixed: u64,
}

/// Is technology `j` usable in region `r` now (known and not banned)?
pub fn usable(w: &World, r: usize, j: usize) -> bool {
    w.know(r, j) > 0.0 && !(w.tech_kind[j] == TechKind::General && w.year < w.regions[r].ban_until)
}

/// Costs the given choices for firm `f`.
pub fn evaluate(w: &World, f: usize, choice: &[u8]) -> Plan {
    let r = w.firms.region[f] as usize;
    let mut plan = Plan::default();
    for (t, &j) in choice.iter().enumerate() {
        let j = j as usize;
        let c = task_cost(w, Some(f), r, t, j);
        plan.choice[t] = j as u8;
        plan.req[w.task_class(Some(f), t, j)] += c.labour;
        plan.capital_req += c.capital;
        plan.unit_cost += c.unit_cost;
        if w.scenario.technologies[j].fixed_cost > 0.0 && w.firms.fixed_paid[f] & (1 << j) == 0 {
            plan.new_fixed |= 1 << j;
        }
    }
    // Materials cost the same with every method, so they never change
    // which plan is cheapest; they are part of the price a plan allows.
    plan.unit_cost += materials_cost(w, r);
    plan.decision_cost =
        plan.unit_cost + set_up_cost_per_unit(w, f, r, plan.new_fixed, plan.unit_cost);
    plan
}

/// Set-up costs of the technologies in `bits`, as an annuity over the payback
/// period, per unit of the firm's expected output.
fn set_up_cost_per_unit(w: &World, f: usize, r: usize, bits: u64, unit_cost: f64) -> f64 {
    if bits == 0 {
        return 0.0;
    }
    // A firm weighing a set-up looks at the output it could sell with it:
    // at the price the new plan allows, in every market it can reach against
    // last quarter's rivals, or its share of the home market if larger. The
    // set-up pays only at scale, and the scale depends on prices, transport
    // costs and tariffs: wider markets make the general technology pay sooner.
    let price = factory_price(w, r, unit_cost);
    let home_share = w.regions[r].market_units / w.regions[r].firms_alive.max(1) as f64;
    let scale = w.firms.expected[f]
        .max(potential_sales(w, f, price))
        .max(home_share)
        .max(0.1);
    let periods = w.scenario.behaviour.payback_years * w.scenario.steps_per_year as f64;
    (0..w.techs())
        .filter(|j| bits & (1 << j) != 0)
        .map(|j| set_up_price(w, r, j) / periods / scale)
        .sum()
}

/// What setting up technology `j` in region `r` costs a firm in its
/// decision: price, tax and the perceived risk of machine-breaking.
pub fn set_up_price(w: &World, r: usize, j: usize) -> f64 {
    let t = &w.scenario.technologies[j];
    let mut price = t.fixed_cost * w.scenario.steps_per_year as f64 * machine_price(w, r, j);
    if w.tech_kind[j] == TechKind::General {
        price *= 1.0 + w.regions[r].institutions.general_tech_tax;
    }
    price * (1.0 + w.regions[r].risk.min(5.0))
}

/// The cheapest plan for firm `f` among the technologies it can use and
/// weighs (the bits of `weighed`; a firm always weighs the methods it
/// runs): the best craft or special method per task, then each general
/// technology on the tasks where it beats them, set-up cost included.
pub fn best_plan(w: &World, f: usize, weighed: u64) -> Plan {
    let r = w.firms.region[f] as usize;
    let tasks = w.tasks();
    let mut base = [0u8; 16];
    let mut base_cost = [0.0f64; 16];
    for t in 0..tasks {
        let mut best = (f64::INFINITY, 0u8);
        for j in 0..w.techs() {
            if w.tech_kind[j] == TechKind::General
                || w.tech_tasks[j] & (1 << t) == 0
                || weighed & (1 << j) == 0
                || !usable(w, r, j)
            {
                continue;
            }
            let c = task_cost(w, Some(f), r, t, j).unit_cost;
            if c < best.0 {
                best = (c, j as u8);
            }
        }
        base[t] = best.1;
        base_cost[t] = best.0;
    }
    let mut best = evaluate(w, f, &base[..tasks]);
    // Self-employed hand workers do not build mills: a hand shop keeps to
    // hand methods and special tools, and the general technology comes with
    // the factories that enter beside the shops (reorganization phase).
    // Where the shops belong to employers (`shops_can_invest`), a shop may
    // set the general technology up itself and becomes a factory by doing so.
    if w.firms.org[f] == CRAFT_SHOP && !w.scenario.industry.shops_can_invest {
        return best;
    }
    for g in 0..w.techs() {
        if w.tech_kind[g] != TechKind::General || weighed & (1 << g) == 0 || !usable(w, r, g) {
            continue;
        }
        let mut choice = base;
        let mut any = false;
        for t in 0..tasks {
            if w.tech_tasks[g] & (1 << t) != 0
                && task_cost(w, Some(f), r, t, g).unit_cost < base_cost[t]
            {
                choice[t] = g as u8;
                any = true;
            }
        }
        if any {
            let plan = evaluate(w, f, &choice[..tasks]);
            if plan.decision_cost < best.decision_cost {
                best = plan;
            }
        }
    }
    best
}

/// The methods firm `f` weighs in this review: those it runs, and each
/// other with probability `1 - a + a * share`, `a` being
/// `adoption_imitation` and `share` the share of its region's firms that
/// run it (`running`). One number is drawn per method, in the order of the
/// technologies, so that the draws do not depend on which methods are
/// usable.
fn weighed_methods(w: &World, f: usize, running: &[f64], rng: &mut impl Rng) -> u64 {
    let imitation = w.scenario.behaviour.adoption_imitation;
    let runs = methods_run(w, f);
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
fn methods_run(w: &World, f: usize) -> u64 {
    let tasks = w.tasks();
    w.firms.choice[f * tasks..(f + 1) * tasks]
        .iter()
        .fold(0, |bits, &j| bits | 1 << j)
}

/// Each quarter an employer also weighs the wage policy, if the
/// scenario has one and it is possible here: higher pay per worker against
/// more output per worker and fewer quits to replace (each replacement costs
/// `hiring_cost` quarters of wage). It adopts the policy when that lowers its
/// labour cost per unit by more than the switching threshold, and drops it
/// when it raises it.
fn review_wage_policy(w: &mut World, f: usize, plan: &Plan) {
    let Some(policy) = &w.scenario.wage_policy else {
        return;
    };
    let r = w.firms.region[f] as usize;
    let here = policy
        .origin
        .as_deref()
        .is_none_or(|o| o == w.regions[r].name);
    if !here || w.year < policy.possible_from {
        return;
    }
    let b = &w.scenario.behaviour;
    // Labour cost per unit at market pay and effort (undoing the current
    // policy's effort gain, which the plan's labour needs include).
    let labour: f64 = (0..CLASSES)
        .map(|k| plan.req[k] * w.regions[r].wage[k])
        .sum::<f64>()
        * w.effort_factor(f);
    let turnover = |quits: f64| 1.0 + b.hiring_cost * quits;
    let without = labour * turnover(b.base_quit_rate);
    let with = labour * (1.0 + policy.premium) / (1.0 + policy.effort_gain)
        * turnover(b.base_quit_rate * (1.0 - policy.quit_reduction));
    let sharing = w.firms.sharing[f];
    if !sharing && with < without * (1.0 - b.switch_threshold) {
        w.firms.sharing[f] = true;
        let detail = format!("a firm adopts {}", policy.name);
        w.event(r, crate::model::world::EventKind::Adoption, 1.0, detail);
    } else if sharing && with > without {
        w.firms.sharing[f] = false;
    }
}

/// Technology choice and investment for every firm. `running` is working
/// memory: the share of each region's live firms running each technology.
pub fn technology(world: &mut World, reviews: &mut Vec<Review>, running: &mut Vec<f64>) {
    running_shares(world, running);
    let behaviour = world.scenario.behaviour.clone();
    cost_reviews(world, reviews, running, &behaviour);
    for f in 0..world.firms.len() {
        if world.firms.alive[f] {
            decide(world, f, &reviews[f], &behaviour);
        }
    }
    individual_use(world, reviews);
}

/// Each region's live firms, and the share of them that run each method,
/// which a firm weighing methods it does not run imitates.
fn running_shares(world: &mut World, running: &mut Vec<f64>) {
    let techs = world.techs();
    running.clear();
    running.resize(world.regions.len() * techs, 0.0);
    for r in 0..world.regions.len() {
        let range = world.regions[r].firms.clone();
        let mut alive = 0usize;
        for f in range.filter(|&f| world.firms.alive[f]) {
            alive += 1;
            let runs = methods_run(world, f);
            for j in (0..techs).filter(|&j| runs & (1 << j) != 0) {
                running[r * techs + j] += 1.0;
            }
        }
        world.regions[r].firms_alive = alive;
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
fn cost_reviews(world: &World, reviews: &mut Vec<Review>, running: &[f64], behaviour: &Behaviour) {
    let (tasks, techs) = (world.tasks(), world.techs());
    reviews.resize(world.firms.len(), Review::default());
    reviews.par_iter_mut().enumerate().for_each(|(f, review)| {
        *review = Review::default();
        if !world.firms.alive[f] {
            return;
        }
        let r = world.firms.region[f] as usize;
        let mut rng = rng::stream(world.seed, world.step, Phase::Technology, f as u64);
        // Perceived risk of machine-breaking makes reviews rarer.
        let rate = behaviour.review_rate / (1.0 + world.regions[r].risk);
        review.current = evaluate(world, f, &world.firms.choice[f * tasks..(f + 1) * tasks]);
        // A factory that has just entered (no output yet) reviews at once.
        let new = world.firms.org[f] == FACTORY
            && world.firms.fixed_paid[f] == 0
            && world.firms.output[f] == 0.0;
        review.reviewed = rng.random::<f64>() < rate || new;
        if review.reviewed {
            let weighed = if behaviour.adoption_imitation > 0.0 && !new {
                weighed_methods(world, f, &running[r * techs..(r + 1) * techs], &mut rng)
            } else {
                u64::MAX
            };
            review.best = best_plan(world, f, weighed);
        }
    });
}

/// Firm `f` takes the plan its review found, if it saves enough; weighs
/// its pay terms; buys the machines and set-up the plan needs, financed by
/// its cash and its owners, or waits if it cannot pay for a switch; and
/// records the methods it now runs.
fn decide(world: &mut World, f: usize, review: &Review, behaviour: &Behaviour) {
    let tasks = world.tasks();
    let r = world.firms.region[f] as usize;
    // Machines wear out, each technology's at its own rate.
    world.firms.capital[f] *= 1.0 - firm_depreciation(world, f);
    let Review {
        current,
        best,
        reviewed,
        ..
    } = *review;
    let mut plan = current;
    let sharing = world.firms.sharing[f];
    if reviewed && best.decision_cost < current.decision_cost * (1.0 - behaviour.switch_threshold) {
        plan = best;
    }
    // Pay terms are weighed every quarter, not only when methods are
    // reviewed: they need no machines, and the cost of turnover shows
    // in every quarter's hiring bill. Self-employed hand workers have no
    // employer to offer them: a shop weighs the policy only once it has
    // become a factory.
    if world.firms.org[f] != CRAFT_SHOP {
        review_wage_policy(world, f, &plan);
    }
    // Capital the plan needs at the output the firm plans for; machines of
    // tasks that change method are scrapped.
    let unchanged =
        plan.choice[..tasks] == current.choice[..tasks] && world.firms.sharing[f] == sharing;
    let keep = if unchanged {
        // Same methods, same terms: every machine is kept. (Costing the
        // tasks again, as below, would give exactly the plan's own
        // capital and a ratio of exactly 1.)
        1.0
    } else if current.capital_req > 0.0 {
        let kept: f64 = (0..tasks)
            .filter(|&t| plan.choice[t] == current.choice[t])
            .map(|t| task_cost(world, Some(f), r, t, plan.choice[t] as usize).capital)
            .sum();
        (kept / current.capital_req).min(1.0)
    } else {
        1.0
    };
    let planned_output = world.firms.expected[f] * 1.1;
    let kept_capital = world.firms.capital[f] * keep;
    let needed = (plan.capital_req * planned_output - kept_capital).max(0.0);
    let per_tech = spending(world, f, r, &plan, needed);
    let tax_rate = world.regions[r].institutions.general_tech_tax;
    let pre_tax: f64 = per_tech.iter().sum();
    let tax: f64 = (0..world.techs())
        .filter(|&j| world.tech_kind[j] == TechKind::General)
        .map(|j| per_tech[j] * tax_rate)
        .sum();
    let total = pre_tax + tax;
    let switching = plan.choice[..tasks] != current.choice[..tasks];
    let mut scale = 1.0;
    if total > 0.0 {
        // Finance: own cash first, then owners' equity; otherwise a switch
        // waits and an expansion is scaled down to what cash allows.
        let cash = world.firms.cash[f].max(0.0);
        let shortfall = (total - 0.8 * cash).max(0.0);
        let affordable = shortfall <= 0.0 || world.regions[r].owners_wealth > 2.0 * shortfall;
        if !affordable && switching {
            world.firms.capital[f] =
                world.firms.capital[f].min(current.capital_req * planned_output);
            return;
        }
        if affordable && shortfall > 0.0 {
            world.regions[r].owners_wealth -= shortfall;
            world.firms.cash[f] += shortfall;
            world
                .ledger
                .pay(Flow::Equity, Sector::Owners, Sector::Firms, shortfall);
        } else if !affordable {
            scale = (0.8 * cash / total).clamp(0.0, 1.0);
        }
        // Sales of general machines are counted in units (spending at
        // today's price over that price), so falling prices show as more
        // machines sold, as unit sales of PCs do.
        for (j, spend) in per_tech.iter().enumerate().take(world.techs()) {
            if *spend > 0.0 && world.tech_kind[j] == TechKind::General {
                world.flows[r].general_capital_sales += spend * scale / machine_price(world, r, j);
            }
        }
        world.firms.cash[f] -= total * scale;
        world.ledger.pay(
            Flow::Investment,
            Sector::Firms,
            Sector::Rest,
            pre_tax * scale,
        );
        world
            .ledger
            .pay(Flow::Taxes, Sector::Firms, Sector::Government, tax * scale);
        let region = &mut world.regions[r];
        region.rest_cash += pre_tax * scale;
        region.rest_sales += pre_tax * scale;
        region.government += tax * scale;
        world.flows[r].government_revenue += tax * scale;
    }
    world.firms.capital[f] = kept_capital + needed * scale;
    if plan.choice[..tasks] != current.choice[..tasks] {
        for t in 0..tasks {
            let j = plan.choice[t] as usize;
            if plan.choice[t] != current.choice[t] {
                world.first_adoption(r, j);
            }
        }
        world.firms.choice[f * tasks..(f + 1) * tasks].copy_from_slice(&plan.choice[..tasks]);
        world.firms.fixed_paid[f] |= plan.new_fixed;
        if plan.new_fixed != 0 && world.firms.org[f] < FACTORY {
            world.firms.org[f] = FACTORY;
        }
    }
    world.firms.req[f] = plan.req;
    world.firms.capital_req[f] = plan.capital_req;
    world.firms.unit_cost[f] = plan.unit_cost;
}

/// Spending per technology before tax on `needed` capital for firm `f`'s
/// plan: machines bought task by task, and the set-up cost of any
/// technology the plan adds.
fn spending(world: &World, f: usize, r: usize, plan: &Plan, needed: f64) -> [f64; 64] {
    let tasks = world.tasks();
    let mut per_tech = [0.0f64; 64];
    if needed > 0.0 && plan.capital_req > 0.0 {
        for t in 0..tasks {
            let j = plan.choice[t] as usize;
            let c = task_cost(world, Some(f), r, t, j).capital;
            per_tech[j] += needed * c / plan.capital_req * machine_price(world, r, j);
        }
    }
    for (j, spend) in per_tech.iter_mut().enumerate().take(world.techs()) {
        if plan.new_fixed & (1 << j) != 0 {
            *spend += world.scenario.technologies[j].fixed_cost
                * world.scenario.steps_per_year as f64
                * machine_price(world, r, j);
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
fn individual_use(w: &mut World, reviews: &mut [Review]) {
    // Most scenarios have no such technology: no pass over the workers.
    if !w.scenario.technologies.iter().any(|t| t.individual_use) {
        return;
    }
    let tasks = w.tasks();
    {
        let w = &*w;
        reviews.par_iter_mut().enumerate().for_each(|(f, review)| {
            review.tool_education = f32::INFINITY;
            if !w.firms.alive[f] {
                return;
            }
            let r = w.firms.region[f] as usize;
            for g in 0..w.techs() {
                let tech = &w.scenario.technologies[g];
                if w.tech_kind[g] != TechKind::General || !tech.individual_use || !usable(w, r, g) {
                    continue;
                }
                // The firm's own efficiency and organization do not reach a
                // tool its workers bring themselves: a typical user's speed.
                let faster = (0..tasks).any(|t| {
                    let j = w.firms.choice[f * tasks + t] as usize;
                    w.tech_tasks[g] & (1 << t) != 0
                        && w.tech_kind[j] != TechKind::General
                        && task_cost(w, None, r, t, g).labour
                            < task_cost(w, Some(f), r, t, j).labour
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
    for r in 0..w.regions.len() {
        let mut users = 0u32;
        for i in w.regions[r].workers.clone() {
            let e = w.workers.employer[i];
            if e < REST
                && w.workers.class[i] as usize != GENERAL
                && w.workers.education[i] >= reviews[e as usize].tool_education
            {
                users += 1;
            }
        }
        w.regions[r].general_users = users;
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
