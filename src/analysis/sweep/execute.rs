//! Running a sweep: this process's slice of the jobs (`--shard`, or the
//! array index of Slurm or a Kubernetes Indexed Job), run in parallel and
//! streamed into the dataset one row per run as each ends; a re-run resumes,
//! skipping the runs already complete, once the directory's record allows
//! it (`record::adopt`).

use super::dataset::{failed_file, metrics_file, partition, survey, Part};
use super::design::{Job, Keep, Point, SweepFile};
use super::points::Points;
use super::record::{self, Adopted};
use crate::analysis::compare::{metrics, RunMetrics, METRICS};
use crate::analysis::files::{polars_error, with_new_dirs, write_atomic, write_parquet};
use crate::analysis::output;
use crate::analysis::provenance::Provenance;
use crate::error::{LuddError, Result};
use crate::scenario::Scenario;
use polars::prelude::*;
use std::path::Path;

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
    DataFrame::new(columns).map_err(polars_error("metrics"))
}

/// What a sweep did in this process.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    pub jobs_in_shard: usize,
    /// Runs complete before, and so not made again.
    pub skipped: usize,
    /// Runs whose part file was there but did not read back whole, made again.
    pub damaged: usize,
    pub done: usize,
    pub failed: usize,
    /// Whether the directory was new, resumed, or its design grew.
    pub adopted: Adopted,
}

/// Runs this shard's missing jobs on `threads` threads, one run per thread
/// at a time (`run::bounded_parallel`), writing each as it ends.
pub fn execute(
    sweep: &SweepFile,
    base: &Scenario,
    points: &Points<'_>,
    dir: &Path,
    shard: (usize, usize),
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // The shards of one sweep (`--shard`, Slurm and Kubernetes arrays) write
    // disjoint part files into one directory at the same time, so they share
    // the destination's lock from before the record is read until the last
    // part is written: another sweep's shards may join, while a `run`,
    // `compare` or `report` aimed at the directory is refused. Reading,
    // checking and writing the record must not interleave between shards:
    // that section holds the directory itself exclusively, waiting its turn.
    // A directory made here and left empty (its record could not be
    // written on a full disk) is removed again.
    let _shared = crate::analysis::files::lock_shared(dir)?;
    let adopted = with_new_dirs(dir, || {
        crate::analysis::files::with_directory_lock(dir, || record::adopt(dir, sweep, base))
    })?;
    let jobs: Vec<Job> = sweep.jobs(points, shard);
    // A part file that does not read back whole is made again, like a
    // missing one (`dataset::read_part`).
    #[derive(PartialEq)]
    enum Found {
        Complete,
        Damaged,
        Absent,
    }
    let found: Vec<Found> = survey(dir, points, &jobs, &|_, _, part| match part {
        Part::Complete(_) => Found::Complete,
        Part::Damaged(_) => Found::Damaged,
        Part::Absent => Found::Absent,
    });
    let todo: Vec<&Job> = jobs
        .iter()
        .zip(&found)
        .filter(|(_, f)| **f != Found::Complete)
        .map(|(j, _)| j)
        .collect();
    let outcome = Outcome {
        jobs_in_shard: jobs.len(),
        skipped: jobs.len() - todo.len(),
        damaged: found.iter().filter(|f| **f == Found::Damaged).count(),
        adopted,
        ..Default::default()
    };
    let numeric = sweep.numeric_paths();
    let (done, failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let total = todo.len();
    crate::model::run::bounded_parallel(todo.len(), threads, &|k| -> Result<()> {
        let job = todo[k];
        let point = &points.point(job.point);
        let result = sweep
            .scenario_at(base, point)
            .and_then(|s| crate::run(&s, job.seed));
        match result {
            Ok(out) => {
                let overrides = point.assignments();
                if sweep.keep == Keep::Full {
                    let run_dir = dir.join("runs").join(partition(point, job.replicate));
                    output::write_run(&out, &run_dir, &overrides, 1, true)?;
                }
                let mut df = metrics_frame(sweep, &numeric, point, job, &metrics(&out))?;
                let file = metrics_file(dir, point, job.replicate);
                let parent = file.parent().expect("a partition directory");
                let provenance = Provenance::new(
                    sweep.name.as_str(),
                    &out.scenario.to_ron(),
                    job.seed.to_string(),
                    overrides,
                );
                with_new_dirs(parent, || write_parquet(&mut df, &file, &provenance))?;
                let _ = std::fs::remove_file(failed_file(dir, point, job.replicate));
                done.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                // A failed run is recorded and the sweep goes on. A
                // damaged part file it was to replace goes, so that status
                // reports the run as failed, with its error.
                let _ = std::fs::remove_file(metrics_file(dir, point, job.replicate));
                let file = failed_file(dir, point, job.replicate);
                let parent = file.parent().expect("a partition directory");
                with_new_dirs(parent, || {
                    write_atomic(&file, format!("seed {}: {e}\n", job.seed))
                })?;
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
