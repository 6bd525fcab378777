//! The other sectors of a region, in the incomes phase, in the order they
//! are paid: the rest of the economy pays its workers; the government
//! takes taxes and pays relief, education, infrastructure and other
//! purchases; the rest of the economy invests; owners take dividends, pay
//! tax and consume; inventors pay tax and consume; all consumption is
//! spent on the industry's good, at home and abroad; and the consumer price
//! index moves. Each step fills its part of the region's `Accounts`.

use super::Accounts;
use crate::model::contracts::{machine_market, Incomes};
use crate::model::costs;
use crate::model::ledger::{Flow, Sector};
use crate::model::rest;
use crate::model::world::{Economy, UNSKILLED};
use crate::scenario::Institutions;

/// Share of household consumption spent on the industry's good, with a
/// price elasticity above one meaning cheaper cloth takes a larger share.
/// Past `saturation` the share stops growing: people buy more cloth as it
/// gets cheaper, but not without limit.
pub fn industry_share(region: &Economy, elasticity: f64, saturation: f64) -> f64 {
    let relative = (region.price_index / region.price_index0).max(1e-9);
    (region.budget_share * relative.powf(1.0 - elasticity)).min(saturation.max(region.budget_share))
}

/// The rest of the economy pays its workers.
pub(super) fn rest_pays(view: &mut Incomes, r: usize, accounts: &mut Accounts) {
    let region = &mut view.economy[r];
    let rest_bill = region.wage[UNSKILLED] * region.rest_employed as f64;
    region.rest_cash -= rest_bill;
    view.ledger.paid(Flow::Wages, Sector::Rest, rest_bill);
    view.ledger.received(
        Flow::Wages,
        Sector::Households,
        accounts.households.rest_wages,
    );
    accounts.rest_bill = rest_bill;
}

/// Government: taxes in, relief out, spending on education and
/// infrastructure.
pub(super) fn government(
    view: &mut Incomes,
    r: usize,
    institutions: &Institutions,
    accounts: &mut Accounts,
) {
    let steps_per_year = view.params.steps_per_year();
    let households = accounts.households;
    let profit_tax = accounts.profit_tax;
    let region = &mut view.economy[r];
    let government = &mut view.government[r];
    let rest_output = region.rest_output();
    let nominal_output =
        rest_output * region.rest_price + view.flows[r].industry_revenue - view.flows[r].materials;
    let education = institutions.education_spending * nominal_output;
    let infrastructure = institutions.infrastructure_spending * nominal_output;
    // Other purchases spend what taxes leave after transfers, and a slice
    // of any surplus, so public money does not pile up idle; a deficit is
    // recorded as debt (a negative balance) and paid down slowly.
    let revenue_so_far = households.taxes + profit_tax + view.flows[r].government_revenue;
    let purchases = (revenue_so_far - households.relief - education - infrastructure
        + 0.02 * (government.cash + government.issued))
        .max(0.0);
    government.cash +=
        households.taxes + profit_tax - households.relief - education - infrastructure - purchases;
    let ledger = &mut view.ledger;
    ledger.received(Flow::Taxes, Sector::Government, households.taxes);
    ledger.pay(
        Flow::Relief,
        Sector::Government,
        Sector::Households,
        households.relief,
    );
    ledger.paid(Flow::Taxes, Sector::Households, households.taxes);
    ledger.pay(
        Flow::PublicSpending,
        Sector::Government,
        Sector::Rest,
        education + infrastructure + purchases,
    );
    government.infrastructure += institutions.infrastructure_spending / steps_per_year;
    accounts.rest_output = rest_output;
    accounts.education = education;
    accounts.infrastructure = infrastructure;
    accounts.purchases = purchases;
}

