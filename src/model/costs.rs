//! Cost formulas that the phases and observation both use: what a task
//! costs with a technology (labour, machines, Wright's law, returns to
//! scale, organization), and what it costs to deliver the good from one
//! region to another (transport, tariffs). They read the state and change
//! nothing; they sit below both so that observation never calls a phase.

use crate::model::world::World;
use crate::scenario::TechKind;

/// The cost of one task done with one technology by one firm.
#[derive(Clone, Copy, Debug)]
pub struct TaskCost {
    pub labour: f64,
    pub capital: f64,
    pub unit_cost: f64,
}

/// Machine price of technology `j` in region `r`: an index that is 1 at
/// first use and falls as (1 + experience)^(-learning_exponent), where
/// experience is the cumulative output made with it (Wright's law; see the
/// production phase), times the price of the rest of the economy's good,
/// of which machines, buildings and engines are made. Where that good
/// cheapens against labour, machines do too (Allen's high-wage economy).
pub fn machine_price(w: &World, r: usize, j: usize) -> f64 {
    let t = &w.scenario.technologies[j];
    let e = w.knowledge.experience[r * w.techs() + j];
    (1.0 + e)
        .powf(-t.learning_exponent)
        .max(MACHINE_PRICE_FLOOR)
        * w.regions[r].rest_price
}

/// Machines never get cheaper than this share of their first price: iron,
/// building and power cost something however much experience accumulates.
pub const MACHINE_PRICE_FLOOR: f64 = 0.1;

/// Materials per unit of the industry's good, in units of the rest of the
/// economy's good: the scenario's `materials_share` of the price of a
/// hand-made unit at the start where productivity is 1.0 (a unit is a
/// quarter of a skilled hand worker's labour, paid `CRAFT_PREMIUM`).
pub fn materials_per_unit(s: &crate::scenario::Scenario) -> f64 {
    let m = s.industry.materials_share;
    m / (1.0 - m) * crate::model::world::CRAFT_PREMIUM
}

/// What the materials of one unit cost a firm in region `r`: their
/// quantity at the region's price of the rest of the economy's good.
pub fn materials_cost(w: &World, r: usize) -> f64 {
    materials_per_unit(&w.scenario) * w.regions[r].rest_price
}

/// A factory's price for a unit whose cost, materials included, is
/// `unit_cost`: the markup on what it costs to turn the materials into the
/// good (labour and machines), and the materials passed on at cost. A
/// markup on the materials too would handicap factories against hand
/// workers, who pass them on at cost, by a fifth of the price of cotton.
pub fn factory_price(w: &World, r: usize, unit_cost: f64) -> f64 {
    let materials = materials_cost(w, r);
    (1.0 + w.scenario.industry.markup) * (unit_cost - materials).max(0.0) + materials
}

/// Productivity multiplier from the installed base (returns to scale).
pub fn scale_factor(w: &World, r: usize, j: usize) -> f64 {
    let t = &w.scenario.technologies[j];
    let e = w.knowledge.experience[r * w.techs() + j];
    1.0 + t.scale_gain * (1.0 + e).ln()
}

/// Organization effect on general tasks: a dip while a firm reorganizes,
/// then the bonus of complementary organization (the productivity J-curve).
pub fn organization_factor(w: &World, f: usize) -> f64 {
    let at = w.firms.reorganized_at[f];
    if at.is_nan() {
        return 1.0;
    }
    let b = &w.scenario.behaviour;
    if w.year - at < b.reorganization_dip_years {
        0.85
    } else {
        1.0 + b.reorganization_bonus
    }
}

/// Quarterly user cost of one unit of machine capital.
pub fn user_cost(w: &World) -> f64 {
    w.scenario.behaviour.capital_user_cost / w.scenario.steps_per_year as f64
}

/// Quarterly depreciation of technology `j`'s machines: its own rate where
/// the scenario gives one, else half the user cost.
pub fn depreciation(w: &World, j: usize) -> f64 {
    match w.scenario.technologies[j].depreciation {
        Some(d) => d / w.scenario.steps_per_year as f64,
        None => 0.5 * user_cost(w),
    }
}

/// Quarterly user cost of technology `j`'s machines: the common user cost,
/// with the technology's own depreciation in place of the common half where
/// it has one (Jorgenson's user cost: interest plus depreciation).
pub fn machine_user_cost(w: &World, j: usize) -> f64 {
    match w.scenario.technologies[j].depreciation {
        Some(_) => 0.5 * user_cost(w) + depreciation(w, j),
        None => user_cost(w),
    }
}

/// Quarterly depreciation of firm `f`'s machine capital: one stock serves
/// all its tasks, so the rate is that of each task's technology weighted by
/// the capital the task needs. Where no chosen technology has a rate of its
/// own this is exactly half the user cost.
pub fn firm_depreciation(w: &World, f: usize) -> f64 {
    let tasks = w.tasks();
    let choice = &w.firms.choice[f * tasks..(f + 1) * tasks];
    if choice
        .iter()
        .all(|&j| w.scenario.technologies[j as usize].depreciation.is_none())
    {
        return 0.5 * user_cost(w);
    }
    let r = w.firms.region[f] as usize;
    let (mut capital, mut worn) = (0.0, 0.0);
    for (t, &j) in choice.iter().enumerate() {
        let k = task_cost(w, Some(f), r, t, j as usize).capital;
        capital += k;
        worn += k * depreciation(w, j as usize);
    }
    if capital > 0.0 {
        worn / capital
    } else {
        0.5 * user_cost(w)
    }
}

