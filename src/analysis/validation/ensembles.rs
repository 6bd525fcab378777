//! Evaluating ensembles of runs, streamed, into outcomes.

use super::statistics::{observe, statistic, RunStatistics, Seen};
use super::targets::{Statistic, Target};
use crate::analysis::stats::quantile;
use crate::error::Result;
use crate::model::run::RunOutput;
use crate::scenario::Scenario;

/// How an ensemble matches a target's band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The ensemble-mean statistic is inside the band and so is the
    /// statistic of at least half of the runs: the match does not rest on
    /// averaging runs that each miss.
    Solid,
    /// The ensemble-mean statistic is inside the band, but fewer than half
    /// of the runs are.
    Hit,
    /// The ensemble-mean statistic is outside the band, or there is none.
    Miss,
}

impl Verdict {
    /// The verdict for a mean statistic inside the band or not, with
    /// `in_band` of `runs` runs inside it.
    pub fn of(mean_in_band: bool, in_band: usize, runs: usize) -> Verdict {
        match mean_in_band {
            false => Verdict::Miss,
            true if runs > 0 && 2 * in_band >= runs => Verdict::Solid,
            true => Verdict::Hit,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Solid => "solid",
            Verdict::Hit => "hit",
            Verdict::Miss => "miss",
        }
    }
}

