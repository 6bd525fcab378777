//! Helpers shared by the integration tests: loading the built-in loom
//! scenario, running ensembles, and the statistics the counterfactuals compare.
#![allow(dead_code)]

use ludd::scenario::Scenario;
use ludd::RunOutput;
use std::path::PathBuf;
use std::process::{Command, Output};

pub fn loom() -> Scenario {
    ludd::scenario::load("loom", &[])
        .expect("the built-in loom scenario is valid")
        .scenario
}

/// Seeds 1..=n.
pub fn seeds(n: u64) -> Vec<u64> {
    (1..=n).collect()
}

pub fn ensemble(s: &Scenario, n: u64) -> Vec<RunOutput> {
    ludd::ensemble(s, &seeds(n)).expect("the run completes")
}

pub fn mean(values: impl IntoIterator<Item = f64>) -> f64 {
    let v: Vec<f64> = values.into_iter().collect();
    v.iter().sum::<f64>() / v.len() as f64
}

/// Mean of a series over the last year of the run in one region.
pub fn last_year(
    out: &RunOutput,
    region: &str,
    pick: impl Fn(&ludd::model::observe::record::SeriesRow) -> f64,
) -> f64 {
    let rows: Vec<f64> = out
        .records
        .series
        .iter()
        .filter(|s| s.region == region)
        .map(pick)
        .collect();
    let spy = out.scenario.steps_per_year as usize;
    mean(rows[rows.len() - spy..].iter().copied())
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

/// Runs the `ludd` binary.
pub fn ludd(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the ludd binary starts")
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file below `dir`, at any depth.
pub fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// A sweep's rows in (point, replicate) order.
pub fn sorted(df: polars::prelude::DataFrame) -> polars::prelude::DataFrame {
    df.sort(["point", "replicate"], Default::default()).unwrap()
}

/// A count from the environment variable `name`, or `default`.
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
