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

use crate::analysis::files::{
    polars_cause, polars_error, query_error, read_parquet, scan_parquet, unreadable,
};
use crate::analysis::output::read_manifest;
use crate::analysis::provenance::{seeds_text, Provenance};
use crate::error::{LuddError, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A run directory found under the directory summarized.
#[derive(Clone, Debug)]
pub struct RunDir {
    pub path: PathBuf,
    /// The scenario it ran, by name (its manifest's `scenario_name`). Runs
    /// of different scenarios are never averaged together: every table over
    /// runs is kept apart by scenario first.
    pub scenario: String,
    /// The hash of the fully resolved scenario it ran (overrides applied).
    pub scenario_hash: String,
    pub overrides: Vec<String>,
    /// The setting it belongs to within its scenario: the comparison's
    /// setting label, the directory holding it, or "run"; qualified by its
    /// overrides when runs that share a label ran different resolved
    /// scenarios (see `separate_settings`).
    pub setting: String,
    pub seed: u64,
}

/// The runs found at or under a directory, and the symbolic links passed
/// over on the way (never followed, so that a `latest -> run-3` link does
/// not count run-3 twice and a link to `.` does not recurse).
#[derive(Clone, Debug)]
pub struct Found {
    pub runs: Vec<RunDir>,
    pub links: Vec<PathBuf>,
}

impl Found {
    /// The scenarios of the runs, by name, in name order.
    pub fn scenarios(&self) -> Vec<&str> {
        let names: BTreeSet<&str> = self.runs.iter().map(|r| r.scenario.as_str()).collect();
        names.into_iter().collect()
    }

    /// The runs of one scenario, in path order.
    pub fn of_scenario(&self, scenario: &str) -> Vec<&RunDir> {
        self.runs
            .iter()
            .filter(|r| r.scenario == scenario)
            .collect()
    }

    /// A sentence on the links skipped, or None when there were none.
    pub fn links_note(&self) -> Option<String> {
        if self.links.is_empty() {
            return None;
        }
        let shown: Vec<String> = self
            .links
            .iter()
            .take(5)
            .map(|l| l.display().to_string())
            .collect();
        let more = if self.links.len() > shown.len() {
            format!(" and {} more", self.links.len() - shown.len())
        } else {
            String::new()
        };
        Some(format!(
            "{} symbolic link(s) skipped, never followed, so that no run is counted twice: {}{more}",
            self.links.len(),
            shown.join(", ")
        ))
    }
}

/// The number of settings among `runs`.
pub fn settings(runs: &[&RunDir]) -> usize {
    runs.iter()
        .map(|r| r.setting.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

/// Every run directory at or under `dir` (a directory holding manifest.json
/// and series.parquet), in path order. Symbolic links met on the way are
/// not followed (`dir` itself may be one).
pub fn find_runs(dir: &Path) -> Result<Found> {
    let mut found = Found {
        runs: Vec::new(),
        links: Vec::new(),
    };
    walk(dir, dir, &mut found)?;
    // A comparison names its settings in runs.parquet; its run directories
    // carry only the setting's index and a file-safe slug.
    let labels = dir.join("runs.parquet");
    if labels.is_file() {
        let runs = read_parquet(&labels)?;
        let err = |e| unreadable(&labels, polars_cause(e));
        let labels = runs
            .column("setting")
            .and_then(|c| c.str().cloned())
            .map_err(err)?;
        let names: Vec<(u32, String)> = runs
            .column("setting_index")
            .and_then(|c| c.u32().cloned())
            .map_err(err)?
            .iter()
            .zip(labels.iter())
            .filter_map(|(i, s)| Some((i?, s?.to_string())))
            .collect();
        for run in found.runs.iter_mut() {
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
    separate_settings(&mut found.runs);
    found.runs.sort_by(|a, b| a.path.cmp(&b.path));
    found.links.sort();
    if found.runs.is_empty() {
        let links = match found.links_note() {
            Some(note) => format!("; {note}"),
            None => String::new(),
        };
        return Err(LuddError::Output {
            path: dir.to_path_buf(),
            message: format!(
                "no run directories here (a run directory holds manifest.json and series.parquet){links}"
            ),
        });
    }
    Ok(found)
}

/// Runs are averaged together only when they ran the same resolved
/// scenario, differing in their seed alone. Runs of one scenario that share
/// a setting label (two runs side by side under `runs/`) but ran different
/// resolved scenarios (other overrides, an edited scenario file, another
/// ludd version) become settings of their own, named by their overrides,
/// or by their scenario hash when the overrides are the same.
fn separate_settings(runs: &mut [RunDir]) {
    let mut hashes: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for r in runs.iter() {
        hashes
            .entry((r.scenario.clone(), r.setting.clone()))
            .or_default()
            .insert(r.scenario_hash.clone());
    }
    let by_overrides = |r: &RunDir| {
        if r.overrides.is_empty() {
            format!("{} [no overrides]", r.setting)
        } else {
            format!("{} [{}]", r.setting, r.overrides.join(" "))
        }
    };
    let mut relabel: BTreeMap<String, String> = BTreeMap::new();
    for ((scenario, setting), set) in &hashes {
        if set.len() < 2 {
            continue;
        }
        let group: Vec<&RunDir> = runs
            .iter()
            .filter(|r| &r.scenario == scenario && &r.setting == setting)
            .collect();
        // Labels by overrides serve only when they tell every hash apart.
        let mut label_of_hash: BTreeMap<&str, String> = BTreeMap::new();
        for r in &group {
            label_of_hash.insert(&r.scenario_hash, by_overrides(r));
        }
        let distinct: BTreeSet<&String> = label_of_hash.values().collect();
        let apart = distinct.len() == set.len();
        for r in &group {
            let label = if apart {
                by_overrides(r)
            } else {
                let short: String = r.scenario_hash.chars().take(8).collect();
                format!("{setting} [scenario {short}]")
            };
            relabel.insert(r.path.to_string_lossy().into_owned(), label);
        }
    }
    for r in runs.iter_mut() {
        if let Some(label) = relabel.remove(r.path.to_string_lossy().as_ref()) {
            r.setting = label;
        }
    }
}

/// A field of a run's manifest that the tables over runs need; a manifest
/// without it is reported, naming the file and the field.
fn manifest_field<'a>(
    manifest: &'a serde_json::Value,
    dir: &Path,
    field: &str,
) -> Result<&'a serde_json::Value> {
    manifest
        .get(field)
        .filter(|v| !v.is_null())
        .ok_or_else(|| LuddError::Output {
            path: dir.join("manifest.json"),
            message: format!("field '{field}' is missing"),
        })
}

fn manifest_text(manifest: &serde_json::Value, dir: &Path, field: &str) -> Result<String> {
    manifest_field(manifest, dir, field)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| LuddError::Output {
            path: dir.join("manifest.json"),
            message: format!("field '{field}' must be a string"),
        })
}

/// One run directory, from its manifest.
fn run_dir(root: &Path, dir: &Path) -> Result<RunDir> {
    let manifest = read_manifest(dir)?;
    let wrong = |field: &str, what: &str| LuddError::Output {
        path: dir.join("manifest.json"),
        message: format!("field '{field}' must be {what}"),
    };
    let seed = manifest_field(&manifest, dir, "seed")?
        .as_u64()
        .ok_or_else(|| wrong("seed", "a whole number"))?;
    let overrides = match manifest.get("overrides") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(list) => list
            .as_array()
            .and_then(|a| {
                a.iter()
                    .map(|o| o.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| wrong("overrides", "a list of strings"))?,
    };
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
    Ok(RunDir {
        path: dir.to_path_buf(),
        scenario: manifest_text(&manifest, dir, "scenario_name")?,
        scenario_hash: manifest_text(&manifest, dir, "scenario_hash")?,
        overrides,
        setting,
        seed,
    })
}

fn walk(root: &Path, dir: &Path, found: &mut Found) -> Result<()> {
    if dir.join("manifest.json").is_file() && dir.join("series.parquet").is_file() {
        found.runs.push(run_dir(root, dir)?);
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| LuddError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| LuddError::io(dir, e))?;
        let path = entry.path();
        // The entry's own type: a symbolic link is not followed.
        let kind = entry.file_type().map_err(|e| LuddError::io(&path, e))?;
        // Hidden directories are staging areas of unfinished writes.
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if kind.is_symlink() {
            if !hidden {
                found.links.push(path);
            }
        } else if kind.is_dir() && !hidden {
            walk(root, &path, found)?;
        }
    }
    Ok(())
}

/// Provenance of a table over runs: their scenarios, a hash of their
/// scenario hashes, their seeds and the overrides any of them had.
pub fn provenance(runs: &[RunDir]) -> Provenance {
    let names: BTreeSet<&str> = runs.iter().map(|r| r.scenario.as_str()).collect();
    let hashes: String = runs.iter().map(|r| r.scenario_hash.as_str()).collect();
    let overrides: BTreeSet<String> = runs.iter().flat_map(|r| r.overrides.clone()).collect();
    let seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
    Provenance::new(
        names.into_iter().collect::<Vec<_>>().join(","),
        &hashes,
        seeds_text(&seeds),
        overrides.into_iter().collect(),
    )
}

/// The three redistribution tables.
pub struct Redistribution {
    pub by_group: DataFrame,
    pub by_region: DataFrame,
    pub paths: DataFrame,
    pub runs: usize,
}

/// One table of every run, with the run's index, scenario, setting and seed.
fn scan_all(runs: &[RunDir], file: &str) -> Result<LazyFrame> {
    let frames = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(scan_parquet(&r.path.join(file))?.with_columns([
                lit(i as u32).alias("run"),
                lit(r.scenario.clone()).alias("scenario"),
                lit(r.setting.clone()).alias("setting"),
                lit(r.seed).alias("seed"),
            ]))
        })
        .collect::<Result<Vec<_>>>()?;
    concat(frames, UnionArgs::default()).map_err(polars_error("redistribution.parquet"))
}

