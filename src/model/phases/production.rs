//! Production.
//!
//! Its contract is `contracts::Production`.
//!
//! A firm produces what it expects to sell plus a small buffer, less its
//! inventory, up to the capacity its workers and machines allow. It prices
//! at a markup on its own unit cost, the materials passed on at cost
//! (Dosi et al. 2010), so cost reductions reach
//! buyers and widen the market.

use crate::model::contracts::Production;
use crate::model::costs::{factory_price, Costing};
use crate::model::plans::firm_lots;
use crate::model::world::{
    Economy, Firms, Knowledge, Parameters, Politics, CLASSES, CRAFT_SHOP, UNSKILLED, VINTAGES,
};

pub fn production(view: Production<'_>) {
    let Production {
        params,
        clock,
        government,
        firms,
        knowledge,
        economy,
        politics,
    } = view;
    let price_adjustment = params.behaviour().price_adjustment;
    for f in 0..firms.len() {
        if !firms.alive[f] {
            firms.output[f] = 0.0;
            continue;
        }
        // Knowledge and wages move every quarter, so the lots are re-costed.
        let costing = Costing {
            params,
            year: clock.year,
            knowledge,
            economy,
            politics,
            government,
        };
        let shop = firms.organization[f] == CRAFT_SHOP;
        // A factory plans what it expects to sell plus a buffer, less its
        // inventory; a hand shop, what its members made last quarter.
        let desired = (firms.expected[f] * 1.1 - firms.inventory[f]).max(0.0);
        let planned = if shop { firms.output[f] } else { desired };
        let lots = firm_lots(&costing, firms, f);
        let plan = lots.run(&costing, firms, planned, |_, _, _| {});
        let mut capacity = plan.capacity;
        if shop && params.hired_task.is_none() {
            // Hand workers take up their trade's special tools themselves:
            // a shop's workers are one pool, whatever their class. (Where
            // the shop pays hands for a task, members and hands are two
            // classes and each limits what it makes, as in a factory.)
            let staff: u32 = firms.labour[f].iter().sum();
            let req: f64 = plan.req.iter().sum();
            if req > 1e-12 {
                capacity = capacity.min(staff as f64 / req);
            }
        } else {
            for k in 0..CLASSES {
                if plan.req[k] > 1e-12 {
                    capacity = capacity.min(firms.labour[f][k] as f64 / plan.req[k]);
                }
            }
        }
        let q = if shop {
            capacity
        } else {
            capacity.min(desired)
        }
        .max(0.0);
        // The quarter's output, run on the lots in merit order: which lots
        // and how much by hand.
        let tasks = params.tasks();
        let mut used = [0.0f64; 16 * VINTAGES];
        let mut hand = [0.0f64; 16];
        let first = firms.machines.firm_lots(f).start;
        let run = lots.run(&costing, firms, q, |lot, t, units| match lot {
            Some(k) => used[k - first] = units,
            None => hand[t] = units,
        });
        let machines = &mut firms.machines;
        machines.used[first..first + tasks * VINTAGES].copy_from_slice(&used[..tasks * VINTAGES]);
        machines.hand[f * tasks..(f + 1) * tasks].copy_from_slice(&hand[..tasks]);
        let unit_cost = if q > 0.0 {
            run.unit_cost
        } else {
            plan.unit_cost
        };
        let price = if shop {
            // Self-employed hand workers work full time and take what their
            // cloth fetches: the shop's price moves toward the one at which
            // what buyers ask for would take all it made, and their
            // earnings are its revenue (the incomes phase), so a falling
            // cloth price cuts a weaver's income directly. Buyers' asks,
            // not its sales, set it, because sales cannot exceed what the
            // shop made: a price set by sales could fall in a glut but never
            // rise in a shortage, and the money buyers could not spend would
            // pile up with the merchants.
            let (asked, made) = (firms.expected[f], firms.output[f]);
            let clearing = if made > 0.0 {
                (asked / made).clamp(0.5, 2.0)
            } else {
                1.0
            };
            // A weaver who sells nothing still will not give cloth away:
            // the price stays within a band around the cost of the shop's
            // labour at the going rate and its materials.
            (firms.price[f] * clearing.powf(price_adjustment))
                .clamp(0.25 * unit_cost, 4.0 * unit_cost)
        } else {
            factory_price(&costing, firms.region[f] as usize, unit_cost)
        };
        firms.output[f] = q;
        firms.inventory[f] += q;
        firms.req[f] = if q > 0.0 { run.req } else { plan.req };
        firms.unit_cost[f] = unit_cost;
        firms.price[f] = price;
        learn_by_doing(params, knowledge, economy, firms, f);
    }
    for region in economy.iter_mut() {
        region.industry_units = region.firms.clone().map(|f| firms.output[f]).sum();
    }
    adoption_rate(params, clock.step, firms, economy, politics);
    automation(params, knowledge, economy);
}

