//! Checking scenarios against history. The targets in `scenarios/targets.csv`
//! (copied with their sources and derivations from the project's shared
//! targets) name a model series, a region, a statistic and a band; an
//! ensemble of runs is reduced to the statistic of the ensemble-mean series,
//! with the 5th-95th percentile of the per-run statistics as its spread.

use crate::analysis::files::{polars_error, write_atomic};
use crate::analysis::stats::quantile;
use crate::error::{LuddError, Problem, Result};
use crate::model::run::RunOutput;
use crate::scenario::Scenario;
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

/// What one run says about one target: for a date, the year of the event;
/// otherwise the target's series, from which come the run's own statistic
/// and its share of the ensemble-mean series.
enum Seen {
    Date(Option<f64>),
    Series(Vec<(f64, f64)>),
}

/// What one run says about each of a list of targets, in the list's
/// order: all that the outcomes need of it, a small part of the run.
pub struct RunStatistics {
    end_year: f64,
    seen: Vec<Seen>,
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

/// One target's outcome over an ensemble, gathered run by run. Runs must
/// be added in seed order: the mean series is summed in that order, as a
/// sum over all runs at once would be, so the outcome does not depend on
/// how many runs were alive at once or which finished first.
struct Tally {
    target: Target,
    /// The first run's end year, where runs that never reach a date or a
    /// threshold are counted.
    end: Option<f64>,
    /// Every run's own statistic, for the percentiles.
    per_run: Vec<Option<f64>>,
    /// Per point of the first run's series: its year, the sum of the
    /// finite values of the runs so far and their number.
    sums: Vec<(f64, f64, usize)>,
}

impl Tally {
    fn new(target: &Target) -> Tally {
        Tally {
            target: target.clone(),
            end: None,
            per_run: Vec::new(),
            sums: Vec::new(),
        }
    }

    fn add(&mut self, end_year: f64, seen: Seen) {
        let first = self.end.is_none();
        self.end.get_or_insert(end_year);
        match seen {
            Seen::Date(year) => self.per_run.push(year),
            Seen::Series(series) => {
                self.per_run.push(statistic(&self.target, &series));
                if first {
                    // The empty sum, as `Iterator::sum` starts from it, so
                    // that adding one value at a time gives the same bits.
                    let empty: f64 = std::iter::empty::<f64>().sum();
                    self.sums = series.iter().map(|&(year, _)| (year, empty, 0)).collect();
                }
                for (slot, &(_, v)) in self.sums.iter_mut().zip(&series) {
                    if v.is_finite() {
                        slot.1 += v;
                        slot.2 += 1;
                    }
                }
            }
        }
    }

