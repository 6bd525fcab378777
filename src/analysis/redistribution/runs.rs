//! Finding run directories: walking, symbolic links, reading each run
//! whole and checking it, grouping runs into settings by scenario, and
//! their provenance.
//!
//! A run is read under a shared lock on it (`files::lock_for_reading`), so
//! that no ludd process replaces it meanwhile, and into memory at once, so
//! that what is checked is what is used. Then it is checked: the scenario
//! its manifest records must hash to the manifest's `scenario_hash`, and
//! every table must carry the manifest's scenario, hash and seed. A run
//! replaced while it was read (by a writer that takes no lock, or on
//! storage where no lock can be taken), a table copied in from another
//! run, or a manifest copied from another run is an error naming the file,
//! never a table that mixes two runs.

use crate::analysis::files::{
    decode_parquet, lock_for_reading, polars_cause, read_parquet, read_regular, unreadable,
};
use crate::analysis::output::parse_manifest;
use crate::analysis::provenance::{scenario_hash, seeds_text, Provenance};
use crate::error::{LuddError, Result};
use crate::scenario::Scenario;
use polars::prelude::DataFrame;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// What was read of the run and checked against its manifest.
    pub read: Arc<RunRead>,
}

/// The tables of a run that summaries and reports read.
pub const READ_TABLES: [&str; 6] = [
    "series.parquet",
    "groups.parquet",
    "technologies.parquet",
    "events.parquet",
    "trade.parquet",
    "summary.parquet",
];

/// A run as read into memory: the scenario its manifest records and its
/// tables (`READ_TABLES`), each checked against the manifest.
#[derive(Debug)]
pub struct RunRead {
    pub scenario: Scenario,
    tables: Vec<(&'static str, DataFrame)>,
}

impl RunRead {
    /// The table `name`, one of `READ_TABLES`.
    pub fn table(&self, name: &str) -> &DataFrame {
        self.tables
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, df)| df)
            .unwrap_or_else(|| panic!("{name} is not among the tables read (READ_TABLES)"))
    }
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
/// and series.parquet), in path order, each read whole and checked (see the
/// module's documentation). Symbolic links met on the way are not followed
/// (`dir` itself may be one).
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

/// One run directory, read whole under a shared lock and checked (see the
/// module's documentation).
fn run_dir(root: &Path, dir: &Path) -> Result<RunDir> {
    let manifest_path = dir.join("manifest.json");
    let (manifest, tables) = {
        let _reading = lock_for_reading(dir)?;
        let manifest = read_regular(&manifest_path)?;
        let tables = READ_TABLES
            .iter()
            .map(|name| Ok((*name, read_regular(&dir.join(name))?)))
            .collect::<Result<Vec<_>>>()?;
        (manifest, tables)
    };
    let manifest = parse_manifest(&manifest, &manifest_path)?;
    let wrong = |field: &str, what: &str| LuddError::Output {
        path: manifest_path.clone(),
        message: format!("field '{field}' must be {what}"),
    };
    let scenario_name = manifest_text(&manifest, dir, "scenario_name")?;
    let hash = manifest_text(&manifest, dir, "scenario_hash")?;
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
    let scenario = recorded_scenario(&manifest, &manifest_path, &scenario_name, &hash)?;
    let recorded = [
        ("ludd.scenario", scenario_name.clone()),
        ("ludd.scenario_hash", hash.clone()),
        ("ludd.seed", seed.to_string()),
    ];
    let tables = tables
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            let (df, provenance) = decode_parquet(bytes, &path)?;
            check_provenance(&path, &provenance, &recorded)?;
            Ok((name, df))
        })
        .collect::<Result<Vec<_>>>()?;
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
        scenario: scenario_name,
        scenario_hash: hash,
        overrides,
        setting,
        seed,
        read: Arc::new(RunRead { scenario, tables }),
    })
}

/// The scenario a manifest records, checked as a scenario file is (the
/// report indexes its regions, years and routes, and a damaged but
/// parseable manifest, with no regions or an end before the start, must
/// be an error naming the file, not a panic), then hashed again: it must
/// be the scenario the manifest names and hash to its `scenario_hash`,
/// which a manifest edited or copied from another run does not.
fn recorded_scenario(
    manifest: &serde_json::Value,
    path: &Path,
    name: &str,
    hash: &str,
) -> Result<Scenario> {
    let wrong = |message: String| LuddError::Output {
        path: path.to_path_buf(),
        message,
    };
    let scenario = manifest
        .get("scenario")
        .ok_or_else(|| wrong("field 'scenario' is missing".into()))?;
    let scenario: Scenario =
        serde_json::from_value(scenario.clone()).map_err(|e| wrong(format!("scenario: {e}")))?;
    let problems = crate::scenario::validate(&scenario);
    if !problems.is_empty() {
        return Err(LuddError::Invalid {
            file: format!("{} (its scenario)", path.display()),
            problems,
        });
    }
    if scenario.name != name {
        return Err(wrong(format!(
            "its scenario_name is '{name}' but the scenario it records is '{}'; \
             the manifest was edited or mixes two runs",
            scenario.name
        )));
    }
    let rehashed = scenario_hash(&scenario.to_ron());
    if rehashed != hash {
        return Err(wrong(format!(
            "the scenario it records hashes to {rehashed}, not to its scenario_hash {hash}; \
             the manifest was edited or copied from another run, so the run cannot be \
             checked: run it again"
        )));
    }
    Ok(scenario)
}

/// Checks that the table at `path` carries the provenance its run's
/// manifest records (`recorded`: key and value, as `Provenance` writes
/// them), naming the table and both sides when it does not.
fn check_provenance(
    path: &Path,
    provenance: &BTreeMap<String, String>,
    recorded: &[(&str, String)],
) -> Result<()> {
    let wrong = |message: String| {
        Err(LuddError::Output {
            path: path.to_path_buf(),
            message,
        })
    };
    let side = |value: &dyn Fn(&str) -> String| {
        format!(
            "scenario {} (hash {}, seed {})",
            value("ludd.scenario"),
            value("ludd.scenario_hash"),
            value("ludd.seed")
        )
    };
    if recorded
        .iter()
        .any(|(key, _)| !provenance.contains_key(*key))
    {
        return wrong(format!(
            "carries no provenance ({}), so it cannot be checked against its run's \
             manifest.json: it is not a table ludd wrote for this run",
            recorded
                .iter()
                .map(|(key, _)| *key)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if recorded
        .iter()
        .any(|(key, value)| provenance.get(*key) != Some(value))
    {
        let table = side(&|key| provenance.get(key).cloned().unwrap_or_default());
        let manifest = side(&|key| {
            recorded
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        });
        return wrong(format!(
            "was made by {table}, but its run's manifest.json records {manifest}: the run was \
             replaced while it was read, or holds files of two runs; read it again, or run it \
             anew"
        ));
    }
    Ok(())
}

fn walk(root: &Path, dir: &Path, found: &mut Found) -> Result<()> {
    // Present, whatever their type: a run whose manifest or table is not a
    // regular file (a FIFO, a directory) is refused when it is read, naming
    // the file, rather than passed over.
    if dir.join("manifest.json").exists() && dir.join("series.parquet").exists() {
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