/// The number of runs whose own statistic lies inside `t`'s band. A run
/// without a statistic (an event it never reached, a window it does not
/// cover) is outside: for dates it is not counted at the end year, as the
/// spread counts it, since that year says nothing about when the event
/// would have happened.
pub fn runs_in_band(t: &Target, per_run: &[Option<f64>]) -> usize {
    per_run
        .iter()
        .flatten()
        .filter(|&&v| v >= t.low && v <= t.high)
        .count()
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
    /// The ensemble-mean statistic lies inside the band.
    pub hit: bool,
    /// Runs whose own statistic lies inside the band (`runs_in_band`).
    pub in_band: usize,
    pub verdict: Verdict,
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
        let values: Vec<f64> = match t.statistic.is_date() {
            true => per_run.iter().map(|y| y.unwrap_or(end)).collect(),
            false => per_run.iter().flatten().copied().collect(),
        };
        let percentile = |q: f64| (!values.is_empty()).then(|| quantile(&values, q));
        let hit = mean.is_some_and(|m| m >= t.low && m <= t.high);
        let in_band = runs_in_band(t, per_run);
        Outcome {
            target: t.clone(),
            mean,
            p5: percentile(0.05),
            p95: percentile(0.95),
            reached,
            runs: per_run.len(),
            hit,
            in_band,
            verdict: Verdict::of(hit, in_band, per_run.len()),
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

/// Evaluates every target of `targets` on an ensemble already reduced to
/// its runs' statistics (`observe` over the same targets), given in seed
/// order: the outcomes of a growing ensemble, as its runs finish.
pub fn evaluate_observed(targets: &[&Target], runs: &[&RunStatistics]) -> Vec<Outcome> {
    targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let mut tally = Tally::new(t);
            for run in runs {
                tally.add(run.end_year, run.seen[k].clone());
            }
            tally.outcome()
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::super::statistics::Seen;
    use super::super::targets::parse_targets;
    use super::*;

    const HEADER: &str = "scenario,id,metric,region,statistic,year_a,year_b,threshold,value,low,high,unit,derivation,source,quality";

    fn target(spec: &str) -> Target {
        let text = format!("{HEADER}\nloom,X1,real_wage,britain,{spec},u,d,s,q\n");
        parse_targets(&text, "t.csv").expect("the test target parses")[0].clone()
    }

    /// The outcome of runs whose series are constant at the given levels
    /// over 1800-1801, quarterly.
    fn constant_runs(t: &Target, levels: &[f64]) -> Outcome {
        let mut tally = Tally::new(t);
        for &level in levels {
            let series = (0..8).map(|q| (1800.0 + q as f64 / 4.0, level)).collect();
            tally.add(1802.0, Seen::Series(series));
        }
        tally.outcome()
    }

    #[test]
    fn the_verdict_needs_the_mean_and_half_the_runs_in_the_band() {
        assert_eq!(Verdict::of(true, 10, 20), Verdict::Solid);
        assert_eq!(Verdict::of(true, 20, 20), Verdict::Solid);
        assert_eq!(Verdict::of(true, 9, 20), Verdict::Hit);
        assert_eq!(Verdict::of(true, 0, 20), Verdict::Hit);
        assert_eq!(Verdict::of(false, 20, 20), Verdict::Miss);
        assert_eq!(Verdict::of(true, 0, 0), Verdict::Hit);
        assert_eq!(Verdict::of(true, 2, 3), Verdict::Solid);
        assert_eq!(Verdict::of(true, 1, 3), Verdict::Hit);
    }

    #[test]
    fn runs_are_counted_in_the_band_by_their_own_statistic() {
        let t = target("level,1800,,,1,0.9,1.1");
        // Mean 1.0125, two of four runs inside: solid.
        let o = constant_runs(&t, &[1.0, 1.05, 0.5, 1.5]);
        assert!((o.mean.unwrap() - 1.0125).abs() < 1e-12);
        assert_eq!((o.in_band, o.runs, o.verdict), (2, 4, Verdict::Solid));
        assert!(o.hit);
        // Mean 0.93, two of five runs inside: a hit, not solid.
        let o = constant_runs(&t, &[1.0, 1.05, 0.5, 1.5, 0.6]);
        assert!((o.mean.unwrap() - 0.93).abs() < 1e-12);
        assert_eq!((o.in_band, o.runs, o.verdict), (2, 5, Verdict::Hit));
        assert!(o.hit);
        // Mean 0.7 outside: a miss, whatever the runs.
        let o = constant_runs(&t, &[0.5, 0.6, 1.0]);
        assert_eq!((o.in_band, o.runs, o.verdict), (1, 3, Verdict::Miss));
        assert!(!o.hit);
        // The band's ends are inside it.
        let o = constant_runs(&t, &[0.9, 1.1]);
        assert_eq!((o.in_band, o.verdict), (2, Verdict::Solid));
    }

    #[test]
    fn a_run_that_never_reaches_a_date_is_outside_the_band() {
        let t = target("date,,,,1790,1785,1805");
        let mut tally = Tally::new(&t);
        // The runs end in 1800, inside the band: the two that never reach
        // the event count at 1800 in the mean and spread, but not as
        // inside the band.
        for year in [Some(1790.0), None, None] {
            tally.add(1800.0, Seen::Date(year));
        }
        let o = tally.outcome();
        assert!((o.mean.unwrap() - (1790.0 + 1800.0 + 1800.0) / 3.0).abs() < 1e-9);
        assert_eq!(o.p95, Some(1800.0));
        assert_eq!((o.reached, o.in_band, o.runs), (1, 1, 3));
        assert_eq!(o.verdict, Verdict::Hit);
        // The same for a threshold never crossed.
        let t = target("crossing,,,2.0,1800,1799,1803");
        let o = constant_runs(&t, &[3.0, 1.0, 1.0]);
        assert_eq!((o.reached, o.in_band, o.runs), (1, 1, 3));
    }

    #[test]
    fn runs_not_covering_a_window_are_outside_the_band() {
        // Max over 1800-1801 needs both years; a run whose series stops
        // in 1800 has no statistic and counts outside.
        let t = target("max,1800,1801,,1,0,2");
        let mut tally = Tally::new(&t);
        let full: Vec<(f64, f64)> = (0..8).map(|q| (1800.0 + q as f64 / 4.0, 1.0)).collect();
        tally.add(1802.0, Seen::Series(full.clone()));
        tally.add(1802.0, Seen::Series(full[..4].to_vec()));
        tally.add(1802.0, Seen::Series(full[..4].to_vec()));
        let o = tally.outcome();
        assert_eq!(o.mean, Some(1.0));
        assert_eq!((o.reached, o.in_band, o.runs), (1, 1, 3));
        assert_eq!(o.verdict, Verdict::Hit);
    }
}