    fn outcome(self) -> Outcome {
        let t = &self.target;
        let end = self.end.unwrap_or(f64::NAN);
        let per_run = &self.per_run;
        let mean = if t.statistic == Statistic::Date {
            let censored: Vec<f64> = per_run.iter().map(|y| y.unwrap_or(end)).collect();
            (!censored.is_empty()).then(|| censored.iter().sum::<f64>() / censored.len() as f64)
        } else if self.end.is_some() {
            let mean_series: Vec<(f64, f64)> = self
                .sums
                .iter()
                .map(|&(year, sum, n)| (year, if n == 0 { f64::NAN } else { sum / n as f64 }))
                .collect();
            statistic(t, &mean_series)
        } else {
            None
        };
        let reached = per_run.iter().flatten().count();
        let values: Vec<f64> = match t.statistic {
            Statistic::Date | Statistic::Crossing | Statistic::FirstYearAbove => {
                per_run.iter().map(|y| y.unwrap_or(end)).collect()
            }
            _ => per_run.iter().flatten().copied().collect(),
        };
        let percentile = |q: f64| (!values.is_empty()).then(|| quantile(&values, q));
        let hit = mean.is_some_and(|m| m >= t.low && m <= t.high);
        Outcome {
            target: t.clone(),
            mean,
            p5: percentile(0.05),
            p95: percentile(0.95),
            reached,
            runs: per_run.len(),
            hit,
        }
    }
}

/// Evaluates a target on an ensemble of runs of its scenario, given in
/// seed order.
pub fn evaluate(t: &Target, runs: &[RunOutput]) -> Result<Outcome> {
    let mut tally = Tally::new(t);
    for out in runs {
        let mut seen = observe(&[t], out)?;
        tally.add(seen.end_year, seen.seen.remove(0));
    }
    Ok(tally.outcome())
}

/// Bytes kept of every run of a streamed ensemble: its own statistic for
/// each target.
const KEPT_PER_TARGET: u64 = 16;

/// Memory `ensembles` needs for `runs` runs of `s` (the largest of its
/// scenarios) checked against `targets` targets on `threads` threads, in
/// bytes: `threads` runs alive, each run's statistics, and the series of
/// the runs that finished ahead of a slower one (at most two per thread).
pub fn streaming_estimate(s: &Scenario, targets: usize, runs: u64, threads: usize) -> u64 {
    let targets = targets as u64;
    let ahead = 2 * threads as u64;
    let series = targets.saturating_mul(s.steps() as u64).saturating_mul(16);
    s.ensemble_estimate(
        threads as u64,
        runs,
        targets.saturating_mul(KEPT_PER_TARGET),
    )
    .saturating_add(ahead.saturating_mul(series))
}

/// Refuses, before any run, `runs` runs of `s` streamed by `ensembles`
/// that would need more memory than is available (see
/// `streaming_estimate`).
pub fn check_streaming_memory(
    s: &Scenario,
    source: &str,
    targets: usize,
    runs: u64,
    threads: usize,
) -> Result<()> {
    let at_once = (threads as u64).clamp(1, runs.max(1));
    crate::scenario::check_needed(
        streaming_estimate(s, targets, runs, threads),
        &format!("{runs} runs, {at_once} at once,"),
        source,
    )
}

/// What has been gathered of `ensembles`' runs: runs are folded into their
/// scenario's tallies strictly in job order, those that finish early wait
/// in `ahead`.
struct Fold {
    next: usize,
    ahead: std::collections::BTreeMap<usize, Option<Result<RunStatistics>>>,
    tallies: Vec<Result<Vec<Tally>>>,
    done: usize,
}

/// The outcomes of `targets` over an ensemble of each of `scenarios` with
/// `seeds`, one entry per scenario: its outcomes, or the error of its first
/// failed run (later runs of that scenario are skipped).
///
/// Runs go `threads` at a time (`run::bounded_parallel`), and each is
/// reduced to its statistics (`observe`) as soon as it ends and then
/// dropped, so memory holds `threads` runs whatever the number of seeds;
/// a thread that gets more than two runs per thread ahead of the oldest
/// unfinished one waits for it. Statistics are folded in seed order, so the
/// outcomes are those of `evaluate` on all the runs at once. `progress`
/// gets the number of runs done.
pub fn ensembles(
    scenarios: &[Scenario],
    targets: &[&Target],
    seeds: &[u64],
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<Result<Vec<Outcome>>> {
    let n = seeds.len().max(1);
    let jobs = scenarios.len() * seeds.len();
    let window = 2 * threads.max(1);
    let fold = std::sync::Mutex::new(Fold {
        next: 0,
        ahead: std::collections::BTreeMap::new(),
        tallies: scenarios
            .iter()
            .map(|_| Ok(targets.iter().map(|t| Tally::new(t)).collect()))
            .collect(),
        done: 0,
    });
    let advanced = std::sync::Condvar::new();
    let lock = || {
        fold.lock()
            .expect("no thread panics while holding the fold")
    };
    let job = |j: usize| -> Result<()> {
        let failed = {
            let mut f = lock();
            while j >= f.next + window {
                f = advanced
                    .wait(f)
                    .expect("no thread panics while holding the fold");
            }
            f.tallies[j / n].is_err()
        };
        // A scenario whose run failed has its answer; the rest is skipped.
        let result = (!failed).then(|| {
            let out = crate::model::run::run(&scenarios[j / n], seeds[j % n])?;
            observe(targets, &out)
        });
        let mut f = lock();
        f.ahead.insert(j, result);
        loop {
            let next = f.next;
            let Some(result) = f.ahead.remove(&next) else {
                break;
            };
            let slot = &mut f.tallies[next / n];
            match (result, slot.as_mut()) {
                (Some(Ok(stats)), Ok(tallies)) => {
                    for (tally, seen) in tallies.iter_mut().zip(stats.seen) {
                        tally.add(stats.end_year, seen);
                    }
                }
                (Some(Err(e)), Ok(_)) => *slot = Err(e),
                _ => {}
            }
            f.next += 1;
        }
        f.done += 1;
        progress(f.done);
        advanced.notify_all();
        Ok(())
    };
    // Jobs never fail: a failed run is its scenario's answer.
    let _ = crate::model::run::bounded_parallel(jobs, threads, &job);
    fold.into_inner()
        .expect("no thread panics while holding the fold")
        .tallies
        .into_iter()
        .map(|t| t.map(|tallies| tallies.into_iter().map(Tally::outcome).collect()))
        .collect()
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

/// `old` with the text between the table markers (the markers included)
/// replaced by `block`, which carries the markers; no old text gives the
/// block alone. `None` when `old` lacks either marker or has them in the
/// wrong order: a file without markers is not ludd's to rewrite.
pub fn replace_table(old: Option<&str>, block: &str) -> Option<String> {
    let Some(old) = old else {
        return Some(format!("{block}\n"));
    };
    let a = old.find(TABLE_START)?;
    let b = a + old[a..].find(TABLE_END)?;
    Some(format!(
        "{}{block}{}",
        &old[..a],
        &old[b + TABLE_END.len()..]
    ))
}

/// What `--markdown path` may write into: `None` for a file that does not
/// exist yet (it will hold the table alone), the text of an existing text
/// file with the table markers, and otherwise an error that leaves the
/// file as it is: a binary file, or text without the markers, is refused
/// rather than replaced. `ludd validate` asks before its runs, so that a
/// wrong destination costs nothing, and again before writing.
pub fn markdown_destination(path: &std::path::Path) -> Result<Option<String>> {
    let refuse = |message: String| LuddError::Output {
        path: path.to_path_buf(),
        message,
    };
    let bytes = match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            if parent.is_some_and(|p| !p.is_dir()) {
                return Err(refuse("its directory does not exist".into()));
            }
            return Ok(None);
        }
        Err(e) => return Err(LuddError::io(path, e)),
        Ok(bytes) => bytes,
    };
    let text = String::from_utf8(bytes)
        .ok()
        .filter(|t| !t.contains('\0'))
        .ok_or_else(|| {
            refuse(
                "is not a text file; --markdown writes only into a markdown file that has \
                 the validation table markers, or into a new file"
                    .into(),
            )
        })?;
    if replace_table(Some(&text), "").is_none() {
        return Err(refuse(format!(
            "has no validation table markers, so it is left as it is; put the lines \
             {TABLE_START} and {TABLE_END} where the table belongs (what lies between them \
             is replaced), or name a new file"
        )));
    }
    Ok(Some(text))
}

/// Writes the table into the markdown file `path` between the table
/// markers, keeping the text around them, with the command that made it;
/// a new file holds the table alone (see `markdown_destination`).
pub fn write_markdown(path: &std::path::Path, table: &str, which: &str, seeds: u64) -> Result<()> {
    let block = format!(
        "{TABLE_START}\nGenerated by `ludd validate {which} --seeds {seeds} --markdown {}`.\n\n{table}{TABLE_END}",
        path.display()
    );
    let old = markdown_destination(path)?;
    let text =
        replace_table(old.as_deref(), &block).expect("markdown_destination checks the markers");
    write_atomic(path, text)
}