/// Cost of task `t` done by firm `f` (in region `r`) with technology `j`.
/// `efficiency` 1.0 and `f = None` give the notional cost for a typical firm.
pub fn task_cost(w: &World, f: Option<usize>, r: usize, t: usize, j: usize) -> TaskCost {
    let tech = &w.scenario.technologies[j];
    let kind = w.tech_kind[j];
    let mut a = w.know(r, j).max(1e-9);
    let mut pay = 1.0;
    if let Some(f) = f {
        a *= w.effort_factor(f);
        pay = w.pay_factor(f);
    }
    if let (Some(f), false) = (f, kind == TechKind::Craft) {
        // Firms differ in how well they run machines, not in hand work.
        a *= w.firms.efficiency[f * w.techs() + j] as f64;
        if kind == TechKind::General {
            a *= organization_factor(w, f);
        }
    }
    if kind == TechKind::General {
        a *= scale_factor(w, r, j);
    }
    let labour = w.task_labour[t] / a;
    let capital = tech.capital_per_worker * w.scenario.steps_per_year as f64 * labour;
    let reg = &w.regions[r];
    let mut price = machine_price(w, r, j) * (1.0 + reg.risk.min(5.0));
    if kind == TechKind::General {
        price *= 1.0 + reg.institutions.general_tech_tax;
    }
    let unit_cost =
        labour * reg.wage[w.task_class(f, t, j)] * pay + capital * price * machine_user_cost(w, j);
    TaskCost {
        labour,
        capital,
        unit_cost,
    }
}

/// Transport cost between two regions as a share of price, or `None` when
/// no route joins them. Infrastructure at either end lowers it.
/// A route from a region to itself is its internal transport (roads,
/// canals, railways to domestic buyers); without one, home sales travel free.
pub fn transport(w: &World, from: usize, to: usize) -> Option<f64> {
    match w.network.find_edge(w.nodes[from], w.nodes[to]) {
        Some(e) => {
            let infrastructure = if from == to {
                w.regions[from].infrastructure
            } else {
                w.regions[from].infrastructure + w.regions[to].infrastructure
            };
            Some(w.network[e].transport_cost / (1.0 + infrastructure))
        }
        None if from == to => Some(0.0),
        None => None,
    }
}

/// Tariff paid on goods from region `from` sold in region `to`: the
/// route's own rate where it has one, else the importer's general tariff.
pub fn tariff(w: &World, from: usize, to: usize) -> f64 {
    if from == to {
        return 0.0;
    }
    w.network
        .find_edge(w.nodes[from], w.nodes[to])
        .and_then(|e| w.network[e].tariff)
        .unwrap_or(w.regions[to].institutions.tariff)
}

/// Delivered price of a good priced `price` at the factory in region `from`
/// to buyers in region `to`, or `None` when no route joins them.
pub fn delivered_price(w: &World, price: f64, from: usize, to: usize) -> Option<f64> {
    let duty = tariff(w, from, to);
    transport(w, from, to).map(|tau| price * (1.0 + tau) * (1.0 + duty))
}

/// A firm's weight in buyers' choice besides price: the sales it is set up
/// for (its network of agents and customers) to the power
/// `presence_elasticity`, with a floor so that a small firm can still win
/// customers. Below 1 the power keeps market shares from running away to a
/// monopoly on small price differences: in the long run a firm's share
/// settles at a power of its relative price, and every supplier keeps a
/// niche. At 1 it is the replicator dynamics of Dosi et al. (2010).
pub fn presence(w: &World, f: usize) -> f64 {
    w.firms.expected[f]
        .max(0.05)
        .powf(w.scenario.behaviour.presence_elasticity)
}

/// What firm `f` could sell per quarter at factory price `price`, given last
/// quarter's markets and rivals: in every region it can reach, its share of
/// buyers' choice at that price times the quantity bought there.
pub fn potential_sales(w: &World, f: usize, price: f64) -> f64 {
    let beta = w.scenario.behaviour.price_sensitivity;
    let s = w.firms.region[f] as usize;
    let weight_at = |p: f64| presence(w, f) * p.powf(-beta);
    let mut total = 0.0;
    for r in 0..w.regions.len() {
        let (Some(now), Some(then)) = (
            delivered_price(w, w.firms.price[f], s, r),
            delivered_price(w, price, s, r),
        ) else {
            continue;
        };
        let reg = &w.regions[r];
        let others = (reg.supplier_weight - weight_at(now)).max(0.0);
        let mine = weight_at(then);
        total += reg.market_units * mine / (others + mine);
    }
    total
}
