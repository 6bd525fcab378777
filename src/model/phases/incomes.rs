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
//! Every payment is entered for its payer and its payee. Workers' side of
//! wages, relief, severance, taxes and consumption is summed worker by
//! worker; the firms', government's and rest of the economy's side from
//! their own head counts and rates, so the accounting phase can catch any
//! payment that went astray.

use crate::model::ledger::{Flow, Sector};
use crate::model::phases::for_each_chunk;
use crate::model::rest;
use crate::model::rng;
use crate::model::world::{
    refill, RegionState, WorkerChunk, WorkerScratch, World, CLASSES, CRAFT, CRAFT_SHOP, HIRED,
    REST, UNEMPLOYED, UNSKILLED,
};

/// Purpose tag for the fixed per-worker draw that decides relief eligibility.
const ELIGIBILITY: u64 = 0xE1;

/// Sums over one chunk of workers.
#[derive(Clone, Copy, Default)]
struct Sums {
    firm_wages: f64,
    rest_wages: f64,
    relief: f64,
    severance: f64,
    taxes: f64,
    consumption: f64,
}

/// What a worker in region `r` faces this quarter.
#[derive(Clone, Copy)]
struct Terms {
    wage: [f64; CLASSES],
    relief: f64,
    firing_cost: f64,
    income_tax: f64,
    eligibility: f64,
    learning: f32,
    price: f64,
}

/// Share of household consumption spent on the industry's good, with a
/// price elasticity above one meaning cheaper cloth takes a larger share.
/// Past `saturation` the share stops growing: people buy more cloth as it
/// gets cheaper, but not without limit.
pub fn industry_share(reg: &RegionState, elasticity: f64, saturation: f64) -> f64 {
    let relative = (reg.price_index / reg.price_index0).max(1e-9);
    (reg.budget_share * relative.powf(1.0 - elasticity)).min(saturation.max(reg.budget_share))
}

