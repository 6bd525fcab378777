//! Calibration by the simulated method of moments: choose parameter values
//! that bring the ensemble statistics of a scenario closest to its
//! historical targets. The distance is the sum over targets of the squared
//! gap between model and history in units of half the target's band, so a
//! target at the edge of its band counts 1. The search starts from a Latin
//! hypercube over the parameter box and refines the best point with a
//! parallel pattern search (Hooke and Jeeves); every candidate is an
//! ensemble with the same seeds, so candidates differ only by parameters.

use crate::analysis::validation::{ensembles as evaluate_ensembles, Outcome, Target};
use crate::error::{number_text, LuddError, Result};
use crate::model::rng::{self, Phase};
use crate::scenario::{apply_override, validate, Scenario};
use rand::Rng;

/// One parameter to search: a scenario path and its range, which the
/// scenario's comment must justify from history or literature.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub path: String,
    pub low: f64,
    pub high: f64,
}

impl Param {
    /// Parses `path=low..high`.
    pub fn parse(text: &str) -> Result<Param> {
        let bad = |message: &str| LuddError::Param {
            path: text.to_string(),
            message: message.to_string(),
        };
        let (path, range) = text
            .split_once('=')
            .ok_or_else(|| bad("expected path=low..high"))?;
        let (low, high) = range
            .split_once("..")
            .ok_or_else(|| bad("expected a range low..high"))?;
        let low: f64 = low
            .trim()
            .parse()
            .map_err(|_| bad("the low end is not a number"))?;
        let high: f64 = high
            .trim()
            .parse()
            .map_err(|_| bad("the high end is not a number"))?;
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(bad("the range must be finite with low < high"));
        }
        Ok(Param {
            path: path.trim().to_string(),
            low,
            high,
        })
    }

    fn value(&self, unit: f64) -> f64 {
        self.low + unit.clamp(0.0, 1.0) * (self.high - self.low)
    }

    /// The parameter as given on the command line.
    fn text(&self) -> String {
        format!("{}={}..{}", self.path, self.low, self.high)
    }
}

/// The error of a `--set` made for `param` as the error of `--param`, so
/// that the message names the option the user gave.
fn as_param(param: &Param, e: LuddError) -> LuddError {
    match e {
        LuddError::Override { message, .. } => LuddError::Param {
            path: param.text(),
            message,
        },
        e => e,
    }
}

/// Refuses, before any run, a parameter whose path does not exist or
/// whose range reaches outside what a scenario may hold: the base scenario
/// with the parameter at either end of its range must validate. Parameters
/// with a documented range (institutions, behaviour, the stage rule) are
/// thus held to it, and every other one to its validation rule; the
/// problems name the allowed range. All parameters are checked at once.
pub fn check_ranges(base: &Scenario, params: &[Param]) -> Result<()> {
    let mut refused = Vec::new();
    for p in params {
        let mut problems = Vec::new();
        for end in [p.low, p.high] {
            let s =
                apply_override(base, &format!("{}={end}", p.path)).map_err(|e| as_param(p, e))?;
            problems.extend(
                validate(&s)
                    .into_iter()
                    .map(|q| format!("at {}, {q}", number_text(end))),
            );
        }
        if !problems.is_empty() {
            refused.push(LuddError::Param {
                path: p.text(),
                message: format!(
                    "the range reaches outside what the parameter allows: {}",
                    problems.join("; ")
                ),
            });
        }
    }
    match refused.len() {
        0 => Ok(()),
        1 => Err(refused.remove(0)),
        _ => Err(LuddError::Param {
            path: params.iter().map(Param::text).collect::<Vec<_>>().join(" "),
            message: refused
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        }),
    }
}

/// Penalty for a target the model never reaches (its statistic is undefined),
/// as if it missed by four half-bands.
const UNREACHED: f64 = 16.0;

/// Distance of a set of outcomes to history.
pub fn distance(outcomes: &[Outcome]) -> f64 {
    outcomes
        .iter()
        .map(|o| {
            let t = &o.target;
            let half = ((t.high - t.low) / 2.0).max(1e-12);
            match o.mean {
                Some(m) => ((m - t.value) / half).powi(2),
                None => UNREACHED,
            }
        })
        .sum()
}

