//! A firm's production plan and what it costs: the technology chosen for
//! each task, the labour and machines it needs per unit, and the set-up
//! costs still to pay. The technology phase chooses plans, production
//! re-costs the plan a firm runs, and reorganization costs an entrant's;
//! the formulas sit here, below the phases, so that no phase calls another.

use crate::model::costs::{
    factory_price, machine_price, materials_cost, method_cost, potential_sales, task_cost, Costing,
    TaskCost,
};
use crate::model::world::{Firms, Parameters, CLASSES, CRAFT_SHOP, VINTAGES};
use crate::scenario::TechKind;

/// A firm's production plan: one technology per task and what it needs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plan {
    pub choice: [u8; 16],
    pub req: [f64; CLASSES],
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

/// What running firm `f`'s lots and hands at output `q` needs per unit of
/// output, and the most its machines allow.
#[derive(Clone, Copy, Debug, Default)]
pub struct Operation {
    /// Labour per unit of output, by class.
    pub req: [f64; CLASSES],
    /// Labour and the user cost of the machines in use per unit, materials included.
    pub unit_cost: f64,
    /// The most output the machines allow on the tasks the firm cannot do
    /// by hand (infinite where it can do every task by hand).
    pub capacity: f64,
}

/// Whether firm `f` works task `t` by hand: where the method it buys for
/// the task is a hand method. A firm whose method is a machine makes no
/// more than its machines can: a mill whose machines fall short does not
/// hire hand weavers to fill its orders, and a shop equipped with a
/// special tool works with its tools, as many as it could pay for.
pub fn works_by_hand(params: &Parameters, firms: &Firms, f: usize, t: usize) -> bool {
    params.tech_kind[firms.choice[f * params.tasks() + t] as usize] == TechKind::Craft
}

/// One task's lots, costed and in merit order, with the method for what
/// they leave: hand work where the firm works by hand, else the firm's
/// method for new machines, costed but not yet bought.
#[derive(Clone, Copy, Debug)]
struct TaskLots {
    /// (lot index, cost per unit, units a quarter) of the lots in use, in
    /// order of operating cost; the first `n` entries hold lots.
    order: [(usize, TaskCost, f64); VINTAGES],
    n: usize,
    /// The method and cost of what the lots leave.
    rest: (usize, TaskCost),
    by_hand: bool,
    capacity: f64,
}

/// Firm `f`'s lots, costed once, which `run` can then work at any output:
/// production runs them twice a quarter (for what the firm can make, then
/// for what it makes), and costing is most of the work.
#[derive(Clone, Copy, Debug)]
pub struct FirmLots {
    tasks: [Option<TaskLots>; 16],
    firm: usize,
}

const NO_COST: TaskCost = TaskCost {
    labour: 0.0,
    capital: 0.0,
    operating: 0.0,
    unit_cost: 0.0,
};

/// Costs firm `f`'s lots on every task and puts them in merit order: the
/// cheapest to run first, and on a task the firm works by hand, no lot that
/// costs more to run than hand work.
pub fn firm_lots(c: &Costing, firms: &Firms, f: usize) -> FirmLots {
    let params = c.params;
    let r = firms.region[f] as usize;
    let machines = &firms.machines;
    let mut lots = FirmLots {
        tasks: [None; 16],
        firm: f,
    };
    for t in 0..params.tasks() {
        let mut order = [(0usize, NO_COST, 0.0f64); VINTAGES];
        let mut n = 0;
        let mut capacity = 0.0;
        for k in machines.lots(f, t) {
            if machines.capital[k] <= 0.0 {
                continue;
            }
            let j = machines.tech[k] as usize;
            let lot = method_cost(c, firms, Some(f), r, t, j, machines.productivity[k] as f64);
            let units = machines.capital[k] / lot.capital.max(1e-12);
            capacity += units;
            order[n] = (k, lot, units);
            n += 1;
        }
        order[..n].sort_unstable_by(|a, b| a.1.operating.total_cmp(&b.1.operating));
        let by_hand = works_by_hand(params, firms, f, t);
        let method = firms.choice[f * params.tasks() + t] as usize;
        let rest = task_cost(c, firms, Some(f), r, t, method);
        if by_hand {
            // A lot dearer to run than hand work stands idle.
            n = order[..n]
                .iter()
                .take_while(|lot| lot.1.operating < rest.operating)
                .count();
        }
        lots.tasks[t] = Some(TaskLots {
            order,
            n,
            rest: (method, rest),
            by_hand,
            capacity,
        });
    }
    lots
}

impl FirmLots {
    /// Runs the lots and hands at output `q` (per quarter). On each task
    /// the lots are used in merit order, each up to its capacity; what is
    /// left is done by hand where the firm works by hand, or else costed at
    /// the firm's method for new machines, which it has yet to buy (so that
    /// it hires for the plan it is building up to), while `capacity` says
    /// how much its machines can make. `record(lot, task, units)` hears each
    /// lot's use and, with `None`, each task's hand work.
    pub fn run(
        &self,
        c: &Costing,
        firms: &Firms,
        q: f64,
        mut record: impl FnMut(Option<usize>, usize, f64),
    ) -> Operation {
        let params = c.params;
        let f = self.firm;
        let q = q.max(1e-9);
        let mut op = Operation {
            capacity: f64::INFINITY,
            ..Operation::default()
        };
        let mut cost = 0.0;
        for (t, task) in self.tasks.iter().enumerate() {
            let Some(task) = task else { break };
            let mut left = q;
            for &(k, lot, units) in &task.order[..task.n] {
                if left <= 0.0 {
                    break;
                }
                let take = left.min(units);
                let j = firms.machines.tech[k] as usize;
                op.req[params.task_class(firms, Some(f), t, j)] += take * lot.labour;
                cost += take * lot.unit_cost;
                left -= take;
                record(Some(k), t, take);
            }
            if left > 0.0 {
                let (method, rest) = task.rest;
                op.req[params.task_class(firms, Some(f), t, method)] += left * rest.labour;
                cost += left * rest.unit_cost;
                if task.by_hand {
                    record(None, t, left);
                }
            }
            if !task.by_hand {
                op.capacity = op.capacity.min(task.capacity);
            }
        }
        for need in &mut op.req {
            *need /= q;
        }
        op.unit_cost = cost / q + materials_cost(c, firms.region[f] as usize);
        op
    }
}
