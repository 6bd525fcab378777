//! The polars summaries over runs: who gains and who loses, by region and
//! group, by region, and by region and year, and their terminal tables.

use super::runs::RunDir;
use crate::analysis::files::{polars_cause, polars_error};
use crate::error::Result;
use polars::prelude::*;
use std::path::Path;

/// The three redistribution tables.
pub struct Redistribution {
    pub by_group: DataFrame,
    pub by_region: DataFrame,
    pub paths: DataFrame,
    pub runs: usize,
}

/// One table of every run (as read and checked, `RunDir::read`), with the
/// run's index, scenario, setting and seed.
fn scan_all(runs: &[RunDir], file: &str) -> Result<LazyFrame> {
    let frames: Vec<LazyFrame> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.read.table(file).clone().lazy().with_columns([
                lit(i as u32).alias("run"),
                lit(r.scenario.clone()).alias("scenario"),
                lit(r.setting.clone()).alias("setting"),
                lit(r.seed).alias("seed"),
            ])
        })
        .collect();
    concat(frames, UnionArgs::default()).map_err(polars_error("redistribution.parquet"))
}

/// Runs a query over the runs' tables into the table `output`. Every table
/// was read whole when its run was found, so a failure here is a table
/// that lacks a column or holds another type: the query's own message,
/// never its plan.
fn collect(lf: LazyFrame, output: &str) -> Result<DataFrame> {
    lf.collect().map_err(|e| crate::error::LuddError::Output {
        path: Path::new(output).to_path_buf(),
        message: polars_cause(e),
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
    let paths = collect(paths, "redistribution_paths.parquet")?;
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
