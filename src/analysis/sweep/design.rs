//! The sweep file and its designs: a grid of listed values, a Latin
//! hypercube or a Sobol sequence over ranges, or Saltelli's design for Sobol
//! sensitivity indices; the points of a design, the runs (jobs) of a sweep
//! with their seeds, and the checks made before anything runs.

use super::points::Points;
use super::sobol::MAX_SOBOL_DIMENSIONS;
use crate::analysis::provenance::scenario_hash;
use crate::error::{number_text, LuddError, Problem, Result};
use crate::model::rng::mix;
use crate::scenario::{self, apply_override, apply_overrides, Overridable, Scenario};
use rayon::prelude::*;
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

impl Point {
    /// The point's values as `--set` assignments (`path=value`).
    pub fn assignments(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|(path, value)| format!("{path}={value}"))
            .collect()
    }
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

    /// The number of the design's points, counted from the design alone
    /// (before any point is made), or `None` when it cannot be counted.
    pub fn point_count(&self) -> Option<u64> {
        match &self.design {
            Design::Grid(axes) => axes
                .iter()
                .try_fold(1u64, |n, a| n.checked_mul(a.values.len() as u64)),
            Design::LatinHypercube { points, .. } | Design::Sobol { points, .. } => {
                Some(*points as u64)
            }
            Design::Saltelli { base, ranges } => {
                (*base as u64).checked_mul(ranges.len() as u64 + 2)
            }
        }
    }

    /// About the bytes the design's points and runs take once made: each
    /// point's id and values, and each run's entry in the lists of jobs and
    /// of the part files found. Known before any point is made, so a design
    /// too large for the machine is refused rather than built.
    pub fn design_bytes(&self) -> u64 {
        let text = |s: &str| (std::mem::size_of::<String>() + s.len()) as u64;
        let pair = 2 * std::mem::size_of::<String>() as u64;
        let values: u64 = match &self.design {
            Design::Grid(axes) => axes
                .iter()
                .map(|a| {
                    let longest = a.values.iter().map(|v| v.len()).max().unwrap_or(0);
                    pair + a.path.len() as u64 + longest as u64
                })
                .sum(),
            Design::LatinHypercube { ranges, .. }
            | Design::Sobol { ranges, .. }
            | Design::Saltelli { ranges, .. } => ranges
                .iter()
                // A value is written as the shortest decimal of a double:
                // at most 24 characters.
                .map(|r| pair + r.path.len() as u64 + 24)
                .sum(),
        };
        let point = std::mem::size_of::<Point>() as u64 + text("saltelli-000000-AB00") + values;
        // A run: its job, its slot in the survey of part files and its
        // place in the list of runs to make.
        let run = (std::mem::size_of::<Job>() + 64) as u64;
        let points = self.point_count().unwrap_or(u64::MAX);
        points
            .saturating_mul(point)
            .saturating_add(points.saturating_mul(self.replicates).saturating_mul(run))
    }

    /// The parameters the design varies, in its order (the values of
    /// every point name them in this order).
    pub fn parameters(&self) -> Vec<String> {
        match &self.design {
            Design::Grid(axes) => axes.iter().map(|a| a.path.clone()).collect(),
            Design::LatinHypercube { ranges, .. }
            | Design::Sobol { ranges, .. }
            | Design::Saltelli { ranges, .. } => ranges.iter().map(|r| r.path.clone()).collect(),
        }
    }

    /// The design's points, made one at a time by index (`Points::point`).
    pub fn point_maker(&self) -> Points<'_> {
        Points::new(self)
    }

    /// The design's points, in a fixed order.
    pub fn points(&self) -> Vec<Point> {
        let maker = self.point_maker();
        (0..maker.len()).map(|i| maker.point(i)).collect()
    }

    /// The runs of shard `shard.0` of `shard.1` (every `shard.1`-th run,
    /// counting point by point, replicates within a point); `(0, 1)` gives
    /// every run of the sweep.
    pub fn jobs(&self, points: &Points<'_>, shard: (usize, usize)) -> Vec<Job> {
        let replicates = self.replicates.max(1) as usize;
        let runs = points.len() * replicates;
        let mut jobs = Vec::with_capacity(runs.div_ceil(shard.1.max(1)));
        let mut last: Option<(usize, String)> = None;
        for j in (shard.0..runs).step_by(shard.1.max(1)) {
            let (point, replicate) = (j / replicates, (j % replicates) as u64);
            if last.as_ref().is_none_or(|(p, _)| *p != point) {
                last = Some((point, points.point(point).id));
            }
            let id = &last.as_ref().expect("just made").1;
            jobs.push(Job {
                point,
                replicate,
                seed: seed_of(self.master_seed, id, replicate),
            });
        }
        jobs
    }

    /// The parameters whose every value is a number: their columns in the
    /// dataset are numbers, so that every part file has the same schema.
    /// Ranges give numbers; a grid axis does when all its values read as one.
    pub fn numeric_paths(&self) -> std::collections::HashSet<String> {
        match &self.design {
            Design::Grid(axes) => axes
                .iter()
                .filter(|a| a.values.iter().all(|v| v.parse::<f64>().is_ok()))
                .map(|a| a.path.clone())
                .collect(),
            Design::LatinHypercube { ranges, .. }
            | Design::Sobol { ranges, .. }
            | Design::Saltelli { ranges, .. } => ranges.iter().map(|r| r.path.clone()).collect(),
        }
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
    /// reporting every problem at once, and answers the base scenario. The
    /// points are counted and sized before any is made, then made and
    /// checked a block at a time, never all held;
    /// `progress(checked, points)` is called after each block.
    pub fn validate(
        &self,
        source: &str,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Scenario> {
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
        // The points are counted before any is made, so their number is
        // bounded first, and then their size (below).
        let points = self.point_count();
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
                    format!(
                        "needs finite low < high, found {}..{}",
                        number_text(r.low),
                        number_text(r.high)
                    ),
                );
            }
        }
        if !problems.is_empty() {
            return Err(LuddError::Invalid {
                file: source.to_string(),
                problems,
            });
        }
        // The design's bookkeeping must fit before it is made: a grid of
        // millions of points would otherwise take gigabytes before its
        // first run.
        scenario::check_bytes(
            self.design_bytes(),
            &format!(
                "the design's {} points and their runs",
                self.point_count().unwrap_or(0)
            ),
            source,
            "use fewer points or replicates, or split the design into several sweeps",
        )?;
        let base = self.base_scenario(source)?;
        let maker = self.point_maker();
        let (problems, largest) = check_points(&base, &maker, progress);
        if !problems.is_empty() {
            return Err(LuddError::Invalid {
                file: source.to_string(),
                problems,
            });
        }
        // A point may change the number of agents; the largest decides
        // whether the machine has the memory.
        scenario::check_needed(largest, "a run", source)?;
        Ok(base)
    }

    /// The scenario at `point`: the base with the point's values, set
    /// together.
    pub fn scenario_at(&self, base: &Scenario, point: &Point) -> Result<Scenario> {
        apply_overrides(base, &point.assignments())
    }
}