/// A scenario with parameters set to the given point of the unit cube.
pub fn apply(base: &Scenario, params: &[Param], unit: &[f64]) -> Result<Scenario> {
    let mut s = base.clone();
    for (p, u) in params.iter().zip(unit) {
        s = apply_override(&s, &format!("{}={}", p.path, p.value(*u)))
            .map_err(|e| as_param(p, e))?;
    }
    let problems = validate(&s);
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(LuddError::Invalid {
            file: "calibration candidate".into(),
            problems,
        })
    }
}

/// Runs the ensemble of one candidate and evaluates every target.
pub fn outcomes(s: &Scenario, targets: &[Target], seeds: &[u64]) -> Result<Vec<Outcome>> {
    let targets: Vec<&Target> = targets.iter().collect();
    let threads = rayon::current_num_threads();
    evaluate_ensembles(std::slice::from_ref(s), &targets, seeds, threads, &|_| {}).remove(0)
}

/// The distance of every candidate (points of the unit cube) to history,
/// or why it could not be evaluated (it breaks a rule, or a run fails).
/// The ensembles of all candidates are streamed together, at most one run
/// per thread alive at once, so candidates differ only by parameters and
/// memory does not grow with the batch.
fn scores(
    base: &Scenario,
    params: &[Param],
    batch: &[Vec<f64>],
    targets: &[&Target],
    seeds: &[u64],
) -> Vec<Result<f64>> {
    let candidates: Vec<Result<Scenario>> =
        batch.iter().map(|unit| apply(base, params, unit)).collect();
    let valid: Vec<Scenario> = candidates.iter().flatten().cloned().collect();
    let threads = rayon::current_num_threads();
    let mut evaluated = evaluate_ensembles(&valid, targets, seeds, threads, &|_| {}).into_iter();
    candidates
        .into_iter()
        .map(|c| {
            c.and_then(|_| {
                let o = evaluated.next().expect("one result per valid candidate")?;
                Ok(distance(&o))
            })
        })
        .collect()
}

#[derive(Clone, Debug)]
pub struct Calibration {
    pub params: Vec<Param>,
    /// Best point found, in parameter units.
    pub best: Vec<f64>,
    pub best_distance: f64,
    pub start_distance: f64,
    pub before: Vec<Outcome>,
    pub after: Vec<Outcome>,
    pub evaluations: usize,
}

/// Searches the parameter box with `budget` candidate ensembles.
/// `progress` is called after each batch with the evaluations done.
pub fn calibrate(
    base: &Scenario,
    params: &[Param],
    targets: &[Target],
    seeds: &[u64],
    budget: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Calibration> {
    // Fail early on a bad path or range, before any ensemble runs.
    check_ranges(base, params)?;
    apply(base, params, &vec![0.5; params.len()])?;
    let before = outcomes(base, targets, seeds)?;
    let start_distance = distance(&before);
    let target_refs: Vec<&Target> = targets.iter().collect();
    let d = params.len();
    let mut done = 0usize;
    // A candidate that cannot be evaluated is never the best; the first
    // such failure is kept to explain a search in which none could be.
    let first_failure = std::sync::Mutex::new(None);
    let score_all = |batch: &[Vec<f64>]| -> Vec<f64> {
        scores(base, params, batch, &target_refs, seeds)
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|e| {
                    first_failure.lock().expect("not poisoned").get_or_insert(e);
                    f64::INFINITY
                })
            })
            .collect()
    };

    // Latin hypercube: half the budget, one point per stratum in every dimension.
    let n = (budget / 2).max(1);
    let mut rng = rng::stream(0x5EED, 0, Phase::Init, 0xCA11B);
    let mut columns: Vec<Vec<usize>> = (0..d).map(|_| (0..n).collect()).collect();
    for col in columns.iter_mut() {
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            col.swap(i, j);
        }
    }
    let jitter: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..d).map(|_| rng.random::<f64>()).collect())
        .collect();
    let design: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..d)
                .map(|k| (columns[k][i] as f64 + jitter[i][k]) / n as f64)
                .collect()
        })
        .collect();
    let scores: Vec<f64> = score_all(&design);
    done += n;
    progress(done);
    let (mut best, mut best_distance) = design
        .iter()
        .zip(&scores)
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(p, s)| (p.clone(), *s))
        .expect("at least one design point");

    // Pattern search: try a step up and down along every axis in parallel,
    // move to the best improvement, halve the step when none improves.
    let mut step = 0.5 / n as f64 + 0.125;
    while done + 2 * d <= budget && step > 1e-3 {
        let trials: Vec<Vec<f64>> = (0..d)
            .flat_map(|k| {
                [-1.0, 1.0].into_iter().map({
                    let best = best.clone();
                    move |sign| {
                        let mut p = best.clone();
                        p[k] = (p[k] + sign * step).clamp(0.0, 1.0);
                        p
                    }
                })
            })
            .collect();
        let scores: Vec<f64> = score_all(&trials);
        done += trials.len();
        progress(done);
        match trials.iter().zip(&scores).min_by(|a, b| a.1.total_cmp(b.1)) {
            Some((p, s)) if *s < best_distance => {
                best = p.clone();
                best_distance = *s;
            }
            _ => step /= 2.0,
        }
    }
    if !best_distance.is_finite() {
        let why = first_failure
            .into_inner()
            .expect("not poisoned")
            .map_or(String::new(), |e| format!("; the first failure: {e}"));
        return Err(LuddError::Param {
            path: params.iter().map(Param::text).collect::<Vec<_>>().join(" "),
            message: format!(
                "none of the {done} candidates could be evaluated, so there is no best value{why}"
            ),
        });
    }
    let after = outcomes(&apply(base, params, &best)?, targets, seeds)?;
    Ok(Calibration {
        params: params.to_vec(),
        best: params.iter().zip(&best).map(|(p, u)| p.value(*u)).collect(),
        best_distance,
        start_distance,
        before,
        after,
        evaluations: done,
    })
}

