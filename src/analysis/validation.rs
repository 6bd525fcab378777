//! Checking scenarios against history. The targets in `scenarios/targets.csv`
//! (copied with their sources and derivations from the project's shared
//! targets) name a model series, a region, a statistic and a band; an
//! ensemble of runs is reduced to the statistic of the ensemble-mean series,
//! with the 5th-95th percentile of the per-run statistics as its spread.

use crate::analysis::files::{polars_error, write_atomic};
use crate::analysis::stats::quantile;
use crate::error::{LuddError, Problem, Result};
use crate::model::run::RunOutput;
use polars::prelude::*;

/// The targets, embedded so that `ludd validate` works from any directory.
pub const TARGETS_CSV: &str = include_str!("../../scenarios/targets.csv");

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Statistic {
    /// The series at `year_a` (its mean over that year).
    Level,
    /// The series at `year_b` over the series at `year_a`.
    Ratio,
    /// Ratio minus one.
    Growth,
    /// Ratio to the power 1/(year_b - year_a).
    AnnualFactor,
    /// First year the series reaches `threshold`.
    Crossing,
    /// First year the series exceeds `threshold`.
    FirstYearAbove,
    /// Year the detected event (the start of stage 2) happens.
    Date,
}

impl Statistic {
    fn parse(s: &str) -> Option<Statistic> {
        Some(match s {
            "level" => Statistic::Level,
            "ratio" => Statistic::Ratio,
            "growth" => Statistic::Growth,
            "annual_factor" => Statistic::AnnualFactor,
            "crossing" => Statistic::Crossing,
            "first_year_above" => Statistic::FirstYearAbove,
            "date" => Statistic::Date,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Level => "level",
            Statistic::Ratio => "ratio",
            Statistic::Growth => "growth",
            Statistic::AnnualFactor => "annual_factor",
            Statistic::Crossing => "crossing",
            Statistic::FirstYearAbove => "first_year_above",
            Statistic::Date => "date",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Target {
    pub scenario: String,
    pub id: String,
    pub metric: String,
    pub region: String,
    pub statistic: Statistic,
    pub year_a: Option<f64>,
    pub year_b: Option<f64>,
    pub threshold: Option<f64>,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub unit: String,
    pub derivation: String,
    pub source: String,
    pub quality: String,
}

/// Splits one CSV line, honouring double-quoted fields.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

/// Parses the targets table; every malformed line is reported with its number.
pub fn parse_targets(text: &str, file: &str) -> Result<Vec<Target>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let header = lines.next().map(|(_, l)| fields(l)).unwrap_or_default();
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut problems = Vec::new();
    let mut targets = Vec::new();
    let names = [
        "scenario",
        "id",
        "metric",
        "region",
        "statistic",
        "year_a",
        "year_b",
        "threshold",
        "value",
        "low",
        "high",
        "unit",
        "derivation",
        "source",
        "quality",
    ];
    let index: Vec<Option<usize>> = names.iter().map(|n| col(n)).collect();
    for (name, i) in names.iter().zip(&index) {
        if i.is_none() {
            problems.push(Problem {
                path: format!("{file}:1"),
                message: format!("missing column '{name}'"),
            });
        }
    }
    if !problems.is_empty() {
        return Err(LuddError::Invalid {
            file: file.into(),
            problems,
        });
    }
    for (n, line) in lines {
        let f = fields(line);
        let at = |k: usize| {
            f.get(index[k].expect("checked above"))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let place = format!("{file}:{}", n + 1);
        let number = |k: usize, problems: &mut Vec<Problem>| -> Option<f64> {
            let s = at(k);
            if s.is_empty() {
                return None;
            }
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    problems.push(Problem {
                        path: format!("{place} {}", names[k]),
                        message: format!("'{s}' is not a number"),
                    });
                    None
                }
            }
        };
        let Some(statistic) = Statistic::parse(at(4)) else {
            problems.push(Problem {
                path: format!("{place} statistic"),
                message: format!("unknown statistic '{}'", at(4)),
            });
            continue;
        };
        let (year_a, year_b, threshold) = (
            number(5, &mut problems),
            number(6, &mut problems),
            number(7, &mut problems),
        );
        let (value, low, high) = (
            number(8, &mut problems),
            number(9, &mut problems),
            number(10, &mut problems),
        );
        let (Some(value), Some(low), Some(high)) = (value, low, high) else {
            problems.push(Problem {
                path: place.clone(),
                message: "value, low and high are required".into(),
            });
            continue;
        };
        let needs = match statistic {
            Statistic::Level => year_a.is_some(),
            Statistic::Ratio | Statistic::Growth | Statistic::AnnualFactor => {
                year_a.is_some() && year_b.is_some()
            }
            Statistic::Crossing | Statistic::FirstYearAbove => threshold.is_some(),
            Statistic::Date => true,
        };
        if !needs {
            problems.push(Problem {
                path: place.clone(),
                message: format!(
                    "statistic '{}' lacks its year or threshold",
                    statistic.name()
                ),
            });
            continue;
        }
        targets.push(Target {
            scenario: at(0).into(),
            id: at(1).into(),
            metric: at(2).into(),
            region: at(3).into(),
            statistic,
            year_a,
            year_b,
            threshold,
            value,
            low,
            high,
            unit: at(11).into(),
            derivation: at(12).into(),
            source: at(13).into(),
            quality: at(14).into(),
        });
    }
    if problems.is_empty() {
        Ok(targets)
    } else {
        Err(LuddError::Invalid {
            file: file.into(),
            problems,
        })
    }
}

/// The built-in targets.
pub fn targets() -> Result<Vec<Target>> {
    parse_targets(TARGETS_CSV, "scenarios/targets.csv")
}

/// The scenarios `ludd validate WHICH` checks: every built-in scenario with
/// targets for `all`, else the one named.
pub fn scenarios_to_check(which: &str, targets: &[Target]) -> Vec<String> {
    if which != "all" {
        return vec![which.to_string()];
    }
    crate::scenario::BUILTIN
        .iter()
        .map(|(n, _)| n.to_string())
        .filter(|n| targets.iter().any(|t| &t.scenario == n))
        .collect()
}

/// The targets of scenario `name`.
pub fn targets_of<'a>(targets: &'a [Target], name: &str) -> Vec<&'a Target> {
    targets.iter().filter(|t| t.scenario == name).collect()
}

