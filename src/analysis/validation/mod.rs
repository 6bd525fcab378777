//! Checking scenarios against history. The targets in `scenarios/targets.csv`
//! (copied with their sources and derivations from the project's shared
//! targets) name a model series, a region, a statistic and a band; an
//! ensemble of runs is reduced to the statistic of the ensemble-mean series,
//! with the 5th-95th percentile of the per-run statistics as its spread and
//! the number of runs whose own statistic lies in the band. A target is
//! solid when the mean statistic and at least half of the runs are inside
//! the band, a hit when only the mean is. The plausibility checks in
//! `scenarios/checks.csv` (bounds history never left, such as peacetime
//! unemployment) have the same columns and are judged the same way.
//!
//! The parts: `targets` (the targets and checks and their parsing),
//! `statistics` (the statistic of a series and what one run says about each
//! target), `ensembles` (ensembles, streamed, evaluated into outcomes and
//! verdicts) and `tables` (the validation table as a DataFrame, text and
//! markdown).

mod ensembles;
mod statistics;
mod tables;
mod targets;

pub use ensembles::{
    check_streaming_memory, ensembles, evaluate, evaluate_observed, runs_in_band,
    streaming_estimate, Outcome, Verdict,
};
pub use statistics::{observe, statistic, RunStatistics};
pub use tables::{
    frame, markdown, markdown_destination, replace_table, summary, text_table, write_markdown,
    ChecksBlock, CHECKS_END, CHECKS_START, TABLE_END, TABLE_START,
};
pub use targets::{
    checks, parse_targets, pending, scenarios_to_check, targets, targets_of, Statistic, Target,
    CHECKS_CSV, RANGE_YEARS, TARGETS_CSV,
};
