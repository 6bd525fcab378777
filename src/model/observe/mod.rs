//! Observation: what a run records of each step (`record`), the stages it
//! detects from the record (`stages`) and the end-of-run summary
//! (`summary`). Observation reads the state and never calls a phase.
//! Real output is a chained Fisher quantity index (`index`).

mod gini;
pub mod index;
pub mod record;
mod rows;
pub mod stages;
pub mod summary;

pub use rows::{GroupRow, Records, SeriesRow, TechRow, TradeRow, GROUPS};
