//! A run's output: its records as polars tables, its manifest, and the run
//! directory holding them, written whole or not at all (`files`).
//!
//! The file helpers and provenance are re-exported here, where the tables
//! are written and read.

pub use crate::analysis::files::{
    check_destination, publish, read_parquet, staging_dir, write_parquet,
};
pub use crate::analysis::provenance::{scenario_hash, seeds_text, Provenance};

use crate::analysis::files::{parquet_bytes, polars_error, write_atomic, write_dir};
use crate::error::Result;
use crate::model::observe::{TechRow, GROUPS, VINTAGES_BY_AGE};
use crate::model::run::RunOutput;
use polars::prelude::*;
use std::path::Path;

/// The files a run directory holds.
pub const RUN_FILES: [&str; 7] = [
    "series.parquet",
    "groups.parquet",
    "technologies.parquet",
    "trade.parquet",
    "events.parquet",
    "summary.parquet",
    "manifest.json",
];

fn col<T>(name: &str, values: Vec<T>) -> Column
where
    Series: NamedFrom<Vec<T>, [T]>,
{
    Column::new(name.into(), values)
}

pub fn series_frame(out: &RunOutput) -> Result<DataFrame> {
    let s = &out.records.series;
    macro_rules! c {
        ($field:ident) => {
            col(
                stringify!($field),
                s.iter().map(|r| r.$field).collect::<Vec<_>>(),
            )
        };
    }
    DataFrame::new(vec![
        c!(step),
        c!(year),
        col(
            "region",
            s.iter().map(|r| r.region.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "stage",
            s.iter().map(|r| r.stage as u32).collect::<Vec<_>>(),
        ),
        c!(projection),
        c!(output),
        c!(nominal_output),
        c!(industry_output),
        c!(output_per_worker),
        c!(employment),
        c!(unemployment_rate),
        c!(real_wage),
        c!(craft_real_wage),
        c!(shop_hands),
        c!(labour_share),
        c!(gini_income),
        c!(price_level),
        c!(craft_output_share),
        c!(special_output_share),
        c!(general_output_share),
        c!(reorganized_output_share),
        c!(general_unit_cost),
        c!(general_capital_sales),
        c!(automated_share),
        c!(general_household_share),
        c!(general_worker_use_share),
        c!(general_firm_adoption_share),
        c!(top_firm_share),
        c!(leader_output),
        c!(leader_price),
        c!(leader_unit_labor),
        c!(leader_quit_rate),
        c!(grievance_mean),
        c!(protest_intensity),
        c!(capital_destroyed),
        c!(relief_spending),
        c!(research_spending),
        c!(education_spending),
        c!(government_balance),
        c!(exports),
        c!(imports),
    ])
    .map_err(polars_error("series.parquet"))
}

pub fn groups_frame(out: &RunOutput) -> Result<DataFrame> {
    let g = &out.records.groups;
    macro_rules! c {
        ($field:ident) => {
            col(
                stringify!($field),
                g.iter().map(|r| r.$field).collect::<Vec<_>>(),
            )
        };
    }
    DataFrame::new(vec![
        c!(step),
        c!(year),
        col(
            "region",
            g.iter().map(|r| r.region.as_str()).collect::<Vec<_>>(),
        ),
        c!(group),
        c!(people),
        c!(employed),
        c!(real_wage),
        c!(real_income),
        c!(wealth),
    ])
    .map_err(polars_error("groups.parquet"))
}

pub fn technologies_frame(out: &RunOutput) -> Result<DataFrame> {
    let t: &[TechRow] = &out.records.technologies;
    macro_rules! c {
        ($field:ident) => {
            col(
                stringify!($field),
                t.iter().map(|r| r.$field).collect::<Vec<_>>(),
            )
        };
    }
    let mut columns = vec![
        c!(step),
        c!(year),
        col(
            "region",
            t.iter().map(|r| r.region.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "technology",
            t.iter().map(|r| r.technology.as_str()).collect::<Vec<_>>(),
        ),
        c!(kind),
        c!(output_share),
        c!(unit_cost),
        c!(productivity),
        c!(firms_using),
        c!(firm_share),
        c!(capacity_share),
    ];
    for (class, (name, _)) in VINTAGES_BY_AGE.iter().enumerate() {
        columns.push(col(
            name,
            t.iter()
                .map(|r| r.capacity_by_age[class])
                .collect::<Vec<_>>(),
        ));
    }
    columns.extend([c!(machine_price), c!(builder_price), c!(machines_built)]);
    DataFrame::new(columns).map_err(polars_error("technologies.parquet"))
}

pub fn trade_frame(out: &RunOutput) -> Result<DataFrame> {
    let t = &out.records.trade;
    DataFrame::new(vec![
        col("step", t.iter().map(|r| r.step).collect::<Vec<_>>()),
        col("year", t.iter().map(|r| r.year).collect::<Vec<_>>()),
        col("from", t.iter().map(|r| r.from.clone()).collect::<Vec<_>>()),
        col("to", t.iter().map(|r| r.to.clone()).collect::<Vec<_>>()),
        col("value", t.iter().map(|r| r.value).collect::<Vec<_>>()),
    ])
    .map_err(polars_error("trade.parquet"))
}

pub fn events_frame(out: &RunOutput) -> Result<DataFrame> {
    let e = &out.events;
    DataFrame::new(vec![
        col("step", e.iter().map(|x| x.step as u32).collect::<Vec<_>>()),
        col("year", e.iter().map(|x| x.year).collect::<Vec<_>>()),
        col(
            "region",
            e.iter()
                .map(|x| out.region_names[x.region].as_str())
                .collect::<Vec<_>>(),
        ),
        col("kind", e.iter().map(|x| x.kind.name()).collect::<Vec<_>>()),
        col(
            "magnitude",
            e.iter().map(|x| x.magnitude).collect::<Vec<_>>(),
        ),
        col(
            "detail",
            e.iter().map(|x| x.detail.as_str()).collect::<Vec<_>>(),
        ),
    ])
    .map_err(polars_error("events.parquet"))
}

pub fn summary_frame(out: &RunOutput) -> Result<DataFrame> {
    let s = &out.summary;
    let mut columns = vec![
        col(
            "region",
            s.iter().map(|r| r.region.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "stage1_year",
            s.iter().map(|r| r.stage1_year).collect::<Vec<_>>(),
        ),
        col(
            "stage2_year",
            s.iter().map(|r| r.stage2_year).collect::<Vec<_>>(),
        ),
        col(
            "stage3_year",
            s.iter().map(|r| r.stage3_year).collect::<Vec<_>>(),
        ),
        col(
            "general_share_end",
            s.iter().map(|r| r.general_share_end).collect::<Vec<_>>(),
        ),
        col(
            "protest_waves",
            s.iter().map(|r| r.protest_waves).collect::<Vec<_>>(),
        ),
        col(
            "peak_protest",
            s.iter().map(|r| r.peak_protest).collect::<Vec<_>>(),
        ),
        col(
            "protest_years",
            s.iter().map(|r| r.protest_years).collect::<Vec<_>>(),
        ),
        col(
            "craft_cohort_size",
            s.iter().map(|r| r.craft_cohort_size).collect::<Vec<_>>(),
        ),
        col(
            "craft_cohort_relative_lifetime_income",
            s.iter()
                .map(|r| r.craft_cohort_relative_lifetime_income)
                .collect::<Vec<_>>(),
        ),
        col(
            "craft_cohort_lifetime_change",
            s.iter()
                .map(|r| r.craft_cohort_lifetime_change)
                .collect::<Vec<_>>(),
        ),
    ];
    for (k, group) in GROUPS.iter().enumerate() {
        columns.push(col(
            &format!("{group}_income_before"),
            s.iter().map(|r| r.groups[k].before).collect::<Vec<_>>(),
        ));
        columns.push(col(
            &format!("{group}_income_trough"),
            s.iter().map(|r| r.groups[k].trough).collect::<Vec<_>>(),
        ));
        columns.push(col(
            &format!("{group}_income_end"),
            s.iter().map(|r| r.groups[k].end).collect::<Vec<_>>(),
        ));
        columns.push(col(
            &format!("{group}_income_change"),
            s.iter().map(|r| r.groups[k].change).collect::<Vec<_>>(),
        ));
        columns.push(col(
            &format!("{group}_emptied"),
            s.iter().map(|r| r.groups[k].emptied).collect::<Vec<_>>(),
        ));
        columns.push(col(
            &format!("{group}_years_below"),
            s.iter()
                .map(|r| r.groups[k].years_below)
                .collect::<Vec<_>>(),
        ));
    }
    DataFrame::new(columns).map_err(polars_error("summary.parquet"))
}

/// Information about the run beside its tables.
pub fn manifest(out: &RunOutput, provenance: &Provenance, threads: usize) -> serde_json::Value {
    serde_json::json!({
        "scenario_name": out.scenario.name,
        "scenario": out.scenario,
        "scenario_hash": provenance.scenario_hash,
        "overrides": provenance.overrides,
        "seed": out.seed,
        "ludd_version": provenance.version,
        "threads": threads,
        "wall_seconds": out.wall_seconds,
        "steps": out.steps,
        "agents": out.agents,
        "agent_steps_per_second": out.agent_steps_per_second(),
        "worst_accounting_imbalance": out.worst_imbalance,
    })
}

/// The manifest of the run directory `dir`, parsed.
pub fn read_manifest(dir: &Path) -> Result<serde_json::Value> {
    let path = dir.join("manifest.json");
    parse_manifest(&crate::analysis::files::read_regular(&path)?, &path)
}

/// A manifest read from `path` into memory, parsed.
pub fn parse_manifest(bytes: &[u8], path: &Path) -> Result<serde_json::Value> {
    serde_json::from_slice(bytes).map_err(|e| crate::analysis::files::unreadable(path, e))
}

/// Builds one of a run's tables.
type TableOf = fn(&RunOutput) -> Result<DataFrame>;

/// Writes every table of a run into `dir`, whole or not at all; an
/// existing `dir` is replaced only with `force`, and only if ludd wrote it
/// (`files::check_destination`).
pub fn write_run(
    out: &RunOutput,
    dir: &Path,
    overrides: &[String],
    threads: usize,
    force: bool,
) -> Result<()> {
    let tables = run_tables(out, overrides, threads)?;
    write_dir(dir, force, |staging| {
        for (name, bytes) in &tables {
            write_atomic(&staging.join(name), bytes)?;
        }
        Ok(())
    })
}

/// Every file of a run's directory, encoded in memory: the six parquet
/// tables, each carrying the run's provenance, and `manifest.json`.
pub fn run_tables(
    out: &RunOutput,
    overrides: &[String],
    threads: usize,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let provenance = Provenance::of_run(out, overrides);
    let frames: [(&str, TableOf); 6] = [
        ("series.parquet", series_frame),
        ("groups.parquet", groups_frame),
        ("technologies.parquet", technologies_frame),
        ("trade.parquet", trade_frame),
        ("events.parquet", events_frame),
        ("summary.parquet", summary_frame),
    ];
    let mut files = Vec::with_capacity(frames.len() + 1);
    for (name, build) in frames {
        let mut df = build(out)?;
        files.push((name, parquet_bytes(&mut df, &provenance, Path::new(name))?));
    }
    let manifest =
        serde_json::to_string_pretty(&manifest(out, &provenance, threads)).expect("json");
    files.push(("manifest.json", manifest.into_bytes()));
    Ok(files)
}
