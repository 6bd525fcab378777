//! The sweep record (`sweep.ron` in the output directory): the sweep as
//! run, the hash of its fully resolved base scenario and the version of
//! ludd that made its runs, and the checks that keep one directory from
//! mixing the runs of two sweeps.
//!
//! The record is written before the first run. Every later run into the
//! directory (a resume, another shard, a grown design) first reads it back
//! and is refused, before any run, when its base scenario resolves to
//! another text, when it is another ludd version, or when its design is
//! neither the recorded one nor a documented growth of it (more values on
//! grid axes, more points of a Sobol or Saltelli design, more replicates).
//! A grown design keeps every earlier (point, replicate) with its seed, and
//! the record is rewritten to it.
//!
//! Directories written before the record held the base and the version
//! have a `sweep.ron` that is the bare sweep file. They are still read
//! (status, summaries, reports), but a resume into them is refused: what
//! their runs were made from cannot be checked.

use super::design::SweepFile;
use crate::analysis::files::{read_regular, write_atomic};
use crate::analysis::provenance::scenario_hash;
use crate::error::{LuddError, Result};
use crate::scenario::{self, Scenario};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The record's file name in a sweep's output directory.
pub const RECORD: &str = "sweep.ron";

/// This build's version, recorded with every sweep and checked on resume.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What `sweep.ron` holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename = "SweepRecord")]
pub struct Record {
    /// The version of ludd that made the runs (`CARGO_PKG_VERSION`).
    pub ludd_version: String,
    /// `scenario_hash` of the base scenario as resolved (its file or
    /// built-in, then the sweep's `set`), in RON (`Scenario::to_ron`).
    pub base_hash: String,
    /// The sweep as run: after a growth, the grown design.
    pub sweep: SweepFile,
}

/// A record as read back: a current one, or the bare sweep file that
/// directories written by earlier versions hold.
#[derive(Debug, Clone)]
pub enum Recorded {
    Current(Record),
    /// Written before the record held the base scenario's hash and ludd's
    /// version.
    Legacy(SweepFile),
}

impl Recorded {
    pub fn sweep(&self) -> &SweepFile {
        match self {
            Recorded::Current(r) => &r.sweep,
            Recorded::Legacy(s) => s,
        }
    }
}

impl Record {
    pub fn new(sweep: &SweepFile, base: &Scenario) -> Record {
        Record {
            ludd_version: VERSION.to_string(),
            base_hash: base_hash(base),
            sweep: sweep.clone(),
        }
    }

    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().struct_names(true);
        ron::ser::to_string_pretty(self, config).expect("a sweep record always serializes")
    }
}

/// The hash a record keeps of a resolved base scenario.
pub fn base_hash(base: &Scenario) -> String {
    scenario_hash(&base.to_ron())
}

pub fn record_file(dir: &Path) -> PathBuf {
    dir.join(RECORD)
}

/// The record of a sweep directory and its text; `None` when there is none.
pub fn read(dir: &Path) -> Result<Option<(Recorded, String)>> {
    let path = record_file(dir);
    // Only a regular file is read: a FIFO named sweep.ron is refused, not
    // waited on.
    let bytes = match read_regular(&path) {
        Ok(bytes) => bytes,
        Err(LuddError::Io { cause, .. }) if cause.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        LuddError::io(
            &path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })?;
    let file = path.to_string_lossy();
    // A bare sweep file is an earlier version's record. When neither reads,
    // the error reported is that of the kind the text names.
    let recorded = match scenario::parse_ron::<Record>(&text, &file) {
        Ok(r) => Recorded::Current(r),
        Err(current) => match SweepFile::from_ron(&text, &file) {
            Ok(s) => Recorded::Legacy(s),
            Err(_) if text.contains("SweepRecord") => return Err(current),
            Err(legacy) => return Err(legacy),
        },
    };
    Ok(Some((recorded, text)))
}

/// What adopting the record found: a new sweep, a resume of the recorded
/// one, or a growth of it (runs before, runs now).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Adopted {
    #[default]
    New,
    Resumed,
    Grown {
        from: usize,
        to: usize,
    },
}

