//! A sweep's output directory as a dataset: where each run's row and
//! error go, which runs are complete, damaged, failed or missing, and the rows read
//! back as one table or summarized per point.

use super::design::{Job, Point, SweepFile};
use super::points::Points;
use super::record::{self, record_file, Recorded};
use crate::analysis::compare::{spread, METRICS};
use crate::analysis::files::polars_error;
use crate::analysis::provenance::Provenance;
use crate::error::{LuddError, Result};
use crate::model::run::bounded_parallel;
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Whether `dir` is a sweep that kept only its measures (`Keep::Summary`):
/// it has its record and no run directories, so its tables come from the
/// metrics dataset.
pub fn is_measures_only(dir: &Path) -> bool {
    record_file(dir).is_file() && !dir.join("runs").is_dir()
}

/// The sweep recorded in a sweep directory (`sweep.ron`, current or
/// written by an earlier version), with the record's text.
pub fn read_record(dir: &Path) -> Result<(SweepFile, String)> {
    let (recorded, text) = recorded(dir)?;
    Ok((recorded.sweep().clone(), text))
}

/// The record of a sweep directory and its text; an error where there is none.
fn recorded(dir: &Path) -> Result<(Recorded, String)> {
    record::read(dir)?.ok_or_else(|| LuddError::Output {
        path: record_file(dir),
        message: "no sweep record here: not a sweep's output directory".into(),
    })
}

/// The provenance of a table over a whole sweep: the directory, a hash of
/// the sweep record (the sweep, its base scenario's hash and ludd's
/// version), and the root of the seed tree (every run's own seed is in its
/// file; the root names them all).
pub fn summary_provenance(dir: &Path) -> Result<Provenance> {
    let (sweep, text) = read_record(dir)?;
    Ok(Provenance::new(
        dir.display().to_string(),
        &text,
        format!("master={}", sweep.master_seed),
        Vec::new(),
    ))
}

pub(super) fn partition(point: &Point, replicate: u64) -> PathBuf {
    PathBuf::from(format!("point={}", point.id)).join(format!("replicate={replicate}"))
}

pub fn metrics_file(dir: &Path, point: &Point, replicate: u64) -> PathBuf {
    dir.join("metrics")
        .join(partition(point, replicate))
        .join("part.parquet")
}

pub(super) fn failed_file(dir: &Path, point: &Point, replicate: u64) -> PathBuf {
    dir.join("failed")
        .join(format!("point={}", point.id))
        .join(format!("replicate={replicate}.txt"))
}

/// The columns of the part file of a run at `point`, in the order it is
/// written (`execute::metrics_frame`). The partition columns `point` and
/// `replicate` are in its path, not in the file.
pub(super) fn part_columns(point: &Point) -> Vec<String> {
    let mut columns = vec!["seed".to_string(), "sweep".to_string()];
    if point.saltelli.is_some() {
        columns.extend(["saltelli_row".to_string(), "saltelli_block".to_string()]);
    }
    columns.extend(point.values.iter().map(|(path, _)| path.clone()));
    columns.extend(METRICS.iter().map(|(name, _)| (*name).to_string()));
    columns
}

/// A run's part file as found.
pub(super) enum Part {
    /// It reads back whole: a parquet file (its footer and every page
    /// decode) with every column of its point and one row.
    Complete(DataFrame),
    /// It exists but does not read back whole; why.
    Damaged(String),
    Absent,
}

/// Reads a run's part file back whole, or says why it does not. This is
/// the one notion of a complete run: a resume skips exactly these, and
/// status, the summary and the report count exactly these. A file renamed
/// into place whole can still be truncated or damaged later (a copy cut
/// short, a full disk on a network filesystem, a hand edit), so existing is
/// not enough.
pub(super) fn read_part(dir: &Path, point: &Point, replicate: u64) -> Part {
    let file = metrics_file(dir, point, replicate);
    let handle = match std::fs::File::open(&file) {
        Ok(handle) => handle,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Part::Absent,
        Err(e) => return Part::Damaged(format!("cannot be opened: {e}")),
    };
    let df = match ParquetReader::new(handle).finish() {
        Ok(df) => df,
        Err(e) => {
            // Polars may describe the file at length; its first line says
            // what is wrong.
            let e = e.to_string();
            let first = e.lines().next().unwrap_or_default();
            return Part::Damaged(format!("is not a whole parquet file ({first})"));
        }
    };
    let lacking: Vec<String> = part_columns(point)
        .into_iter()
        .filter(|c| df.column(c).is_err())
        .collect();
    if !lacking.is_empty() {
        return Part::Damaged(format!("lacks the column(s) {}", lacking.join(", ")));
    }
    if df.height() != 1 {
        return Part::Damaged(format!("has {} rows where a run has one", df.height()));
    }
    Part::Complete(df)
}

/// `look` at the part file of every one of `jobs`, in parallel, in their
/// order. The files are read on threads of their own
/// (`run::bounded_parallel`), not in a rayon pool: polars reads in its own
/// pool, and a rayon worker waiting on another pool takes up more of its
/// own pool's jobs meanwhile, one on the stack of the other, until a
/// thousand part files overflow the stack.
pub(super) fn survey<T: Send>(
    dir: &Path,
    points: &Points<'_>,
    jobs: &[Job],
    look: &(dyn Fn(&Point, u64, Part) -> T + Sync),
) -> Vec<T> {
    let slots: Vec<Mutex<Option<T>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let _ = bounded_parallel(jobs.len(), threads, &|k| -> Result<()> {
        let (point, replicate) = (points.point(jobs[k].point), jobs[k].replicate);
        let seen = look(&point, replicate, read_part(dir, &point, replicate));
        *slots[k].lock().expect("not poisoned") = Some(seen);
        Ok(())
    });
    slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .expect("not poisoned")
                .expect("every job is looked at")
        })
        .collect()
}

