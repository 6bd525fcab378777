//! A run reduced to what the page draws and compares, and an ensemble of
//! such digests reduced to its mean and 5th-95th percentile band. The
//! measures come from `analysis::compare`, the targets' statistics from
//! `analysis::validation`, so the page shows exactly what `ludd compare`
//! and `ludd validate` would. A digest is small (about a tenth of a
//! megabyte for the loom); the run itself stays in the cache only, for its
//! tables.

use crate::analysis::compare::{
    annual, annual_of_steps, leading_region, metrics, RunMetrics, METRICS,
};
use crate::analysis::stats::{mean, quantile};
use crate::analysis::validation::{evaluate_observed, observe, RunStatistics, Target};
use crate::error::Result;
use crate::model::observe::{
    vintage_label, GroupRow, SeriesRow, TechRow, TradeRow, GROUPS, VINTAGES_BY_AGE,
};
use crate::model::run::RunOutput;
use crate::model::world::Event;
use serde_json::{json, Value};

/// The charts of the page, each a list of (series name, what it shows).
/// Said once: the digest fills them in this order and the page draws them
/// by these names.
pub const CHARTS: &[(&str, &str)] = &[
    (
        "adoption",
        "share of the leading region's industry output by kind of technology",
    ),
    (
        "spread",
        "the general technology in the leading region: share of firms using it, its share of capacity and of output",
    ),
    (
        "vintages",
        "the general technology's share of the leading region's capacity by the age of its machines",
    ),
    (
        "income",
        "real income per head by group and output per worker, leading region (first year = 1)",
    ),
    (
        "protest",
        "share of workers protesting, by region (annual mean)",
    ),
    (
        "distribution",
        "labour share, income Gini and the share of the rest of the economy's tasks the general technology does, leading region",
    ),
];

/// One run's contribution to the page.
pub struct RunDigest {
    pub seed: u64,
    /// Per chart (in `CHARTS` order), its named annual series.
    pub charts: Vec<Vec<(String, Vec<f64>)>>,
    pub metrics: RunMetrics,
    /// What the run says about the scenario's historical targets.
    pub statistics: RunStatistics,
}

impl RunDigest {
    /// Bytes the digest holds, for the cache's budget.
    pub fn bytes(&self) -> usize {
        let series: usize = self
            .charts
            .iter()
            .flatten()
            .map(|(_, v)| v.len() * 8 + 64)
            .sum();
        series + self.statistics.bytes() + 1024
    }
}

/// Bytes a run's output holds: its rows (with the small text each carries),
/// its events and the incomes kept for the Gini coefficients.
pub fn output_bytes(out: &RunOutput) -> usize {
    use std::mem::size_of;
    let r = &out.records;
    let text = 16;
    r.series.capacity() * (size_of::<SeriesRow>() + text)
        + r.groups.capacity() * (size_of::<GroupRow>() + text)
        + r.technologies.capacity() * (size_of::<TechRow>() + 2 * text)
        + r.trade.capacity() * (size_of::<TradeRow>() + 2 * text)
        + out
            .events
            .iter()
            .map(|e| size_of::<Event>() + e.detail.len())
            .sum::<usize>()
        + out.workers * size_of::<f64>()
}

/// Reduces a run to its digest; `targets` are the scenario's.
pub fn digest(out: &RunOutput, targets: &[&Target]) -> Result<RunDigest> {
    Ok(RunDigest {
        seed: out.seed,
        charts: charts(out),
        metrics: metrics(out),
        statistics: observe(targets, out)?,
    })
}

/// The series of every chart, in `CHARTS` order.
fn charts(out: &RunOutput) -> Vec<Vec<(String, Vec<f64>)>> {
    let lead = out.region_names[leading_region(out)].clone();
    let adoption = vec![
        named("craft", annual(out, &lead, |s| s.craft_output_share)),
        named("special", annual(out, &lead, |s| s.special_output_share)),
        named("general", annual(out, &lead, |s| s.general_output_share)),
        named(
            "reorganized",
            annual(out, &lead, |s| s.reorganized_output_share),
        ),
    ];
    // The first general technology of the scenario (every built-in has one).
    let general = out
        .scenario
        .technologies
        .iter()
        .find(|t| t.kind == crate::scenario::TechKind::General)
        .map(|t| t.name.as_str());
    let spread = general.map_or(Vec::new(), |name| {
        vec![
            named(
                "firms using it",
                technology_annual(out, &lead, name, |t| t.firm_share),
            ),
            named(
                "capacity",
                technology_annual(out, &lead, name, |t| t.capacity_share),
            ),
            named(
                "output",
                technology_annual(out, &lead, name, |t| t.output_share),
            ),
        ]
    });
    let vintages = general.map_or(Vec::new(), |name| {
        (VINTAGES_BY_AGE.iter().enumerate())
            .map(|(class, (_, from))| {
                named(
                    &vintage_label(*from),
                    technology_annual(out, &lead, name, |t| t.capacity_by_age[class]),
                )
            })
            .collect()
    });
    let mut income = vec![named(
        "output per worker",
        indexed(annual(out, &lead, |s| s.output_per_worker)),
    )];
    for group in GROUPS {
        income.push(named(group, indexed(group_income(out, &lead, group))));
    }
    let protest = out
        .region_names
        .iter()
        .map(|r| named(r, annual(out, r, |s| s.protest_intensity)))
        .collect();
    let distribution = vec![
        named("labour share", annual(out, &lead, |s| s.labour_share)),
        named("income Gini", annual(out, &lead, |s| s.gini_income)),
        named("automated share", annual(out, &lead, |s| s.automated_share)),
    ];
    vec![adoption, spread, vintages, income, protest, distribution]
}

