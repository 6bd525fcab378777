//! `ludd summarize`: who gains and who loses, from the tables of one run,
//! of a comparison, or of any directory holding run directories, computed
//! with polars lazy queries over the parquet files (nothing is loaded
//! before the query plan needs it).
//!
//! Three tables come out, each with the mean and 5th-95th percentiles over
//! the runs of a setting (one run: the three are equal):
//! - by region and group: real income in the year before stage 2 began, in
//!   the year it began, at its lowest from then on, in the year stage 3
//!   began, and the years from stage 2 on spent below the level before it;
//! - by region: protest, the displaced cohort's lifetime income change, the
//!   Engels' pause, the labour share's trough and the Gini's peak;
//! - by region and year: the labour share and income Gini paths.

use crate::analysis::files::polars_error;
use crate::analysis::output::read_manifest;
use crate::analysis::provenance::{seeds_text, Provenance};
use crate::error::{LuddError, Result};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// A run directory found under the directory summarized.
#[derive(Clone, Debug)]
pub struct RunDir {
    pub path: PathBuf,
    /// The setting it belongs to: the comparison's setting label, or "run".
    pub setting: String,
    pub seed: u64,
}

/// Every run directory at or under `dir` (a directory holding manifest.json
/// and series.parquet), in path order.
pub fn find_runs(dir: &Path) -> Result<Vec<RunDir>> {
    let mut found = Vec::new();
    walk(dir, dir, &mut found)?;
    // A comparison names its settings in runs.parquet; its run directories
    // carry only the setting's index and a file-safe slug.
    let labels = dir.join("runs.parquet");
    if labels.is_file() {
        let runs = crate::analysis::output::read_parquet(&labels)?;
        let err = polars_error("redistribution.parquet");
        let labels = runs
            .column("setting")
            .and_then(|c| c.str().cloned())
            .map_err(&err)?;
        let names: Vec<(u32, String)> = runs
            .column("setting_index")
            .and_then(|c| c.u32().cloned())
            .map_err(&err)?
            .iter()
            .zip(labels.iter())
            .filter_map(|(i, s)| Some((i?, s?.to_string())))
            .collect();
        for run in found.iter_mut() {
            let index = run
                .path
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_string_lossy().split('-').next().map(str::to_string))
                .and_then(|i| i.parse::<u32>().ok());
            if let Some((_, label)) = names.iter().find(|(i, _)| Some(*i) == index) {
                run.setting = label.clone();
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    if found.is_empty() {
        return Err(LuddError::Output {
            path: dir.to_path_buf(),
            message:
                "no run directories here (a run directory holds manifest.json and series.parquet)"
                    .into(),
        });
    }
    Ok(found)
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<RunDir>) -> Result<()> {
    if dir.join("manifest.json").is_file() && dir.join("series.parquet").is_file() {
        let manifest = read_manifest(dir)?;
        let seed = manifest["seed"].as_u64().unwrap_or(0);
        // Inside a comparison a run lives in runs/<NN>-<setting>/seed-<k>.
        let setting = dir
            .parent()
            .filter(|p| *p != root && p.starts_with(root))
            .and_then(|p| p.file_name())
            .map(|n| {
                let n = n.to_string_lossy();
                match n.split_once('-') {
                    Some((index, label)) if index.chars().all(|c| c.is_ascii_digit()) => {
                        label.to_string()
                    }
                    _ => n.into_owned(),
                }
            })
            .unwrap_or_else(|| "run".to_string());
        found.push(RunDir {
            path: dir.to_path_buf(),
            setting,
            seed,
        });
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| LuddError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| LuddError::io(dir, e))?;
        let path = entry.path();
        // Hidden directories are staging areas of unfinished writes.
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if path.is_dir() && !hidden {
            walk(root, &path, found)?;
        }
    }
    Ok(())
}

/// Provenance of a table over runs: their scenarios, a hash of their
/// scenario hashes, their seeds and the overrides any of them had.
pub fn provenance(runs: &[RunDir]) -> Result<Provenance> {
    let mut names = std::collections::BTreeSet::new();
    let mut hashes = String::new();
    let mut overrides = std::collections::BTreeSet::new();
    for r in runs {
        let m = read_manifest(&r.path)?;
        names.insert(m["scenario_name"].as_str().unwrap_or_default().to_string());
        hashes.push_str(m["scenario_hash"].as_str().unwrap_or_default());
        for o in m["overrides"].as_array().into_iter().flatten() {
            overrides.insert(o.as_str().unwrap_or_default().to_string());
        }
    }
    let seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
    Ok(Provenance::new(
        names.into_iter().collect::<Vec<_>>().join(","),
        &hashes,
        seeds_text(&seeds),
        overrides.into_iter().collect(),
    ))
}

/// The three redistribution tables.
pub struct Redistribution {
    pub by_group: DataFrame,
    pub by_region: DataFrame,
    pub paths: DataFrame,
    pub runs: usize,
}

/// One table of every run, with the run's index, setting and seed.
fn scan_all(runs: &[RunDir], file: &str) -> Result<LazyFrame> {
    let frames = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let path = r.path.join(file);
            let lf = LazyFrame::scan_parquet(
                PlPath::new(&path.to_string_lossy()),
                ScanArgsParquet::default(),
            )
            .map_err(polars_error(&path))?;
            Ok(lf.with_columns([
                lit(i as u32).alias("run"),
                lit(r.setting.clone()).alias("setting"),
                lit(r.seed).alias("seed"),
            ]))
        })
        .collect::<Result<Vec<_>>>()?;
    concat(frames, UnionArgs::default()).map_err(polars_error("redistribution.parquet"))
}

