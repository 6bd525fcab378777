//! A sweep's output directory as a dataset: where each run's row and
//! error go, which runs are complete, failed or missing, and the rows read
//! back as one table or summarized per point.

use super::design::{Point, SweepFile};
use crate::analysis::compare::{spread, METRICS};
use crate::analysis::files::{parquet_files, polars_error};
use crate::analysis::provenance::Provenance;
use crate::error::{LuddError, Result};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// Whether `dir` is a sweep that kept only its measures (`Keep::Summary`):
/// it has its `sweep.ron` and no run directories, so its tables come from
/// the metrics dataset.
pub fn is_measures_only(dir: &Path) -> bool {
    dir.join("sweep.ron").is_file() && !dir.join("runs").is_dir()
}

/// The sweep recorded in a sweep directory (`sweep.ron`), with its text.
pub fn read_record(dir: &Path) -> Result<(SweepFile, String)> {
    let record = dir.join("sweep.ron");
    let text = std::fs::read_to_string(&record).map_err(|e| LuddError::io(&record, e))?;
    let sweep = SweepFile::from_ron(&text, &record.to_string_lossy())?;
    Ok((sweep, text))
}

/// The provenance of a table over a whole sweep: the directory, a hash of
/// the sweep file, and the root of the seed tree (every run's own seed is
/// in its file; the root names them all).
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

/// Complete, failed and missing runs of a sweep directory.
#[derive(Debug, Clone)]
pub struct Status {
    pub expected: usize,
    pub complete: usize,
    pub failed: Vec<(String, u64, String)>,
    pub missing: Vec<(String, u64)>,
}

pub fn status(dir: &Path) -> Result<Status> {
    let sweep = read_record(dir)?.0;
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
    // A damaged part file is named, not the query over all of them.
    let metrics = dir.join("metrics");
    let failed = |e| crate::analysis::files::query_error(&parquet_files(&metrics), &metrics, e);
    LazyFrame::scan_parquet(PlPath::new(&pattern.to_string_lossy()), args)
        .map_err(failed)?
        .sort(["point", "replicate"], Default::default())
        .collect()
        .map_err(failed)
}

/// Per point of a sweep: its parameter values, the runs made, and the
/// mean, 5th and 95th percentile of every measure over its replicates.
pub fn summary(dir: &Path) -> Result<DataFrame> {
    let sweep = read_record(dir)?.0;
    let params: Vec<String> = sweep
        .points()
        .first()
        .map(|p| p.values.iter().map(|(path, _)| path.clone()).collect())
        .unwrap_or_default();
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