/// Annual means of one column of the technologies table for one technology
/// in one region, year by year as `annual` takes the series.
fn technology_annual(
    out: &RunOutput,
    region: &str,
    technology: &str,
    pick: impl Fn(&TechRow) -> f64,
) -> Vec<f64> {
    let rows = (out.records.technologies.iter())
        .filter(|t| t.region == region && t.technology == technology);
    annual_of_steps(out, rows.map(|t| (t.step, pick(t))))
}

fn named(name: &str, values: Vec<f64>) -> (String, Vec<f64>) {
    (name.to_string(), values)
}

/// A series divided by its first finite, positive value, so groups of very
/// different incomes share one axis.
fn indexed(v: Vec<f64>) -> Vec<f64> {
    let base = v.iter().copied().find(|x| x.is_finite() && *x > 0.0);
    v.into_iter()
        .map(|x| base.map_or(f64::NAN, |b| x / b))
        .collect()
}

/// Annual mean real income per head of `group` in `region`; a year in
/// which the group has no members is missing (NaN), not zero, so an
/// emptied group is not drawn as a collapse of its income.
fn group_income(out: &RunOutput, region: &str, group: &str) -> Vec<f64> {
    let steps_per_year = out.scenario.steps_per_year as usize;
    let years = out.steps.div_ceil(steps_per_year);
    let mut sum = vec![0.0; years];
    let mut count = vec![0usize; years];
    for g in &out.records.groups {
        if g.region == region && g.group == group && g.people > 0.0 {
            let y = (g.step as usize / steps_per_year).min(years - 1);
            sum[y] += g.real_income;
            count[y] += 1;
        }
    }
    sum.iter()
        .zip(&count)
        .map(|(s, &n)| if n > 0 { s / n as f64 } else { f64::NAN })
        .collect()
}

/// The ensemble so far, as the page draws it: per chart and series, the
/// mean and the 5th and 95th percentiles across runs of every year (over
/// the runs where the year is defined); the targets' outcomes; and every
/// run's measures. `digests` are in seed order.
pub fn ensemble_json(digests: &[&RunDigest], targets: &[&Target], start_year: f64) -> Value {
    let years = digests
        .first()
        .and_then(|d| d.charts.first())
        .and_then(|c| c.first())
        .map_or(0, |(_, v)| v.len());
    let charts: Vec<Value> = CHARTS
        .iter()
        .enumerate()
        .map(|(c, (name, title))| {
            let series: Vec<Value> = digests.first().map_or(Vec::new(), |d| {
                d.charts[c]
                    .iter()
                    .enumerate()
                    .map(|(k, (label, _))| {
                        let mut band = [Vec::new(), Vec::new(), Vec::new()];
                        for y in 0..years {
                            let at: Vec<f64> = digests
                                .iter()
                                .filter_map(|d| d.charts[c].get(k).and_then(|s| s.1.get(y)))
                                .copied()
                                .filter(|v| v.is_finite())
                                .collect();
                            let stats = if at.is_empty() {
                                [None, None, None]
                            } else {
                                [
                                    Some(mean(&at)),
                                    Some(quantile(&at, 0.05)),
                                    Some(quantile(&at, 0.95)),
                                ]
                            };
                            for (b, s) in band.iter_mut().zip(stats) {
                                b.push(s);
                            }
                        }
                        let [m, lo, hi] = band;
                        json!({"name": label, "mean": m, "p5": lo, "p95": hi})
                    })
                    .collect()
            });
            json!({"name": name, "title": title, "series": series})
        })
        .collect();
    let observed: Vec<&RunStatistics> = digests.iter().map(|d| &d.statistics).collect();
    let outcomes = if digests.is_empty() {
        Vec::new()
    } else {
        evaluate_observed(targets, &observed)
    };
    let targets: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            json!({
                "id": o.target.id,
                "metric": o.target.metric,
                "region": o.target.region,
                "statistic": o.target.statistic.name(),
                "history": o.target.value,
                "low": o.target.low,
                "high": o.target.high,
                "unit": o.target.unit,
                "mean": o.mean,
                "p5": o.p5,
                "p95": o.p95,
                "reached": o.reached,
                "runs": o.runs,
                "in_band": o.in_band,
                "verdict": o.verdict.name(),
            })
        })
        .collect();
    let runs: Vec<Value> = digests
        .iter()
        .map(|d| json!({"seed": d.seed, "measures": d.metrics.values()}))
        .collect();
    json!({
        "years": (0..years).map(|y| start_year + y as f64).collect::<Vec<_>>(),
        "charts": charts,
        "targets": targets,
        "measures": METRICS.iter().map(|(n, l)| json!({"name": n, "label": l})).collect::<Vec<_>>(),
        "runs": runs,
    })
}