/// The rest of the economy replaces worn capital and moves toward the
/// stock whose marginal product pays the user cost, paying from its cash
/// above a buffer. Its capital is a composite: the general technologies'
/// machines, in the share of the tasks they took over, are ordered from
/// the machine builders its region buys from (and teach them, as firms'
/// orders do); the rest is its own product, so that money stays in the
/// sector and counts as its sales.
pub(super) fn rest_invests(view: &mut Incomes, r: usize, accounts: &Accounts) {
    let behaviour = view.params.behaviour();
    let alpha0 = behaviour.capital_elasticity;
    let steps_per_year = view.params.steps_per_year();
    let region = &view.economy[r];
    let rest_buffer = accounts.rest_buffer();
    // It equips the workers it could hire, not only those it has: the
    // cost-minimizing capital at today's factor prices for everyone in
    // the labour force outside the industry, so that capital follows a
    // growing population instead of holding employment where it was.
    let industry: u32 = (region.firms.clone())
        .map(|f| view.firms.labour[f].iter().sum::<u32>())
        .sum();
    let available = region.workers.len().saturating_sub(industry as usize) as f64;
    let employed = f64::from(region.rest_employed).max(1.0);
    let capital_price = region.capital_price(alpha0);
    let wanted = rest::capital_wanted(
        region,
        behaviour.capital_user_cost / steps_per_year,
        capital_price,
    ) * (available / employed).max(1.0);
    let worn = behaviour.depreciation / steps_per_year * region.rest_capital;
    let gross = (worn + behaviour.investment_speed * (wanted - region.rest_capital)).max(0.0);
    let investment = (gross * capital_price).min((region.rest_cash - rest_buffer).max(0.0));
    let mut market = machine_market!(view);
    let mut own = investment;
    for j in 0..view.params.techs() {
        let share = market.economy[r].machine_share(alpha0, j);
        if share > 0.0 {
            let spending = share * investment;
            let machines = spending / market.economy[r].machine_price[j];
            own -= market.order(Sector::Rest, r, j, machines, 0.0);
        }
    }
    let region = &mut view.economy[r];
    region.rest_cash -= investment;
    region.rest_cash += own;
    region.rest_capital += investment / capital_price - worn;
    region.rest_sales += own;
    view.ledger
        .pay(Flow::Investment, Sector::Rest, Sector::Rest, own);
}

/// Households buy machines of a technology for their own use (the home
/// computer) when its yearly cost, the delivered price times the user
/// cost, is at most `value` times their income. Incomes are log-logistic
/// across households with shape one over the Gini (Fisk 1961), so the
/// share that owns one is `1 / (1 + (cost / (value x median income))^(1 /
/// gini))`, rising as machines cheapen and incomes grow. Households close
/// `investment_speed` of the gap to the machines those owners want each
/// quarter and replace what wears, out of their consumption, ordering from
/// the builder their region buys from. The median income is read from
/// consumption per worker.
pub(super) fn household_machines(view: &mut Incomes, r: usize, accounts: &mut Accounts) {
    let behaviour = view.params.behaviour();
    let steps_per_year = view.params.steps_per_year();
    let workers = view.economy[r].workers.len() as f64;
    let consumption = accounts.households.consumption;
    if workers <= 0.0 || consumption <= 0.0 {
        return;
    }
    // Mean over median of a log-logistic with shape b is (pi/b)/sin(pi/b).
    let b = 1.0 / behaviour.income_gini;
    let x = std::f64::consts::PI / b;
    let median_income = consumption * steps_per_year / workers * x.sin() / x;
    let mut market = machine_market!(view);
    let mut spent = 0.0;
    for (j, tech) in view.params.scenario.technologies.iter().enumerate() {
        let Some(own) = &tech.household_use else {
            continue;
        };
        let price = market.economy[r].machine_price[j];
        if view.knowledge.know(r, j) <= 0.0 || price <= 0.0 {
            continue;
        }
        let unit = own.unit * steps_per_year;
        let wear = costs::depreciation(view.params, j);
        let yearly_cost = price * unit * costs::machine_user_cost(view.params, j) * steps_per_year;
        let owners = 1.0 / (1.0 + (yearly_cost / (own.value * median_income)).powf(b));
        let economy = &mut market.economy[r];
        economy.household_owners[j] = owners;
        let held = economy.household_machines[j];
        let wanted = owners * workers * unit;
        let bought = wear * held + behaviour.investment_speed * (wanted - held).max(0.0);
        let units = bought.min((0.5 * consumption - spent).max(0.0) / price);
        economy.household_machines[j] = held * (1.0 - wear) + units;
        spent += market.order(Sector::Households, r, j, units, 0.0);
    }
    accounts.households.consumption -= spent;
}

/// Owners: dividends of firms, of the machine builders and of the rest of
/// the economy, tax,
/// consumption.
pub(super) fn owners(
    view: &mut Incomes,
    r: usize,
    institutions: &Institutions,
    accounts: &mut Accounts,
) {
    let behaviour = view.params.behaviour();
    let region = &mut view.economy[r];
    let government = &mut view.government[r];
    let rest_buffer = accounts.rest_buffer();
    let rest_dividend = behaviour.payout * (region.rest_cash - rest_buffer).max(0.0);
    region.rest_cash -= rest_dividend;
    view.ledger
        .pay(Flow::Dividends, Sector::Rest, Sector::Owners, rest_dividend);
    // The machine builders passed their profit or loss into the owners'
    // wealth as they built; it is taxed here with the rest of the owners'
    // income, a loss set against the rest.
    let owners_income = accounts.dividends + rest_dividend + region.builder_profit;
    let owners_tax = institutions.income_tax * owners_income.max(0.0);
    region.owners_income = owners_income - owners_tax;
    region.owners_wealth += owners_income - region.builder_profit - owners_tax - accounts.equity;
    government.cash += owners_tax;
    view.ledger
        .pay(Flow::Taxes, Sector::Owners, Sector::Government, owners_tax);
    let owners_spending = behaviour.owners_consumption * region.owners_wealth.max(0.0);
    region.owners_wealth -= owners_spending;
    accounts.owners_tax = owners_tax;
    accounts.owners_spending = owners_spending;
}