/// Scenarios with targets but not among `checked` (no built-in scenario
/// yet), in table order, with their number of targets.
pub fn pending(targets: &[Target], checked: &[String]) -> Vec<(String, usize)> {
    let mut pending: Vec<&str> = targets
        .iter()
        .map(|t| t.scenario.as_str())
        .filter(|s| !checked.iter().any(|c| c == s))
        .collect();
    pending.dedup();
    pending
        .into_iter()
        .map(|s| (s.to_string(), targets_of(targets, s).len()))
        .collect()
}

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

/// A target's named series in one run, as (year, value).
fn series_of(out: &RunOutput, t: &Target) -> Result<Vec<(f64, f64)>> {
    let df = crate::analysis::output::series_frame(out)?;
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

/// What an ensemble says about one target.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub target: Target,
    /// The statistic of the ensemble-mean series (for dates: the mean date,
    /// runs that never reach it counted at the end year).
    pub mean: Option<f64>,
    pub p5: Option<f64>,
    pub p95: Option<f64>,
    /// Runs in which the statistic exists (the event happened).
    pub reached: usize,
    pub runs: usize,
    pub hit: bool,
}

/// Evaluates a target on an ensemble of runs of its scenario.
pub fn evaluate(t: &Target, runs: &[RunOutput]) -> Result<Outcome> {
    let end = runs.first().map_or(f64::NAN, |o| o.scenario.end_year);
    let mut per_run = Vec::with_capacity(runs.len());
    let mut mean = None;
    if t.statistic == Statistic::Date {
        for out in runs {
            let year = out
                .summary
                .iter()
                .find(|s| s.region == t.region)
                .and_then(|s| s.stage2_year);
            per_run.push(year);
        }
        let censored: Vec<f64> = per_run.iter().map(|y| y.unwrap_or(end)).collect();
        if !censored.is_empty() {
            mean = Some(censored.iter().sum::<f64>() / censored.len() as f64);
        }
    } else {
        let mut all = Vec::with_capacity(runs.len());
        for out in runs {
            let s = series_of(out, t)?;
            per_run.push(statistic(t, &s));
            all.push(s);
        }
        if let Some(first) = all.first() {
            let mean_series: Vec<(f64, f64)> = (0..first.len())
                .map(|i| {
                    let v: Vec<f64> = all
                        .iter()
                        .map(|s| s[i].1)
                        .filter(|x| x.is_finite())
                        .collect();
                    let m = if v.is_empty() {
                        f64::NAN
                    } else {
                        v.iter().sum::<f64>() / v.len() as f64
                    };
                    (first[i].0, m)
                })
                .collect();
            mean = statistic(t, &mean_series);
        }
    }
    let reached = per_run.iter().flatten().count();
    let values: Vec<f64> = match t.statistic {
        Statistic::Date | Statistic::Crossing | Statistic::FirstYearAbove => {
            per_run.iter().map(|y| y.unwrap_or(end)).collect()
        }
        _ => per_run.iter().flatten().copied().collect(),
    };
    let percentile = |q: f64| (!values.is_empty()).then(|| quantile(&values, q));
    let hit = mean.is_some_and(|m| m >= t.low && m <= t.high);
    Ok(Outcome {
        target: t.clone(),
        mean,
        p5: percentile(0.05),
        p95: percentile(0.95),
        reached,
        runs: runs.len(),
        hit,
    })
}

