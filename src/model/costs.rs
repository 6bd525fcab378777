//! Cost formulas that the phases and observation both use: what a task
//! costs with a technology (labour, machines, Wright's law, returns to
//! scale, organization), and what it costs to deliver the good from one
//! region to another (transport, tariffs). They read the state and change
//! nothing; they sit below both so that observation never calls a phase.

use crate::model::world::{
    materials_per_unit, Builders, Economy, Firms, Government, Knowledge, Parameters, Politics,
    World,
};
use crate::scenario::TechKind;

/// What the cost formulas read: the parameters, the year, what each region
/// knows, and its economy, politics and government. A phase builds one
/// from the groups of its contract; observation from the world.
#[derive(Clone, Copy)]
pub struct Costing<'a> {
    pub params: &'a Parameters,
    pub year: f64,
    pub knowledge: &'a Knowledge,
    pub economy: &'a [Economy],
    pub politics: &'a [Politics],
    pub government: &'a [Government],
}

/// What delivering the good between regions reads: the routes, each
/// region's infrastructure and its tariffs.
#[derive(Clone, Copy)]
pub struct Delivery<'a> {
    pub params: &'a Parameters,
    pub politics: &'a [Politics],
    pub government: &'a [Government],
}

/// The cost of one task done with one technology by one firm.
#[derive(Clone, Copy, Debug)]
pub struct TaskCost {
    pub labour: f64,
    pub capital: f64,
    /// Labour cost per unit: what running the machines costs once they stand.
    pub operating: f64,
    /// Operating cost plus the user cost of the machines.
    pub unit_cost: f64,
}

/// Price of one unit of technology `j`'s machine capital delivered to
/// buyers in region `r` by the builder they order from, with its transport
/// and tariff, posted by the building phase.
pub fn machine_price(c: &Costing, r: usize, j: usize) -> f64 {
    c.economy[r].machine_price[j]
}

/// What building one unit of technology `j`'s machine capital costs region
/// `r`'s builder: its first cost (`first_building_cost`) times the
/// Wright's-law index (1 + experience)^(-learning_exponent), where
/// experience is the machine capital the builder has built, in units of
/// the technology's first fleet. Nothing holds the index up: the cost of a
/// machine falls as long as builders go on building.
pub fn building_cost(
    params: &Parameters,
    builders: &Builders,
    economy: &[Economy],
    r: usize,
    j: usize,
) -> f64 {
    let learning = params.scenario.technologies[j].learning_exponent;
    (1.0 + builders.experience(builders.of(r, j))).powf(-learning)
        * first_building_cost(builders, &economy[r], j)
}

/// What the first unit of technology `j`'s machine capital costs a builder
/// in a region whose rest of the economy is `economy`: machines, buildings
/// and engines are made of the rest of the economy's good, so where it
/// cheapens against labour machines do too (Allen's high-wage economy).
/// The scenarios count machine capital in money at its first price, so the
/// first cost is the share of that good's price that leaves the builder's
/// first price (its markup, and for a new technology the whole design
/// charge, on top) at the good's price (`Builders::first_cost`).
pub fn first_building_cost(builders: &Builders, economy: &Economy, j: usize) -> f64 {
    economy.rest_price * builders.first_cost[j]
}

/// What one unit of technology `j`'s machine capital costs a buyer in
/// region `r` in its decisions: the price, the tax on the general
/// technology, and the perceived risk that machine-breakers destroy it.
pub fn perceived_machine_price(c: &Costing, r: usize, j: usize) -> f64 {
    let politics = &c.politics[r];
    let mut price = machine_price(c, r, j) * (1.0 + politics.risk.min(5.0));
    if c.params.tech_kind[j] == TechKind::General {
        price *= 1.0 + politics.institutions.general_tech_tax;
    }
    price
}

/// What the materials of one unit cost a firm in region `r`: their
/// quantity at the region's price of the rest of the economy's good.
pub fn materials_cost(c: &Costing, r: usize) -> f64 {
    materials_per_unit(&c.params.scenario) * c.economy[r].rest_price
}

/// A factory's price for a unit whose cost, materials included, is
/// `unit_cost`: the markup on what it costs to turn the materials into the
/// good (labour and machines), and the materials passed on at cost. A
/// markup on the materials too would handicap factories against hand
/// workers, who pass them on at cost, by a fifth of the price of cotton.
pub fn factory_price(c: &Costing, r: usize, unit_cost: f64) -> f64 {
    let materials = materials_cost(c, r);
    (1.0 + c.params.scenario.industry.markup) * (unit_cost - materials).max(0.0) + materials
}

