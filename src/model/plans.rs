//! A firm's production plan and what it costs: the technology chosen for
//! each task, the labour and machines it needs per unit, and the set-up
//! costs still to pay. The technology phase chooses plans, production
//! re-costs the plan a firm runs, and reorganization costs an entrant's;
//! the formulas sit here, below the phases, so that no phase calls another.

use crate::model::costs::{
    factory_price, machine_price, materials_cost, potential_sales, task_cost, Costing,
};
use crate::model::world::{Firms, CLASSES, CRAFT_SHOP};
use crate::scenario::TechKind;

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
pub fn usable(c: &Costing, r: usize, j: usize) -> bool {
    c.knowledge.know(r, j) > 0.0
        && !(c.params.tech_kind[j] == TechKind::General && c.year < c.politics[r].ban_until)
}

/// Costs the given choices for firm `f`.
pub fn evaluate(c: &Costing, firms: &Firms, f: usize, choice: &[u8]) -> Plan {
    let params = c.params;
    let r = firms.region[f] as usize;
    let mut plan = Plan::default();
    for (t, &j) in choice.iter().enumerate() {
        let j = j as usize;
        let cost = task_cost(c, firms, Some(f), r, t, j);
        plan.choice[t] = j as u8;
        plan.req[params.task_class(firms, Some(f), t, j)] += cost.labour;
        plan.capital_req += cost.capital;
        plan.unit_cost += cost.unit_cost;
        if params.scenario.technologies[j].fixed_cost > 0.0 && firms.fixed_paid[f] & (1 << j) == 0 {
            plan.new_fixed |= 1 << j;
        }
    }
    // Materials cost the same with every method, so they never change
    // which plan is cheapest; they are part of the price a plan allows.
    plan.unit_cost += materials_cost(c, r);
    plan.decision_cost =
        plan.unit_cost + set_up_cost_per_unit(c, firms, f, r, plan.new_fixed, plan.unit_cost);
    plan
}

/// Set-up costs of the technologies in `bits`, as an annuity over the payback
/// period, per unit of the firm's expected output.
fn set_up_cost_per_unit(
    c: &Costing,
    firms: &Firms,
    f: usize,
    r: usize,
    bits: u64,
    unit_cost: f64,
) -> f64 {
    if bits == 0 {
        return 0.0;
    }
    // A firm weighing a set-up looks at the output it could sell with it:
    // at the price the new plan allows, in every market it can reach against
    // last quarter's rivals, or its share of the home market if larger. The
    // set-up pays only at scale, and the scale depends on prices, transport
    // costs and tariffs: wider markets make the general technology pay sooner.
    let price = factory_price(c, r, unit_cost);
    let home_share = c.economy[r].market_units / c.economy[r].firms_alive.max(1) as f64;
    let scale = firms.expected[f]
        .max(potential_sales(c, firms, f, price))
        .max(home_share)
        .max(0.1);
    let periods = c.params.behaviour().payback_years * c.params.steps_per_year();
    (0..c.params.techs())
        .filter(|j| bits & (1 << j) != 0)
        .map(|j| set_up_price(c, r, j) / periods / scale)
        .sum()
}

/// What setting up technology `j` in region `r` costs a firm in its
/// decision: price, tax and the perceived risk of machine-breaking.
pub fn set_up_price(c: &Costing, r: usize, j: usize) -> f64 {
    let t = &c.params.scenario.technologies[j];
    let mut price = t.fixed_cost * c.params.steps_per_year() * machine_price(c, r, j);
    if c.params.tech_kind[j] == TechKind::General {
        price *= 1.0 + c.politics[r].institutions.general_tech_tax;
    }
    price * (1.0 + c.politics[r].risk.min(5.0))
}

/// The cheapest plan for firm `f` among the technologies it can use and
/// weighs (the bits of `weighed`; a firm always weighs the methods it
/// runs): the best craft or special method per task, then each general
/// technology on the tasks where it beats them, set-up cost included.
pub fn best_plan(c: &Costing, firms: &Firms, f: usize, weighed: u64) -> Plan {
    let params = c.params;
    let r = firms.region[f] as usize;
    let tasks = params.tasks();
    let mut base = [0u8; 16];
    let mut base_cost = [0.0f64; 16];
    for t in 0..tasks {
        let mut best = (f64::INFINITY, 0u8);
        for j in 0..params.techs() {
            if params.tech_kind[j] == TechKind::General
                || params.tech_tasks[j] & (1 << t) == 0
                || weighed & (1 << j) == 0
                || !usable(c, r, j)
            {
                continue;
            }
            let cost = task_cost(c, firms, Some(f), r, t, j).unit_cost;
            if cost < best.0 {
                best = (cost, j as u8);
            }
        }
        base[t] = best.1;
        base_cost[t] = best.0;
    }
    let mut best = evaluate(c, firms, f, &base[..tasks]);
    // Self-employed hand workers do not build mills: a hand shop keeps to
    // hand methods and special tools, and the general technology comes with
    // the factories that enter beside the shops (reorganization phase).
    // Where the shops belong to employers (`shops_can_invest`), a shop may
    // set the general technology up itself and becomes a factory by doing so.
    if firms.organization[f] == CRAFT_SHOP && !params.scenario.industry.shops_can_invest {
        return best;
    }
    for g in 0..params.techs() {
        if params.tech_kind[g] != TechKind::General || weighed & (1 << g) == 0 || !usable(c, r, g) {
            continue;
        }
        let mut choice = base;
        let mut any = false;
        for t in 0..tasks {
            if params.tech_tasks[g] & (1 << t) != 0
                && task_cost(c, firms, Some(f), r, t, g).unit_cost < base_cost[t]
            {
                choice[t] = g as u8;
                any = true;
            }
        }
        if any {
            let plan = evaluate(c, firms, f, &choice[..tasks]);
            if plan.decision_cost < best.decision_cost {
                best = plan;
            }
        }
    }
    best
}
