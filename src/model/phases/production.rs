//! Production.
//!
//! Reads: firms' workforce, capital, technology plans, expected sales, inventory; wages.
//! Writes: firms' output, inventory, unit cost and price.
//!
//! A firm produces what it expects to sell plus a small buffer, less its
//! inventory, up to the capacity its workers and machines allow. It prices
//! at a markup on unit cost (Dosi et al. 2010), so cost reductions reach
//! buyers and widen the market.

use crate::model::phases::technology::evaluate;
use crate::model::world::{World, CLASSES};

pub fn production(w: &mut World) {
    let tasks = w.tasks();
    let markup = w.scenario.industry.markup;
    for f in 0..w.firms.len() {
        if !w.firms.alive[f] {
            w.firms.output[f] = 0.0;
            continue;
        }
        // Knowledge and wages move every quarter, so the plan is re-costed.
        let plan = evaluate(w, f, &w.firms.choice[f * tasks..(f + 1) * tasks]);
        let mut capacity = f64::INFINITY;
        for k in 0..CLASSES {
            if plan.req[k] > 1e-12 {
                capacity = capacity.min(w.firms.labour[f][k] as f64 / plan.req[k]);
            }
        }
        if plan.capital_req > 1e-12 {
            capacity = capacity.min(w.firms.capital[f] / plan.capital_req);
        }
        let desired = (w.firms.expected[f] * 1.1 - w.firms.inventory[f]).max(0.0);
        let q = capacity.min(desired).max(0.0);
        w.firms.output[f] = q;
        w.firms.inventory[f] += q;
        w.firms.req[f] = plan.req;
        w.firms.capital_req[f] = plan.capital_req;
        w.firms.unit_cost[f] = plan.unit_cost;
        w.firms.price[f] = (1.0 + markup) * plan.unit_cost;
        // Learning by doing: experience with a technology is the cumulative
        // output made with it, in years of the region's initial industry output.
        let r = w.firms.region[f] as usize;
        let unit = w.regions[r].experience_unit;
        let techs = w.techs();
        for t in 0..tasks {
            let j = w.firms.choice[f * tasks + t] as usize;
            w.knowledge.experience[r * techs + j] += q * w.task_labour[t] / unit;
        }
    }
    // The local rate of adoption (change of the machine-made share over a
    // year) is what the politics phase reacts to.
    for r in 0..w.regions.len() {
        let (by_kind, _, total) = w.output_shares(r);
        let mechanized = if total > 0.0 {
            1.0 - by_kind[0] / total
        } else {
            0.0
        };
        let reg = &mut w.regions[r];
        let slot = w.step % reg.mechanized_history.len();
        let year_ago = if w.step >= reg.mechanized_history.len() {
            reg.mechanized_history[slot]
        } else {
            0.0
        };
        reg.mechanized_history[slot] = mechanized;
        reg.adoption_rate = (mechanized - year_ago).max(0.0);
    }
}