/// Productivity multiplier from the installed base (returns to scale),
/// at the region's experience with technology `j`.
pub fn scale_factor(params: &Parameters, knowledge: &Knowledge, r: usize, j: usize) -> f64 {
    gain_from(params, j, knowledge.experience[r * params.techs() + j])
}

/// The installed base's productivity multiplier at experience `e`.
pub fn gain_from(params: &Parameters, j: usize, e: f64) -> f64 {
    1.0 + params.scenario.technologies[j].scale_gain * (1.0 + e).ln()
}

/// Firm `f`'s experience with technology `j`: what it made itself, and
/// `learning_spillover` of what others made (the rest of its region's
/// experience), so that a firm that has made much keeps a lead over
/// those that take the method up after it (Irwin and Klenow 1994).
pub fn firm_experience(
    params: &Parameters,
    knowledge: &Knowledge,
    firms: &Firms,
    f: usize,
    j: usize,
) -> f64 {
    let r = firms.region[f] as usize;
    let regional = knowledge.experience[r * params.techs() + j];
    let own = firms.own_experience[f * params.techs() + j].min(regional);
    own + params.behaviour().learning_spillover * (regional - own)
}

/// Organization effect on general tasks: a dip while a firm reorganizes,
/// then the bonus of complementary organization (the productivity J-curve).
pub fn organization_factor(c: &Costing, firms: &Firms, f: usize) -> f64 {
    let at = firms.reorganized_at[f];
    if at.is_nan() {
        return 1.0;
    }
    let behaviour = c.params.behaviour();
    if c.year - at < behaviour.reorganization_dip_years {
        0.85
    } else {
        1.0 + behaviour.reorganization_bonus
    }
}

/// Quarterly user cost of one unit of machine capital.
pub fn user_cost(params: &Parameters) -> f64 {
    params.behaviour().capital_user_cost / params.steps_per_year()
}

/// Quarterly depreciation of technology `j`'s machines: its own rate where
/// the scenario gives one, else half the user cost.
pub fn depreciation(params: &Parameters, j: usize) -> f64 {
    match params.scenario.technologies[j].depreciation {
        Some(d) => d / params.steps_per_year(),
        None => 0.5 * user_cost(params),
    }
}

/// Quarterly user cost of technology `j`'s machines: the common user cost,
/// with the technology's own depreciation in place of the common half where
/// it has one (Jorgenson's user cost: interest plus depreciation).
pub fn machine_user_cost(params: &Parameters, j: usize) -> f64 {
    match params.scenario.technologies[j].depreciation {
        Some(_) => 0.5 * user_cost(params) + depreciation(params, j),
        None => user_cost(params),
    }
}

/// Machine capital firm `f` loses to wear this quarter: each lot at its
/// technology's own rate.
pub fn machine_wear(params: &Parameters, firms: &Firms, f: usize) -> f64 {
    let machines = &firms.machines;
    machines
        .firm_lots(f)
        .map(|k| machines.capital[k] * depreciation(params, machines.tech[k] as usize))
        .sum()
}

/// Cost of task `t` done by firm `f` (in region `r`) with new machines of
/// technology `j`, at the best practice the region knows.
/// `efficiency` 1.0 and `f = None` give the notional cost for a typical firm.
pub fn task_cost(
    c: &Costing,
    firms: &Firms,
    f: Option<usize>,
    r: usize,
    t: usize,
    j: usize,
) -> TaskCost {
    method_cost(c, firms, f, r, t, j, c.knowledge.know(r, j))
}

/// Cost of task `t` done by firm `f` with machines of technology `j` that
/// embody best-practice productivity `embodied` (a lot bought in an earlier
/// year has the productivity of that year). The firm's efficiency, its
/// organization, its pay terms and the returns to the installed base are
/// not embodied: they reach old machines as well as new. `capital` is the
/// machine capital per unit of quarterly output, so a lot of capital `K`
/// can make `K / capital` units a quarter.
pub fn method_cost(
    c: &Costing,
    firms: &Firms,
    f: Option<usize>,
    r: usize,
    t: usize,
    j: usize,
    embodied: f64,
) -> TaskCost {
    let params = c.params;
    let tech = &params.scenario.technologies[j];
    let kind = params.tech_kind[j];
    let mut a = embodied.max(1e-9);
    let mut pay = 1.0;
    if let Some(f) = f {
        a *= params.effort_factor(firms, f);
        pay = params.pay_factor(firms, f);
    }
    if let (Some(f), false) = (f, kind == TechKind::Craft) {
        // Firms differ in how well they run machines, not in hand work.
        a *= firms.efficiency[f * params.techs() + j] as f64;
        if kind == TechKind::General {
            a *= organization_factor(c, firms, f);
        }
    }
    if kind == TechKind::General {
        a *= match f {
            Some(f) => gain_from(params, j, firm_experience(params, c.knowledge, firms, f, j)),
            None => scale_factor(params, c.knowledge, r, j),
        };
    }
    let labour = params.task_labour[t] / a;
    let capital = tech.capital_per_worker * params.scenario.steps_per_year as f64 * labour;
    let economy = &c.economy[r];
    let price = perceived_machine_price(c, r, j);
    let operating = labour * economy.wage[params.task_class(firms, f, t, j)] * pay;
    TaskCost {
        labour,
        capital,
        operating,
        unit_cost: operating + capital * price * machine_user_cost(params, j),
    }
}

