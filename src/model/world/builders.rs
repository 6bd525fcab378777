//! The machine builders: the capital-goods sector of each region, one
//! builder for each technology that has machines (as the machine-tool
//! firms of Dosi, Fagiolo and Roventini 2010). A builder makes machines to
//! order, at a unit cost that falls with the machines it has built
//! (Wright's law) and a price that also carries its design cost, spread
//! over what it expects to sell. A region's firms buy from one builder, at
//! home or abroad, and move to another only when it is cheaper by more than
//! the switch threshold (see the building phase).

use super::{Economy, Flows, Government, Parameters};
use crate::model::ledger::{Flow, Ledger, Sector};
use crate::scenario::TechKind;

/// The builders, flat `[region * techs + technology]`.
#[derive(Clone, Default)]
pub struct Builders {
    /// Technologies per region: the stride of the flat arrays.
    pub techs: usize,
    /// Machine capital built so far, in the units the scenario's
    /// `capital_per_worker` counts: the builder's experience.
    pub built: Vec<f64>,
    /// One unit of that experience, for each technology: its first fleet,
    /// the machine capital that equips every initial industry worker of
    /// its origin region and, for a general technology, the part of the
    /// origin's rest of the economy it can reach (`economy_reach` x that
    /// sector's capital at the start). The unit is one for all builders, so that
    /// experience counts machines built, wherever: a builder in a small
    /// region learns no faster per machine than one in a large region.
    pub unit: Vec<f64>,
    /// What the first unit of each technology's machine capital costs to
    /// build, as a share of the price of the rest of the economy's good
    /// (see `costs::first_building_cost`).
    pub first_cost: Vec<f64>,
    /// Whether the builder has paid its design cost: at its first order,
    /// or before the run for a technology already in use when it starts.
    pub designed: Vec<bool>,
    /// Design cost not yet recovered from sales.
    pub design_left: Vec<f64>,
    /// Machine capital the builder expects to sell a quarter: its orders,
    /// smoothed as firms smooth their expected sales.
    pub expected: Vec<f64>,
    /// Machine capital ordered last quarter, and set-ups (engines, gear and
    /// systems that a firm needs once, before its first machines), in the
    /// same units: set-ups are built like machines but add nothing to the
    /// experience of building them.
    pub ordered: Vec<f64>,
    pub set_ups: Vec<f64>,
    /// Price at the works of one unit of machine capital, posted at the
    /// start of each quarter for its orders, and the design charge in it.
    pub price: Vec<f64>,
    pub charge: Vec<f64>,
    /// The builder's money: the receipts of last quarter's orders, out of
    /// which the building phase pays their cost and its profit.
    pub cash: Vec<f64>,
}

impl Builders {
    /// Builders with nothing built, for `regions` regions and `techs`
    /// technologies, allocated once at their exact size.
    pub fn new(regions: usize, techs: usize) -> Builders {
        let n = regions * techs;
        Builders {
            techs,
            built: vec![0.0; n],
            unit: vec![0.0; techs],
            first_cost: vec![1.0; techs],
            designed: vec![false; n],
            design_left: vec![0.0; n],
            expected: vec![0.0; n],
            ordered: vec![0.0; n],
            set_ups: vec![0.0; n],
            price: vec![0.0; n],
            charge: vec![0.0; n],
            cash: vec![0.0; n],
        }
    }

    /// The index of region `r`'s builder of technology `j`.
    pub fn of(&self, r: usize, j: usize) -> usize {
        r * self.techs + j
    }

    /// Experience of builder `b` in units of its technology's first fleet.
    pub fn experience(&self, b: usize) -> f64 {
        self.built[b] / self.unit[b % self.techs]
    }
}

/// The market for machines as a buyer meets it: the builders, where the
/// money goes (the builder, the rest of the carrier's region, the buyer's
/// government) and the books. Firms (the technology phase) and the rest of
/// the economy (the incomes phase) order through it.
pub struct MachineMarket<'a> {
    pub params: &'a Parameters,
    pub builders: &'a mut Builders,
    pub economy: &'a mut [Economy],
    pub government: &'a mut [Government],
    pub flows: &'a mut Flows,
    pub ledger: &'a mut Ledger,
}

impl MachineMarket<'_> {
    /// A buyer of sector `payer` in region `r` orders `machines` and
    /// `set_ups` units of technology `j`'s machine capital at the offer its
    /// region was posted: the price at the works goes to the builder, the
    /// freight from abroad to the rest of the builder's region, which
    /// carries the machines, and the tariff to the buyer's government. The
    /// builder books the order, to build it next quarter. Sales of general
    /// machines (set-ups apart) are also counted in units, so falling
    /// prices show as more machines sold, as unit sales of PCs do. Returns
    /// what the buyer pays, delivered.
    pub fn order(&mut self, payer: Sector, r: usize, j: usize, machines: f64, set_ups: f64) -> f64 {
        let units = machines + set_ups;
        if units <= 0.0 {
            return 0.0;
        }
        if self.params.tech_kind[j] == TechKind::General {
            self.flows[r].general_capital_sales += machines;
        }
        let economy = &self.economy[r];
        let from = economy.machine_source[j] as usize;
        let b = self.builders.of(from, j);
        let at_works = units * self.builders.price[b];
        let freight = units * economy.machine_freight[j];
        let delivered = units * economy.machine_price[j];
        let duty = delivered - at_works - freight;
        self.builders.ordered[b] += machines;
        self.builders.set_ups[b] += set_ups;
        self.builders.cash[b] += at_works;
        self.ledger
            .pay(Flow::Machines, payer, Sector::Builders, at_works);
        self.economy[from].rest_cash += freight;
        self.economy[from].rest_sales += freight;
        self.ledger
            .pay(Flow::Transport, payer, Sector::Rest, freight);
        self.government[r].cash += duty;
        self.flows[r].government_revenue += duty;
        self.ledger
            .pay(Flow::Tariffs, payer, Sector::Government, duty);
        delivered
    }
}
