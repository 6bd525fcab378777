//! Production.
//!
//! Reads:
//! - firms: `firms.alive`, `firms.region`, `firms.choice`, `firms.labour`,
//!   `firms.capital`, `firms.expected`, `firms.inventory`; through the plan's
//!   costing (`technology::evaluate`) `firms.efficiency`,
//!   `firms.reorganized_at`, `firms.sharing` and `firms.fixed_paid`, and,
//!   when a set-up is still unpaid, `firms.price`; through
//!   `output_shares`, `firms.output` and `firms.org`.
//! - knowledge: `knowledge.productivity`, `knowledge.experience` (machine
//!   prices and returns to scale, through the cost formulas).
//! - firms (hand shops): `firms.org`, `firms.sales` and `firms.output` (last
//!   quarter's, for the clearing price), `firms.price`.
//! - regions: `regions[r].wage`, `regions[r].risk`, `regions[r].rest_price`
//!   (machine prices), `regions[r].general_reach`, `regions[r].rest_alpha`,
//!   `regions[r].rest_capital`, `regions[r].rest_employed`,
//!   `regions[r].institutions.general_tech_tax`, `regions[r].experience_unit`
//!   and `regions[r].industry_units` (a first use's unit of experience),
//!   `regions[r].mechanized_history` (a year ago), `regions[r].firms`; when a
//!   set-up is still unpaid, `regions[r].market_units`,
//!   `regions[r].supplier_weight`, `regions[r].firms_alive`,
//!   `regions[r].infrastructure`, `regions[r].institutions.tariff` and the
//!   routes' `transport_cost` and `tariff`.
//! - scenario: `scenario.industry.markup` and `.materials_share`;
//!   `hired_task` (hand shops whose members and hands each limit output);
//!   `scenario.behaviour`
//!   (`price_adjustment`, `capital_elasticity`, `automation_reach`,
//!   `reinstatement_years`); `scenario.technologies[j]`
//!   (`capital_per_worker`, `learning_exponent`, `scale_gain`, `fixed_cost`,
//!   `depreciation`);
//!   `scenario.behaviour` (`capital_user_cost`, `reorganization_dip_years`,
//!   `reorganization_bonus`, and for unpaid set-ups `payback_years`,
//!   `price_sensitivity` and `presence_elasticity`); `scenario.wage_policy`
//!   (`premium`, `effort_gain`).
//!
//! Writes:
//! - firms: `firms.output`, `firms.inventory`, `firms.req`,
//!   `firms.capital_req`, `firms.unit_cost`, `firms.price`.
//! - knowledge: `knowledge.experience` (learning by doing: output made with
//!   each technology), `knowledge.experience_unit` (set at a first use).
//! - regions: `regions[r].industry_units` (units made this quarter),
//!   `regions[r].mechanized_history` (this step's machine-made
//!   share), `regions[r].adoption_rate`; automation and new tasks:
//!   `regions[r].general_reach`, `regions[r].rest_alpha`,
//!   `regions[r].rest_productivity`.
//!
//! A firm produces what it expects to sell plus a small buffer, less its
//! inventory, up to the capacity its workers and machines allow. It prices
//! at a markup on its own unit cost, the materials passed on at cost
//! (Dosi et al. 2010), so cost reductions reach
//! buyers and widen the market.

use crate::model::costs::factory_price;
use crate::model::phases::technology::evaluate;
use crate::model::world::{World, CLASSES, CRAFT_SHOP};
use crate::scenario::TechKind;

