//! Ensembles of the built-in loom scenario and the measures the
//! counterfactuals and findings read from a run.

use ludd::analysis::stats::mean;
use ludd::scenario::Scenario;
use ludd::RunOutput;

use crate::common::seeds;

pub fn ensemble(s: &Scenario, n: u64) -> Vec<RunOutput> {
    ludd::ensemble(s, &seeds(n)).expect("the run completes")
}

/// An ensemble of `n` runs, each with its books balanced every step.
pub fn balanced_ensemble(s: &Scenario, n: u64) -> Vec<RunOutput> {
    let all = ensemble(s, n);
    all.iter().for_each(assert_balanced);
    all
}

/// A series of one region, step by step, as (year, value).
fn region_series(
    out: &RunOutput,
    region: &str,
    pick: impl Fn(&ludd::model::observe::SeriesRow) -> f64,
) -> Vec<(f64, f64)> {
    (out.records.series.iter())
        .filter(|s| s.region == region)
        .map(|s| (s.year, pick(s)))
        .collect()
}

/// Mean of a series over the last year of the run in one region.
pub fn last_year(
    out: &RunOutput,
    region: &str,
    pick: impl Fn(&ludd::model::observe::SeriesRow) -> f64,
) -> f64 {
    let rows = region_series(out, region, pick);
    let spy = out.scenario.steps_per_year as usize;
    mean(
        &rows[rows.len() - spy..]
            .iter()
            .map(|r| r.1)
            .collect::<Vec<_>>(),
    )
}

/// Mean of a series in one region over the steps of the year `year`.
pub fn year_mean(
    out: &RunOutput,
    region: &str,
    year: f64,
    pick: impl Fn(&ludd::model::observe::SeriesRow) -> f64,
) -> f64 {
    let rows = region_series(out, region, pick);
    mean(
        &rows
            .iter()
            .filter(|r| r.0.floor() == year)
            .map(|r| r.1)
            .collect::<Vec<_>>(),
    )
}

/// First year the general technology makes at least `share` of a region's
/// industry output; the end year when it never does (censored).
pub fn general_crossing(out: &RunOutput, region: &str, share: f64) -> f64 {
    out.records
        .series
        .iter()
        .filter(|s| s.region == region)
        .find(|s| s.general_output_share >= share)
        .map_or(out.scenario.end_year, |s| s.year)
}

/// Year stage 2 starts in a region; the end year when it never does (censored).
pub fn stage2(out: &RunOutput, region: &str) -> f64 {
    out.summary
        .iter()
        .find(|s| s.region == region)
        .and_then(|s| s.stage2_year)
        .unwrap_or(out.scenario.end_year)
}

/// Protest summed over regions and years (share of workers protesting times years).
pub fn total_protest(out: &RunOutput) -> f64 {
    out.summary.iter().map(|s| s.protest_years).sum()
}

/// Fails unless every step of the run kept its books balanced (the worst
/// step's relative imbalance below the accounting phase's tolerance).
pub fn assert_balanced(out: &RunOutput) {
    assert!(
        out.worst_imbalance < ludd::model::phases::accounting::TOLERANCE,
        "seed {}: the books are off by {}",
        out.seed,
        out.worst_imbalance
    );
}