/// Points checked between two reports of progress (and between two
/// looks at how many problems there are).
const CHECK_BLOCK: usize = 4096;

/// The problems of a sweep's points, in point order and at most 20 (the
/// first points that break a rule), and the largest memory estimate of a
/// run among them. The points are made and checked a block at a time, in
/// parallel, and never all held: a design of a million points is checked
/// in memory for one block.
fn check_points(
    base: &Scenario,
    maker: &Points<'_>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> (Vec<Problem>, u64) {
    const MOST: usize = 20;
    let base = Overridable::new(base);
    let mut problems = Vec::new();
    let mut largest = 0u64;
    let mut start = 0;
    progress(0, maker.len());
    while start < maker.len() && problems.len() < MOST {
        let end = (start + CHECK_BLOCK).min(maker.len());
        let checked: Vec<(Vec<Problem>, u64)> = (start..end)
            .into_par_iter()
            .map(|i| {
                let p = maker.point(i);
                match base.apply(&p.assignments()) {
                    Ok(s) => {
                        let found = scenario::validate(&s)
                            .into_iter()
                            .map(|q| Problem {
                                path: format!("[point {}] {}", p.id, q.path),
                                message: q.message,
                            })
                            .collect();
                        (found, s.memory_estimate())
                    }
                    Err(e) => (
                        vec![Problem {
                            path: format!("[point {}]", p.id),
                            message: e.to_string(),
                        }],
                        0,
                    ),
                }
            })
            .collect();
        for (found, bytes) in checked {
            largest = largest.max(bytes);
            problems.extend(found);
        }
        progress(end, maker.len());
        start = end;
    }
    problems.truncate(MOST);
    (problems, largest)
}