/// Learning by doing, for firm `f`, from what each of its lots and hands
/// made this quarter: experience with a technology is the cumulative output
/// made with it, in years of the region's industry output when the
/// technology was first used there (Wright's law counts doublings of
/// cumulative output from the first commercial production).
fn learn_by_doing(
    params: &Parameters,
    knowledge: &mut Knowledge,
    economy: &[Economy],
    firms: &mut Firms,
    f: usize,
) {
    let tasks = params.tasks();
    let r = firms.region[f] as usize;
    let first_unit = economy[r].first_unit(params.steps_per_year());
    let techs = params.techs();
    let (machines, own) = (
        &firms.machines,
        &mut firms.own_experience[f * techs..(f + 1) * techs],
    );
    let mut learn = |j: usize, t: usize, made: f64| {
        let k = r * techs + j;
        if knowledge.experience_unit[k] == 0.0 {
            knowledge.experience_unit[k] = first_unit;
        }
        let gained = made * params.task_labour[t] / knowledge.experience_unit[k];
        knowledge.experience[k] += gained;
        own[j] += gained;
    };
    for t in 0..tasks {
        let hand = machines.hand[f * tasks + t];
        if hand > 0.0 {
            learn(firms.choice[f * tasks + t] as usize, t, hand);
        }
        for k in machines.lots(f, t) {
            if machines.used[k] > 0.0 {
                learn(machines.tech[k] as usize, t, machines.used[k]);
            }
        }
    }
}

/// Each region's local rate of adoption: the change of the machine-made
/// share of the industry's output over a year, which the politics phase
/// reacts to.
fn adoption_rate(
    params: &Parameters,
    step: usize,
    firms: &Firms,
    economy: &[Economy],
    politics: &mut [Politics],
) {
    for (region, politics) in economy.iter().zip(politics.iter_mut()) {
        let (by_kind, _, total) = params.output_shares(firms, region);
        let mechanized = if total > 0.0 {
            1.0 - by_kind[0] / total
        } else {
            0.0
        };
        let history = &mut politics.mechanized_history;
        let slot = step % history.len();
        let year_ago = if step >= history.len() {
            history[slot]
        } else {
            0.0
        };
        history[slot] = mechanized;
        politics.adoption_rate = (mechanized - year_ago).max(0.0);
    }
}

/// Automation and new tasks in the rest of the economy (Zeira 1998;
/// Acemoglu and Restrepo 2018, 2019). Each general technology can do a
/// share of the rest of the economy's labour tasks (`economy_reach`).
/// What its machine saves per unit of price is the wage times the work it
/// does (its best-practice productivity in the region); labour's cost
/// advantage over the machine across those tasks is Pareto-distributed,
/// at break-even in the best suited task when the region could first buy
/// the machine, so once that saving has grown `x` times a share
/// `1 - x^-automation_elasticity` of them is done more cheaply by machine.
/// Machines that get cheaper (the builders' learning and scale), better
/// machines (invention) and wages that rise all push automation on; a
/// tariff or an embargo on machines holds it back. Tasks are automated as
/// the sector's equipment wears out and machines replace it, and new tasks
/// for labour give back a share of what was taken each quarter
/// (`reinstatement_years`), so the displacement fades over a generation.
fn automation(params: &Parameters, knowledge: &Knowledge, economy: &mut [Economy]) {
    let behaviour = params.behaviour();
    let per_quarter = 1.0 / (behaviour.reinstatement_years * params.steps_per_year());
    let pace = behaviour.depreciation / params.steps_per_year();
    for (r, region) in economy.iter_mut().enumerate() {
        let mut spread = 0.0;
        for (j, tech) in params.scenario.technologies.iter().enumerate() {
            let price = region.machine_price[j];
            if tech.economy_reach <= 0.0 || knowledge.know(r, j) <= 0.0 || price <= 0.0 {
                continue;
            }
            // What the machine saves per unit of its price: the wage times
            // the work it does, its best-practice productivity in the
            // region, which inventors raise.
            let relative = region.wage[UNSKILLED] * knowledge.know(r, j) / price;
            if region.automation_reference[j] <= 0.0 {
                region.automation_reference[j] = relative;
            }
            let grown = (relative / region.automation_reference[j]).max(1.0);
            let share = tech.economy_reach * (1.0 - grown.powf(-behaviour.automation_elasticity));
            // Tasks are automated as the equipment that does them by hand
            // wears out and is replaced by machines: each quarter the share
            // of the gap that the sector's capital wears by.
            let gain = pace * (share - region.rest_automated[j]).max(0.0);
            region.rest_automated[j] += gain;
            spread += gain;
        }
        let automated = region.rest_alpha - behaviour.capital_elasticity;
        region.shift_tasks(spread - automated * per_quarter);
    }
}
