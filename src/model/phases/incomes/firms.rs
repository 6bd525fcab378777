//! Firms, in the incomes phase: what each spends besides pay, the pay
//! factor of each class (a sharing firm's premium, a hand shop's piece
//! earnings per head), the hand trade's going rate, and each region's
//! firms paying wages, severance, hiring, materials, profit tax and
//! dividends, with owners covering overdrafts.

use super::{Accounts, Buffers};
use crate::model::contracts::{costing, Incomes};
use crate::model::costs;
use crate::model::ledger::{Flow, Sector};
use crate::model::world::{refill, CLASSES, CRAFT, CRAFT_SHOP, HIRED, UNSKILLED};
use crate::scenario::Institutions;

/// Each firm's outlays besides pay, and the factor on the going wage that
/// each class of its workers earns.
pub(super) fn outlays_and_pay(view: &Incomes, buf: &mut Buffers) {
    let behaviour = view.params.behaviour();
    let firm_count = view.firms.len();
    // Employees earn the going wage of their class (times a sharing
    // firm's premium). Self-employed hand workers share what their shop's
    // cloth fetched, less its materials and the wear of its tools, equally
    // by head: each makes the same cloth whatever tools they hold, so a
    // weaver with a flying shuttle in a shop earns the shop's piece
    // earnings, not the wage factories pay their operatives. A worker's pay
    // is the going wage of their class times the factor for their class.
    buf.outlays.clear();
    buf.outlays.extend((0..firm_count).map(|f| Outlay {
        materials: materials_bought(view, f),
        wear: costs::machine_wear(view.params, view.firms, f),
        hands: hands_cost(view, f, behaviour.hiring_cost),
    }));
    buf.pay_factors.clear();
    let outlays = &buf.outlays;
    buf.pay_factors.extend((0..firm_count).map(|f| {
        if view.firms.organization[f] != CRAFT_SHOP {
            return [view.params.pay_factor(view.firms, f); CLASSES];
        }
        let members = view.params.shop_members(view.firms, f);
        if members == 0 {
            return [1.0; CLASSES];
        }
        let wage = &view.economy[view.firms.region[f] as usize].wage;
        // Hands hired for the hired task are paid the going wage first, and
        // their hiring and severance; the members share what is left.
        let outlay = outlays[f];
        let net = view.firms.revenue[f] - outlay.materials - outlay.wear - outlay.hands;
        let per_head = net.max(0.0) / f64::from(members);
        std::array::from_fn(|k| {
            if view.params.hired_task.is_some() && k == HIRED {
                view.params.pay_factor(view.firms, f)
            } else {
                per_head / wage[k].max(1e-12)
            }
        })
    }));
}

/// The going rate of the hand trade is what its self-employed earned per
/// head: piece earnings set the hand trade's wage from next quarter.
pub(super) fn piece_rates(view: &Incomes, buf: &mut Buffers) {
    refill(&mut buf.piece_rates, view.params.region_count(), 1.0);
    for r in 0..view.params.region_count() {
        let (mut earned, mut heads) = (0.0, 0.0);
        for f in view.economy[r].firms.clone() {
            if view.firms.organization[f] != CRAFT_SHOP || !view.firms.alive[f] {
                continue;
            }
            let members = view.params.shop_members(view.firms, f);
            earned += f64::from(members) * buf.pay_factors[f][CRAFT];
            heads += f64::from(members);
        }
        if heads > 0.0 {
            buf.piece_rates[r] = earned / heads;
        }
    }
}

