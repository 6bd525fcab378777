//! The sweep file and its designs: a grid of listed values, a Latin
//! hypercube or a Sobol sequence over ranges, or Saltelli's design for Sobol
//! sensitivity indices; the points of a design, the runs (jobs) of a sweep
//! with their seeds, and the checks made before anything runs.

use super::sobol::{sobol_point, MAX_SOBOL_DIMENSIONS};
use crate::analysis::provenance::scenario_hash;
use crate::error::{LuddError, Problem, Result};
use crate::model::rng::mix;
use crate::scenario::{self, apply_override, Scenario};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename = "Sweep")]
pub struct SweepFile {
    pub name: String,
    /// Built-in scenario name, or a file path relative to the sweep file.
    pub base: String,
    /// Overrides applied to every point before its own values.
    #[serde(default)]
    pub set: Vec<String>,
    pub design: Design,
    /// Runs per point.
    #[serde(default = "one")]
    pub replicates: u64,
    /// Root of the seed tree.
    #[serde(default = "one")]
    pub master_seed: u64,
    #[serde(default)]
    pub keep: Keep,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum Keep {
    /// One row of measures per run.
    #[default]
    Summary,
    /// The measures and every run's own tables.
    Full,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Range {
    pub path: String,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Axis {
    pub path: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Design {
    /// Every combination of the listed values.
    Grid(Vec<Axis>),
    /// `points` points, one in each of `points` equal slices of every range.
    LatinHypercube { points: usize, ranges: Vec<Range> },
    /// The first `points` points of the Sobol sequence (extensible: more
    /// points keep the earlier ones).
    Sobol { points: usize, ranges: Vec<Range> },
    /// Saltelli's design for first-order and total Sobol indices: `base`
    /// rows of matrices A and B and, for each parameter i, A with column i
    /// from B; base x (parameters + 2) points.
    Saltelli { base: usize, ranges: Vec<Range> },
}

/// One point of the design.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Stable id: the same point keeps it when the design grows.
    pub id: String,
    /// For Saltelli designs, the row and the block (`A`, `B`, or the parameter index for AB_i).
    pub saltelli: Option<(usize, String)>,
    pub values: Vec<(String, String)>,
}

/// One run to make: its point, replicate and seed.
#[derive(Debug, Clone)]
pub struct Job {
    pub point: usize,
    pub replicate: u64,
    pub seed: u64,
}

/// The largest sweep ludd accepts, in runs.
pub const MAX_RUNS: u64 = 10_000_000;

/// The seed of one run: a function of the master seed, the point's id and
/// the replicate only (SplitMix64 mixing, `rng::mix`). Seeds are kept below
/// 2^53 so that they survive a round trip through tools that read integers
/// as doubles.
pub fn seed_of(master: u64, point_id: &str, replicate: u64) -> u64 {
    let h = u64::from_str_radix(&scenario_hash(point_id), 16).unwrap_or(0);
    mix(mix(master) ^ h ^ mix(replicate.wrapping_add(1))) >> 11
}

/// Every value of a grid axis that an earlier one repeats, as (its index,
/// the earlier one's): the same text, or the same number written another
/// way (`0.1` and `0.10`). Linear in the number of values, which a file may
/// make large.
fn listed_twice(values: &[String]) -> Vec<(usize, usize)> {
    #[derive(PartialEq, Eq, Hash)]
    enum Key<'a> {
        Number(u64),
        Text(&'a str),
    }
    let mut first = std::collections::HashMap::new();
    let mut twice = Vec::new();
    for (k, v) in values.iter().enumerate() {
        let key = match v.trim().parse::<f64>() {
            // 0.0 and -0.0 are one value.
            Ok(x) => Key::Number(if x == 0.0 { 0 } else { x.to_bits() }),
            Err(_) => Key::Text(v.trim()),
        };
        match first.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => twice.push((k, *e.get())),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(k);
            }
        }
    }
    twice
}

/// The index and path of every parameter path that an earlier entry names
/// already.
fn duplicate_paths<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<(usize, &'a str)> {
    let mut seen = std::collections::HashSet::new();
    paths
        .enumerate()
        .filter(|(_, p)| !seen.insert(p.trim()))
        .collect()
}

impl SweepFile {
    pub fn from_ron(text: &str, file: &str) -> Result<SweepFile> {
        scenario::parse_ron(text, file)
    }

    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().struct_names(true);
        ron::ser::to_string_pretty(self, config).expect("a sweep always serializes")
    }