pub fn incomes(w: &mut World, buf: &mut Buffers, per_worker: &mut WorkerScratch) {
    let b = w.scenario.behaviour.clone();
    let spy = w.scenario.steps_per_year as f64;
    buf.terms.clear();
    buf.terms.extend(w.regions.iter().map(|reg| {
        let inst = &reg.institutions;
        Terms {
            wage: reg.wage,
            relief: inst.relief_replacement
                * reg.wage[UNSKILLED]
                * (1.0 + reg.accommodation_relief),
            firing_cost: inst.firing_cost,
            income_tax: inst.income_tax,
            eligibility: inst.relief_eligibility,
            learning: (b.learning_speed * inst.retraining * inst.education_spending / 0.01) as f32,
            price: reg.cpi / reg.cpi0,
        }
    }));
    // Employees earn the going wage of their class (times a sharing
    // firm's premium). Self-employed hand workers share what their shop's
    // cloth fetched, less its materials and the wear of its tools, equally
    // by head: each makes the same cloth whatever tools they hold, so a
    // weaver with a flying shuttle in a shop earns the shop's piece
    // earnings, not the wage factories pay their operatives. A worker's pay
    // is the going wage of their class times the factor for their class.
    buf.outlays.clear();
    buf.outlays.extend((0..w.firms.len()).map(|f| Outlay {
        materials: materials_bought(w, f),
        wear: w.firms.capital[f] * crate::model::costs::firm_depreciation(w, f),
        hands: hands_cost(w, f, b.hiring_cost),
    }));
    buf.pay_factors.clear();
    let outlays = &buf.outlays;
    buf.pay_factors.extend((0..w.firms.len()).map(|f| {
        if w.firms.org[f] != CRAFT_SHOP {
            return [w.pay_factor(f); CLASSES];
        }
        let members = w.shop_members(f);
        if members == 0 {
            return [1.0; CLASSES];
        }
        let wage = &w.regions[w.firms.region[f] as usize].wage;
        // Hands hired for the hired task are paid the going wage first, and
        // their hiring and severance; the members share what is left.
        let o = outlays[f];
        let net = w.firms.revenue[f] - o.materials - o.wear - o.hands;
        let per_head = net.max(0.0) / f64::from(members);
        std::array::from_fn(|k| {
            if w.hired_task.is_some() && k == HIRED {
                w.pay_factor(f)
            } else {
                per_head / wage[k].max(1e-12)
            }
        })
    }));
    // The going rate of the hand trade is what its self-employed earned
    // per head: piece earnings set the hand trade's wage from next quarter.
    refill(&mut buf.piece_rates, w.regions.len(), 1.0);
    for r in 0..w.regions.len() {
        let (mut earned, mut heads) = (0.0, 0.0);
        for f in w.regions[r].firms.clone() {
            if w.firms.org[f] != CRAFT_SHOP || !w.firms.alive[f] {
                continue;
            }
            let n = w.shop_members(f);
            earned += f64::from(n) * buf.pay_factors[f][CRAFT];
            heads += f64::from(n);
        }
        if heads > 0.0 {
            buf.piece_rates[r] = earned / heads;
        }
    }
    let Buffers {
        terms,
        outlays,
        pay_factors,
        piece_rates,
        sums,
        by_region,
        spent_abroad,
        received,
        partners,
    } = buf;
    // Workers: income, taxes, consumption, savings, learning.
    let layout = std::mem::take(&mut w.layout);
    refill(sums, layout.len(), Sums::default());
    {
        let seed = w.seed;
        let (cc, cw) = (b.consumption_income, b.consumption_wealth);
        let (pay, terms): (&[[f64; CLASSES]], &[Terms]) = (pay_factors, terms);
        let job = |c: &mut WorkerChunk<'_>, s: &mut Sums| {
            let t = &terms[c.region];
            household(c, t, pay, seed, cc, cw, s);
        };
        for_each_chunk(&mut w.workers, per_worker, &layout, sums, &job);
    }
    w.layout = layout;
    refill(by_region, w.regions.len(), Sums::default());
    for ((r, _), s) in w.layout.iter().zip(sums.iter()) {
        let t = &mut by_region[*r];
        t.firm_wages += s.firm_wages;
        t.rest_wages += s.rest_wages;
        t.relief += s.relief;
        t.severance += s.severance;
        t.taxes += s.taxes;
        t.consumption += s.consumption;
    }

    let elasticity = w.scenario.industry.demand_elasticity;
    refill(spent_abroad, w.regions.len(), 0.0);
    for r in 0..w.regions.len() {
        let s = by_region[r];
        // Firms pay wages, severance, profit tax and dividends.
        let mut wage_bill = 0.0;
        let mut severance = 0.0;
        let mut profit_tax = 0.0;
        let mut dividends = 0.0;
        let mut equity = 0.0;
        let reg = &w.regions[r];
        let inst = reg.institutions.clone();
        let mut hiring = 0.0;
        let mut materials = 0.0;
        for f in reg.firms.clone() {
            let bill: f64 = (0..CLASSES)
                .map(|k| reg.wage[k] * w.firms.labour[f][k] as f64 * pay_factors[f][k])
                .sum();
            // Each hire costs `hiring_cost` quarters of the firm's mean wage,
            // spent on recruiting and training bought from the rest of the economy.
            let staff: u32 = w.firms.labour[f].iter().sum();
            let hired = if is_hiring_shop(w, f) {
                hands_hiring(w, f, b.hiring_cost)
            } else {
                b.hiring_cost * w.firms.hires[f] as f64 * bill / staff.max(1) as f64
            };
            let fired: f64 = (0..CLASSES)
                .map(|k| reg.wage[k] * w.firms.fired[f][k] as f64)
                .sum::<f64>()
                * inst.firing_cost;
            let Outlay {
                materials: bought,
                wear,
                ..
            } = outlays[f];
            let profit = w.firms.revenue[f] - bill - fired - hired - bought - wear;
            let tax = inst.profit_tax * profit.max(0.0);
            w.firms.cash[f] -= bill + fired + hired + bought + tax;
            hiring += hired;
            materials += bought;
            wage_bill += bill;
            severance += fired;
            profit_tax += tax;
            // A firm is in distress in a quarter it loses money and has run
            // through its cash, so owners must cover the overdraft, or sells
            // nothing at all; a run of such quarters makes it exit
            // (reorganization phase).
            if w.firms.alive[f] {
                if (profit < 0.0 && w.firms.cash[f] < 0.0) || w.firms.revenue[f] <= 0.0 {
                    w.firms.loss_quarters[f] += 1;
                } else if profit >= 0.0 {
                    w.firms.loss_quarters[f] = 0;
                }
            }
            // Owners cover an overdraft; they take part of cash above a buffer.
            if w.firms.cash[f] < 0.0 {
                equity -= w.firms.cash[f];
                w.firms.cash[f] = 0.0;
            }
            let buffer = 2.0 * bill;
            let payout = b.payout * (w.firms.cash[f] - buffer).max(0.0);
            w.firms.cash[f] -= payout;
            dividends += payout;
        }
        w.ledger.paid(Flow::Wages, Sector::Firms, wage_bill);
        w.ledger
            .received(Flow::Wages, Sector::Households, s.firm_wages);
        w.ledger.paid(Flow::Severance, Sector::Firms, severance);
        w.ledger
            .received(Flow::Severance, Sector::Households, s.severance);
        w.ledger
            .pay(Flow::Taxes, Sector::Firms, Sector::Government, profit_tax);
        w.ledger
            .pay(Flow::Hiring, Sector::Firms, Sector::Rest, hiring);
        w.ledger
            .pay(Flow::Materials, Sector::Firms, Sector::Rest, materials);
        w.regions[r].rest_cash += hiring + materials;
        w.regions[r].rest_sales += hiring + materials;
        w.flows[r].materials += materials;
        w.ledger
            .pay(Flow::Equity, Sector::Owners, Sector::Firms, equity);
        w.ledger
            .pay(Flow::Dividends, Sector::Firms, Sector::Owners, dividends);

        let reg = &mut w.regions[r];
        // The rest of the economy pays its workers.
        let rest_bill = reg.wage[UNSKILLED] * reg.rest_employed as f64;
        reg.rest_cash -= rest_bill;
        w.ledger.paid(Flow::Wages, Sector::Rest, rest_bill);
        w.ledger
            .received(Flow::Wages, Sector::Households, s.rest_wages);

        // Government: taxes in, relief out, spending on education and infrastructure.
        let rest_output = reg.rest_output();
        let nominal_output =
            rest_output * reg.rest_price + w.flows[r].industry_revenue - w.flows[r].materials;
        let education = inst.education_spending * nominal_output;
        let infrastructure = inst.infrastructure_spending * nominal_output;
        // Other purchases spend what taxes leave after transfers, and a slice
        // of any surplus, so public money does not pile up idle; a deficit is
        // recorded as debt (a negative balance) and paid down slowly.
        let revenue_so_far = s.taxes + profit_tax + w.flows[r].government_revenue;
        let purchases = (revenue_so_far - s.relief - education - infrastructure
            + 0.02 * (reg.government + reg.issued))
            .max(0.0);
        reg.government += s.taxes + profit_tax - s.relief - education - infrastructure - purchases;
        w.ledger.received(Flow::Taxes, Sector::Government, s.taxes);
        w.ledger.pay(
            Flow::Relief,
            Sector::Government,
            Sector::Households,
            s.relief,
        );
        w.ledger.paid(Flow::Taxes, Sector::Households, s.taxes);
        w.ledger.pay(
            Flow::PublicSpending,
            Sector::Government,
            Sector::Rest,
            education + infrastructure + purchases,
        );
        reg.infrastructure += inst.infrastructure_spending / spy;

        // The rest of the economy replaces worn capital and moves toward the
        // stock whose marginal product pays the user cost, paying from its
        // cash above a buffer; the capital goods are its own product, so the
        // money stays in the sector and counts as its sales.
        let rest_buffer = 2.0 * rest_bill;
        // It equips the workers it could hire, not only those it has: the
        // cost-minimizing capital at today's factor prices for everyone in
        // the labour force outside the industry, so that capital follows a
        // growing population instead of holding employment where it was.
        let industry: u32 = (reg.firms.clone())
            .map(|f| w.firms.labour[f].iter().sum::<u32>())
            .sum();
        let available = reg.workers.len().saturating_sub(industry as usize) as f64;
        let employed = f64::from(reg.rest_employed).max(1.0);
        let wanted =
            rest::capital_wanted(reg, b.capital_user_cost / spy) * (available / employed).max(1.0);
        let worn = b.depreciation / spy * reg.rest_capital;
        let gross = (worn + b.investment_speed * (wanted - reg.rest_capital)).max(0.0);
        let investment = (gross * reg.rest_price).min((reg.rest_cash - rest_buffer).max(0.0));
        reg.rest_capital += investment / reg.rest_price - worn;
        reg.rest_sales += investment;
        w.ledger
            .pay(Flow::Investment, Sector::Rest, Sector::Rest, investment);

        // Owners: dividends of firms and of the rest of the economy, tax, consumption.
        let rest_dividend = b.payout * (reg.rest_cash - rest_buffer).max(0.0);
        reg.rest_cash -= rest_dividend;
        w.ledger
            .pay(Flow::Dividends, Sector::Rest, Sector::Owners, rest_dividend);
        let owners_income = dividends + rest_dividend;
        let owners_tax = inst.income_tax * owners_income;
        reg.owners_income = owners_income - owners_tax;
        reg.owners_wealth += owners_income - owners_tax - equity;
        reg.government += owners_tax;
        w.ledger
            .pay(Flow::Taxes, Sector::Owners, Sector::Government, owners_tax);
        let owners_spending = b.owners_consumption * reg.owners_wealth.max(0.0);
        reg.owners_wealth -= owners_spending;

        // Inventors: taxes and consumption.
        let mut inventor_spending = 0.0;
        let mut inventor_tax = 0.0;
        for i in 0..w.inventors.region.len() {
            if w.inventors.region[i] as usize != r {
                continue;
            }
            let tax = inst.income_tax * w.inventors.income[i];
            let spend = b.consumption_income * (w.inventors.income[i] - tax)
                + b.consumption_wealth * w.inventors.savings[i];
            let spend = spend.min(w.inventors.savings[i] - tax).max(0.0);
            w.inventors.savings[i] -= tax + spend;
            inventor_tax += tax;
            inventor_spending += spend;
        }
        reg.government += inventor_tax;
        w.ledger.pay(
            Flow::Taxes,
            Sector::Inventors,
            Sector::Government,
            inventor_tax,
        );

        // Consumption: the industry's share goes to merchants, the rest to the rest of the economy.
        let share = industry_share(reg, elasticity, w.scenario.industry.saturation_share);
        let mut to_merchants = 0.0;
        let mut to_rest = 0.0;
        for (sector, amount) in [
            (Sector::Households, s.consumption),
            (Sector::Owners, owners_spending),
            (Sector::Inventors, inventor_spending),
        ] {
            let industry = share * amount;
            w.ledger.paid(Flow::Consumption, sector, amount);
            to_merchants += industry;
            to_rest += amount - industry;
        }
        reg.merchants_cash += to_merchants;
        spent_abroad[r] = b.rest_openness * to_rest;
        let at_home = to_rest - spent_abroad[r];
        reg.rest_cash += at_home + education + infrastructure + purchases;
        reg.rest_sales += at_home + education + infrastructure + purchases;
        w.ledger
            .received(Flow::Consumption, Sector::Merchants, to_merchants);
        w.ledger.received(Flow::Consumption, Sector::Rest, to_rest);
        if reg.rest_cash < 0.0 {
            let top_up = -reg.rest_cash;
            reg.rest_cash = 0.0;
            reg.owners_wealth -= top_up;
            w.ledger
                .pay(Flow::Equity, Sector::Owners, Sector::Rest, top_up);
        }

        // Prices: a fixed-weight consumer price index.
        reg.cpi_last = reg.cpi;
        reg.cpi = reg.budget_share * reg.price_index + (1.0 - reg.budget_share) * reg.rest_price;
        let fl = &mut w.flows[r];
        fl.relief_spending += s.relief;
        fl.education_spending += education;
        fl.government_revenue += s.taxes + profit_tax + owners_tax + inventor_tax;
        fl.government_spending += s.relief + education + infrastructure + purchases;
        fl.wage_bill += wage_bill + rest_bill;
        fl.rest_output += rest_output * reg.rest_price;
    }
    buy_from_neighbours(w, spent_abroad, received, partners);
    // The young remember what the trade has paid over the past
    // `trade_memory_years`, not only this quarter's rate.
    let memory = w.scenario.behaviour.trade_memory_years * w.scenario.steps_per_year as f64;
    let keep = if memory > 1.0 {
        1.0 - 1.0 / memory
    } else {
        0.0
    };
    // Piece rates never fall below subsistence, a fifth of the unskilled
    // wage: a weaver earning less leaves the loom for the parish or the road.
    // Operatives' wages are set in the labour market, by the factories that
    // employ them.
    for (reg, &rate) in w.regions.iter_mut().zip(piece_rates.iter()) {
        let floor = 0.2 * reg.wage[UNSKILLED];
        reg.wage[CRAFT] = (reg.wage[CRAFT] * rate).max(floor);
        let relative = reg.wage[CRAFT] / reg.wage[UNSKILLED];
        reg.craft_reputation = keep * reg.craft_reputation + (1.0 - keep) * relative;
    }
}