/// Region `r`'s firms pay wages, severance, hiring, materials and profit
/// tax; owners cover overdrafts and take dividends. The totals go into
/// `accounts`, and every payment into the ledger.
pub(super) fn pay(
    view: &mut Incomes,
    r: usize,
    institutions: &Institutions,
    buf: &Buffers,
    accounts: &mut Accounts,
) {
    let behaviour = view.params.behaviour();
    let (outlays, pay_factors) = (&buf.outlays, &buf.pay_factors);
    let households = accounts.households;
    let mut wage_bill = 0.0;
    let mut severance = 0.0;
    let mut profit_tax = 0.0;
    let mut dividends = 0.0;
    let mut equity = 0.0;
    let mut hiring = 0.0;
    let mut materials = 0.0;
    let region = &view.economy[r];
    for f in region.firms.clone() {
        let bill: f64 = (0..CLASSES)
            .map(|k| region.wage[k] * view.firms.labour[f][k] as f64 * pay_factors[f][k])
            .sum();
        // Each hire costs `hiring_cost` quarters of the firm's mean wage,
        // spent on recruiting and training bought from the rest of the economy.
        let staff: u32 = view.firms.labour[f].iter().sum();
        let hired = if is_hiring_shop(view, f) {
            hands_hiring(view, f, behaviour.hiring_cost)
        } else {
            behaviour.hiring_cost * view.firms.hires[f] as f64 * bill / staff.max(1) as f64
        };
        let fired: f64 = (0..CLASSES)
            .map(|k| region.wage[k] * view.firms.fired[f][k] as f64)
            .sum::<f64>()
            * institutions.firing_cost;
        let Outlay {
            materials: bought,
            wear,
            ..
        } = outlays[f];
        let profit = view.firms.revenue[f] - bill - fired - hired - bought - wear;
        let tax = institutions.profit_tax * profit.max(0.0);
        view.firms.cash[f] -= bill + fired + hired + bought + tax;
        hiring += hired;
        materials += bought;
        wage_bill += bill;
        severance += fired;
        profit_tax += tax;
        // A firm is in distress in a quarter it loses money and has run
        // through its cash, so owners must cover the overdraft, or sells
        // nothing at all; a run of such quarters makes it exit
        // (reorganization phase).
        if view.firms.alive[f] {
            if (profit < 0.0 && view.firms.cash[f] < 0.0) || view.firms.revenue[f] <= 0.0 {
                view.firms.loss_quarters[f] += 1;
            } else if profit >= 0.0 {
                view.firms.loss_quarters[f] = 0;
            }
        }
        // Owners cover an overdraft; they take part of cash above a buffer.
        if view.firms.cash[f] < 0.0 {
            equity -= view.firms.cash[f];
            view.firms.cash[f] = 0.0;
        }
        let buffer = 2.0 * bill;
        let payout = behaviour.payout * (view.firms.cash[f] - buffer).max(0.0);
        view.firms.cash[f] -= payout;
        dividends += payout;
    }
    let ledger = &mut view.ledger;
    ledger.paid(Flow::Wages, Sector::Firms, wage_bill);
    ledger.received(Flow::Wages, Sector::Households, households.firm_wages);
    ledger.paid(Flow::Severance, Sector::Firms, severance);
    ledger.received(Flow::Severance, Sector::Households, households.severance);
    ledger.pay(Flow::Taxes, Sector::Firms, Sector::Government, profit_tax);
    ledger.pay(Flow::Hiring, Sector::Firms, Sector::Rest, hiring);
    ledger.pay(Flow::Materials, Sector::Firms, Sector::Rest, materials);
    view.economy[r].rest_cash += hiring + materials;
    view.economy[r].rest_sales += hiring + materials;
    view.flows[r].materials += materials;
    let ledger = &mut view.ledger;
    ledger.pay(Flow::Equity, Sector::Owners, Sector::Firms, equity);
    ledger.pay(Flow::Dividends, Sector::Firms, Sector::Owners, dividends);
    accounts.wage_bill = wage_bill;
    accounts.profit_tax = profit_tax;
    accounts.dividends = dividends;
    accounts.equity = equity;
}

/// The hand trade's wage for next quarter is its piece rate, never below
/// subsistence, a fifth of the unskilled wage: a weaver earning less
/// leaves the loom for the parish or the road. Operatives' wages are set in
/// the labour market, by the factories that employ them. The young
/// remember what the trade has paid over the past `trade_memory_years`,
/// not only this quarter's rate.
pub(super) fn next_piece_rates(view: &mut Incomes, piece_rates: &[f64]) {
    let memory = view.params.behaviour().trade_memory_years * view.params.steps_per_year();
    let keep = if memory > 1.0 {
        1.0 - 1.0 / memory
    } else {
        0.0
    };
    for (region, &rate) in view.economy.iter_mut().zip(piece_rates.iter()) {
        let floor = 0.2 * region.wage[UNSKILLED];
        region.wage[CRAFT] = (region.wage[CRAFT] * rate).max(floor);
        let relative = region.wage[CRAFT] / region.wage[UNSKILLED];
        region.craft_reputation = keep * region.craft_reputation + (1.0 - keep) * relative;
    }
}

/// What a firm spends in a quarter besides pay, taxes and hiring.
#[derive(Clone, Copy, Default)]
pub(super) struct Outlay {
    /// The materials of the quarter's output, paid to the rest of the economy.
    materials: f64,
    /// The value its machines lost to wear.
    wear: f64,
    /// What a hand shop paid the hands of its hired task: wages, hiring
    /// and severance (zero for other firms).
    hands: f64,
}

/// Whether firm `f` is a hand shop that pays hands for a task.
fn is_hiring_shop(view: &Incomes, f: usize) -> bool {
    view.params.hired_task.is_some() && view.firms.organization[f] == CRAFT_SHOP
}

/// What this quarter's newcomers cost hand shop `f`: `hiring_cost`
/// quarters of a hand's pay for each worker who joined, hand or member.
/// The hands' pay, not the members' earnings (which are what is left
/// after it), is the measure, so the members' share is not circular.
fn hands_hiring(view: &Incomes, f: usize, hiring_cost: f64) -> f64 {
    let wage = view.economy[view.firms.region[f] as usize].wage[HIRED]
        * view.params.pay_factor(view.firms, f);
    hiring_cost * f64::from(view.firms.hires[f]) * wage
}

/// Everything hand shop `f` pays for its hands this quarter: their wages,
/// their hiring and the severance of those let go. The members bear it, so
/// the shop itself makes neither profit nor loss.
fn hands_cost(view: &Incomes, f: usize, hiring_cost: f64) -> f64 {
    if !is_hiring_shop(view, f) {
        return 0.0;
    }
    let r = view.firms.region[f] as usize;
    let wage = view.economy[r].wage[HIRED];
    let pay = f64::from(view.firms.labour[f][HIRED]) * wage * view.params.pay_factor(view.firms, f);
    let severance =
        f64::from(view.firms.fired[f][HIRED]) * wage * view.politics[r].institutions.firing_cost;
    pay + hands_hiring(view, f, hiring_cost) + severance
}

/// What firm `f` paid for the materials of this quarter's output.
fn materials_bought(view: &Incomes, f: usize) -> f64 {
    let r = view.firms.region[f] as usize;
    view.firms.output[f] * costs::materials_cost(&costing!(view), r)
}
