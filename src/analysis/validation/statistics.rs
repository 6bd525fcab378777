//! The statistic of a series, and what one run says about each target.

use super::targets::{Statistic, Target, RANGE_YEARS};
use crate::analysis::files::polars_error;
use crate::error::{LuddError, Problem, Result};
use crate::model::run::RunOutput;
use polars::prelude::*;

/// The mean of the finite values of `series` in the year starting at
/// `year`, or None when it has none there.
fn annual_mean(series: &[(f64, f64)], year: f64) -> Option<f64> {
    let v: Vec<f64> = series
        .iter()
        .filter(|(y, v)| *y >= year && *y < year + 1.0 && v.is_finite())
        .map(|p| p.1)
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The annual means of the years `a` to `b`, both included, or None when
/// the series lacks the first or the last of them: a run that stops
/// before the window ends (or starts after it begins) has not shown what
/// the window asks, so it has no statistic rather than one over part of
/// the window. Years inside without a finite value are kept as None.
fn window(series: &[(f64, f64)], a: f64, b: f64) -> Option<Vec<Option<f64>>> {
    let years = (b - a).round() as usize + 1;
    let means: Vec<Option<f64>> = (0..years)
        .map(|k| annual_mean(series, a + k as f64))
        .collect();
    (means.first()?.is_some() && means.last()?.is_some()).then_some(means)
}

/// The statistic of one series, given as (year, value) in time order.
pub fn statistic(t: &Target, series: &[(f64, f64)]) -> Option<f64> {
    let at = |year: f64| annual_mean(series, year);
    match t.statistic {
        Statistic::Level => at(t.year_a?),
        Statistic::Ratio | Statistic::Growth | Statistic::AnnualFactor => {
            let (a, b) = (at(t.year_a?)?, at(t.year_b?)?);
            if a == 0.0 {
                return None;
            }
            let ratio = b / a;
            Some(match t.statistic {
                Statistic::Ratio => ratio,
                Statistic::Growth => ratio - 1.0,
                _ => ratio.powf(1.0 / (t.year_b? - t.year_a?)),
            })
        }
        Statistic::Crossing => series
            .iter()
            .find(|(_, v)| *v >= t.threshold.unwrap_or(f64::NAN))
            .map(|p| p.0),
        Statistic::FirstYearAbove => series
            .iter()
            .find(|(_, v)| *v > t.threshold.unwrap_or(f64::NAN))
            .map(|p| p.0),
        Statistic::Date => None,
        Statistic::Max | Statistic::Min => {
            let means = window(series, t.year_a?, t.year_b?)?;
            let values = means.into_iter().flatten();
            match t.statistic {
                Statistic::Max => values.reduce(f64::max),
                _ => values.reduce(f64::min),
            }
        }
        Statistic::Range => {
            let means = window(series, t.year_a?, t.year_b?)?;
            let span = RANGE_YEARS as usize;
            // A ten-year mean needs all ten of its years: one with a gap
            // would weigh the other nine more than the rest of the window.
            let decades: Vec<f64> = means
                .windows(span)
                .filter_map(|w| {
                    let years: Option<Vec<f64>> = w.iter().copied().collect();
                    years.map(|y| y.iter().sum::<f64>() / span as f64)
                })
                .collect();
            let high = decades.iter().copied().reduce(f64::max)?;
            let low = decades.iter().copied().reduce(f64::min)?;
            Some(high - low)
        }
    }
}

/// A target's named series in one run's series table, as (year, value).
fn series_in(df: &DataFrame, t: &Target) -> Result<Vec<(f64, f64)>> {
    let err = polars_error("series");
    let column = df.column(&t.metric).map_err(|_| LuddError::Invalid {
        file: t.file.clone(),
        problems: vec![Problem {
            path: format!("target {}", t.id),
            message: format!("no series named '{}'", t.metric),
        }],
    })?;
    let values = column.cast(&DataType::Float64).map_err(&err)?;
    let values = values.f64().map_err(&err)?;
    let regions = df.column("region").map_err(&err)?.str().map_err(&err)?;
    let years = df.column("year").map_err(&err)?.f64().map_err(&err)?;
    Ok(regions
        .into_iter()
        .zip(years)
        .zip(values)
        .filter(|((r, _), _)| *r == Some(t.region.as_str()))
        .map(|((_, y), v)| (y.unwrap_or(f64::NAN), v.unwrap_or(f64::NAN)))
        .collect())
}

/// What one run says about one target: for a date, the year of the event;
/// otherwise the target's series, from which come the run's own statistic
/// and its share of the ensemble-mean series.
#[derive(Clone)]
pub(super) enum Seen {
    Date(Option<f64>),
    Series(Vec<(f64, f64)>),
}

/// What one run says about each of a list of targets, in the list's
/// order: all that the outcomes need of it, a small part of the run.
#[derive(Clone)]
pub struct RunStatistics {
    pub(super) end_year: f64,
    pub(super) seen: Vec<Seen>,
}

impl RunStatistics {
    /// Bytes it holds: the targets' series.
    pub fn bytes(&self) -> usize {
        self.seen
            .iter()
            .map(|s| match s {
                Seen::Date(_) => 16,
                Seen::Series(points) => 16 + points.len() * 16,
            })
            .sum()
    }
}

/// Reduces a run to what `targets` need of it. The run's series table is
/// built once, and only when a target needs a series.
pub fn observe(targets: &[&Target], out: &RunOutput) -> Result<RunStatistics> {
    let needs_series = targets.iter().any(|t| t.statistic != Statistic::Date);
    let df = match needs_series {
        true => Some(crate::analysis::output::series_frame(out)?),
        false => None,
    };
    let seen = targets
        .iter()
        .map(|t| match (&df, t.statistic) {
            (Some(df), s) if s != Statistic::Date => series_in(df, t).map(Seen::Series),
            _ => Ok(Seen::Date(
                out.summary
                    .iter()
                    .find(|s| s.region == t.region)
                    .and_then(|s| s.stage2_year),
            )),
        })
        .collect::<Result<_>>()?;
    Ok(RunStatistics {
        end_year: out.scenario.end_year,
        seen,
    })
}
