//! Incomes and government.
//!
//! Reads:
//! - workers: `workers.employer`, `workers.class`, `workers.fired` (severance
//!   in the quarter of a layoff), `workers.savings` (consumption out of
//!   wealth).
//! - firms: `firms.labour`, `firms.hires`, `firms.fired`, `firms.revenue`,
//!   `firms.capital`, `firms.cash`, `firms.alive`, `firms.output` (the
//!   materials of what was made), `firms.org` (hand shops'
//!   piece earnings), `firms.region`, `firms.sharing` (pay factor, through
//!   `pay_factor`).
//! - inventors: `inventors.region`, `inventors.income`, `inventors.savings`.
//! - regions: `regions[r].firms`, `regions[r].wage`,
//!   `regions[r].accommodation_relief`, `regions[r].cpi`, `regions[r].cpi0`,
//!   `regions[r].rest_employed`, `regions[r].rest_productivity`,
//!   `regions[r].rest_capital`, `regions[r].rest_alpha` (output and wanted
//!   capital, through `model::rest`),
//!   `regions[r].rest_price` (own, and trade neighbours'),
//!   `regions[r].rest_cash`, `regions[r].government`,
//!   `regions[r].owners_wealth`, `regions[r].budget_share`,
//!   `regions[r].price_index`, `regions[r].price_index0`;
//!   `regions[r].institutions.relief_replacement`, `.relief_eligibility`,
//!   `.education_spending`, `.retraining`, `.firing_cost`, `.income_tax`,
//!   `.profit_tax`, `.infrastructure_spending`.
//! - flows: `flows[r].industry_revenue`, `flows[r].government_revenue` (as
//!   recorded so far this step).
//! - routes: `network` (trade neighbours) and each route's `transport_cost`.
//! - scenario: `scenario.behaviour` (`consumption_income`,
//!   `consumption_wealth`, `learning_speed`, `hiring_cost`, `payout`,
//!   `capital_user_cost`, `depreciation`, `investment_speed`,
//!   `owners_consumption`, `rest_openness`, `trade_memory_years`);
//!   `scenario.industry.demand_elasticity`, `.saturation_share` and
//!   `.materials_share`; `hired_task` (whether hand shops pay hands a wage
//!   before their members share the rest);
//!   `scenario.wage_policy.premium`; `scenario.technologies[j].depreciation`
//!   (each firm's machine wear, through `costs::firm_depreciation`).
//!
//! Writes:
//! - workers: `workers.income`, `workers.savings`, `workers.reference`,
//!   `workers.lifetime`, `workers.education`, `workers.fired` (the layoff
//!   clock advances while unemployed).
//! - firms: `firms.cash`, `firms.loss_quarters`.
//! - inventors: `inventors.savings`.
//! - regions: `regions[r].rest_cash`, `regions[r].rest_sales`,
//!   `regions[r].government`, `regions[r].infrastructure`,
//!   `regions[r].owners_income`, `regions[r].owners_wealth`,
//!   `regions[r].merchants_cash`, `regions[r].cpi`, `regions[r].cpi_last`,
//!   `regions[r].rest_capital` (investment less wear), `regions[r].wage`
//!   (the hand trade's piece rate for next quarter),
//!   `regions[r].craft_reputation` (what the trade is remembered to pay).
//! - flows: `flows[r].relief_spending`, `flows[r].education_spending`,
//!   `flows[r].government_revenue`, `flows[r].government_spending`,
//!   `flows[r].wage_bill`, `flows[r].rest_output`, `flows[r].materials`.
//! - ledger: `Flow::Wages` (firms and the rest of the economy to
//!   households), `Flow::Severance` (firms to households), `Flow::Hiring`
//!   (firms to the rest of the economy), `Flow::Materials` (firms to the
//!   rest of the economy), `Flow::Taxes` (firms, households,
//!   owners and inventors to the government), `Flow::Relief` and
//!   `Flow::PublicSpending` (the government to households and to the rest of
//!   the economy), `Flow::Dividends` (firms and the rest of the economy to
//!   owners), `Flow::Equity` (owners to firms and to the rest of the
//!   economy), `Flow::Consumption` (households, owners and inventors to
//!   merchants and the rest of the economy), `Flow::Investment` (the rest
//!   of the economy buying its own capital goods).
//! - `buf`: working memory only (terms per region, firms' outlays and pay factors, sums per
//!   chunk and region, the balance of payments), refilled each step.
//!   `per_worker` is only handed on to `for_each_chunk`; this phase neither
//!   reads nor writes it.
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

use crate::model::world::{refill, WorkerScratch, World, CLASSES};

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

pub fn incomes(world: &mut World, buf: &mut Buffers, per_worker: &mut WorkerScratch) {
    let behaviour = world.scenario.behaviour.clone();
    let steps_per_year = world.scenario.steps_per_year as f64;

    households::worker_terms(world, &mut buf.terms, &behaviour);
    firms::outlays_and_pay(world, buf, &behaviour);
    firms::piece_rates(world, buf);
    households::household_pass(world, buf, per_worker, &behaviour);

    refill(&mut buf.spent_abroad, world.regions.len(), 0.0);
    for r in 0..world.regions.len() {
        let institutions = world.regions[r].institutions.clone();
        let mut accounts = Accounts {
            households: buf.by_region[r],
            ..Accounts::default()
        };
        firms::pay(world, r, &institutions, buf, &behaviour, &mut accounts);
        sectors::rest_pays(world, r, &mut accounts);
        sectors::government(world, r, &institutions, steps_per_year, &mut accounts);
        sectors::rest_invests(world, r, &behaviour, steps_per_year, &accounts);
        sectors::owners(world, r, &institutions, &behaviour, &mut accounts);
        sectors::inventors(world, r, &institutions, &behaviour, &mut accounts);
        buf.spent_abroad[r] = sectors::consumption(world, r, &behaviour, &accounts);
        sectors::prices_and_flows(world, r, &accounts);
    }
    let Buffers {
        spent_abroad,
        received,
        partners,
        ..
    } = buf;
    buy_from_neighbours(world, spent_abroad, received, partners);
    firms::next_piece_rates(world, &buf.piece_rates);
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
    world: &mut World,
    spent_abroad: &[f64],
    received: &mut Vec<f64>,
    partners: &mut Vec<(usize, f64)>,
) {
    let region_count = world.regions.len();
    refill(received, region_count, 0.0);
    for r in 0..region_count {
        if spent_abroad[r] <= 0.0 {
            continue;
        }
        let own_price = world.regions[r].rest_price;
        partners.clear();
        partners.extend(world.neighbours(r).map(|(s, route)| {
            let partner = &world.regions[s];
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
    for (region, &amount) in world.regions.iter_mut().zip(received.iter()) {
        region.rest_cash += amount;
        region.rest_sales += amount;
    }
}