/// The whole year of a fractional year. Scenario years lie within
/// [-10000, 10000] (validation), so shifting by 20000 makes truncation a
/// floor; polars' own floor needs a feature this crate does not build.
fn floor(year: Expr) -> Expr {
    (year + lit(20_000.0))
        .cast(DataType::Int64)
        .cast(DataType::Float64)
        - lit(20_000.0)
}

const KEYS: [&str; 4] = ["run", "setting", "seed", "region"];

fn keys(extra: &[&str]) -> Vec<Expr> {
    KEYS.iter().chain(extra).map(|k| col(*k)).collect()
}

/// Mean, 5th and 95th percentile of each measure per `by`, over runs.
fn over_runs(lf: LazyFrame, by: &[&str], measures: &[&str]) -> LazyFrame {
    let mut aggs = vec![col("run").count().alias("runs")];
    for m in measures {
        aggs.extend(crate::analysis::compare::spread(m));
    }
    let by: Vec<Expr> = by.iter().map(|k| col(*k)).collect();
    lf.group_by_stable(by.clone())
        .agg(aggs)
        .sort_by_exprs(by, SortMultipleOptions::default())
}

pub const GROUP_MEASURES: [&str; 5] = [
    "income_before",
    "income_at_stage2",
    "income_trough",
    "income_at_stage3",
    "years_below",
];

pub const REGION_MEASURES: [&str; 6] = [
    "protest_years",
    "protest_waves",
    "cohort_lifetime_change",
    "engels_pause_years",
    "labour_share_trough",
    "gini_peak",
];

