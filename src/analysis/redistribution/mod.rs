//! `ludd summarize`: who gains and who loses, from the tables of one run,
//! of a comparison, or of any directory holding run directories, computed
//! with polars lazy queries over the runs' tables, each run read whole into
//! memory and checked against its manifest first (`runs`).
//!
//! Three tables come out, each with the mean and 5th-95th percentiles over
//! the runs of a setting (one run: the three are equal):
//! - by region and group: real income in the year before stage 2 began, in
//!   the year it began, at its lowest from then on, in the year stage 3
//!   began, and the years from stage 2 on spent below the level before it;
//! - by region: protest, the displaced cohort's lifetime income change, the
//!   Engels' pause, the labour share's trough and the Gini's peak;
//! - by region and year: the labour share and income Gini paths.

mod runs;
mod summary;

pub use runs::{find_runs, provenance, settings, Found, RunDir};
pub use summary::{display, summarize, Redistribution, GROUP_MEASURES, REGION_MEASURES};
