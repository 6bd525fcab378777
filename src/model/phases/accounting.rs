//! Accounting: the books must balance every step.
//!
//! Reads:
//! - every money stock, through `money_stocks`: `workers.savings`,
//!   `inventors.savings`, `firms.cash`, `regions[r].owners_wealth`,
//!   `regions[r].rest_cash`, `regions[r].merchants_cash`,
//!   `regions[r].government`.
//! - ledger: the step's flows, their gross amounts and the opening
//!   balances.
//!
//! Writes:
//! - ledger: the opening balances for the next step (the closing stocks),
//!   with the flows and gross amounts cleared; only when the books balance.
//! - `worst_imbalance`.
//! - `partial` (households' savings per chunk of workers): working memory
//!   only.
//!
//! Fails the run, naming the step and the flow or sector, when any flow's
//! payments and receipts differ or a sector's money moved by anything but
//! its recorded flows, beyond a relative error of `TOLERANCE`.

use crate::error::{LuddError, Result};
use crate::model::world::World;

pub const TOLERANCE: f64 = 1e-9;

pub fn accounting(w: &mut World, partial: &mut Vec<f64>) -> Result<()> {
    let closing = w.money_stocks(partial);
    match w.ledger.close(&closing, TOLERANCE) {
        Ok(worst) => {
            w.worst_imbalance = w.worst_imbalance.max(worst);
            Ok(())
        }
        Err(message) => Err(LuddError::Simulation {
            step: w.step,
            year: w.year,
            phase: "accounting",
            region: "world".into(),
            message,
        }),
    }
}
