//! Firms, in the incomes phase: what each spends besides pay, the pay
//! factor of each class (a sharing firm's premium, a hand shop's piece
//! earnings per head), the hand trade's going rate, and each region's
//! firms paying wages, severance, hiring, materials, profit tax and
//! dividends, with owners covering overdrafts.

use super::{Accounts, Buffers};
use crate::model::costs;
use crate::model::ledger::{Flow, Sector};
use crate::model::world::{refill, World, CLASSES, CRAFT, CRAFT_SHOP, HIRED, UNSKILLED};
use crate::scenario::{Behaviour, Institutions};

/// Each firm's outlays besides pay, and the factor on the going wage that
/// each class of its workers earns.
pub(super) fn outlays_and_pay(world: &World, buf: &mut Buffers, behaviour: &Behaviour) {
    let firm_count = world.firms.len();
    // Employees earn the going wage of their class (times a sharing
    // firm's premium). Self-employed hand workers share what their shop's
    // cloth fetched, less its materials and the wear of its tools, equally
    // by head: each makes the same cloth whatever tools they hold, so a
    // weaver with a flying shuttle in a shop earns the shop's piece
    // earnings, not the wage factories pay their operatives. A worker's pay
    // is the going wage of their class times the factor for their class.
    buf.outlays.clear();
    buf.outlays.extend((0..firm_count).map(|f| Outlay {
        materials: materials_bought(world, f),
        wear: world.firms.capital[f] * costs::firm_depreciation(world, f),
        hands: hands_cost(world, f, behaviour.hiring_cost),
    }));
    buf.pay_factors.clear();
    let outlays = &buf.outlays;
    buf.pay_factors.extend((0..firm_count).map(|f| {
        if world.firms.org[f] != CRAFT_SHOP {
            return [world.pay_factor(f); CLASSES];
        }
        let members = world.shop_members(f);
        if members == 0 {
            return [1.0; CLASSES];
        }
        let wage = &world.regions[world.firms.region[f] as usize].wage;
        // Hands hired for the hired task are paid the going wage first, and
        // their hiring and severance; the members share what is left.
        let outlay = outlays[f];
        let net = world.firms.revenue[f] - outlay.materials - outlay.wear - outlay.hands;
        let per_head = net.max(0.0) / f64::from(members);
        std::array::from_fn(|k| {
            if world.hired_task.is_some() && k == HIRED {
                world.pay_factor(f)
            } else {
                per_head / wage[k].max(1e-12)
            }
        })
    }));
}

