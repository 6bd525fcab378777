//! `ludd sweep`: many runs over a parameter design, streamed to a
//! hive-partitioned parquet dataset, resumable and shardable.
//!
//! A sweep file names a base scenario, a design (a grid of listed values, a
//! Latin hypercube or a Sobol sequence over ranges, or Saltelli's design for
//! Sobol sensitivity indices), replicates per point and what to keep. Each
//! run's seed comes from a seed tree: a hash of the master seed, the point's
//! stable id and the replicate number, so adding points or replicates never
//! changes a run already made.
//!
//! Layout of the output directory:
//! - `sweep.ron`: the sweep as run (written first, checked on resume);
//! - `metrics/point=<id>/replicate=<r>/part.parquet`: one row per run (the
//!   comparison measures of `compare::RunMetrics`, the parameter values, the
//!   seed), readable as one table with its partition columns;
//! - `runs/point=<id>/replicate=<r>/`: the run's own tables (`keep: Full`);
//! - `failed/point=<id>/replicate=<r>.txt`: the error of a run that failed.
//!
//! Every file goes through a temporary name and a rename, so a file that
//! exists is complete; a re-run skips complete runs and does the rest.

use crate::analysis::compare::{metrics, RunMetrics, METRICS};
use crate::analysis::output::{self, Provenance};
use crate::error::{LuddError, Problem, Result};
use crate::scenario::{self, apply_override, Scenario};
use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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

/// SplitMix64 finalizer, the mixing step of the seed tree.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The seed of one run: a function of the master seed, the point's id and
/// the replicate only. Seeds are kept below 2^53 so that they survive a
/// round trip through tools that read integers as doubles.
/// The largest sweep ludd accepts, in runs.
pub const MAX_RUNS: u64 = 10_000_000;