impl Delivery<'_> {
    /// Transport cost between two regions as a share of price, or `None`
    /// when no route joins them. Infrastructure at either end lowers it.
    /// A route from a region to itself is its internal transport (roads,
    /// canals, railways to domestic buyers); without one, home sales
    /// travel free.
    pub fn transport(&self, from: usize, to: usize) -> Option<f64> {
        let (network, nodes) = (&self.params.network, &self.params.nodes);
        match network.find_edge(nodes[from], nodes[to]) {
            Some(e) => {
                let infrastructure = if from == to {
                    self.government[from].infrastructure
                } else {
                    self.government[from].infrastructure + self.government[to].infrastructure
                };
                Some(network[e].transport_cost / (1.0 + infrastructure))
            }
            None if from == to => Some(0.0),
            None => None,
        }
    }

    /// Tariff paid on goods from region `from` sold in region `to`: the
    /// route's own rate where it has one, else the importer's general tariff.
    pub fn tariff(&self, from: usize, to: usize) -> f64 {
        if from == to {
            return 0.0;
        }
        let (network, nodes) = (&self.params.network, &self.params.nodes);
        network
            .find_edge(nodes[from], nodes[to])
            .and_then(|e| network[e].tariff)
            .unwrap_or(self.politics[to].institutions.tariff)
    }

    /// Delivered price of a good priced `price` at the factory in region
    /// `from` to buyers in region `to`, or `None` when no route joins them.
    pub fn delivered_price(&self, price: f64, from: usize, to: usize) -> Option<f64> {
        let duty = self.tariff(from, to);
        self.transport(from, to)
            .map(|tau| price * (1.0 + tau) * (1.0 + duty))
    }
}

impl<'a> Costing<'a> {
    /// The delivery costs these formulas see.
    pub fn delivery(&self) -> Delivery<'a> {
        Delivery {
            params: self.params,
            politics: self.politics,
            government: self.government,
        }
    }
}

/// A firm's weight in buyers' choice besides price: the sales it is set up
/// for (its network of agents and customers) to the power
/// `presence_elasticity`, with a floor so that a small firm can still win
/// customers. Below 1 the power keeps market shares from running away to a
/// monopoly on small price differences: in the long run a firm's share
/// settles at a power of its relative price, and every supplier keeps a
/// niche. At 1 it is the replicator dynamics of Dosi et al. (2010).
pub fn presence(params: &Parameters, firms: &Firms, f: usize) -> f64 {
    firms.expected[f]
        .max(0.05)
        .powf(params.behaviour().presence_elasticity)
}

/// What firm `f` could sell per quarter at factory price `price`, given last
/// quarter's markets and rivals: in every region it can reach, its share of
/// buyers' choice at that price times the quantity bought there.
pub fn potential_sales(c: &Costing, firms: &Firms, f: usize, price: f64) -> f64 {
    let beta = c.params.behaviour().price_sensitivity;
    let s = firms.region[f] as usize;
    let delivery = c.delivery();
    let weight_at = |p: f64| presence(c.params, firms, f) * p.powf(-beta);
    let mut total = 0.0;
    for (r, economy) in c.economy.iter().enumerate() {
        let (Some(now), Some(then)) = (
            delivery.delivered_price(firms.price[f], s, r),
            delivery.delivered_price(price, s, r),
        ) else {
            continue;
        };
        let others = (economy.supplier_weight - weight_at(now)).max(0.0);
        let mine = weight_at(then);
        total += economy.market_units * mine / (others + mine);
    }
    total
}

impl<'a> Costing<'a> {
    /// The cost formulas over the whole world, for observation.
    pub fn of(world: &'a World) -> Costing<'a> {
        Costing {
            params: &world.params,
            year: world.clock.year,
            knowledge: &world.knowledge,
            economy: &world.economy,
            politics: &world.politics,
            government: &world.government,
        }
    }
}
