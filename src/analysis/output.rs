//! Writing a run's tables as parquet through polars, and reading them back.
//!
//! A run directory is written whole or not at all: every file goes into a
//! staging directory beside the target, each file itself through a
//! temporary name and a rename, and the staging directory is renamed into
//! place only when all files are complete. An existing directory is
//! replaced only when the caller asks for it.

use crate::error::{LuddError, Result};
use crate::model::observe::record::{TechRow, GROUPS};
use crate::model::run::RunOutput;
use polars::prelude::*;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

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

/// Provenance attached to every parquet file as key-value metadata.
#[derive(Clone, Debug)]
pub struct Provenance {
    pub scenario: String,
    pub scenario_hash: String,
    /// The seed, or for a table over many runs their seeds (`seeds_text`).
    pub seed: String,
    pub version: String,
    pub overrides: Vec<String>,
}

impl Provenance {
    pub fn new(out: &RunOutput, overrides: &[String]) -> Provenance {
        Provenance {
            scenario: out.scenario.name.clone(),
            scenario_hash: scenario_hash(&out.scenario.to_ron()),
            seed: out.seed.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            overrides: overrides.to_vec(),
        }
    }

    fn metadata(&self) -> KeyValueMetadata {
        KeyValueMetadata::from_static(vec![
            ("ludd.scenario".into(), self.scenario.clone()),
            ("ludd.scenario_hash".into(), self.scenario_hash.clone()),
            ("ludd.seed".into(), self.seed.clone()),
            ("ludd.version".into(), self.version.clone()),
            ("ludd.overrides".into(), self.overrides.join(" ")),
        ])
    }
}

/// Seeds as compact text: `1-40`, or `1-3,7` for gaps.
pub fn seeds_text(seeds: &[u64]) -> String {
    let mut s: Vec<u64> = seeds.to_vec();
    s.sort_unstable();
    s.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let mut j = i;
        while j + 1 < s.len() && s[j + 1] == s[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            s[i].to_string()
        } else {
            format!("{}-{}", s[i], s[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// FNV-1a hash of the resolved scenario text, as 16 hex digits.
pub fn scenario_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn polars_err(path: &Path, e: PolarsError) -> LuddError {
    LuddError::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes `df` to `path` through a temporary file and a rename.
pub fn write_parquet(df: &mut DataFrame, path: &Path, provenance: &Provenance) -> Result<()> {
    let tmp = path.with_extension("parquet.tmp");
    // The file is encoded in memory and written with one call: the encoder
    // writes in many small pieces (thousands of system calls for a run's
    // tables), and a write error then surfaces here, with the path. Snappy
    // compression: a run's tables are small, and setting up zstd for every
    // column cost more than the 10% of space it saves.
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_key_value_metadata(Some(provenance.metadata()))
        .with_compression(ParquetCompression::Snappy)
        .finish(df)
        .map_err(|e| polars_err(path, e))?;
    // On a full disk the temporary file may be left half-written: removed.
    fs::write(&tmp, &bytes).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        LuddError::io(&tmp, e)
    })?;
    fs::rename(&tmp, path).map_err(|e| LuddError::io(path, e))
}

pub fn read_parquet(path: &Path) -> Result<DataFrame> {
    let file = File::open(path).map_err(|e| LuddError::io(path, e))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| polars_err(path, e))
}

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
        c!(industry_output),
        c!(output_per_worker),
        c!(employment),
        c!(unemployment_rate),
        c!(real_wage),
        c!(craft_real_wage),
        c!(labour_share),
        c!(gini_income),
        c!(price_level),
        c!(craft_output_share),
        c!(special_output_share),
        c!(general_output_share),
        c!(reorganized_output_share),
        c!(general_unit_cost),
        c!(general_capital_sales),
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
    .map_err(|e| polars_err(Path::new("series.parquet"), e))
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
    .map_err(|e| polars_err(Path::new("groups.parquet"), e))
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
    DataFrame::new(vec![
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
    ])
    .map_err(|e| polars_err(Path::new("technologies.parquet"), e))
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
    .map_err(|e| polars_err(Path::new("trade.parquet"), e))
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
    .map_err(|e| polars_err(Path::new("events.parquet"), e))
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
            &format!("{group}_years_below"),
            s.iter()
                .map(|r| r.groups[k].years_below)
                .collect::<Vec<_>>(),
        ));
    }
    DataFrame::new(columns).map_err(|e| polars_err(Path::new("summary.parquet"), e))
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

/// Refuses to start when `dir` exists and `force` is false, before any work is done.
pub fn check_destination(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() && !force {
        return Err(LuddError::OutputExists(dir.to_path_buf()));
    }
    Ok(())
}

/// Writes every table of a run into `dir`, whole or not at all.
pub fn write_run(
    out: &RunOutput,
    dir: &Path,
    overrides: &[String],
    threads: usize,
    force: bool,
) -> Result<()> {
    check_destination(dir, force)?;
    let provenance = Provenance::new(out, overrides);
    let staging = staging_dir(dir)?;
    let result = (|| {
        let frames: [(&str, fn(&RunOutput) -> Result<DataFrame>); 6] = [
            ("series.parquet", series_frame),
            ("groups.parquet", groups_frame),
            ("technologies.parquet", technologies_frame),
            ("trade.parquet", trade_frame),
            ("events.parquet", events_frame),
            ("summary.parquet", summary_frame),
        ];
        for (name, build) in frames {
            let mut df = build(out)?;
            write_parquet(&mut df, &staging.join(name), &provenance)?;
        }
        let manifest =
            serde_json::to_string_pretty(&manifest(out, &provenance, threads)).expect("json");
        let path = staging.join("manifest.json");
        let tmp = staging.join("manifest.json.tmp");
        fs::write(&tmp, manifest).map_err(|e| LuddError::io(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| LuddError::io(&path, e))?;
        publish(&staging, dir)
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// A fresh, empty staging directory beside `dir`, hidden and named after
/// this process, into which a result is written before `publish`.
pub fn staging_dir(dir: &Path) -> Result<PathBuf> {
    remove_abandoned_staging(dir);
    let staging = sibling(dir, "partial");
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| LuddError::io(&staging, e))?;
    }
    fs::create_dir_all(&staging).map_err(|e| LuddError::io(&staging, e))?;
    Ok(staging)
}

/// Moves a complete staging directory into place, replacing an old one.
pub fn publish(staging: &Path, dir: &Path) -> Result<()> {
    if dir.exists() {
        let old = sibling(dir, "old");
        fs::rename(dir, &old).map_err(|e| LuddError::io(dir, e))?;
        fs::rename(staging, dir).map_err(|e| LuddError::io(dir, e))?;
        fs::remove_dir_all(&old).map_err(|e| LuddError::io(&old, e))?;
    } else {
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| LuddError::io(parent, e))?;
        }
        fs::rename(staging, dir).map_err(|e| LuddError::io(dir, e))?;
    }
    Ok(())
}

/// Removes staging directories for `dir` left by processes that no longer
/// run (killed before they could publish or clean up). Best effort: what
/// cannot be read or removed is left alone, and a live process's staging is
/// never touched. Linux only (a process is alive while /proc/<pid> exists).
fn remove_abandoned_staging(dir: &Path) {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!(".{}.partial-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = entry_name.strip_prefix(&prefix) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn sibling(dir: &Path, tag: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    dir.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}
