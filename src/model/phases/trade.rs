//! Trade in the industry's good.
//!
//! Its contract is `contracts::Trade`; `buf` is working memory only (demand and presence per firm, price index, quantity and suppliers' weights per region, transport and tariffs per pair of regions, delivered-price weights), refilled each step.
//!
//! Merchants in each region spend what households gave them for the good.
//! They buy from the firms of their own region and of regions joined by a
//! direct trade route. A supplier's share of a market rises with its
//! established presence (the sales it expects, its network of agents and
//! customers) and falls with its delivered price (price plus transport plus
//! tariff) with a logit in log price, so cheaper firms gain share quarter
//! by quarter, as in the replicator dynamics of Dosi et al. (2010). A
//! supplier asked for more than it holds sells what it has; the unspent
//! money stays with the merchants for the next quarter.
//!
//! The phase's steps: the table of routes (`route_table`); each firm's
//! weight in each market (`market_weights`); each market's price index and
//! what it asks of each firm (`market_demand`); sales, payments and
//! expectations (`sell`); and each market's close (`close_markets`).

use crate::model::contracts::Trade;
use crate::model::costs::{presence, Delivery};
use crate::model::ledger::{Flow, Sector};
use crate::model::world::refill;
use rayon::prelude::*;

pub fn trade(mut view: Trade<'_>, buf: &mut Buffers) {
    route_table(&view, buf);
    market_weights(&view, buf);
    market_demand(&view, buf);
    sell(&mut view, buf);
    close_markets(&mut view, buf);
}

/// The routes between regions, as a table read by every step.
struct Routes<'a> {
    /// `[from * regions + to]`: the transport cost, if a route joins the
    /// two regions, and the duty `to` levies on goods from `from`.
    table: &'a [(Option<f64>, f64)],
    region_count: usize,
}

impl Routes<'_> {
    /// Transport cost from region `s` to region `r`, if a route joins them.
    fn cost(&self, s: usize, r: usize) -> Option<f64> {
        self.table[s * self.region_count + r].0
    }

    /// The duty region `r` levies on goods from region `s`.
    fn tariff(&self, s: usize, r: usize) -> f64 {
        self.table[s * self.region_count + r].1
    }

    /// A factory price in region `s` delivered to region `r` by a route of
    /// transport cost `tau`, duty paid.
    fn delivered(&self, price: f64, s: usize, r: usize, tau: f64) -> f64 {
        price * (1.0 + tau) * (1.0 + self.tariff(s, r))
    }
}

/// The table of transport costs and tariffs between every pair of regions.
fn route_table(view: &Trade, buf: &mut Buffers) {
    let region_count = view.params.region_count();
    let delivery = Delivery {
        params: view.params,
        politics: view.politics,
        government: view.government,
    };
    buf.routes.clear();
    buf.routes.extend((0..region_count * region_count).map(|k| {
        let (s, r) = (k / region_count, k % region_count);
        (delivery.transport(s, r), delivery.tariff(s, r))
    }));
}

/// A firm's weight in a market it reaches is its presence times a power
/// of its delivered price. The powers are the phase's costly part and
/// depend on the firm alone, so they are computed for every firm (and
/// market) in parallel; the sums then run in firm order (`market_demand`).
fn market_weights(view: &Trade, buf: &mut Buffers) {
    let (region_count, firm_count) = (view.params.region_count(), view.firms.len());
    let price_sensitivity = view.params.behaviour().price_sensitivity;
    let Buffers {
        routes,
        weights,
        present,
        ..
    } = buf;
    let routes = Routes {
        table: routes,
        region_count,
    };
    present.resize(firm_count, 0.0);
    present
        .par_iter_mut()
        .enumerate()
        .for_each(|(f, p)| *p = presence(view.params, view.firms, f));
    weights.resize(firm_count * region_count, 0.0);
    weights
        .par_chunks_mut(region_count)
        .enumerate()
        .for_each(|(f, row)| {
            let s = view.firms.region[f] as usize;
            for (r, weight) in row.iter_mut().enumerate() {
                *weight = match (routes.cost(s, r), view.firms.alive[f]) {
                    (Some(tau), true) => {
                        let d = routes.delivered(view.firms.price[f], s, r, tau);
                        d.powf(-price_sensitivity)
                    }
                    _ => 0.0,
                };
            }
        });
}

/// Each region's price index and the quantity its merchants buy, and what
/// all regions ask of each firm, in proportion to its weight.
fn market_demand(view: &Trade, buf: &mut Buffers) {
    let (region_count, firm_count) = (view.params.region_count(), view.firms.len());
    let Buffers {
        demand,
        index,
        quantity,
        weight_sum,
        routes,
        weights,
        present,
        ..
    } = buf;
    let routes = Routes {
        table: routes,
        region_count,
    };
    refill(demand, firm_count, 0.0);
    refill(index, region_count, 0.0);
    refill(quantity, region_count, 0.0);
    refill(weight_sum, region_count, 0.0);
    for r in 0..region_count {
        let (mut sum, mut weighted_price) = (0.0, 0.0);
        for f in 0..firm_count {
            let s = view.firms.region[f] as usize;
            let (Some(tau), true) = (routes.cost(s, r), view.firms.alive[f]) else {
                continue;
            };
            let d = routes.delivered(view.firms.price[f], s, r, tau);
            let weight = present[f] * weights[f * region_count + r];
            sum += weight;
            weighted_price += weight * d;
        }
        weight_sum[r] = sum;
        if sum > 0.0 {
            index[r] = weighted_price / sum;
            quantity[r] = view.economy[r].merchants_cash.max(0.0) / index[r];
        }
    }
    for f in 0..firm_count {
        if !view.firms.alive[f] {
            continue;
        }
        let s = view.firms.region[f] as usize;
        for r in 0..region_count {
            if let (Some(_), true) = (routes.cost(s, r), weight_sum[r] > 0.0) {
                demand[f] +=
                    quantity[r] * present[f] * weights[f * region_count + r] / weight_sum[r];
            }
        }
    }
}