pub fn production(w: &mut World) {
    let tasks = w.tasks();
    let price_adjustment = w.scenario.behaviour.price_adjustment;
    for f in 0..w.firms.len() {
        if !w.firms.alive[f] {
            w.firms.output[f] = 0.0;
            continue;
        }
        // Knowledge and wages move every quarter, so the plan is re-costed.
        let plan = evaluate(w, f, &w.firms.choice[f * tasks..(f + 1) * tasks]);
        let mut capacity = f64::INFINITY;
        if w.firms.org[f] == CRAFT_SHOP && w.hired_task.is_none() {
            // Hand workers take up their trade's special tools themselves:
            // a shop's workers are one pool, whatever their class. (Where
            // the shop pays hands for a task, members and hands are two
            // classes and each limits what it makes, as in a factory.)
            let staff: u32 = w.firms.labour[f].iter().sum();
            let req: f64 = plan.req.iter().sum();
            if req > 1e-12 {
                capacity = staff as f64 / req;
            }
        } else {
            for k in 0..CLASSES {
                if plan.req[k] > 1e-12 {
                    capacity = capacity.min(w.firms.labour[f][k] as f64 / plan.req[k]);
                }
            }
        }
        if plan.capital_req > 1e-12 {
            capacity = capacity.min(w.firms.capital[f] / plan.capital_req);
        }
        let (q, price) = if w.firms.org[f] == CRAFT_SHOP {
            // Self-employed hand workers work full time and take what their
            // cloth fetches: the shop's price moves toward the one at which
            // last quarter's sales would have taken all it made, and their
            // earnings are its revenue (the incomes phase), so a falling
            // cloth price cuts a weaver's income directly.
            let (sold, made) = (w.firms.sales[f], w.firms.output[f]);
            let clearing = if made > 0.0 {
                (sold / made).clamp(0.5, 2.0)
            } else {
                1.0
            };
            // A weaver who sells nothing still will not give cloth away:
            // the price stays within a band around the cost of the shop's
            // labour at the going rate and its materials.
            let price = (w.firms.price[f] * clearing.powf(price_adjustment))
                .clamp(0.25 * plan.unit_cost, 4.0 * plan.unit_cost);
            (capacity.max(0.0), price)
        } else {
            let desired = (w.firms.expected[f] * 1.1 - w.firms.inventory[f]).max(0.0);
            (
                capacity.min(desired).max(0.0),
                factory_price(w, w.firms.region[f] as usize, plan.unit_cost),
            )
        };
        w.firms.output[f] = q;
        w.firms.inventory[f] += q;
        w.firms.req[f] = plan.req;
        w.firms.capital_req[f] = plan.capital_req;
        w.firms.unit_cost[f] = plan.unit_cost;
        w.firms.price[f] = price;
        learn_by_doing(w, f, q);
    }
    for reg in w.regions.iter_mut() {
        reg.industry_units = reg.firms.clone().map(|f| w.firms.output[f]).sum();
    }
    adoption_and_automation(w);
}

/// Learning by doing, for firm `f`, which made `made` units this quarter:
/// experience with a technology is the cumulative output made with it, in
/// years of the region's industry output when the technology was first
/// used there (Wright's law counts doublings of cumulative output from the
/// first commercial production).
fn learn_by_doing(world: &mut World, f: usize, made: f64) {
    let tasks = world.tasks();
    let steps_per_year = world.scenario.steps_per_year as f64;
    let r = world.firms.region[f] as usize;
    let first_unit = world.regions[r]
        .experience_unit
        .max(world.regions[r].industry_units * steps_per_year);
    let techs = world.techs();
    for t in 0..tasks {
        let k = r * techs + world.firms.choice[f * tasks + t] as usize;
        if world.knowledge.experience_unit[k] == 0.0 {
            world.knowledge.experience_unit[k] = first_unit;
        }
        world.knowledge.experience[k] +=
            made * world.task_labour[t] / world.knowledge.experience_unit[k];
    }
}

/// Each region's local rate of adoption, and automation and new tasks in
/// the rest of the economy, from the step's output shares.
fn adoption_and_automation(world: &mut World) {
    let steps_per_year = world.scenario.steps_per_year as f64;
    let behaviour = &world.scenario.behaviour;
    let (alpha0, reach, reinstatement_years) = (
        behaviour.capital_elasticity,
        behaviour.automation_reach,
        behaviour.reinstatement_years,
    );
    // The local rate of adoption (change of the machine-made share over a
    // year) is what the politics phase reacts to.
    for r in 0..world.regions.len() {
        let (by_kind, _, total) = world.output_shares(r);
        let mechanized = if total > 0.0 {
            1.0 - by_kind[0] / total
        } else {
            0.0
        };
        let region = &mut world.regions[r];
        let slot = world.step % region.mechanized_history.len();
        let year_ago = if world.step >= region.mechanized_history.len() {
            region.mechanized_history[slot]
        } else {
            0.0
        };
        region.mechanized_history[slot] = mechanized;
        region.adoption_rate = (mechanized - year_ago).max(0.0);
        // Automation and new tasks in the rest of the economy (Acemoglu and
        // Restrepo 2019): as the general technology spreads further than
        // ever before, it takes over a matching part of the rest of the
        // economy's labour tasks; new tasks for labour give back a share of
        // what was taken each quarter, so the displacement fades over a
        // generation.
        let general = if total > 0.0 {
            by_kind[TechKind::General as usize] / total
        } else {
            0.0
        };
        let spread = (general - region.general_reach).max(0.0);
        region.general_reach += spread;
        let automated = region.rest_alpha - alpha0;
        region.shift_tasks(reach * spread - automated / (reinstatement_years * steps_per_year));
    }
}
