//! The statistic of a series, and what one run says about each target.

use super::targets::{Statistic, Target};
use crate::analysis::files::polars_error;
use crate::error::{LuddError, Problem, Result};
use crate::model::run::RunOutput;
use polars::prelude::*;

/// The statistic of one series, given as (year, value) in time order.
pub fn statistic(t: &Target, series: &[(f64, f64)]) -> Option<f64> {
    let at = |year: f64| {
        let v: Vec<f64> = series
            .iter()
            .filter(|(y, v)| *y >= year && *y < year + 1.0 && v.is_finite())
            .map(|p| p.1)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
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
    }
}

/// A target's named series in one run's series table, as (year, value).
fn series_in(df: &DataFrame, t: &Target) -> Result<Vec<(f64, f64)>> {
    let err = polars_error("series");
    let column = df.column(&t.metric).map_err(|_| LuddError::Invalid {
        file: "scenarios/targets.csv".into(),
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
pub(super) enum Seen {
    Date(Option<f64>),
    Series(Vec<(f64, f64)>),
}

/// What one run says about each of a list of targets, in the list's
/// order: all that the outcomes need of it, a small part of the run.
pub struct RunStatistics {
    pub(super) end_year: f64,
    pub(super) seen: Vec<Seen>,
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
