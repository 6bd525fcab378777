//! Observation: what a run records of each step (`record`) and the
//! end-of-run summary (`summary`). Observation only reads the model: every
//! function here takes the state by shared reference, and what it fills is
//! its own output (`Records`) and working memory. Anything the model reads
//! back, such as the stage dates and the displaced cohort, is computed by a
//! phase (`phases::stages`). Observation never calls a phase.
//! Real output is a chained Fisher quantity index (`index`).

mod gini;
pub mod index;
pub mod record;
mod rows;
pub mod summary;

pub use rows::{
    vintage_label, GroupRow, Records, SeriesRow, TechRow, TradeRow, GROUPS, VINTAGES_BY_AGE,
};