pub fn seed_of(master: u64, point_id: &str, replicate: u64) -> u64 {
    let h = u64::from_str_radix(&output::scenario_hash(point_id), 16).unwrap_or(0);
    mix(mix(master) ^ h ^ mix(replicate.wrapping_add(1))) >> 11
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
                                mix(u64::from_str_radix(
                                    &output::scenario_hash(&key.join(";")),
                                    16
                                )
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

/// Number of dimensions of the built-in Sobol direction numbers.
pub const MAX_SOBOL_DIMENSIONS: usize = 16;

/// Primitive polynomials (degree s, coefficients a) and initial direction
/// numbers m of dimensions 2 to 16, from Joe and Kuo (2008), "Constructing
/// Sobol sequences with better two-dimensional projections" (new-joe-kuo-6.21201).
const JOE_KUO: [(u32, u32, &[u32]); MAX_SOBOL_DIMENSIONS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
];

/// Point `index` (from 0) of the Sobol sequence in `dims` dimensions, by
/// the Gray-code-free direct formula: XOR of the direction numbers of the
/// set bits of the index. Cost is 32 x dims per point, fine for designs of
/// thousands of points.
pub fn sobol_point(index: u64, dims: usize) -> Vec<f64> {
    const BITS: usize = 32;
    (0..dims)
        .map(|d| {
            let mut v = [0u32; BITS];
            if d == 0 {
                for (k, x) in v.iter_mut().enumerate() {
                    *x = 1 << (BITS - 1 - k);
                }
            } else {
                let (s, a, m) = JOE_KUO[d - 1];
                let s = s as usize;
                for k in 0..s.min(BITS) {
                    v[k] = m[k] << (BITS - 1 - k);
                }
                for k in s..BITS {
                    let mut x = v[k - s] ^ (v[k - s] >> s);
                    for j in 1..s {
                        if (a >> (s - 1 - j)) & 1 == 1 {
                            x ^= v[k - j];
                        }
                    }
                    v[k] = x;
                }
            }
            let mut x = 0u32;
            for (k, vk) in v.iter().enumerate() {
                if (index >> k) & 1 == 1 {
                    x ^= vk;
                }
            }
            f64::from(x) / 2f64.powi(BITS as i32)
        })
        .collect()
}

/// Which slice of the jobs this process runs: `--shard I/N`, or the array
/// index of Slurm or a Kubernetes Indexed Job, or everything.
pub fn shard_from(flag: Option<&str>) -> Result<(usize, usize)> {
    let parse = |text: &str, what: &str| -> Result<(usize, usize)> {
        let bad = || LuddError::Override {
            path: what.to_string(),
            message: format!("expected I/N with 0 <= I < N, found '{text}'"),
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (i, n): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if n == 0 || i >= n {
            return Err(bad());
        }
        Ok((i, n))
    };
    if let Some(f) = flag {
        return parse(f, "--shard");
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let (Some(i), Some(n)) = (env("SLURM_ARRAY_TASK_ID"), env("SLURM_ARRAY_TASK_COUNT")) {
        // Slurm numbers tasks from SLURM_ARRAY_TASK_MIN, normally 0.
        let min: usize = env("SLURM_ARRAY_TASK_MIN")
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        let i: usize = i.parse().map_err(|_| LuddError::Override {
            path: "SLURM_ARRAY_TASK_ID".into(),
            message: format!("not a number: {i}"),
        })?;
        return parse(&format!("{}/{n}", i - min.min(i)), "SLURM_ARRAY_TASK_ID");
    }
    if let Some(i) = env("JOB_COMPLETION_INDEX") {
        let n = env("JOB_COMPLETION_COUNT").ok_or_else(|| LuddError::Override {
            path: "JOB_COMPLETION_INDEX".into(),
            message: "set JOB_COMPLETION_COUNT (the Job's completions) beside it, or pass --shard"
                .into(),
        })?;
        return parse(&format!("{i}/{n}"), "JOB_COMPLETION_INDEX");
    }
    Ok((0, 1))
}

fn partition(point: &Point, replicate: u64) -> PathBuf {
    PathBuf::from(format!("point={}", point.id)).join(format!("replicate={replicate}"))
}

pub fn metrics_file(dir: &Path, point: &Point, replicate: u64) -> PathBuf {
    dir.join("metrics")
        .join(partition(point, replicate))
        .join("part.parquet")
}

fn failed_file(dir: &Path, point: &Point, replicate: u64) -> PathBuf {
    dir.join("failed")
        .join(format!("point={}", point.id))
        .join(format!("replicate={replicate}.txt"))
}

/// The row of one run.
fn metrics_frame(
    sweep: &SweepFile,
    numeric: &std::collections::HashSet<String>,
    point: &Point,
    job: &Job,
    m: &RunMetrics,
) -> Result<DataFrame> {
    let mut columns = vec![
        Column::new("seed".into(), vec![job.seed]),
        Column::new("sweep".into(), vec![sweep.name.clone()]),
    ];
    if let Some((row, block)) = &point.saltelli {
        columns.push(Column::new("saltelli_row".into(), vec![*row as u32]));
        columns.push(Column::new("saltelli_block".into(), vec![block.clone()]));
    }
    // A parameter is a number column when every point's value is a number,
    // so that every file of the dataset has the same schema.
    for (path, value) in &point.values {
        let column = match value.parse::<f64>() {
            Ok(v) if numeric.contains(path) => Column::new(path.as_str().into(), vec![v]),
            _ => Column::new(path.as_str().into(), vec![value.clone()]),
        };
        columns.push(column);
    }
    for ((name, _), v) in METRICS.iter().zip(m.values()) {
        columns.push(Column::new((*name).into(), vec![v]));
    }
    DataFrame::new(columns).map_err(err)
}

fn err(e: PolarsError) -> LuddError {
    LuddError::Output {
        path: "metrics".into(),
        message: e.to_string(),
    }
}

/// What a sweep did in this process.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    pub jobs_in_shard: usize,
    pub skipped: usize,
    pub done: usize,
    pub failed: usize,
}

/// Runs this shard's missing jobs on `threads` threads, one run per thread
/// at a time (`run::bounded_parallel`), writing each as it ends.
pub fn execute(
    sweep: &SweepFile,
    base: &Scenario,
    points: &[Point],
    dir: &Path,
    shard: (usize, usize),
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    std::fs::create_dir_all(dir).map_err(|e| LuddError::io(dir, e))?;
    // The sweep file is written once and must match on every resume, so a
    // directory never mixes two designs.
    let record = dir.join("sweep.ron");
    let text = sweep.to_ron();
    match std::fs::read_to_string(&record) {
        Ok(old) if old != text => {
            return Err(LuddError::Output {
                path: record,
                message: "this directory holds a different sweep; choose another --out".into(),
            })
        }
        Ok(_) => {}
        Err(_) => {
            let tmp = dir.join(format!(".sweep.ron.{}", std::process::id()));
            std::fs::write(&tmp, &text).map_err(|e| LuddError::io(&tmp, e))?;
            std::fs::rename(&tmp, &record).map_err(|e| LuddError::io(&record, e))?;
        }
    }
    let jobs: Vec<Job> = sweep
        .jobs(points)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % shard.1 == shard.0)
        .map(|(_, j)| j)
        .collect();
    let todo: Vec<&Job> = jobs
        .iter()
        .filter(|j| !metrics_file(dir, &points[j.point], j.replicate).is_file())
        .collect();
    let outcome = Outcome {
        jobs_in_shard: jobs.len(),
        skipped: jobs.len() - todo.len(),
        ..Default::default()
    };
    let mut numeric: std::collections::HashSet<String> = points
        .iter()
        .flat_map(|p| p.values.iter().map(|(path, _)| path.clone()))
        .collect();
    for p in points {
        for (path, value) in &p.values {
            if value.parse::<f64>().is_err() {
                numeric.remove(path);
            }
        }
    }
    let (done, failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let total = todo.len();
    crate::model::run::bounded_parallel(todo.len(), threads, &|k| -> Result<()> {
        let job = todo[k];
        let point = &points[job.point];
        let result = sweep
            .scenario_at(base, point)
            .and_then(|s| crate::run(&s, job.seed));
        match result {
            Ok(out) => {
                if sweep.keep == Keep::Full {
                    let run_dir = dir.join("runs").join(partition(point, job.replicate));
                    let overrides: Vec<String> = point
                        .values
                        .iter()
                        .map(|(p, v)| format!("{p}={v}"))
                        .collect();
                    output::write_run(&out, &run_dir, &overrides, 1, true)?;
                }
                let mut df = metrics_frame(sweep, &numeric, point, job, &metrics(&out))?;
                let file = metrics_file(dir, point, job.replicate);
                let parent = file.parent().expect("a partition directory");
                std::fs::create_dir_all(parent).map_err(|e| LuddError::io(parent, e))?;
                let provenance = Provenance {
                    scenario: sweep.name.clone(),
                    scenario_hash: output::scenario_hash(&out.scenario.to_ron()),
                    seed: job.seed.to_string(),
                    version: env!("CARGO_PKG_VERSION").to_string(),
                    overrides: point
                        .values
                        .iter()
                        .map(|(p, v)| format!("{p}={v}"))
                        .collect(),
                };
                output::write_parquet(&mut df, &file, &provenance)?;
                let _ = std::fs::remove_file(failed_file(dir, point, job.replicate));
                done.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                // A failed run is recorded and the sweep goes on.
                let file = failed_file(dir, point, job.replicate);
                let parent = file.parent().expect("a partition directory");
                std::fs::create_dir_all(parent).map_err(|e| LuddError::io(parent, e))?;
                std::fs::write(&file, format!("seed {}: {e}\n", job.seed))
                    .map_err(|e| LuddError::io(&file, e))?;
                failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        progress(
            done.load(Ordering::Relaxed) + failed.load(Ordering::Relaxed),
            total,
        );
        Ok(())
    })?;
    Ok(Outcome {
        done: done.into_inner(),
        failed: failed.into_inner(),
        ..outcome
    })
}

/// Complete, failed and missing runs of a sweep directory.
#[derive(Debug, Clone)]
pub struct Status {
    pub expected: usize,
    pub complete: usize,
    pub failed: Vec<(String, u64, String)>,
    pub missing: Vec<(String, u64)>,
}

pub fn status(dir: &Path) -> Result<Status> {
    let record = dir.join("sweep.ron");
    let text = std::fs::read_to_string(&record).map_err(|e| LuddError::io(&record, e))?;
    let sweep = SweepFile::from_ron(&text, &record.to_string_lossy())?;
    let points = sweep.points();
    let jobs = sweep.jobs(&points);
    let mut s = Status {
        expected: jobs.len(),
        complete: 0,
        failed: Vec::new(),
        missing: Vec::new(),
    };
    for j in &jobs {
        let p = &points[j.point];
        if metrics_file(dir, p, j.replicate).is_file() {
            s.complete += 1;
        } else if let Ok(e) = std::fs::read_to_string(failed_file(dir, p, j.replicate)) {
            s.failed
                .push((p.id.clone(), j.replicate, e.trim().to_string()));
        } else {
            s.missing.push((p.id.clone(), j.replicate));
        }
    }
    Ok(s)
}

/// The whole metrics dataset as one table with its partition columns,
/// sorted by point and replicate.
pub fn read_metrics(dir: &Path) -> Result<DataFrame> {
    let pattern = dir.join("metrics/**/*.parquet");
    let args = ScanArgsParquet {
        hive_options: polars::io::HiveOptions {
            try_parse_dates: false,
            ..polars::io::HiveOptions::new_enabled()
        },
        ..Default::default()
    };
    LazyFrame::scan_parquet(PlPath::new(&pattern.to_string_lossy()), args)
        .map_err(err)?
        .sort(["point", "replicate"], Default::default())
        .collect()
        .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A subtle kernel earns a unit test: every one-dimensional projection of
    // the first 2^m Sobol points puts exactly one point in each of the 2^m
    // equal intervals (the points are a (0, m, 1)-net in every dimension).
    #[test]
    fn sobol_points_stratify_every_dimension() {
        for m in 1..=7 {
            let n = 1usize << m;
            for d in 0..MAX_SOBOL_DIMENSIONS {
                let mut seen = vec![false; n];
                for i in 0..n {
                    let x = sobol_point(i as u64, MAX_SOBOL_DIMENSIONS)[d];
                    let cell = (x * n as f64) as usize;
                    assert!(!seen[cell], "dimension {d}, {n} points: two in cell {cell}");
                    seen[cell] = true;
                }
            }
        }
    }
}

/// Per point of a sweep: its parameter values, the runs made, and the
/// mean, 5th and 95th percentile of every measure over its replicates.
pub fn summary(dir: &Path) -> Result<DataFrame> {
    let record = dir.join("sweep.ron");
    let text = std::fs::read_to_string(&record).map_err(|e| LuddError::io(&record, e))?;
    let sweep = SweepFile::from_ron(&text, &record.to_string_lossy())?;
    let params: Vec<String> = sweep
        .points()
        .first()
        .map(|p| p.values.iter().map(|(path, _)| path.clone()).collect())
        .unwrap_or_default();
    let data = read_metrics(dir)?;
    let mut aggs: Vec<Expr> = params.iter().map(|p| col(p.as_str()).first()).collect();
    aggs.push(col("replicate").count().alias("runs"));
    for (name, _) in METRICS {
        aggs.extend(crate::analysis::compare::spread(name));
    }
    data.lazy()
        .group_by_stable([col("point")])
        .agg(aggs)
        .collect()
        .map_err(err)
}
