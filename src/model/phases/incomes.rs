//! Incomes and government.
//!
//! Its contract is `contracts::Incomes`; `buf` and `per_worker` are working memory only, refilled each step.
//!
//! The phase is a sequence of named steps: the terms workers face and
//! households' incomes and spending (`incomes/households.rs`); firms'
//! outlays, pay factors and piece rates, and their payments
//! (`incomes/firms.rs`); then, region by region, the rest of the economy,
//! government, investment, owners, inventors, consumption and prices
//! (`incomes/sectors.rs`); trade in other goods; and next quarter's piece
//! rates.
//!
//! Every payment is entered for its payer and its payee. Workers' side of
//! wages, relief, severance, taxes and consumption is summed worker by
//! worker; the firms', government's and rest of the economy's side from
//! their own head counts and rates, so the accounting phase can catch any
//! payment that went astray.

mod firms;
mod households;
mod sectors;

use crate::model::contracts::Incomes;
use crate::model::world::{refill, WorkerScratch, CLASSES};

pub use sectors::industry_share;

/// One region's payments this quarter, filled in step by step and read by
/// the steps after: its households' sums, then what its firms, the rest of
/// the economy, the government, owners and inventors paid.
#[derive(Clone, Copy, Default)]
struct Accounts {
    households: households::Sums,
    wage_bill: f64,
    profit_tax: f64,
    dividends: f64,
    equity: f64,
    rest_bill: f64,
    rest_output: f64,
    education: f64,
    infrastructure: f64,
    purchases: f64,
    owners_tax: f64,
    owners_spending: f64,
    inventor_tax: f64,
    inventor_spending: f64,
}

impl Accounts {
    /// The cash the rest of the economy keeps before it invests or pays
    /// dividends: twice the wage bill of a step.
    fn rest_buffer(&self) -> f64 {
        2.0 * self.rest_bill
    }
}

pub fn incomes(mut view: Incomes<'_>, buf: &mut Buffers, per_worker: &mut WorkerScratch) {
    let politics = view.politics;

    households::worker_terms(&view, &mut buf.terms);
    firms::outlays_and_pay(&view, buf);
    firms::piece_rates(&view, buf);
    households::household_pass(&mut view, buf, per_worker);

    refill(&mut buf.spent_abroad, view.params.region_count(), 0.0);
    for r in 0..view.params.region_count() {
        let institutions = &politics[r].institutions;
        let mut accounts = Accounts {
            households: buf.by_region[r],
            ..Accounts::default()
        };
        firms::pay(&mut view, r, institutions, buf, &mut accounts);
        sectors::rest_pays(&mut view, r, &mut accounts);
        sectors::government(&mut view, r, institutions, &mut accounts);
        sectors::rest_invests(&mut view, r, &accounts);
        sectors::owners(&mut view, r, institutions, &mut accounts);
        sectors::inventors(&mut view, r, institutions, &mut accounts);
        sectors::household_machines(&mut view, r, &mut accounts);
        buf.spent_abroad[r] = sectors::consumption(&mut view, r, &accounts);
        sectors::prices_and_flows(&mut view, r, &accounts);
    }
    let Buffers {
        spent_abroad,
        received,
        partners,
        ..
    } = buf;
    buy_from_neighbours(&mut view, spent_abroad, received, partners);
    firms::next_piece_rates(&mut view, &buf.piece_rates);
}

/// The incomes phase's working space, kept between steps: the terms each
/// region's workers face, firms' pay factors, sums per chunk and per
/// region, and the balance of payments.
#[derive(Clone, Default)]
pub struct Buffers {
    terms: Vec<households::Terms>,
    /// Per firm: this quarter's materials and machine wear.
    outlays: Vec<firms::Outlay>,
    pay_factors: Vec<[f64; CLASSES]>,
    /// Per region: the self-employed's earnings per head over the hand trade's going wage.
    piece_rates: Vec<f64>,
    sums: Vec<households::Sums>,
    by_region: Vec<households::Sums>,
    spent_abroad: Vec<f64>,
    received: Vec<f64>,
    partners: Vec<(usize, f64)>,
}

impl Buffers {
    /// Room for `chunks` chunks of workers, the most the run will have.
    pub fn reserve_chunks(&mut self, chunks: usize) {
        self.sums.reserve(chunks);
    }
}

/// Households buy part of their other goods from trade neighbours, more from
/// those whose goods are cheaper. This closes the balance of payments the
/// classical way: a region that imports more than it exports loses money,
/// its wages and prices fall, and its goods win buyers abroad (Hume's
/// price-specie flow), so no region drains forever through trade in cloth.
fn buy_from_neighbours(
    view: &mut Incomes,
    spent_abroad: &[f64],
    received: &mut Vec<f64>,
    partners: &mut Vec<(usize, f64)>,
) {
    let region_count = view.params.region_count();
    refill(received, region_count, 0.0);
    for r in 0..region_count {
        if spent_abroad[r] <= 0.0 {
            continue;
        }
        let own_price = view.economy[r].rest_price;
        partners.clear();
        partners.extend(view.params.neighbours(r).map(|(s, route)| {
            let partner = &view.economy[s];
            let size = partner.rest_output();
            let relative = partner.rest_price * (1.0 + route.transport_cost) / own_price;
            (s, size * relative.powi(-2))
        }));
        let total: f64 = partners.iter().map(|p| p.1).sum();
        if total <= 0.0 {
            received[r] += spent_abroad[r];
            continue;
        }
        for &(s, weight) in partners.iter() {
            received[s] += spent_abroad[r] * weight / total;
        }
    }
    for (region, &amount) in view.economy.iter_mut().zip(received.iter()) {
        region.rest_cash += amount;
        region.rest_sales += amount;
    }
}