/// Inventors: taxes and consumption.
pub(super) fn inventors(
    view: &mut Incomes,
    r: usize,
    institutions: &Institutions,
    accounts: &mut Accounts,
) {
    let behaviour = view.params.behaviour();
    let mut inventor_spending = 0.0;
    let mut inventor_tax = 0.0;
    let inventors = &mut view.inventors;
    for i in 0..inventors.region.len() {
        if inventors.region[i] as usize != r {
            continue;
        }
        let tax = institutions.income_tax * inventors.income[i];
        let spend = behaviour.consumption_income * (inventors.income[i] - tax)
            + behaviour.consumption_wealth * inventors.savings[i];
        let spend = spend.min(inventors.savings[i] - tax).max(0.0);
        inventors.savings[i] -= tax + spend;
        inventor_tax += tax;
        inventor_spending += spend;
    }
    view.government[r].cash += inventor_tax;
    view.ledger.pay(
        Flow::Taxes,
        Sector::Inventors,
        Sector::Government,
        inventor_tax,
    );
    accounts.inventor_tax = inventor_tax;
    accounts.inventor_spending = inventor_spending;
}

/// Consumption: the industry's share goes to merchants, the rest to the
/// rest of the economy, at home or, for `rest_openness` of it, abroad
/// (returned, for the trade neighbours). Owners top up the rest of the
/// economy's cash if it has run out.
pub(super) fn consumption(view: &mut Incomes, r: usize, accounts: &Accounts) -> f64 {
    let behaviour = view.params.behaviour();
    let industry = &view.params.scenario.industry;
    let region = &mut view.economy[r];
    let share = industry_share(
        region,
        industry.demand_elasticity,
        industry.saturation_share,
    );
    let mut to_merchants = 0.0;
    let mut to_rest = 0.0;
    for (sector, amount) in [
        (Sector::Households, accounts.households.consumption),
        (Sector::Owners, accounts.owners_spending),
        (Sector::Inventors, accounts.inventor_spending),
    ] {
        let industry = share * amount;
        view.ledger.paid(Flow::Consumption, sector, amount);
        to_merchants += industry;
        to_rest += amount - industry;
    }
    region.merchants_cash += to_merchants;
    let spent_abroad = behaviour.rest_openness * to_rest;
    let at_home = to_rest - spent_abroad;
    let (education, infrastructure, purchases) = (
        accounts.education,
        accounts.infrastructure,
        accounts.purchases,
    );
    region.rest_cash += at_home + education + infrastructure + purchases;
    region.rest_sales += at_home + education + infrastructure + purchases;
    view.ledger
        .received(Flow::Consumption, Sector::Merchants, to_merchants);
    view.ledger
        .received(Flow::Consumption, Sector::Rest, to_rest);
    if region.rest_cash < 0.0 {
        let top_up = -region.rest_cash;
        region.rest_cash = 0.0;
        region.owners_wealth -= top_up;
        view.ledger
            .pay(Flow::Equity, Sector::Owners, Sector::Rest, top_up);
    }
    spent_abroad
}

/// Prices: a fixed-weight consumer price index; and the region's flows of
/// the quarter for the outputs.
pub(super) fn prices_and_flows(view: &mut Incomes, r: usize, accounts: &Accounts) {
    let households = accounts.households;
    let region = &mut view.economy[r];
    region.cpi_last = region.cpi;
    region.cpi =
        region.budget_share * region.price_index + (1.0 - region.budget_share) * region.rest_price;
    let flows = &mut view.flows[r];
    flows.relief_spending += households.relief;
    flows.education_spending += accounts.education;
    flows.government_revenue +=
        households.taxes + accounts.profit_tax + accounts.owners_tax + accounts.inventor_tax;
    flows.government_spending +=
        households.relief + accounts.education + accounts.infrastructure + accounts.purchases;
    flows.wage_bill += accounts.wage_bill + accounts.rest_bill;
    flows.rest_output += accounts.rest_output * region.rest_price;
}
