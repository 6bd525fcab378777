//! Accounting: the books must balance every step. The closing money stocks
//! are summed (households' savings chunk by chunk, see `Holdings`), the
//! ledger closed against them, and its opening balances set for the next
//! step, only when the books balance. Its contract is
//! `contracts::Accounting`; `partial` (households' savings per chunk of
//! workers) is working memory only.
//!
//! Fails the run, naming the step and the flow or sector, when any flow's
//! payments and receipts differ or a sector's money moved by anything but
//! its recorded flows, beyond a relative error of `TOLERANCE`.

use crate::error::{LuddError, Result};
use crate::model::contracts::Accounting;
use crate::model::world::Holdings;

pub const TOLERANCE: f64 = 1e-9;

pub fn accounting(books: Accounting<'_>, partial: &mut Vec<f64>) -> Result<()> {
    let closing = Holdings {
        workers: books.workers,
        inventors: books.inventors,
        firms: books.firms,
        builders: books.builders,
        economy: books.economy,
        government: books.government,
    }
    .money_stocks(partial);
    let ledger = books.ledger;
    match ledger.close(&closing, TOLERANCE) {
        Ok(worst) => {
            ledger.worst_imbalance = ledger.worst_imbalance.max(worst);
            Ok(())
        }
        Err(message) => Err(LuddError::Simulation {
            step: books.clock.step,
            year: books.clock.year,
            phase: "accounting",
            region: "world".into(),
            message,
        }),
    }
}