/// The validation table as a DataFrame.
pub fn frame(outcomes: &[Outcome]) -> Result<DataFrame> {
    let col = |name: &str, f: &dyn Fn(&Outcome) -> Option<f64>| {
        Column::new(name.into(), outcomes.iter().map(f).collect::<Vec<_>>())
    };
    let text = |name: &str, f: &dyn Fn(&Outcome) -> String| {
        Column::new(name.into(), outcomes.iter().map(f).collect::<Vec<_>>())
    };
    DataFrame::new(vec![
        text("scenario", &|o| o.target.scenario.clone()),
        text("id", &|o| o.target.id.clone()),
        text("metric", &|o| o.target.metric.clone()),
        text("region", &|o| o.target.region.clone()),
        text("statistic", &|o| o.target.statistic.name().into()),
        col("history", &|o| Some(o.target.value)),
        col("low", &|o| Some(o.target.low)),
        col("high", &|o| Some(o.target.high)),
        col("model_mean", &|o| o.mean),
        col("model_p5", &|o| o.p5),
        col("model_p95", &|o| o.p95),
        Column::new(
            "reached".into(),
            outcomes
                .iter()
                .map(|o| o.reached as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "runs".into(),
            outcomes.iter().map(|o| o.runs as u32).collect::<Vec<_>>(),
        ),
        Column::new(
            "hit".into(),
            outcomes.iter().map(|o| o.hit).collect::<Vec<_>>(),
        ),
        text("unit", &|o| o.target.unit.clone()),
        text("source", &|o| o.target.source.clone()),
    ])
    .map_err(polars_error("validation"))
}

fn show(x: Option<f64>) -> String {
    match x {
        None => "not reached".into(),
        Some(v) if v.abs() >= 100.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.3}"),
    }
}

const HEADER: [&str; 11] = [
    "scenario",
    "id",
    "series",
    "region",
    "statistic",
    "history",
    "band",
    "model mean",
    "model 5-95%",
    "reached",
    "match",
];

/// One outcome as the cells of a table row.
fn cells(o: &Outcome) -> [String; 11] {
    let t = &o.target;
    [
        t.scenario.clone(),
        t.id.clone(),
        t.metric.clone(),
        t.region.clone(),
        t.statistic.name().into(),
        show(Some(t.value)),
        format!("{} to {}", show(Some(t.low)), show(Some(t.high))),
        show(o.mean),
        format!("{} to {}", show(o.p5), show(o.p95)),
        format!("{}/{}", o.reached, o.runs),
        if o.hit { "hit".into() } else { "miss".into() },
    ]
}

/// The validation table as markdown; misses in bold.
pub fn markdown(outcomes: &[Outcome]) -> String {
    let mut s = format!(
        "| {} |\n|{}\n",
        HEADER.join(" | "),
        "---|".repeat(HEADER.len())
    );
    for o in outcomes {
        let mut row = cells(o);
        if !o.hit {
            row[10] = "**miss**".into();
        }
        s.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    s
}

/// The validation table as aligned text for the terminal.
pub fn text_table(outcomes: &[Outcome]) -> String {
    let rows: Vec<[String; 11]> = std::iter::once(HEADER.map(String::from))
        .chain(outcomes.iter().map(cells))
        .collect();
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut s = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if (5..10).contains(&c) {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s
}

/// The markers between which `ludd validate --markdown` writes its table.
pub const TABLE_START: &str = "<!-- validation table: start -->";
pub const TABLE_END: &str = "<!-- validation table: end -->";

/// `old` with the text between the table markers replaced by `block`
/// (which carries the markers); a text without markers, or none, becomes
/// the block alone.
pub fn replace_table(old: Option<&str>, block: &str) -> String {
    match old.map(|old| (old, old.find(TABLE_START), old.find(TABLE_END))) {
        Some((old, Some(a), Some(b))) if a < b => {
            format!("{}{block}{}", &old[..a], &old[b + TABLE_END.len()..])
        }
        _ => format!("{block}\n"),
    }
}

/// Writes the table into the markdown file `path` between the table
/// markers, keeping the text around them, with the command that made it.
pub fn write_markdown(path: &std::path::Path, table: &str, which: &str, seeds: u64) -> Result<()> {
    let block = format!(
        "{TABLE_START}\nGenerated by `ludd validate {which} --seeds {seeds} --markdown {}`.\n\n{table}{TABLE_END}",
        path.display()
    );
    let old = std::fs::read_to_string(path).ok();
    write_atomic(path, replace_table(old.as_deref(), &block))
}
