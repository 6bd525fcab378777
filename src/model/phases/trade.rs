//! Trade in the industry's good.
//!
//! Reads: firms' prices and inventories, routes (transport cost, infrastructure), tariffs, merchants' cash.
//! Writes: firms' sales, revenue, inventory and expected sales; merchants' cash;
//! transport income of the exporter's rest of the economy; tariff revenue; regions' price index; the ledger.
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

use crate::model::ledger::{Flow, Sector};
use crate::model::world::{refill, World};
use rayon::prelude::*;

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

/// A firm's weight in buyers' choice besides price: the square root of the
/// sales it is set up for (its network of agents and customers grows less
/// than in proportion), with a floor so that a small firm can still win
/// customers. The square root keeps market shares from running away to a
/// monopoly on small price differences: in the long run a firm's share
/// settles at a power of its relative price.
pub fn presence(w: &World, f: usize) -> f64 {
    w.firms.expected[f].max(0.05).sqrt()
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

pub fn trade(w: &mut World) {
    let nr = w.regions.len();
    let nf = w.firms.len();
    let beta = w.scenario.behaviour.price_sensitivity;
    let speed = w.scenario.behaviour.expectation_speed;
    let mut buf = std::mem::take(&mut w.scratch.trade);
    let Buffers {
        demand,
        index,
        quantity,
        weight_sum,
        spent,
        routes,
        weights,
    } = &mut buf;
    // demand[f] accumulates what all regions ask of firm f.
    refill(demand, nf, 0.0);
    refill(index, nr, 0.0);
    refill(quantity, nr, 0.0);
    refill(weight_sum, nr, 0.0);
    // routes[s * nr + r]: transport cost from region s to region r (if a
    // route joins them) and the duty region r levies on goods from s.
    routes.clear();
    routes.extend((0..nr * nr).map(|k| (transport(w, k / nr, k % nr), tariff(w, k / nr, k % nr))));
    let routes = &*routes;
    let cost = |s: usize, r: usize| routes[s * nr + r].0;
    let tariff_of = |r: usize, s: usize| routes[s * nr + r].1;
    let delivered =
        |price: f64, s: usize, r: usize, tau: f64| price * (1.0 + tau) * (1.0 + tariff_of(r, s));

    // A firm's weight in a market it reaches is its presence times a power
    // of its delivered price. The power is the phase's costly part and
    // depends on the firm alone, so it is computed for every firm and market
    // in parallel first; the sums then run in firm order as before.
    weights.resize(nf * nr, 0.0);
    {
        let w = &*w;
        weights.par_chunks_mut(nr).enumerate().for_each(|(f, row)| {
            let s = w.firms.region[f] as usize;
            for (r, weight) in row.iter_mut().enumerate() {
                *weight = match (cost(s, r), w.firms.alive[f]) {
                    (Some(tau), true) => {
                        let d = delivered(w.firms.price[f], s, r, tau);
                        d.powf(-beta)
                    }
                    _ => 0.0,
                };
            }
        });
    }
    for r in 0..nr {
        let (mut ws, mut wp) = (0.0, 0.0);
        for f in 0..nf {
            let s = w.firms.region[f] as usize;
            let (Some(tau), true) = (cost(s, r), w.firms.alive[f]) else {
                continue;
            };
            let d = delivered(w.firms.price[f], s, r, tau);
            let weight = presence(w, f) * weights[f * nr + r];
            ws += weight;
            wp += weight * d;
        }
        weight_sum[r] = ws;
        if ws > 0.0 {
            index[r] = wp / ws;
            quantity[r] = w.regions[r].merchants_cash.max(0.0) / index[r];
        }
    }
    for f in 0..nf {
        if !w.firms.alive[f] {
            continue;
        }
        let s = w.firms.region[f] as usize;
        for r in 0..nr {
            if let (Some(_), true) = (cost(s, r), weight_sum[r] > 0.0) {
                demand[f] += quantity[r] * presence(w, f) * weights[f * nr + r] / weight_sum[r];
            }
        }
    }
    // Sales, payments and expectations.
    refill(spent, nr, 0.0);
    w.trade_matrix.iter_mut().for_each(|x| *x = 0.0);
    for f in 0..nf {
        w.firms.sales[f] = 0.0;
        w.firms.revenue[f] = 0.0;
        if !w.firms.alive[f] {
            continue;
        }
        let s = w.firms.region[f] as usize;
        let fill = if demand[f] > 0.0 {
            (w.firms.inventory[f] / demand[f]).min(1.0)
        } else {
            0.0
        };
        if w.firms.inventory[f] > 0.0 {
            for r in 0..nr {
                let (Some(tau), true) = (cost(s, r), weight_sum[r] > 0.0) else {
                    continue;
                };
                let q = quantity[r] * presence(w, f) * weights[f * nr + r] / weight_sum[r] * fill;
                if q <= 0.0 {
                    continue;
                }
                let at_factory = q * w.firms.price[f];
                let freight = at_factory * tau;
                let duty = (at_factory + freight) * tariff_of(r, s);
                w.firms.sales[f] += q;
                w.firms.revenue[f] += at_factory;
                w.flows[s].industry_revenue += at_factory;
                w.trade_matrix[s * nr + r] += at_factory;
                spent[r] += at_factory + freight + duty;
                w.ledger.paid(Flow::Sales, Sector::Merchants, at_factory);
                w.regions[s].rest_cash += freight;
                w.regions[s].rest_sales += freight;
                w.regions[r].government += duty;
                w.flows[r].government_revenue += duty;
                w.ledger
                    .pay(Flow::Transport, Sector::Merchants, Sector::Rest, freight);
                w.ledger
                    .pay(Flow::Tariffs, Sector::Merchants, Sector::Government, duty);
                if r != s {
                    w.flows[s].exports += at_factory;
                    w.flows[r].imports += at_factory + freight;
                }
            }
        }
        w.firms.inventory[f] -= w.firms.sales[f];
        if w.firms.inventory[f] < 1e-12 {
            w.firms.inventory[f] = 0.0;
        }
        w.firms.cash[f] += w.firms.revenue[f];
        w.ledger
            .received(Flow::Sales, Sector::Firms, w.firms.revenue[f]);
        // Adaptive expectations on what buyers asked for, not on what the
        // firm could deliver, so that a firm short of capacity plans to grow.
        let asked = demand[f];
        w.firms.expected[f] += speed * (asked - w.firms.expected[f]);
    }
    for r in 0..nr {
        w.regions[r].market_units = quantity[r];
        w.regions[r].supplier_weight = weight_sum[r];
        w.regions[r].merchants_cash -= spent[r];
        if index[r] > 0.0 {
            w.regions[r].price_index = index[r];
        }
    }
    w.scratch.trade = buf;
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
}