/// What a firm spends in a quarter besides pay, taxes and hiring.
#[derive(Clone, Copy, Default)]
struct Outlay {
    /// The materials of the quarter's output, paid to the rest of the economy.
    materials: f64,
    /// The value its machines lost to wear.
    wear: f64,
    /// What a hand shop paid the hands of its hired task: wages, hiring
    /// and severance (zero for other firms).
    hands: f64,
}

/// Whether firm `f` is a hand shop that pays hands for a task.
fn is_hiring_shop(w: &World, f: usize) -> bool {
    w.hired_task.is_some() && w.firms.org[f] == CRAFT_SHOP
}

/// What this quarter's newcomers cost hand shop `f`: `hiring_cost`
/// quarters of a hand's pay for each worker who joined, hand or member.
/// The hands' pay, not the members' earnings (which are what is left
/// after it), is the measure, so the members' share is not circular.
fn hands_hiring(w: &World, f: usize, hiring_cost: f64) -> f64 {
    let wage = w.regions[w.firms.region[f] as usize].wage[HIRED] * w.pay_factor(f);
    hiring_cost * f64::from(w.firms.hires[f]) * wage
}

/// Everything hand shop `f` pays for its hands this quarter: their wages,
/// their hiring and the severance of those let go. The members bear it, so
/// the shop itself makes neither profit nor loss.
fn hands_cost(w: &World, f: usize, hiring_cost: f64) -> f64 {
    if !is_hiring_shop(w, f) {
        return 0.0;
    }
    let r = w.firms.region[f] as usize;
    let wage = w.regions[r].wage[HIRED];
    let pay = f64::from(w.firms.labour[f][HIRED]) * wage * w.pay_factor(f);
    let severance =
        f64::from(w.firms.fired[f][HIRED]) * wage * w.regions[r].institutions.firing_cost;
    pay + hands_hiring(w, f, hiring_cost) + severance
}