    /// The design's points, in a fixed order.
    pub fn points(&self) -> Vec<Point> {
        let fmt = |v: f64| format!("{v}");
        let scaled = |ranges: &[Range], unit: &[f64]| -> Vec<(String, String)> {
            ranges
                .iter()
                .zip(unit)
                .map(|(r, u)| (r.path.clone(), fmt(r.low + u * (r.high - r.low))))
                .collect()
        };
        match &self.design {
            Design::Grid(axes) => {
                let mut combos: Vec<Vec<(String, String)>> = vec![Vec::new()];
                for axis in axes {
                    combos = combos
                        .iter()
                        .flat_map(|c| {
                            axis.values.iter().map(move |v| {
                                let mut c = c.clone();
                                c.push((axis.path.clone(), v.clone()));
                                c
                            })
                        })
                        .collect();
                }
                combos
                    .into_iter()
                    .map(|values| {
                        // The id hashes the values, so adding values to an
                        // axis leaves the other points' ids (and seeds) alone.
                        let key: Vec<String> =
                            values.iter().map(|(p, v)| format!("{p}={v}")).collect();
                        Point {
                            id: format!(
                                "g{:012x}",
                                mix(u64::from_str_radix(&scenario_hash(&key.join(";")), 16)
                                    .unwrap_or(0))
                                    >> 16
                            ),
                            saltelli: None,
                            values,
                        }
                    })
                    .collect()
            }
            Design::LatinHypercube { points, ranges } => {
                let mut rng = ChaCha8Rng::seed_from_u64(mix(self.master_seed ^ 0x4c48_5300));
                let k = ranges.len();
                let mut columns: Vec<Vec<f64>> = Vec::with_capacity(k);
                for _ in 0..k {
                    let mut slots: Vec<usize> = (0..*points).collect();
                    for i in (1..slots.len()).rev() {
                        let j = rng.random_range(0..=i);
                        slots.swap(i, j);
                    }
                    columns.push(
                        slots
                            .iter()
                            .map(|&s| (s as f64 + rng.random::<f64>()) / *points as f64)
                            .collect(),
                    );
                }
                (0..*points)
                    .map(|i| {
                        let unit: Vec<f64> = columns.iter().map(|c| c[i]).collect();
                        Point {
                            id: format!("lhs{points}-{i:06}"),
                            saltelli: None,
                            values: scaled(ranges, &unit),
                        }
                    })
                    .collect()
            }
            Design::Sobol { points, ranges } => (0..*points)
                .map(|i| Point {
                    id: format!("sobol-{i:06}"),
                    saltelli: None,
                    values: scaled(ranges, &sobol_point(i as u64 + 1, ranges.len())),
                })
                .collect(),
            Design::Saltelli { base, ranges } => {
                let k = ranges.len();
                let mut out = Vec::with_capacity(base * (k + 2));
                for j in 0..*base {
                    // Skip the all-zero first point of the sequence.
                    let both = sobol_point(j as u64 + 1, 2 * k);
                    let (a, b) = both.split_at(k);
                    let mut push = |block: String, unit: Vec<f64>| {
                        out.push(Point {
                            id: format!("saltelli-{j:06}-{block}"),
                            saltelli: Some((j, block)),
                            values: scaled(ranges, &unit),
                        })
                    };
                    push("A".into(), a.to_vec());
                    push("B".into(), b.to_vec());
                    for i in 0..k {
                        let mut ab = a.to_vec();
                        ab[i] = b[i];
                        push(format!("AB{i}"), ab);
                    }
                }
                out
            }
        }
    }

    /// Every run of the sweep, point by point.
    pub fn jobs(&self, points: &[Point]) -> Vec<Job> {
        points
            .iter()
            .enumerate()
            .flat_map(|(p, point)| {
                (0..self.replicates).map(move |r| Job {
                    point: p,
                    replicate: r,
                    seed: seed_of(self.master_seed, &point.id, r),
                })
            })
            .collect()
    }

    /// The base scenario with the sweep's overrides; problems located.
    pub fn base_scenario(&self, source: &str) -> Result<Scenario> {
        let path = Path::new(source)
            .parent()
            .map(|d| d.join(&self.base))
            .filter(|p| p.is_file())
            .map_or(self.base.clone(), |p| p.to_string_lossy().into_owned());
        let (text, base_source) = scenario::read_source(&path)?;
        let mut s = Scenario::from_ron(&text, &base_source)?;
        for o in &self.set {
            s = apply_override(&s, o)?;
        }
        Ok(s)
    }

