// ---------------------------------------------------------------------
// Destinations: checked before work starts and again at publish.

use super::publish::{hidden_name, Hidden};
use crate::analysis::output::RUN_FILES;
use crate::error::{LuddError, Result};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// Refuses a destination directory before any work is done, and again at
/// publish: an existing `dir` without `force`; with `force`, anything but a
/// directory that ludd wrote (`ludd_wrote`): a file, a symbolic link, the
/// current directory or one holding it, a directory without ludd's record
/// or with files ludd did not write.
pub fn check_destination(dir: &Path, force: bool) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return Ok(());
    };
    if !force {
        return Err(LuddError::OutputExists(dir.to_path_buf()));
    }
    let refuse = |reason: String| {
        Err(LuddError::OutputRefused {
            path: dir.to_path_buf(),
            reason,
        })
    };
    const ONLY: &str = "--force replaces only a directory that ludd wrote";
    if meta.file_type().is_symlink() {
        return refuse(format!("it is a symbolic link; {ONLY}"));
    }
    if !meta.is_dir() {
        return refuse(format!("it is a file, not a directory; {ONLY}"));
    }
    if holds_current_dir(dir) {
        return refuse(format!("it is the current directory or holds it; {ONLY}"));
    }
    if let Err(reason) = ludd_wrote(dir) {
        return refuse(format!(
            "{reason}; {ONLY}: move what you want to keep, or choose another --out"
        ));
    }
    Ok(())
}

/// Whether the current directory is `dir` or lies inside it.
fn holds_current_dir(dir: &Path) -> bool {
    match (
        fs::canonicalize(dir),
        std::env::current_dir().and_then(fs::canonicalize),
    ) {
        (Ok(dir), Ok(here)) => here.starts_with(dir),
        // A directory that cannot be resolved is not replaced either.
        _ => true,
    }
}

/// The parquet files ludd writes into a run, comparison or sweep
/// directory besides a run's own tables (`RUN_FILES`).
const OTHER_TABLES: [&str; 7] = [
    "compare.parquet",
    "runs.parquet",
    "part.parquet",
    "sweep_summary.parquet",
    "redistribution.parquet",
    "redistribution_regions.parquet",
    "redistribution_paths.parquet",
];

/// The report page: every page's head carries this title
/// (`report::html`), so a page ludd wrote may be replaced and any other
/// file is kept.
pub const REPORT: FileKind = FileKind {
    mark: "<title>ludd report:",
    what: "report",
    example: "report.html",
};

/// `Ok` when ludd wrote the directory `dir`: it carries ludd's record, as
/// proven by its content (a run's manifest, a comparison's table and
/// experiment, a sweep's record with its hash and version), and every
/// entry below it, at any depth, is proven ludd's (`is_ludd_file`).
/// Otherwise the reason, naming what is missing or the first entry ludd
/// did not write, as a path relative to `dir`. Symbolic links are never
/// followed: ludd writes none.
pub fn ludd_wrote(dir: &Path) -> std::result::Result<(), String> {
    let is_run = is_ludd_file(&dir.join("manifest.json"));
    let is_comparison =
        is_ludd_file(&dir.join("compare.parquet")) && is_ludd_file(&dir.join("experiment.ron"));
    let is_sweep = is_ludd_file(&dir.join("sweep.ron"));
    if !(is_run || is_comparison || is_sweep) {
        return Err(
            "it holds no run (manifest.json), comparison (compare.parquet and \
             experiment.ron) or sweep (sweep.ron with its hash and version) written by ludd"
                .into(),
        );
    }
    match foreign_entry(dir, Path::new("")) {
        Some(found) => Err(format!(
            "it holds {}, which ludd did not write",
            found.display()
        )),
        None => Ok(()),
    }
}