/// What firm `f` paid for the materials of this quarter's output.
fn materials_bought(w: &World, f: usize) -> f64 {
    let r = w.firms.region[f] as usize;
    w.firms.output[f] * crate::model::costs::materials_cost(w, r)
}

/// The incomes phase's working space, kept between steps: the terms each
/// region's workers face, firms' pay factors, sums per chunk and per
/// region, and the balance of payments.
#[derive(Clone, Default)]
pub struct Buffers {
    terms: Vec<Terms>,
    /// Per firm: this quarter's materials and machine wear.
    outlays: Vec<Outlay>,
    pay_factors: Vec<[f64; CLASSES]>,
    /// Per region: the self-employed's earnings per head over the hand trade's going wage.
    piece_rates: Vec<f64>,
    sums: Vec<Sums>,
    by_region: Vec<Sums>,
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
    w: &mut World,
    spent_abroad: &[f64],
    received: &mut Vec<f64>,
    partners: &mut Vec<(usize, f64)>,
) {
    let nr = w.regions.len();
    refill(received, nr, 0.0);
    for r in 0..nr {
        if spent_abroad[r] <= 0.0 {
            continue;
        }
        let own_price = w.regions[r].rest_price;
        partners.clear();
        partners.extend(w.neighbours(r).map(|(s, route)| {
            let reg = &w.regions[s];
            let size = reg.rest_output();
            let relative = reg.rest_price * (1.0 + route.transport_cost) / own_price;
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
    for (reg, &amount) in w.regions.iter_mut().zip(received.iter()) {
        reg.rest_cash += amount;
        reg.rest_sales += amount;
    }
}

fn household(
    c: &mut WorkerChunk<'_>,
    t: &Terms,
    pay: &[[f64; CLASSES]],
    seed: u64,
    cc: f64,
    cw: f64,
    sums: &mut Sums,
) {
    // The sums are kept in a local copy and written back once: the compiler
    // may not keep a caller's memory in registers across a check that could
    // panic, and would store every sum every worker.
    let mut s = *sums;
    let n = c.len();
    // Slices of the chunk's length, so that indexing needs no bounds checks.
    let (employer, class, fired) = (&c.employer[..n], &c.class[..n], &mut c.fired[..n]);
    let (savings, income) = (&mut c.savings[..n], &mut c.income[..n]);
    let (reference, lifetime) = (&mut c.reference[..n], &mut c.lifetime[..n]);
    let education = &mut c.education[..n];
    for i in 0..n {
        let e = employer[i];
        let k = class[i] as usize;
        let mut gross = 0.0;
        let mut relief = 0.0;
        let mut severance = 0.0;
        if e < REST {
            gross = t.wage[k] * pay[e as usize][k];
            s.firm_wages += gross;
        } else if e == REST {
            gross = t.wage[UNSKILLED];
            s.rest_wages += gross;
        } else {
            if fired[i] == 1 && k != UNSKILLED {
                severance = t.firing_cost * t.wage[k];
                s.severance += severance;
            }
            if rng::fixed_uniform(seed, ELIGIBILITY, (c.start + i) as u64) < t.eligibility {
                relief = t.relief;
                s.relief += relief;
            }
        }
        let tax = t.income_tax * (gross + severance);
        s.taxes += tax;
        let disposable = gross + severance - tax + relief;
        let spend = (cc * disposable + cw * savings[i])
            .min(savings[i] + disposable)
            .max(0.0);
        s.consumption += spend;
        savings[i] += disposable - spend;
        income[i] = disposable as f32;
        reference[i] = 0.97 * reference[i] + 0.03 * disposable as f32;
        lifetime[i] += disposable / t.price;
        if e == UNEMPLOYED {
            fired[i] = fired[i].saturating_add(1).max(2);
        }
        // General skills grow outside general jobs, fastest while out of work.
        if k != crate::model::world::GENERAL || e == UNEMPLOYED {
            let pace = if e == UNEMPLOYED { 1.0 } else { 0.25 };
            education[i] += t.learning * pace * (1.0 - education[i]);
        }
    }
    *sums = s;
}