/// `survey` of every run of `sweep`.
fn survey_all<T: Send>(
    dir: &Path,
    sweep: &SweepFile,
    look: &(dyn Fn(&Point, u64, Part) -> T + Sync),
) -> Vec<T> {
    let points = sweep.point_maker();
    survey(dir, &points, &sweep.jobs(&points, (0, 1)), look)
}

/// Complete, damaged, failed and missing runs of a sweep directory, and
/// what its record says made them.
#[derive(Debug, Clone)]
pub struct Status {
    pub expected: usize,
    pub complete: usize,
    /// Runs whose part file does not read back whole, and why; a resume
    /// makes them again.
    pub damaged: Vec<(String, u64, String)>,
    pub failed: Vec<(String, u64, String)>,
    pub missing: Vec<(String, u64)>,
    /// The ludd version and the base scenario's hash in the record; `None`
    /// for a record written by an earlier version, which held neither.
    pub made_by: Option<(String, String)>,
}

pub fn status(dir: &Path) -> Result<Status> {
    enum Seen {
        Complete,
        Damaged(String, u64, String),
        Failed(String, u64, String),
        Missing(String, u64),
    }
    let (recorded, _) = recorded(dir)?;
    let seen = survey_all(dir, recorded.sweep(), &|p, replicate, part| match part {
        Part::Complete(_) => Seen::Complete,
        Part::Damaged(why) => Seen::Damaged(p.id.clone(), replicate, why),
        Part::Absent => match std::fs::read_to_string(failed_file(dir, p, replicate)) {
            Ok(e) => Seen::Failed(p.id.clone(), replicate, e.trim().to_string()),
            Err(_) => Seen::Missing(p.id.clone(), replicate),
        },
    });
    let mut s = Status {
        expected: seen.len(),
        complete: 0,
        damaged: Vec::new(),
        failed: Vec::new(),
        missing: Vec::new(),
        made_by: match &recorded {
            Recorded::Current(r) => Some((r.ludd_version.clone(), r.base_hash.clone())),
            Recorded::Legacy(_) => None,
        },
    };
    for x in seen {
        match x {
            Seen::Complete => s.complete += 1,
            Seen::Damaged(p, r, why) => s.damaged.push((p, r, why)),
            Seen::Failed(p, r, e) => s.failed.push((p, r, e)),
            Seen::Missing(p, r) => s.missing.push((p, r)),
        }
    }
    Ok(s)
}

/// The complete runs of the dataset as one table, the part files' columns
/// followed by the partition columns `point` and `replicate` (as a
/// hive-partitioned scan gives them), sorted by point and replicate.
/// Incomplete runs are left out, as `status` counts them; a damaged part
/// file is refused, naming it, rather than silently left out.
pub fn read_metrics(dir: &Path) -> Result<DataFrame> {
    let (sweep, _) = read_record(dir)?;
    let parts = survey_all(dir, &sweep, &|p, replicate, part| match part {
        Part::Complete(df) => df
            .hstack(&[
                Column::new("point".into(), vec![p.id.clone()]),
                Column::new("replicate".into(), vec![replicate as i64]),
            ])
            .map(Some)
            .map_err(polars_error(metrics_file(dir, p, replicate))),
        Part::Damaged(why) => Err(LuddError::Output {
            path: metrics_file(dir, p, replicate),
            message: format!(
                "this run's part file {why}; `ludd sweep status` lists the damaged runs, and \
                 running the sweep again makes them anew"
            ),
        }),
        Part::Absent => Ok(None),
    });
    let mut frames = Vec::new();
    for part in parts {
        if let Some(df) = part? {
            frames.push(df);
        }
    }
    let metrics = dir.join("metrics");
    let mut frames = frames.into_iter();
    let Some(mut all) = frames.next() else {
        return Err(LuddError::Output {
            path: metrics,
            message: "no complete run yet (`ludd sweep status` lists them)".into(),
        });
    };
    for df in frames {
        all.vstack_mut(&df).map_err(polars_error(&metrics))?;
    }
    all.sort(["point", "replicate"], Default::default())
        .map_err(polars_error(&metrics))
}

/// Per point of a sweep: its parameter values, the runs made, and the
/// mean, 5th and 95th percentile of every measure over its replicates.
pub fn summary(dir: &Path) -> Result<DataFrame> {
    let sweep = read_record(dir)?.0;
    let params = sweep.parameters();
    let data = read_metrics(dir)?;
    let mut aggs: Vec<Expr> = params.iter().map(|p| col(p.as_str()).first()).collect();
    aggs.push(col("replicate").count().alias("runs"));
    for (name, _) in METRICS {
        aggs.extend(spread(name));
    }
    data.lazy()
        .group_by_stable([col("point")])
        .agg(aggs)
        .collect()
        .map_err(polars_error("metrics"))
}