/// The going rate of the hand trade is what its self-employed earned per
/// head: piece earnings set the hand trade's wage from next quarter.
pub(super) fn piece_rates(world: &World, buf: &mut Buffers) {
    refill(&mut buf.piece_rates, world.regions.len(), 1.0);
    for r in 0..world.regions.len() {
        let (mut earned, mut heads) = (0.0, 0.0);
        for f in world.regions[r].firms.clone() {
            if world.firms.org[f] != CRAFT_SHOP || !world.firms.alive[f] {
                continue;
            }
            let members = world.shop_members(f);
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
    world: &mut World,
    r: usize,
    institutions: &Institutions,
    buf: &Buffers,
    behaviour: &Behaviour,
    accounts: &mut Accounts,
) {
    let (outlays, pay_factors) = (&buf.outlays, &buf.pay_factors);
    let households = accounts.households;
    let mut wage_bill = 0.0;
    let mut severance = 0.0;
    let mut profit_tax = 0.0;
    let mut dividends = 0.0;
    let mut equity = 0.0;
    let mut hiring = 0.0;
    let mut materials = 0.0;
    let region = &world.regions[r];
    for f in region.firms.clone() {
        let bill: f64 = (0..CLASSES)
            .map(|k| region.wage[k] * world.firms.labour[f][k] as f64 * pay_factors[f][k])
            .sum();
        // Each hire costs `hiring_cost` quarters of the firm's mean wage,
        // spent on recruiting and training bought from the rest of the economy.
        let staff: u32 = world.firms.labour[f].iter().sum();
        let hired = if is_hiring_shop(world, f) {
            hands_hiring(world, f, behaviour.hiring_cost)
        } else {
            behaviour.hiring_cost * world.firms.hires[f] as f64 * bill / staff.max(1) as f64
        };
        let fired: f64 = (0..CLASSES)
            .map(|k| region.wage[k] * world.firms.fired[f][k] as f64)
            .sum::<f64>()
            * institutions.firing_cost;
        let Outlay {
            materials: bought,
            wear,
            ..
        } = outlays[f];
        let profit = world.firms.revenue[f] - bill - fired - hired - bought - wear;
        let tax = institutions.profit_tax * profit.max(0.0);
        world.firms.cash[f] -= bill + fired + hired + bought + tax;
        hiring += hired;
        materials += bought;
        wage_bill += bill;
        severance += fired;
        profit_tax += tax;
        // A firm is in distress in a quarter it loses money and has run
        // through its cash, so owners must cover the overdraft, or sells
        // nothing at all; a run of such quarters makes it exit
        // (reorganization phase).
        if world.firms.alive[f] {
            if (profit < 0.0 && world.firms.cash[f] < 0.0) || world.firms.revenue[f] <= 0.0 {
                world.firms.loss_quarters[f] += 1;
            } else if profit >= 0.0 {
                world.firms.loss_quarters[f] = 0;
            }
        }
        // Owners cover an overdraft; they take part of cash above a buffer.
        if world.firms.cash[f] < 0.0 {
            equity -= world.firms.cash[f];
            world.firms.cash[f] = 0.0;
        }
        let buffer = 2.0 * bill;
        let payout = behaviour.payout * (world.firms.cash[f] - buffer).max(0.0);
        world.firms.cash[f] -= payout;
        dividends += payout;
    }
    let ledger = &mut world.ledger;
    ledger.paid(Flow::Wages, Sector::Firms, wage_bill);
    ledger.received(Flow::Wages, Sector::Households, households.firm_wages);
    ledger.paid(Flow::Severance, Sector::Firms, severance);
    ledger.received(Flow::Severance, Sector::Households, households.severance);
    ledger.pay(Flow::Taxes, Sector::Firms, Sector::Government, profit_tax);
    ledger.pay(Flow::Hiring, Sector::Firms, Sector::Rest, hiring);
    ledger.pay(Flow::Materials, Sector::Firms, Sector::Rest, materials);
    world.regions[r].rest_cash += hiring + materials;
    world.regions[r].rest_sales += hiring + materials;
    world.flows[r].materials += materials;
    let ledger = &mut world.ledger;
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
pub(super) fn next_piece_rates(world: &mut World, piece_rates: &[f64]) {
    let memory = world.scenario.behaviour.trade_memory_years * world.scenario.steps_per_year as f64;
    let keep = if memory > 1.0 {
        1.0 - 1.0 / memory
    } else {
        0.0
    };
    for (region, &rate) in world.regions.iter_mut().zip(piece_rates.iter()) {
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
fn is_hiring_shop(world: &World, f: usize) -> bool {
    world.hired_task.is_some() && world.firms.org[f] == CRAFT_SHOP
}

/// What this quarter's newcomers cost hand shop `f`: `hiring_cost`
/// quarters of a hand's pay for each worker who joined, hand or member.
/// The hands' pay, not the members' earnings (which are what is left
/// after it), is the measure, so the members' share is not circular.
fn hands_hiring(world: &World, f: usize, hiring_cost: f64) -> f64 {
    let wage = world.regions[world.firms.region[f] as usize].wage[HIRED] * world.pay_factor(f);
    hiring_cost * f64::from(world.firms.hires[f]) * wage
}

/// Everything hand shop `f` pays for its hands this quarter: their wages,
/// their hiring and the severance of those let go. The members bear it, so
/// the shop itself makes neither profit nor loss.
fn hands_cost(world: &World, f: usize, hiring_cost: f64) -> f64 {
    if !is_hiring_shop(world, f) {
        return 0.0;
    }
    let r = world.firms.region[f] as usize;
    let wage = world.regions[r].wage[HIRED];
    let pay = f64::from(world.firms.labour[f][HIRED]) * wage * world.pay_factor(f);
    let severance =
        f64::from(world.firms.fired[f][HIRED]) * wage * world.regions[r].institutions.firing_cost;
    pay + hands_hiring(world, f, hiring_cost) + severance
}

/// What firm `f` paid for the materials of this quarter's output.
fn materials_bought(world: &World, f: usize) -> f64 {
    let r = world.firms.region[f] as usize;
    world.firms.output[f] * costs::materials_cost(world, r)
}