impl Calibration {
    /// Whether the best candidate is closer to history than the scenario's
    /// own values: the search tries points of the box, not the values the
    /// scenario starts from, so its best can be the worse of the two.
    pub fn improved(&self) -> bool {
        self.best_distance < self.start_distance
    }

    /// The fragment when no candidate beat the scenario's own values: it
    /// says so and keeps them, with the best candidate in comments, so
    /// that pasting it changes nothing.
    fn no_better_fragment(
        &self,
        scenario: &str,
        seeds: usize,
        budget: usize,
        date: &str,
    ) -> String {
        let mut s =
            format!(
            "// Calibrated {date} by `ludd calibrate {scenario}` (simulated method of moments):\n\
             // budget {budget} ({} candidate ensembles of {seeds} seeds), over targets {}.\n\
             // No candidate beat the scenario's own values (distance {:.3}); keep them.\n\
             // The best candidate, at distance {:.3}, for the record:\n",
            self.evaluations,
            self.after.iter().map(|o| o.target.id.as_str()).collect::<Vec<_>>().join(", "),
            self.start_distance,
            self.best_distance,
        );
        for (p, v) in self.params.iter().zip(&self.best) {
            s.push_str(&format!(
                "//     \"{}\": {v:.6}, // searched {}..{}\n",
                p.path, p.low, p.high
            ));
        }
        s
    }

    /// The best parameters as a RON map from scenario path to value, with
    /// the distance, budget and date in comments: each entry can be pasted
    /// into the scenario or given to `--set path=value`.
    pub fn fragment(&self, scenario: &str, seeds: usize, budget: usize, date: &str) -> String {
        if !self.improved() {
            return self.no_better_fragment(scenario, seeds, budget, date);
        }
        let mut s = format!(
            "// Calibrated {date} by `ludd calibrate {scenario}` (simulated method of moments):\n\
             // budget {budget} ({} candidate ensembles of {seeds} seeds), distance {:.3}, from {:.3},\n\
             // over targets {}.\n{{\n",
            self.evaluations,
            self.best_distance,
            self.start_distance,
            self.after.iter().map(|o| o.target.id.as_str()).collect::<Vec<_>>().join(", ")
        );
        for (p, v) in self.params.iter().zip(&self.best) {
            s.push_str(&format!(
                "    \"{}\": {v:.6}, // searched {}..{}\n",
                p.path, p.low, p.high
            ));
        }
        s.push_str("}\n");
        s
    }
}

/// Today's date (UTC) as YYYY-MM-DD, from the civil-from-days algorithm:
/// the date a calibration's fragment is stamped with.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
