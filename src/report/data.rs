//! What the report reads: the tables of every run under a directory, or the
//! dataset of a sweep that kept only its measures, reshaped into the lines,
//! spans, markers and rows the charts draw.

use crate::analysis::files::polars_cause;
use crate::analysis::redistribution::{find_runs, Found, RunDir};
use crate::analysis::stats::annual_means;
use crate::analysis::validation::{self, Statistic};
use crate::error::{LuddError, Result};
use crate::scenario::Scenario;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A named line of (year, value) points.
pub(super) type Line = (String, Vec<(f64, f64)>);

/// A table read from a file, kept with its path so that a column missing
/// or of the wrong type is reported against the file that lacks it.
pub(super) struct Table {
    pub df: DataFrame,
    pub path: PathBuf,
}

impl Table {
    fn column_error(&self, name: &str, e: PolarsError) -> LuddError {
        LuddError::Output {
            path: self.path.clone(),
            message: format!("column '{name}': {}", polars_cause(e)),
        }
    }
}

/// One run's tables, read whole (they are small).
pub(super) struct Run {
    pub series: Table,
    pub groups: Table,
    pub technologies: Table,
    pub events: Table,
    pub trade: Table,
    pub summary: Table,
    pub scenario: Scenario,
    pub setting: String,
}

/// The runs at or under a directory, in path order, and what was found on
/// the way (their scenarios, the links skipped).
pub(super) struct Runs {
    pub runs: Vec<Run>,
    pub found: Found,
}

/// Every run at or under `dir`, in path order, each read whole and
/// checked against its manifest when it was found (`find_runs`).
pub(super) fn read_runs(dir: &Path) -> Result<Runs> {
    let found = find_runs(dir)?;
    let runs = found.runs.iter().map(read).collect();
    Ok(Runs { runs, found })
}

/// One run's tables and scenario, as `find_runs` read and checked them.
fn read(dir: &RunDir) -> Run {
    let table = |name: &str| Table {
        df: dir.read.table(name).clone(),
        path: dir.path.join(name),
    };
    Run {
        series: table("series.parquet"),
        groups: table("groups.parquet"),
        technologies: table("technologies.parquet"),
        events: table("events.parquet"),
        trade: table("trade.parquet"),
        summary: table("summary.parquet"),
        scenario: dir.read.scenario.clone(),
        setting: dir.setting.clone(),
    }
}