/// The tables over runs read these files of each run.
const INPUTS: [&str; 3] = ["summary.parquet", "groups.parquet", "series.parquet"];

/// Runs a query over the runs' tables into the table `output`. Every input's
/// footer was read when it was scanned, so a failure here is damage inside
/// a file (named by `query_error`), or a file that lacks a column.
fn collect(lf: LazyFrame, runs: &[RunDir], output: &str) -> Result<DataFrame> {
    lf.collect().map_err(|e| {
        let inputs: Vec<PathBuf> = runs
            .iter()
            .flat_map(|r| INPUTS.iter().map(|file| r.path.join(file)))
            .collect();
        query_error(&inputs, Path::new(output), e)
    })
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

const KEYS: [&str; 5] = ["run", "scenario", "setting", "seed", "region"];

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
    let by_group = collect(
        over_runs(
            per_run,
            &["scenario", "setting", "region", "group"],
            &GROUP_MEASURES,
        ),
        runs,
        "redistribution.parquet",
    )?;

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
    let by_region = collect(
        over_runs(
            regional,
            &["scenario", "setting", "region"],
            &REGION_MEASURES,
        ),
        runs,
        "redistribution_regions.parquet",
    )?;
    let paths = over_runs(
        series,
        &["scenario", "setting", "region", "y"],
        &[
            "labour_share",
            "gini_income",
            "output_per_worker",
            "real_wage",
        ],
    )
    .rename(["y"], ["year"], true);
    let paths = collect(paths, runs, "redistribution_paths.parquet")?;
    Ok(Redistribution {
        by_group,
        by_region,
        paths,
        runs: runs.len(),
    })
}

/// The rows of one scenario's runs in a table over runs.
fn of_scenario(df: &DataFrame, scenario: &str) -> Result<DataFrame> {
    let err = polars_error("redistribution.parquet");
    let mask = df
        .column("scenario")
        .and_then(|c| c.str().cloned())
        .map_err(&err)?
        .equal(scenario);
    df.filter(&mask).map_err(&err)
}

/// The tables of one scenario's runs for the terminal: means, and the
/// spread when `several` runs of it were summarized.
pub fn display(
    r: &Redistribution,
    scenario: &str,
    several: bool,
) -> Result<(DataFrame, DataFrame)> {
    let text_table =
        |df: &DataFrame, labels: &[&str], measures: &[(&str, usize)]| -> Result<DataFrame> {
            let df = &of_scenario(df, scenario)?;
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