pub fn summarize(runs: &[RunDir]) -> Result<Redistribution> {
    let stages = scan_all(runs, "summary.parquet")?.select([
        col("run"),
        col("region"),
        floor(col("stage2_year")).alias("s2"),
        floor(col("stage3_year")).alias("s3"),
        col("protest_years"),
        col("protest_waves").cast(DataType::Float64),
        col("craft_cohort_lifetime_change").alias("cohort_lifetime_change"),
    ]);
    let on = [col("run"), col("region")];

    // Annual real income by group, with the region's stage years.
    // A group with nobody in it has no income to follow (craft workers
    // where special tools took over everything): those quarters are left out.
    let annual = scan_all(runs, "groups.parquet")?
        .filter(
            col("region")
                .neq(lit("world"))
                .and(col("people").gt(lit(0.0))),
        )
        .with_column(floor(col("year")).alias("y"))
        .group_by(keys(&["group", "y"]))
        .agg([col("real_income").mean().alias("income")])
        .join(
            stages
                .clone()
                .select([col("run"), col("region"), col("s2"), col("s3")]),
            on.clone(),
            on.clone(),
            JoinArgs::new(JoinType::Left),
        );
    let per_run = annual.clone().group_by(keys(&["group"])).agg([
        col("income")
            .filter(col("y").eq(col("s2") - lit(1.0)))
            .first()
            .alias("income_before"),
        col("income")
            .filter(col("y").eq(col("s2")))
            .first()
            .alias("income_at_stage2"),
        col("income")
            .filter(col("y").gt_eq(col("s2")))
            .min()
            .alias("income_trough"),
        col("income")
            .filter(col("y").eq(col("s3")))
            .first()
            .alias("income_at_stage3"),
    ]);
    let below = annual
        .join(
            per_run.clone().select([
                col("run"),
                col("region"),
                col("group"),
                col("income_before"),
            ]),
            [col("run"), col("region"), col("group")],
            [col("run"), col("region"), col("group")],
            JoinArgs::new(JoinType::Left),
        )
        .group_by([col("run"), col("region"), col("group")])
        .agg([col("y")
            .filter(
                col("y")
                    .gt_eq(col("s2"))
                    .and(col("income").lt(col("income_before"))),
            )
            .count()
            .cast(DataType::Float64)
            .alias("years_below")]);
    let per_run = per_run.join(
        below,
        [col("run"), col("region"), col("group")],
        [col("run"), col("region"), col("group")],
        JoinArgs::new(JoinType::Left),
    );
    let by_group = over_runs(per_run, &["setting", "region", "group"], &GROUP_MEASURES)
        .collect()
        .map_err(polars_error("redistribution.parquet"))?;

    // The regions' paths, from the series, one value per year.
    let series = scan_all(runs, "series.parquet")?
        .filter(col("region").neq(lit("world")))
        .with_column(floor(col("year")).alias("y"))
        .group_by(keys(&["y"]))
        .agg([
            col("output_per_worker").mean(),
            col("real_wage").mean(),
            col("labour_share").mean(),
            col("gini_income").mean(),
        ])
        .join(
            stages.clone(),
            on.clone(),
            on.clone(),
            JoinArgs::new(JoinType::Left),
        );
    // Engels' pause: years from stage 2 on in which output per worker has
    // grown more, since the year before stage 2, than the real wage.
    let base = series
        .clone()
        .filter(col("y").eq(col("s2") - lit(1.0)))
        .select([
            col("run"),
            col("region"),
            col("output_per_worker").alias("opw_base"),
            col("real_wage").alias("wage_base"),
        ]);
    let regional = series
        .clone()
        .join(base, on.clone(), on.clone(), JoinArgs::new(JoinType::Left))
        .group_by(keys(&[]))
        .agg([
            col("y")
                .filter(
                    col("y").gt_eq(col("s2")).and(
                        (col("output_per_worker") / col("opw_base"))
                            .gt(col("real_wage") / col("wage_base")),
                    ),
                )
                .count()
                .cast(DataType::Float64)
                .alias("engels_pause_years"),
            col("labour_share").min().alias("labour_share_trough"),
            col("gini_income").max().alias("gini_peak"),
            col("protest_years").first(),
            col("protest_waves").first(),
            col("cohort_lifetime_change").first(),
        ]);
    let by_region = over_runs(regional, &["setting", "region"], &REGION_MEASURES)
        .collect()
        .map_err(polars_error("redistribution.parquet"))?;
    let paths = over_runs(
        series,
        &["setting", "region", "y"],
        &[
            "labour_share",
            "gini_income",
            "output_per_worker",
            "real_wage",
        ],
    )
    .rename(["y"], ["year"], true)
    .collect()
    .map_err(polars_error("redistribution.parquet"))?;
    Ok(Redistribution {
        by_group,
        by_region,
        paths,
        runs: runs.len(),
    })
}

/// The tables for the terminal: means, and the spread when there are several runs.
pub fn display(r: &Redistribution) -> Result<(DataFrame, DataFrame)> {
    let several = r.runs > 1;
    let text_table =
        |df: &DataFrame, labels: &[&str], measures: &[(&str, usize)]| -> Result<DataFrame> {
            let mut columns: Vec<Column> = labels
                .iter()
                .map(|l| {
                    df.column(l)
                        .cloned()
                        .map_err(polars_error("redistribution.parquet"))
                })
                .collect::<Result<_>>()?;
            let get = |name: String| -> Result<Vec<Option<f64>>> {
                Ok(df
                    .column(&name)
                    .and_then(|c| c.cast(&DataType::Float64))
                    .map_err(polars_error("redistribution.parquet"))?
                    .f64()
                    .map_err(polars_error("redistribution.parquet"))?
                    .into_iter()
                    .collect())
            };
            for &(m, digits) in measures {
                let (mean, lo, hi) = (
                    get(format!("{m}_mean"))?,
                    get(format!("{m}_p5"))?,
                    get(format!("{m}_p95"))?,
                );
                let cells: Vec<String> = (0..df.height())
                    .map(|i| match (mean[i], lo[i], hi[i]) {
                        (Some(m), Some(l), Some(h)) if several => {
                            format!("{m:.digits$} [{l:.digits$}, {h:.digits$}]")
                        }
                        (Some(m), _, _) => format!("{m:.digits$}"),
                        _ => "-".to_string(),
                    })
                    .collect();
                columns.push(Column::new(m.into(), cells));
            }
            DataFrame::new(columns).map_err(polars_error("redistribution.parquet"))
        };
    let g: Vec<(&str, usize)> = GROUP_MEASURES
        .iter()
        .copied()
        .zip([3, 3, 3, 3, 0])
        .collect();
    let reg: Vec<(&str, usize)> = REGION_MEASURES
        .iter()
        .copied()
        .zip([2, 1, 3, 0, 3, 3])
        .collect();
    Ok((
        text_table(&r.by_group, &["setting", "region", "group"], &g)?,
        text_table(&r.by_region, &["setting", "region"], &reg)?,
    ))
}