pub(super) fn f64s(table: &Table, name: &str) -> Result<Vec<f64>> {
    let err = |e| table.column_error(name, e);
    Ok(table
        .df
        .column(name)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(err)?
        .f64()
        .map_err(err)?
        .into_iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

pub(super) fn strs(table: &Table, name: &str) -> Result<Vec<String>> {
    let err = |e| table.column_error(name, e);
    Ok(table
        .df
        .column(name)
        .map_err(err)?
        .str()
        .map_err(err)?
        .into_iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect())
}

/// (year, value) of one column for one region, in step order.
pub(super) fn region_series(run: &Run, region: &str, column: &str) -> Result<Vec<(f64, f64)>> {
    let regions = strs(&run.series, "region")?;
    let years = f64s(&run.series, "year")?;
    let values = f64s(&run.series, column)?;
    Ok(regions
        .iter()
        .zip(years.iter().zip(values))
        .filter(|(r, _)| r.as_str() == region)
        .map(|(_, (y, v))| (*y, v))
        .collect())
}

/// (year, value) of one column of the technologies table for one
/// technology in one region, in step order.
pub(super) fn technology_series(
    run: &Run,
    region: &str,
    technology: &str,
    column: &str,
) -> Result<Vec<(f64, f64)>> {
    let table = &run.technologies;
    let regions = strs(table, "region")?;
    let names = strs(table, "technology")?;
    let years = f64s(table, "year")?;
    let values = f64s(table, column)?;
    Ok((0..years.len())
        .filter(|&i| regions[i] == region && names[i] == technology)
        .map(|i| (years[i], values[i]))
        .collect())
}

/// Years at which the leading region's stage changes, as shaded spans.
pub(super) fn stage_spans(run: &Run, region: &str, end: f64) -> Result<Vec<(f64, f64, String)>> {
    let stages = region_series(run, region, "stage")?;
    let mut spans = Vec::new();
    let mut current: Option<(f64, f64)> = None;
    for &(y, s) in &stages {
        match current {
            Some((_, st)) if st == s => {}
            _ => {
                if let Some((start, st)) = current {
                    spans.push((start, y, format!("stage {st:.0}")));
                }
                current = Some((y, s));
            }
        }
    }
    if let Some((start, st)) = current {
        spans.push((start, end, format!("stage {st:.0}")));
    }
    Ok(spans)
}

/// (year, kind, detail) of the events of the given kinds in one region.
pub(super) fn events_of(
    run: &Run,
    region: &str,
    kinds: &[&str],
) -> Result<Vec<(f64, String, String)>> {
    let regions = strs(&run.events, "region")?;
    let kind = strs(&run.events, "kind")?;
    let years = f64s(&run.events, "year")?;
    let detail = strs(&run.events, "detail")?;
    Ok((0..regions.len())
        .filter(|&i| regions[i] == region && kinds.contains(&kind[i].as_str()))
        .map(|i| (years[i], kind[i].clone(), detail[i].clone()))
        .collect())
}

/// Annual means of real income per person in each workers' group of one
/// region, and of output per worker, each indexed to 100 in its first year
/// with a positive value.
pub(super) fn income_index(run: &Run, region: &str) -> Result<Vec<Line>> {
    let regions = strs(&run.groups, "region")?;
    let groups = strs(&run.groups, "group")?;
    let years = f64s(&run.groups, "year")?;
    let income = f64s(&run.groups, "real_income")?;
    let people = f64s(&run.groups, "people")?;
    let mut lines = Vec::new();
    // Workers' groups only: owners' income is profit, on another scale.
    for g in ["craft", "operator", "general", "unskilled"] {
        let points: Vec<(f64, f64)> = (0..regions.len())
            .filter(|&i| regions[i] == region && groups[i] == g && people[i] > 0.0)
            .map(|i| (years[i], income[i]))
            .collect();
        let a = annual_means(&points);
        if let Some(&(_, base)) = a.iter().find(|p| p.1 > 0.0) {
            lines.push((
                g.to_string(),
                a.iter().map(|&(y, v)| (y, 100.0 * v / base)).collect(),
            ));
        }
    }
    let opw = annual_means(&region_series(run, region, "output_per_worker")?);
    if let Some(&(_, base)) = opw.iter().find(|p| p.1 > 0.0) {
        lines.push((
            "output per worker".into(),
            opw.iter().map(|&(y, v)| (y, 100.0 * v / base)).collect(),
        ));
    }
    Ok(lines)
}

/// Annual means of one column in one region over each setting's runs.
pub(super) fn per_setting_mean(runs: &[&Run], region: &str, column: &str) -> Result<Vec<Line>> {
    let mut by: BTreeMap<String, Vec<Vec<(f64, f64)>>> = BTreeMap::new();
    for r in runs {
        by.entry(r.setting.clone())
            .or_default()
            .push(annual_means(&region_series(r, region, column)?));
    }
    Ok(by
        .into_iter()
        .map(|(setting, paths)| {
            let n = paths.iter().map(Vec::len).min().unwrap_or(0);
            let mean = (0..n)
                .map(|i| {
                    let y = paths[0][i].0;
                    (
                        y,
                        paths.iter().map(|p| p[i].1).sum::<f64>() / paths.len() as f64,
                    )
                })
                .collect();
            (setting, mean)
        })
        .collect())
}

/// A route of the trade network between two different regions.
pub(super) struct Route {
    /// The regions' indices in the scenario.
    pub ends: (usize, usize),
    /// Trade in the industry's good over the run, both directions together.
    pub value: f64,
    pub embargoed: bool,
}

/// The trade network of one run: its regions, its routes and the largest
/// trade between any two regions.
pub(super) struct Network {
    pub regions: Vec<String>,
    pub routes: Vec<Route>,
    pub biggest: f64,
}

pub(super) fn network(run: &Run) -> Result<Network> {
    let s = &run.scenario;
    // Trade over the whole run per route, both directions together.
    let from = strs(&run.trade, "from")?;
    let to = strs(&run.trade, "to")?;
    let value = f64s(&run.trade, "value")?;
    let mut flow: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for i in 0..from.len() {
        if let (Some(a), Some(b)) = (s.region_index(&from[i]), s.region_index(&to[i])) {
            *flow.entry((a.min(b), a.max(b))).or_default() += value[i];
        }
    }
    let biggest = flow.values().copied().fold(0.0, f64::max).max(1e-12);
    // A route is marked embargoed when either end bans machinery exports
    // toward the other at some time in the run (at the start or by a dated
    // policy, toward every region or aimed at the other end).
    let embargo = |r: usize, other: usize| {
        s.regions[r].institutions.export_embargo >= 0.5
            || s.policies.iter().any(|p| {
                p.region == s.regions[r].name
                    && p.field == "export_embargo"
                    && p.value >= 0.5
                    && p.toward
                        .as_deref()
                        .is_none_or(|t| t == s.regions[other].name)
            })
    };
    let mut routes = Vec::new();
    for route in &s.routes {
        let (Some(a), Some(b)) = (s.region_index(&route.from), s.region_index(&route.to)) else {
            continue;
        };
        if a == b {
            continue;
        }
        routes.push(Route {
            ends: (a, b),
            value: flow.get(&(a.min(b), a.max(b))).copied().unwrap_or(0.0),
            embargoed: embargo(a, b) || embargo(b, a),
        });
    }
    Ok(Network {
        regions: s.regions.iter().map(|r| r.name.clone()).collect(),
        routes,
        biggest,
    })
}

/// One historical target against the model, on the target's own scale: its
/// band maps to [0, 1].
pub(super) struct TargetRow {
    pub label: String,
    pub history: f64,
    /// The mean of the runs and their 5th and 95th percentiles; NaN when no
    /// run gives a value.
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// The scenario's historical targets against the given runs, or None when
/// the scenario has no targets.
pub(super) fn targets(runs: &[&Run], scenario: &str) -> Result<Option<Vec<TargetRow>>> {
    let targets: Vec<_> = validation::targets()?
        .into_iter()
        .filter(|t| t.scenario == scenario)
        .collect();
    if targets.is_empty() {
        return Ok(None);
    }
    let end = runs[0].scenario.end_year;
    let mut rows = Vec::new();
    for t in &targets {
        let mut values = Vec::new();
        for run in runs {
            let v = if t.statistic == Statistic::Date {
                let regions = strs(&run.summary, "region")?;
                let years = f64s(&run.summary, "stage2_year")?;
                regions.iter().position(|r| *r == t.region).map(|i| {
                    if years[i].is_finite() {
                        years[i]
                    } else {
                        end
                    }
                })
            } else {
                let series = region_series(run, &t.region, &t.metric)?;
                validation::statistic(t, &series)
            };
            if let Some(v) = v.filter(|v| v.is_finite()) {
                values.push(v);
            }
        }
        let scale = |v: f64| (v - t.low) / (t.high - t.low);
        let (mean, low, high) = if values.is_empty() {
            (f64::NAN, f64::NAN, f64::NAN)
        } else {
            (
                scale(crate::analysis::stats::mean(&values)),
                scale(crate::analysis::stats::quantile(&values, 0.05)),
                scale(crate::analysis::stats::quantile(&values, 0.95)),
            )
        };
        rows.push(TargetRow {
            label: format!("{} {}", t.id, t.metric),
            history: scale(t.value),
            mean,
            low,
            high,
        });
    }
    Ok(Some(rows))
}

/// A sweep that kept only its measures: its record and its dataset.
pub(super) struct Sweep {
    pub name: String,
    pub base: String,
    pub points: usize,
    /// The numeric parameters varied, in the sweep's order.
    pub params: Vec<String>,
    /// One row per run: the parameters' values and the measures.
    pub data: Table,
}

pub(super) fn read_sweep(dir: &Path) -> Result<Sweep> {
    let data = Table {
        df: crate::analysis::sweep::read_metrics(dir)?,
        path: dir.join("metrics"),
    };
    let (sweep, _) = crate::analysis::sweep::read_record(dir)?;
    Ok(Sweep {
        points: sweep.point_count().unwrap_or(0) as usize,
        params: sweep.parameters(),
        name: sweep.name,
        base: sweep.base,
        data,
    })
}

impl Sweep {
    /// (parameter, measure) of every run where both are finite, or None
    /// when the dataset has no such parameter column.
    pub(super) fn dots(&self, param: &str, measure: &str) -> Result<Option<Vec<(f64, f64)>>> {
        let Ok(xs) = f64s(&self.data, param) else {
            return Ok(None);
        };
        let ys = f64s(&self.data, measure)?;
        Ok(Some(
            xs.iter()
                .zip(&ys)
                .map(|(x, y)| (*x, *y))
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect(),
        ))
    }
}
