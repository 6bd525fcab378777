//! Building: at the start of each quarter, before firms invest, the
//! machine builders of each region build what firms ordered and paid for
//! the quarter before, learn from it, and post this quarter's prices and
//! offers, so firms buy at prices that this quarter's policies (a tariff,
//! an embargo) already shape. In order:
//!
//! 1. **Build** (`build`). A builder's first order brings its design cost,
//!    a share (`design_cost`) of what a first fleet costs to build, paid
//!    to the rest of the economy's engineers and pattern-makers. Each unit
//!    ordered, machine or set-up, costs its Wright's-law unit cost
//!    (`costs::building_cost`) in the rest of the economy's good and
//!    labour; each machine adds to the builder's experience. The design
//!    charge in the price pays the design cost back; what is left over is
//!    profit, paid to the region's owners (a loss is made good by them),
//!    so a builder holds no money from one order's building to the next
//!    quarter's receipts.
//! 2. **Price** (`offer`, with `design_charge`). The builder asks its
//!    markup (`builder_markup`) on its unit cost, plus a design charge:
//!    the design cost not yet paid back, spread over the machines it
//!    expects to sell within
//!    `payback_years` (never fewer than a first fleet), so a builder whose
//!    sales grow cuts its price (Dosi, Fagiolo and Roventini 2010 price at
//!    a markup on unit cost; the design cost spread over sales is the scale
//!    economy of a machine whose design is paid once).
//! 3. **Offer** (`offer`). Buyers in each region are offered each
//!    technology's machines by their own builder, at its price, and by
//!    each foreign builder that knows the technology, with transport and
//!    the buyer's tariff, as the good pays them. They order from the
//!    builder they bought from before until another's offer is cheaper by
//!    more than `switch_threshold` (a new supplier means new drawings,
//!    spares and fitters), then from the cheapest. A region under an export
//!    embargo sells no machines to the regions it holds toward (all, or the
//!    one a dated policy names); its knowledge still leaks (the diffusion
//!    phase), so they build the machines themselves.

use crate::model::contracts::Building;
use crate::model::costs::{building_cost, first_building_cost, Delivery};
use crate::model::ledger::{Flow, Ledger, Sector};
use crate::model::world::{Builders, Economy, Government, Knowledge, Parameters, Politics};

pub fn building(view: Building) {
    let regions = view.params.region_count();
    for r in 0..regions {
        for j in 0..view.params.techs() {
            build(
                &mut *view.builders,
                view.economy,
                view.ledger,
                view.params,
                r,
                j,
            );
        }
    }
    offer(
        view.params,
        view.knowledge,
        view.politics,
        view.government,
        view.builders,
        view.economy,
    );
}

/// Region `r`'s builder of technology `j` builds last quarter's orders,
/// pays for them and passes its profit or loss to the region's owners.
fn build(
    builders: &mut Builders,
    economy: &mut [Economy],
    ledger: &mut Ledger,
    params: &Parameters,
    r: usize,
    j: usize,
) {
    let behaviour = params.behaviour();
    let b = builders.of(r, j);
    let (machines, set_ups) = (builders.ordered[b], builders.set_ups[b]);
    builders.expected[b] += behaviour.expectation_speed * (machines - builders.expected[b]);
    let units = machines + set_ups;
    if units <= 0.0 {
        return;
    }
    let mut inputs = building_cost(params, builders, economy, r, j) * units;
    if !builders.designed[b] {
        builders.designed[b] = true;
        let design = behaviour.design_cost
            * builders.unit[j]
            * first_building_cost(builders, &economy[r], j);
        builders.design_left[b] = design;
        inputs += design;
    }
    builders.design_left[b] = (builders.design_left[b] - builders.charge[b] * units).max(0.0);
    builders.built[b] += machines;
    let region = &mut economy[r];
    builders.cash[b] -= inputs;
    region.rest_cash += inputs;
    region.rest_sales += inputs;
    ledger.pay(Flow::MachineInputs, Sector::Builders, Sector::Rest, inputs);
    let profit = builders.cash[b];
    region.owners_wealth += profit;
    region.builder_profit += profit;
    if profit >= 0.0 {
        ledger.pay(Flow::Dividends, Sector::Builders, Sector::Owners, profit);
    } else {
        ledger.pay(Flow::Equity, Sector::Owners, Sector::Builders, -profit);
    }
    builders.cash[b] = 0.0;
    builders.ordered[b] = 0.0;
    builders.set_ups[b] = 0.0;
}

/// The design charge in builder `b`'s price for one unit of machine
/// capital: the design cost not yet paid back over the sales it expects
/// within the payback period, never counting on fewer than a first fleet.
/// Before its first order the whole design cost is still to come.
fn design_charge(
    params: &Parameters,
    builders: &Builders,
    economy: &Economy,
    j: usize,
    b: usize,
) -> f64 {
    let behaviour = params.behaviour();
    let fleet = builders.unit[j];
    let left = if builders.designed[b] {
        builders.design_left[b]
    } else {
        behaviour.design_cost * fleet * first_building_cost(builders, economy, j)
    };
    let quarters = behaviour.payback_years * params.steps_per_year();
    left / (quarters * builders.expected[b]).max(fleet)
}

/// Every builder's price at the works for the next quarter, and the
/// builder each region's buyers order each technology from, with its
/// delivered price.
pub fn offer(
    params: &Parameters,
    knowledge: &Knowledge,
    politics: &[Politics],
    government: &[Government],
    builders: &mut Builders,
    economy: &mut [Economy],
) {
    let markup = params.behaviour().builder_markup;
    let (regions, techs) = (params.region_count(), params.techs());
    for r in 0..regions {
        for j in 0..techs {
            let b = builders.of(r, j);
            builders.charge[b] = design_charge(params, builders, &economy[r], j, b);
            builders.price[b] = (1.0 + markup) * building_cost(params, builders, economy, r, j)
                + builders.charge[b];
        }
    }
    let delivery = Delivery {
        params,
        politics,
        government,
    };
    let threshold = params.behaviour().switch_threshold;
    for to in 0..regions {
        let economy = &mut economy[to];
        for j in 0..techs {
            // A region's own builder always offers, and delivers at home at
            // its price (a technology the region does not know is one its
            // firms cannot choose); a foreign builder offers where it knows
            // the technology, no embargo holds its machines at home, and a
            // route joins the two.
            let offer = |from: usize| {
                let price = builders.price[builders.of(from, j)];
                if from == to {
                    return Some(price);
                }
                let sells = knowledge.know(from, j) > 0.0 && !politics[from].embargoes(to);
                sells
                    .then(|| delivery.delivered_price(price, from, to))
                    .flatten()
            };
            let mut best = (f64::INFINITY, to);
            for from in 0..regions {
                if let Some(price) = offer(from).filter(|&p| p < best.0) {
                    best = (price, from);
                }
            }
            // Buyers stay with their builder until another's offer saves
            // more than `switch_threshold`, as firms keep a method: a new
            // supplier means new drawings, spares and fitters.
            let current = economy.machine_source[j] as usize;
            let source = match offer(current) {
                Some(price) if best.0 >= price * (1.0 - threshold) => (price, current),
                _ => best,
            };
            let (price, from) = source;
            let at_works = builders.price[builders.of(from, j)];
            economy.machine_price[j] = price;
            economy.machine_freight[j] = if from == to {
                0.0
            } else {
                at_works * delivery.transport(from, to).unwrap_or(0.0)
            };
            economy.machine_source[j] = from as u16;
        }
    }
}