/// Whether the regular file at `path` is one ludd writes into a directory
/// of results, proven by its name and content: a run's manifest that
/// parses with its version, scenario, hash and seed; a sweep's record
/// with its base hash and version; a comparison's experiment; one of
/// ludd's tables carrying its provenance; a report page carrying its mark;
/// a sweep's record of a failed run (`replicate=<N>.txt`).
fn is_ludd_file(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    if !fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let text = || fs::read_to_string(path).ok();
    match name.as_ref() {
        "manifest.json" => text()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|m| {
                ["ludd_version", "scenario_name", "scenario_hash"]
                    .iter()
                    .all(|f| m.get(f).is_some_and(serde_json::Value::is_string))
                    && m.get("seed").is_some_and(serde_json::Value::is_u64)
            }),
        "sweep.ron" => text().is_some_and(|t| {
            crate::scenario::parse_ron::<crate::analysis::sweep::Record>(&t, "sweep.ron").is_ok()
        }),
        // Parsed, not validated: a comparison of a scenario file is named
        // after the file (`my-study`), which need not be an identifier as
        // an experiment file's name must.
        "experiment.ron" => text().is_some_and(|t| {
            crate::scenario::parse_ron::<crate::scenario::experiment::Experiment>(
                &t,
                "experiment.ron",
            )
            .is_ok()
        }),
        "report.html" => is_mark_in(path, REPORT.mark),
        name if RUN_FILES.contains(&name) || OTHER_TABLES.contains(&name) => {
            super::io::provenance_of(path).is_ok_and(|p| p.contains_key("ludd.version"))
        }
        name => name
            .strip_prefix("replicate=")
            .and_then(|n| n.strip_suffix(".txt"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
    }
}

/// The first entry below `dir` (as a path relative to it, `under` being
/// the part already walked) that ludd did not write: a file not proven
/// ludd's (`is_ludd_file`), a hidden name other than the exact staging,
/// old-copy, temporary and lock names ludd makes (`hidden_name`), a
/// symbolic link or anything else that is neither a file nor a directory,
/// or anything that cannot be read.
fn foreign_entry(dir: &Path, under: &Path) -> Option<PathBuf> {
    let Ok(entries) = fs::read_dir(dir.join(under)) else {
        return Some(under.to_path_buf());
    };
    let mut entries: Vec<_> = entries.collect();
    // In name order, so that the entry named is the same on every try.
    entries.sort_by_key(|e| e.as_ref().map(|e| e.file_name()).ok());
    for entry in entries {
        let Ok(entry) = entry else {
            return Some(under.to_path_buf());
        };
        let name = entry.file_name();
        let relative = under.join(&name);
        let Ok(kind) = entry.file_type() else {
            return Some(relative);
        };
        let name = name.to_string_lossy();
        let ours = if name.starts_with('.') {
            match hidden_name(&name) {
                Some((_, Hidden::Partial(_) | Hidden::Old(_))) => kind.is_dir(),
                Some((_, Hidden::Tmp(_) | Hidden::Lock)) => kind.is_file(),
                None => false,
            }
        } else {
            kind.is_dir() || is_ludd_file(&dir.join(&relative))
        };
        if !ours {
            return Some(relative);
        }
        if kind.is_dir() {
            if let Some(found) = foreign_entry(dir, &relative) {
                return Some(found);
            }
        }
    }
    None
}

/// A kind of file ludd writes alone (not in a directory of results),
/// which a later command may replace: `mark` is text its head always
/// contains, `what` names the kind in messages, `example` is a file name
/// for it.
pub struct FileKind {
    pub mark: &'static str,
    pub what: &'static str,
    pub example: &'static str,
}

/// Checks a destination file (a report page, a calibration fragment)
/// before work starts and again just before it is written: its directory
/// must exist; an existing `path` must be a file of the same `kind` that
/// ludd wrote, and never one of `inputs` (the files and directories the
/// command reads) nor another file inside an input directory.
pub fn check_file_destination(path: &Path, kind: &FileKind, inputs: &[&Path]) -> Result<()> {
    let refuse = |reason: String| {
        Err(LuddError::OutputRefused {
            path: path.to_path_buf(),
            reason,
        })
    };
    let parent = parent_or_here(path);
    if !parent.is_dir() {
        return refuse(format!("its directory {} does not exist", parent.display()));
    }
    let Ok(meta) = fs::metadata(path) else {
        return Ok(());
    };
    if meta.is_dir() {
        return refuse(format!(
            "it is a directory; give the name of a file, for example {}",
            path.join(kind.example).display()
        ));
    }
    let here = fs::canonicalize(path).ok();
    let inputs: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|i| fs::canonicalize(i).ok())
        .collect();
    if let Some(input) = inputs.iter().find(|i| Some(*i) == here.as_ref()) {
        return refuse(format!(
            "it is one of this command's inputs ({}); choose another file",
            input.display()
        ));
    }
    if meta.is_file() && is_mark_in(path, kind.mark) {
        return Ok(());
    }
    let what = kind.what;
    match inputs
        .iter()
        .find(|i| i.is_dir() && here.as_ref().is_some_and(|h| h.starts_with(i)))
    {
        Some(input) => refuse(format!(
            "it is one of this command's inputs (a file in {} that is not a {what} written by \
             ludd); choose another file",
            input.display()
        )),
        None => refuse(format!(
            "it exists and is not a {what} written by ludd; remove it or choose another file"
        )),
    }
}

/// Whether the head of the file at `path` contains `mark`.
fn is_mark_in(path: &Path, mark: &str) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .is_ok()
        && String::from_utf8_lossy(&head).contains(mark)
}

/// The directory `path` is in ("." for a bare name).
pub(super) fn parent_or_here(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A name made from `text` (a scenario, experiment or setting name) that
/// is safe as one file name: letters, digits, `.` and `-` are kept, any
/// other character (a path separator among them) becomes `_`, and a leading
/// `.` becomes `_`, so the name is neither hidden nor `..`. Long names are
/// cut to 200 bytes, ending in a hash of the whole text so that two long
/// names that share their start stay apart; 200 leaves room for a prefix
/// (`compare-`) within the file-name limit.
pub fn safe_file_name(text: &str) -> String {
    const LONGEST: usize = 200;
    let mut name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    if name.len() > LONGEST {
        let hash = format!("~{:016x}", fnv1a(text.as_bytes()));
        // Every character is ASCII by now, so any length is a boundary.
        name.truncate(LONGEST - hash.len());
        name.push_str(&hash);
    }
    if name.is_empty() {
        name.push('_');
    }
    name
}

/// The FNV-1a hash of `bytes`: stable across builds and platforms, so
/// every ludd process derives the same names from the same text.
pub(super) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