    /// Checks the design and that every point gives a valid scenario,
    /// reporting every problem at once.
    pub fn validate(&self, source: &str) -> Result<(Scenario, Vec<Point>)> {
        let mut problems = Vec::new();
        let mut fail = |path: String, message: String| problems.push(Problem { path, message });
        if self.replicates == 0 {
            fail("replicates".into(), "must be at least 1".into());
        }
        let ranges = match &self.design {
            Design::Grid(axes) => {
                if axes.is_empty() {
                    fail("design".into(), "a grid needs at least one axis".into());
                }
                for (i, a) in axes.iter().enumerate() {
                    if a.values.is_empty() {
                        fail(
                            format!("design.{i}.values"),
                            "must list at least one value".into(),
                        );
                    }
                    // A value listed twice would make two runs of one
                    // point write the same file.
                    let twice = listed_twice(&a.values);
                    if let Some(&(k, j)) = twice.first() {
                        let more = match twice.len() - 1 {
                            0 => String::new(),
                            n => format!(" (and {n} more values listed twice)"),
                        };
                        fail(
                            format!("design.{i}.values.{k}"),
                            format!(
                                "'{}' is value {j} already{more}; list each value once",
                                a.values[k]
                            ),
                        );
                    }
                }
                // The same parameter on two axes would be two columns of
                // one name, refused only when the first row is written.
                for (k, path) in duplicate_paths(axes.iter().map(|a| a.path.as_str())) {
                    fail(
                        format!("design.{k}.path"),
                        format!("'{path}' is an axis already; each parameter may be one axis"),
                    );
                }
                &[][..]
            }
            Design::LatinHypercube { points, ranges } | Design::Sobol { points, ranges } => {
                if *points == 0 {
                    fail("design.points".into(), "must be at least 1".into());
                }
                &ranges[..]
            }
            Design::Saltelli { base, ranges } => {
                if *base == 0 {
                    fail("design.base".into(), "must be at least 1".into());
                }
                &ranges[..]
            }
        };
        // The points are made before anything runs, so their number is
        // bounded first.
        let points = match &self.design {
            Design::Grid(axes) => axes
                .iter()
                .try_fold(1u64, |n, a| n.checked_mul(a.values.len() as u64)),
            Design::LatinHypercube { points, .. } | Design::Sobol { points, .. } => {
                Some(*points as u64)
            }
            Design::Saltelli { base, ranges } => {
                (*base as u64).checked_mul(ranges.len() as u64 + 2)
            }
        };
        match points.and_then(|p| p.checked_mul(self.replicates.max(1))) {
            Some(runs) if runs <= MAX_RUNS => {}
            Some(runs) => fail(
                "design".into(),
                format!("{runs} runs (points x replicates); at most {MAX_RUNS} are allowed"),
            ),
            None => fail(
                "design".into(),
                format!("more runs than can be counted; at most {MAX_RUNS} are allowed"),
            ),
        }
        if !matches!(self.design, Design::Grid(_)) && ranges.is_empty() {
            fail(
                "design.ranges".into(),
                "must name at least one range".into(),
            );
        }
        if ranges.len() > MAX_SOBOL_DIMENSIONS / 2 && matches!(self.design, Design::Saltelli { .. })
        {
            fail(
                "design.ranges".into(),
                format!(
                    "Saltelli's design takes at most {} parameters",
                    MAX_SOBOL_DIMENSIONS / 2
                ),
            );
        }
        if ranges.len() > MAX_SOBOL_DIMENSIONS && matches!(self.design, Design::Sobol { .. }) {
            fail(
                "design.ranges".into(),
                format!("the Sobol sequence here has at most {MAX_SOBOL_DIMENSIONS} dimensions"),
            );
        }
        for (k, path) in duplicate_paths(ranges.iter().map(|r| r.path.as_str())) {
            fail(
                format!("design.ranges.{k}.path"),
                format!("'{path}' has a range already; each parameter may have one"),
            );
        }
        for (i, r) in ranges.iter().enumerate() {
            if !(r.low.is_finite() && r.high.is_finite() && r.low < r.high) {
                fail(
                    format!("design.ranges.{i}"),
                    format!("needs finite low < high, found {}..{}", r.low, r.high),
                );
            }
        }
        if !problems.is_empty() {
            return Err(LuddError::Invalid {
                file: source.to_string(),
                problems,
            });
        }
        let base = self.base_scenario(source)?;
        let points = self.points();
        let mut problems = Vec::new();
        // A point may change the number of agents; the largest decides
        // whether the machine has the memory.
        let mut largest: Option<Scenario> = None;
        for p in &points {
            match self.scenario_at(&base, p) {
                Ok(s) => {
                    for q in scenario::validate(&s) {
                        problems.push(Problem {
                            path: format!("[point {}] {}", p.id, q.path),
                            message: q.message,
                        });
                    }
                    if largest
                        .as_ref()
                        .is_none_or(|l| s.memory_estimate() > l.memory_estimate())
                    {
                        largest = Some(s);
                    }
                }
                Err(e) => problems.push(Problem {
                    path: format!("[point {}]", p.id),
                    message: e.to_string(),
                }),
            }
            if problems.len() >= 20 {
                break;
            }
        }
        if !problems.is_empty() {
            return Err(LuddError::Invalid {
                file: source.to_string(),
                problems,
            });
        }
        if let Some(s) = largest {
            scenario::check_memory(&s, source)?;
        }
        Ok((base, points))
    }

    pub fn scenario_at(&self, base: &Scenario, point: &Point) -> Result<Scenario> {
        let mut s = base.clone();
        for (path, value) in &point.values {
            s = apply_override(&s, &format!("{path}={value}"))?;
        }
        Ok(s)
    }
}