/// Sales, payments and expectations: each firm sells from its inventory
/// what each market asks of it (all of it, or a share if short), paying
/// freight to the rest of the economy and duty to the buyer's government;
/// and moves its expected sales toward what buyers asked for.
fn sell(view: &mut Trade, buf: &mut Buffers) {
    let region_count = view.params.region_count();
    let speed = view.params.behaviour().expectation_speed;
    let Buffers {
        demand,
        quantity,
        weight_sum,
        spent,
        routes,
        weights,
        present,
        ..
    } = buf;
    let routes = Routes {
        table: routes,
        region_count,
    };
    refill(spent, region_count, 0.0);
    view.flows.trade.iter_mut().for_each(|x| *x = 0.0);
    for f in 0..view.firms.len() {
        view.firms.sales[f] = 0.0;
        view.firms.revenue[f] = 0.0;
        if !view.firms.alive[f] {
            continue;
        }
        let s = view.firms.region[f] as usize;
        let fill = if demand[f] > 0.0 {
            (view.firms.inventory[f] / demand[f]).min(1.0)
        } else {
            0.0
        };
        if view.firms.inventory[f] > 0.0 {
            for r in 0..region_count {
                let (Some(tau), true) = (routes.cost(s, r), weight_sum[r] > 0.0) else {
                    continue;
                };
                let q =
                    quantity[r] * present[f] * weights[f * region_count + r] / weight_sum[r] * fill;
                if q <= 0.0 {
                    continue;
                }
                let at_factory = q * view.firms.price[f];
                let freight = at_factory * tau;
                let duty = (at_factory + freight) * routes.tariff(s, r);
                view.firms.sales[f] += q;
                view.firms.revenue[f] += at_factory;
                view.flows[s].industry_revenue += at_factory;
                view.flows.trade[s * region_count + r] += at_factory;
                spent[r] += at_factory + freight + duty;
                view.ledger.paid(Flow::Sales, Sector::Merchants, at_factory);
                view.economy[s].rest_cash += freight;
                view.economy[s].rest_sales += freight;
                view.government[r].cash += duty;
                view.flows[r].government_revenue += duty;
                view.ledger
                    .pay(Flow::Transport, Sector::Merchants, Sector::Rest, freight);
                view.ledger
                    .pay(Flow::Tariffs, Sector::Merchants, Sector::Government, duty);
                if r != s {
                    view.flows[s].exports += at_factory;
                    view.flows[r].imports += at_factory + freight;
                }
            }
        }
        view.firms.inventory[f] -= view.firms.sales[f];
        if view.firms.inventory[f] < 1e-12 {
            view.firms.inventory[f] = 0.0;
        }
        view.firms.cash[f] += view.firms.revenue[f];
        view.ledger
            .received(Flow::Sales, Sector::Firms, view.firms.revenue[f]);
        // Adaptive expectations on what buyers asked for, not on what the
        // firm could deliver, so that a firm short of capacity plans to grow.
        let asked = demand[f];
        view.firms.expected[f] += speed * (asked - view.firms.expected[f]);
    }
}

/// Each region's market: the units bought, the suppliers' weight, the
/// merchants' spending and the price index.
fn close_markets(view: &mut Trade, buf: &Buffers) {
    for r in 0..view.params.region_count() {
        let region = &mut view.economy[r];
        region.market_units = buf.quantity[r];
        region.supplier_weight = buf.weight_sum[r];
        region.merchants_cash -= buf.spent[r];
        if buf.index[r] > 0.0 {
            region.price_index = buf.index[r];
        }
    }
}

/// The trade phase's working space, kept between steps.
#[derive(Clone, Default)]
pub struct Buffers {
    /// Per firm: what all regions ask of it.
    demand: Vec<f64>,
    /// Per region: price index, quantity bought, sum of suppliers' weights,
    /// merchants' spending.
    index: Vec<f64>,
    quantity: Vec<f64>,
    weight_sum: Vec<f64>,
    spent: Vec<f64>,
    /// Per pair of regions (`from * regions + to`): transport cost, if a
    /// route joins them, and tariff.
    routes: Vec<(Option<f64>, f64)>,
    /// Each firm's delivered price to the power of minus the price
    /// sensitivity, per region, `[firm * regions + region]`.
    weights: Vec<f64>,
    /// Per firm: its presence in buyers' choice (`costs::presence`).
    present: Vec<f64>,
}
