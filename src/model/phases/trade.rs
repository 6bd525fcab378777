//! Trade in the industry's good.
//!
//! Reads:
//! - firms: `firms.alive`, `firms.region`, `firms.price`, `firms.expected`
//!   (presence, through `costs::presence`), `firms.inventory`.
//! - regions: `regions[r].merchants_cash`, `regions[r].infrastructure` and
//!   `regions[r].institutions.tariff` (through `costs::transport` and
//!   `costs::tariff`).
//! - routes: each route's `transport_cost` and `tariff`.
//! - scenario: `scenario.behaviour` (`price_sensitivity`,
//!   `presence_elasticity`, `expectation_speed`).
//!
//! Writes:
//! - firms: `firms.sales`, `firms.revenue`, `firms.inventory`, `firms.cash`
//!   (revenue received), `firms.expected`.
//! - regions: `regions[r].merchants_cash`, `regions[r].rest_cash` and
//!   `regions[r].rest_sales` (the exporter's transport income),
//!   `regions[r].government` (the importer's tariff revenue),
//!   `regions[r].price_index`, `regions[r].market_units`,
//!   `regions[r].supplier_weight`.
//! - flows: `flows[r].industry_revenue`, `flows[r].exports`,
//!   `flows[r].imports`, `flows[r].government_revenue`.
//! - `trade_matrix` (cleared, then this step's sales by pair of regions).
//! - ledger: `Flow::Sales` (merchants pay, firms receive),
//!   `Flow::Transport` (merchants to the rest of the economy),
//!   `Flow::Tariffs` (merchants to the government).
//! - `buf`: working memory only (demand and presence per firm, price index,
//!   quantity and suppliers' weights per region, transport and tariffs per
//!   pair of regions, delivered-price weights), refilled each step.
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

use crate::model::costs::{presence, tariff, transport};
use crate::model::ledger::{Flow, Sector};
use crate::model::world::{refill, World};
use rayon::prelude::*;

pub fn trade(w: &mut World, buf: &mut Buffers) {
    let nr = w.regions.len();
    let nf = w.firms.len();
    let beta = w.scenario.behaviour.price_sensitivity;
    let speed = w.scenario.behaviour.expectation_speed;
    let Buffers {
        demand,
        index,
        quantity,
        weight_sum,
        spent,
        routes,
        weights,
        present,
    } = buf;
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
    // of its delivered price. The powers are the phase's costly part and
    // depend on the firm alone, so they are computed for every firm (and
    // market) in parallel first; the sums then run in firm order as before.
    present.resize(nf, 0.0);
    {
        let w = &*w;
        present
            .par_iter_mut()
            .enumerate()
            .for_each(|(f, p)| *p = presence(w, f));
    }
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
            let weight = present[f] * weights[f * nr + r];
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
                demand[f] += quantity[r] * present[f] * weights[f * nr + r] / weight_sum[r];
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
                let q = quantity[r] * present[f] * weights[f * nr + r] / weight_sum[r] * fill;
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