/// Checks `sweep` (whose base resolved to `base`) against the record in
/// `dir` and writes the record when there is none or the design grew.
/// Refused, before any run: a directory holding files but no record, an
/// earlier version's record, another ludd version, another base scenario,
/// and a design that is not the recorded one or a growth of it.
pub fn adopt(dir: &Path, sweep: &SweepFile, base: &Scenario) -> Result<Adopted> {
    let path = record_file(dir);
    let refuse = |message: String| LuddError::Output {
        path: path.clone(),
        message,
    };
    let ours = Record::new(sweep, base);
    let recorded = match read(dir)? {
        Some((recorded, _)) => recorded,
        None => match first_visible_entry(dir)? {
            None => {
                write_atomic(&path, ours.to_ron())?;
                return Ok(Adopted::New);
            }
            // Shards started at the same moment: another one may have
            // written the record, and then its files, since it was read.
            // The record is written before any other file, so when those
            // files are its, the record is there now.
            Some(entry) => match read(dir)? {
                Some((recorded, _)) => recorded,
                None => {
                    return Err(LuddError::Output {
                        path: dir.to_path_buf(),
                        message: format!(
                            "holds files ({} among them) but no sweep record ({RECORD}), so \
                             what made them cannot be checked and a sweep would mix its runs \
                             with them; choose another --out",
                            entry.display()
                        ),
                    })
                }
            },
        },
    };
    let old = match recorded {
        Recorded::Current(r) => r,
        Recorded::Legacy(_) => {
            return Err(refuse(
                "written by an earlier ludd, whose record does not hold the base scenario's \
                 hash or ludd's version, so these runs cannot be checked against this sweep; \
                 run it into a new --out (status, summarize and report still read this \
                 directory)"
                    .into(),
            ))
        }
    };
    if old.ludd_version != ours.ludd_version {
        return Err(refuse(format!(
            "the runs here were made by ludd {}, and this is ludd {}, whose runs may differ; \
             finish the sweep with ludd {}, or run it into a new --out",
            old.ludd_version, ours.ludd_version, old.ludd_version
        )));
    }
    if old.base_hash != ours.base_hash {
        return Err(refuse(format!(
            "the runs here were made from a base scenario with hash {}, but this sweep's base \
             ('{}' with its set) now resolves to hash {}; runs of two bases would mix in one \
             dataset: restore the base it was run with, or run the sweep into a new --out",
            old.base_hash, sweep.base, ours.base_hash
        )));
    }
    let (from, to) = growth(&old.sweep, sweep).map_err(|why| {
        refuse(format!(
            "this directory holds a different sweep: {why}. A design may change here only by \
             growing: more values on grid axes, more points of a Sobol or Saltelli design, \
             more replicates (docs/CLUSTER.md); choose another --out"
        ))
    })?;
    if from == to {
        // The same runs; the recorded text is kept as it is, so that
        // shards started together write nothing over each other.
        return Ok(Adopted::Resumed);
    }
    write_atomic(&path, ours.to_ron())?;
    Ok(Adopted::Grown { from, to })
}

/// The first entry of `dir` that is not hidden (hidden names are the
/// temporaries of atomic writes and locks), or `None`; a missing `dir` is
/// empty.
fn first_visible_entry(dir: &Path) -> Result<Option<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(LuddError::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| LuddError::io(dir, e))?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

/// Whether `new` is `old` or a growth of it, as (runs of `old`, runs of
/// `new`); otherwise what differs. The rule is the one the seed tree
/// allows: every (point, replicate) of `old` must be in `new` with the same
/// parameter values, and so with the same seed, which a run's seed depends
/// on only through the master seed, the point's id and the replicate.
pub fn growth(old: &SweepFile, new: &SweepFile) -> std::result::Result<(usize, usize), String> {
    if old.name != new.name {
        return Err(format!(
            "it is named '{}', not '{}' (the name is in every row)",
            old.name, new.name
        ));
    }
    if old.master_seed != new.master_seed {
        return Err(format!(
            "its master seed is {}, not {} (every seed would change)",
            old.master_seed, new.master_seed
        ));
    }
    if old.keep != new.keep {
        return Err(format!("it keeps {:?}, not {:?}", old.keep, new.keep));
    }
    if new.replicates < old.replicates {
        return Err(format!(
            "it has {} replicates per point, more than this sweep's {}",
            old.replicates, new.replicates
        ));
    }
    let old_points = old.points();
    let new_points = new.points();
    let by_id: HashMap<&str, &super::design::Point> =
        new_points.iter().map(|p| (p.id.as_str(), p)).collect();
    for p in &old_points {
        let shown = || {
            p.values
                .iter()
                .map(|(path, v)| format!("{path}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match by_id.get(p.id.as_str()) {
            None => {
                return Err(format!(
                    "its point {} ({}) is not in this design",
                    p.id,
                    shown()
                ))
            }
            Some(q) if q.values != p.values => {
                return Err(format!(
                    "its point {} ({}) has other values in this design",
                    p.id,
                    shown()
                ))
            }
            Some(_) => {}
        }
    }
    let runs = |points: usize, replicates: u64| points.saturating_mul(replicates as usize);
    Ok((
        runs(old_points.len(), old.replicates),
        runs(new_points.len(), new.replicates),
    ))
}
