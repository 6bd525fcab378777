//! Files written whole or not at all, parquet in and out, polars errors
//! located at the file they concern, and the destinations ludd writes to:
//! locked while in use, checked before work starts and again at publish,
//! and cleaned up when the process is interrupted.
//!
//! Every file ludd writes goes through `write_atomic`: into a temporary
//! beside it, then renamed over it, so a file that exists is complete. A
//! directory of files (a run, a comparison) is written into a staging
//! directory beside its destination and renamed into place only when every
//! file in it is complete (`staging_dir`, `publish`, or both at once with
//! `write_dir`).
//!
//! One writer per destination: a command takes `lock_destination` on its
//! output before any work and holds the guard until after publishing, so a
//! second ludd process writing the same place is refused at once. The
//! destination is then checked (`check_destination`): an existing directory
//! is replaced only with `--force`, and only when ludd wrote it; a file only
//! when it is ludd's own output of the same kind (`check_file_destination`).
//!
//! Interruption: the staging directories and lock files this process holds
//! are registered here, and every change to the file system made here
//! happens under a gate. `remove_unfinished` (called by the binary on
//! SIGINT or SIGTERM) closes the gate, waits for the changes in flight,
//! removes what is registered and leaves the gate closed, so no half-written
//! file or staging directory outlives the process.

use crate::analysis::provenance::Provenance;
use crate::error::{LuddError, Result};
use polars::prelude::*;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard};

/// Writes `bytes` to `path` through a temporary file beside it and a
/// rename. The temporary is hidden and named after this process, so that
/// processes writing the same file at once (the shards of a sweep) never
/// share one; on a failure (a full disk) it is removed. Errors name `path`.
pub fn write_atomic(path: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    let tmp = hidden_sibling(path, &format!("{}.tmp", std::process::id()));
    // The gate is held from creating the temporary to renaming it, so an
    // interruption never leaves it behind.
    let _gate = gate();
    fs::write(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            LuddError::io(path, e)
        })
}

/// Converts polars errors into `LuddError::Output` at `path` (a file, or
/// the table being built): `.map_err(polars_error("series.parquet"))`.
pub fn polars_error(path: impl Into<PathBuf>) -> impl Fn(PolarsError) -> LuddError {
    let path = path.into();
    move |e| LuddError::Output {
        path: path.clone(),
        message: e.to_string(),
    }
}

/// Writes `df` to `path` as parquet with `provenance` as key-value
/// metadata, whole or not at all (`write_atomic`).
pub fn write_parquet(df: &mut DataFrame, path: &Path, provenance: &Provenance) -> Result<()> {
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
        .map_err(polars_error(path))?;
    write_atomic(path, &bytes)
}

/// Reads the parquet file at `path` whole; a file that does not read back
/// is reported as `unreadable`, naming it.
pub fn read_parquet(path: &Path) -> Result<DataFrame> {
    let file = File::open(path).map_err(|e| LuddError::io(path, e))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| unreadable(path, polars_cause(e)))
}

/// A lazy scan of the parquet file at `path`. Its footer is read first, so
/// that a truncated, empty or foreign file is reported here, naming it,
/// rather than when a query over many files runs and can no longer say
/// which one failed.
pub fn scan_parquet(path: &Path) -> Result<LazyFrame> {
    let file = File::open(path).map_err(|e| LuddError::io(path, e))?;
    ParquetReader::new(file)
        .schema()
        .map_err(|e| unreadable(path, polars_cause(e)))?;
    LazyFrame::scan_parquet(
        PlPath::new(&path.to_string_lossy()),
        ScanArgsParquet::default(),
    )
    .map_err(|e| unreadable(path, polars_cause(e)))
}

/// The error of an input (a table or record read back) that cannot be read
/// whole: truncated, emptied or replaced since ludd wrote it. Every input
/// that summaries and reports read is reported through here, so that the
/// message names the damaged file, never the table being made from it.
pub fn unreadable(path: &Path, cause: impl std::fmt::Display) -> LuddError {
    LuddError::Output {
        path: path.to_path_buf(),
        message: format!(
            "could not be read whole (truncated, empty, or not the file ludd wrote): {cause}"
        ),
    }
}

/// The error of a query over many input files that failed when it ran:
/// the first input that does not read back whole, named; or, when every
/// input reads, the query's own message at `what` (the table being made),
/// never its plan. Reading the inputs again happens only on this failure.
pub fn query_error(inputs: &[PathBuf], what: &Path, e: PolarsError) -> LuddError {
    for input in inputs {
        if let Err(damaged) = read_parquet(input) {
            return damaged;
        }
    }
    LuddError::Output {
        path: what.to_path_buf(),
        message: polars_cause(e),
    }
}

/// Every parquet file at or under `dir`, in path order, not following
/// symbolic links; what cannot be listed is left out (this serves to name
/// a damaged input, not to find the inputs).
pub fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => pending.push(path),
                Ok(t) if t.is_file() && path.extension().is_some_and(|x| x == "parquet") => {
                    found.push(path)
                }
                _ => {}
            }
        }
    }
    found.sort();
    found
}

/// A polars error's own message, without the query-plan steps polars adds
/// to it on the way up (`'parquet scan': 'with_columns': ...`), which say
/// nothing to a reader of ludd's messages.
pub fn polars_cause(e: PolarsError) -> String {
    e.remove_context().to_string()
}

// ---------------------------------------------------------------------
// Destinations: checked before work starts and again at publish.

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

/// The files ludd writes into a run, comparison or sweep directory, at
/// any depth: a run's tables and manifest, a comparison's tables and
/// experiment, a sweep's record, rows and summary, the redistribution
/// tables of `summarize` and the page of `report`.
const LUDD_FILES: [&str; 16] = [
    "series.parquet",
    "groups.parquet",
    "technologies.parquet",
    "trade.parquet",
    "events.parquet",
    "summary.parquet",
    "manifest.json",
    "compare.parquet",
    "runs.parquet",
    "experiment.ron",
    "sweep.ron",
    "part.parquet",
    "sweep_summary.parquet",
    "redistribution.parquet",
    "redistribution_regions.parquet",
    "redistribution_paths.parquet",
];

/// Whether ludd wrote `name`: one of its files, a sweep's record of a
/// failed run (`replicate=N.txt`), its report page, or one of its hidden
/// temporaries, staging directories and lock files.
fn is_ludd_name(name: &str) -> bool {
    LUDD_FILES.contains(&name)
        || name == "report.html"
        || (name.starts_with("replicate=") && name.ends_with(".txt"))
        || (name.starts_with('.')
            && (name.ends_with(".tmp")
                || name.ends_with(".lock")
                || name.contains(".partial-")
                || name.contains(".old-")))
}

/// `Ok` when ludd wrote the directory `dir`: it carries ludd's record (a
/// run's `manifest.json` naming ludd's version, a comparison's
/// `compare.parquet` and `experiment.ron`, or a sweep's `sweep.ron`), and
/// every file below it, at any depth, is one ludd writes. Otherwise the
/// reason, naming what is missing or the first file ludd did not write.
/// Symbolic links are never followed: ludd writes none.
pub fn ludd_wrote(dir: &Path) -> std::result::Result<(), String> {
    let is_run = fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|m| m.get("ludd_version").is_some());
    let is_comparison =
        dir.join("compare.parquet").is_file() && dir.join("experiment.ron").is_file();
    let is_sweep = dir.join("sweep.ron").is_file();
    if !(is_run || is_comparison || is_sweep) {
        return Err(
            "it holds no run (manifest.json), comparison (compare.parquet and \
                    experiment.ron) or sweep (sweep.ron) written by ludd"
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

/// The first entry below `dir` (as a path relative to it, `under` being
/// the part already walked) that ludd did not write: a file with a name
/// ludd does not use, a symbolic link, or anything that cannot be read.
fn foreign_entry(dir: &Path, under: &Path) -> Option<PathBuf> {
    let Ok(entries) = fs::read_dir(dir.join(under)) else {
        return Some(under.to_path_buf());
    };
    for entry in entries {
        let Ok(entry) = entry else {
            return Some(under.to_path_buf());
        };
        let name = entry.file_name();
        let relative = under.join(&name);
        let Ok(kind) = entry.file_type() else {
            return Some(relative);
        };
        if kind.is_dir() {
            if let Some(found) = foreign_entry(dir, &relative) {
                return Some(found);
            }
        } else if kind.is_symlink() || !is_ludd_name(&name.to_string_lossy()) {
            return Some(relative);
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
fn parent_or_here(path: &Path) -> &Path {
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
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------
// Staging and publishing.

/// A fresh, empty staging directory beside `dir`, hidden and named after
/// this process, into which a result is written before `publish`. It is
/// registered, so an interruption removes it.
pub fn staging_dir(dir: &Path) -> Result<PathBuf> {
    remove_abandoned_staging(dir);
    let staging = hidden_sibling(dir, &format!("partial-{}", std::process::id()));
    let _gate = gate();
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| LuddError::io(&staging, e))?;
    }
    fs::create_dir_all(&staging).map_err(|e| LuddError::io(&staging, e))?;
    register(Held::Dir(staging.clone()));
    Ok(staging)
}

/// Moves a complete staging directory into place as `dir`. The
/// destination is checked again first (`check_destination`), since a
/// writer that takes no lock may have created it meanwhile. An old
/// directory is renamed aside, the new one renamed in, then the old one
/// removed; if the new one cannot be renamed in, the old one is put back,
/// so a failure never leaves the user's directory hidden.
pub fn publish(staging: &Path, dir: &Path, force: bool) -> Result<()> {
    let _gate = gate();
    check_destination(dir, force)?;
    if fs::symlink_metadata(dir).is_ok() {
        let old = hidden_sibling(dir, &format!("old-{}", std::process::id()));
        fs::rename(dir, &old).map_err(|e| LuddError::io(dir, e))?;
        if let Err(e) = fs::rename(staging, dir) {
            let _ = fs::rename(&old, dir);
            return Err(LuddError::io(dir, e));
        }
        forget(staging);
        if let Err(e) = fs::remove_dir_all(&old) {
            // The new result is in place; only the old copy is left over.
            tracing::warn!(
                "{} is published, but its old copy {} could not be removed: {e}",
                dir.display(),
                old.display()
            );
        }
    } else {
        let parent = parent_or_here(dir);
        fs::create_dir_all(parent).map_err(|e| LuddError::io(parent, e))?;
        rename_no_replace(staging, dir)?;
        forget(staging);
    }
    Ok(())
}

/// Renames `from` to `to`, failing if `to` appeared meanwhile: a rename
/// onto an empty directory would otherwise replace it without a word.
#[cfg(target_os = "linux")]
fn rename_no_replace(from: &Path, to: &Path) -> Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c =
        |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|e| LuddError::io(p, e.into()));
    let (cf, ct) = (c(from)?, c(to)?);
    // SAFETY: two valid NUL-terminated paths relative to the current directory.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            cf.as_ptr(),
            libc::AT_FDCWD,
            ct.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EEXIST) | Some(libc::ENOTEMPTY) => {
            Err(LuddError::OutputExists(to.to_path_buf()))
        }
        // A file system without the flag: the plain rename.
        Some(libc::EINVAL) | Some(libc::ENOSYS) => {
            fs::rename(from, to).map_err(|e| LuddError::io(to, e))
        }
        _ => Err(LuddError::io(to, e)),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_no_replace(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|e| LuddError::io(to, e))
}

/// Writes a directory whole or not at all: the destination is checked
/// (`check_destination`), `fill` writes into a fresh staging directory,
/// which is then published as `dir`; on an error the staging directory is
/// removed. The caller holds the destination's lock (`lock_destination`)
/// when other processes may write there.
pub fn write_dir<T>(dir: &Path, force: bool, fill: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    check_destination(dir, force)?;
    let staging = staging_dir(dir)?;
    let result = fill(&staging).and_then(|value| publish(&staging, dir, force).map(|()| value));
    if result.is_err() {
        let _gate = gate();
        let _ = fs::remove_dir_all(&staging);
        forget(&staging);
    }
    result
}

/// Removes staging directories for `dir` left by processes that no longer
/// run (killed before they could publish or clean up). Best effort: what
/// cannot be read or removed is left alone, and a live process's staging is
/// never touched. Linux only (a process is alive while /proc/<pid> exists).
fn remove_abandoned_staging(dir: &Path) {
    let Some(name) = dir.file_name() else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!("{}.partial-", hidden_stem(&name.to_string_lossy()));
    let Ok(entries) = fs::read_dir(parent_or_here(dir)) else {
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

/// The longest byte length of a file name (Linux and most file systems).
const NAME_MAX: usize = 255;

/// The longest tag `hidden_sibling` appends, with its dot: `.partial-` and
/// a process id of up to ten digits.
const LONGEST_TAG: usize = ".partial-4294967295".len();

/// The hidden prefix of every name ludd keeps beside `name`: `.name`, or,
/// when a tag would then pass the file-name limit, `name` cut short and a
/// hash of the whole name, so that any destination whose own name fits has
/// staging, temporary and lock names that fit too, and two long names that
/// share their start still get different ones.
fn hidden_stem(name: &str) -> String {
    if 1 + name.len() + LONGEST_TAG <= NAME_MAX {
        return format!(".{name}");
    }
    let hash = format!("~{:016x}", fnv1a(name.as_bytes()));
    let mut keep = NAME_MAX - LONGEST_TAG - hash.len() - 1;
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    format!(".{}{hash}", &name[..keep])
}

/// The hidden name beside `path` for `tag` (`partial-<pid>`, `old-<pid>`,
/// `<pid>.tmp`, `lock`). A path without a file name of its own (`.`, `..`)
/// is resolved first.
fn hidden_sibling(path: &Path, tag: &str) -> PathBuf {
    let path = named(path);
    let name = path
        .file_name()
        .map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!("{}.{tag}", hidden_stem(&name)))
}

/// `path`, or its absolute form when it ends in `.` or `..` (which name
/// no file of their own).
fn named(path: &Path) -> PathBuf {
    if path.file_name().is_some() {
        return path.to_path_buf();
    }
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

// ---------------------------------------------------------------------
// Locks: one writer per destination.

/// An advisory lock (flock) on a destination, held until the guard is
/// dropped. The lock is on a hidden file beside the destination
/// (`.<name>.lock`), which the last holder removes; a lock file left by a
/// killed process holds no lock and is taken over by the next writer.
#[derive(Debug)]
pub struct DestinationLock {
    dir: PathBuf,
    path: PathBuf,
    file: File,
    /// Parent directories created for the lock file, removed again when
    /// nothing was published into them.
    created: Vec<PathBuf>,
}

impl DestinationLock {
    /// The destination this lock is for.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Takes the exclusive lock on the destination `dir` (a directory or a
/// file), before any work starts, for a command that will write it: `run`,
/// `compare`, `report`, `calibrate --out`. Hold the guard until after
/// publishing. A second ludd process asking for any lock on `dir` while it
/// is held is refused at once (`LuddError::OutputBusy`), and so is this one
/// while another holds it. Check the destination after taking the lock
/// (`check_destination`), so the check sees what the previous writer left.
pub fn lock_destination(dir: &Path) -> Result<DestinationLock> {
    lock(dir, libc::LOCK_EX, true)
}

/// `lock_destination` for a file (a report page, a calibration fragment):
/// its directory is not created, so that `check_file_destination` can
/// refuse a directory that does not exist.
pub fn lock_file_destination(path: &Path) -> Result<DestinationLock> {
    lock(path, libc::LOCK_EX, false)
}

/// Takes a shared lock on `dir`: for processes that may use the same
/// destination together (the shards of one sweep write disjoint files
/// into one directory) or read it to write elsewhere (`report` reads a
/// run or comparison directory). Shared holders do not exclude each
/// other; they exclude, and are excluded by, an exclusive holder.
///
/// The sweep takes it on its output directory before it reads or writes
/// `sweep.ron`, and holds it until the last part is written:
/// `let _lock = files::lock_shared(&dir)?;`.
pub fn lock_shared(dir: &Path) -> Result<DestinationLock> {
    lock(dir, libc::LOCK_SH, true)
}

/// Runs `f` while holding an exclusive lock on the directory `dir` itself,
/// waiting for other holders to finish: for a short read-check-write
/// section shared by processes that otherwise work side by side (the
/// shards of a sweep adopting its record). The lock is on the directory's
/// own descriptor, so it leaves no file behind, and it ends when the
/// descriptor is closed, on return or when the process ends.
pub fn with_directory_lock<T>(dir: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    use std::os::unix::io::AsRawFd;
    let handle = File::open(dir).map_err(|e| LuddError::io(dir, e))?;
    // SAFETY: flock on a descriptor this function owns and keeps open
    // until `f` has returned.
    if unsafe { libc::flock(handle.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(LuddError::io(dir, std::io::Error::last_os_error()));
    }
    let result = f();
    drop(handle);
    result
}

/// Takes the lock (`mode`: `LOCK_EX` or `LOCK_SH`) on `dir`, creating the
/// directories above it first when `make_parent`.
fn lock(dir: &Path, mode: libc::c_int, make_parent: bool) -> Result<DestinationLock> {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::AsRawFd;
    let path = hidden_sibling(dir, "lock");
    let parent = parent_or_here(&path).to_path_buf();
    let mut created = Vec::new();
    // A few tries: the file may be removed between opening and locking by
    // the holder leaving, or its directory by a writer that failed.
    for _ in 0..20 {
        let _gate = gate();
        if make_parent {
            let missing: Vec<PathBuf> = parent
                .ancestors()
                .take_while(|p| !p.as_os_str().is_empty() && !p.exists())
                .map(Path::to_path_buf)
                .collect();
            fs::create_dir_all(&parent).map_err(|e| LuddError::io(&parent, e))?;
            created.extend(missing.into_iter().rev());
        }
        let file = match fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && make_parent => continue,
            Err(e) => return Err(LuddError::io(&path, e)),
        };
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), mode | libc::LOCK_NB) } != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                return Err(LuddError::OutputBusy(dir.to_path_buf()));
            }
            return Err(LuddError::io(&path, e));
        }
        // The lock counts only if the file is still the one at `path`: the
        // previous holder removes it on leaving, after which a new one is made.
        let same = match (file.metadata(), fs::metadata(&path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        };
        if !same {
            continue;
        }
        register(Held::Lock {
            path: path.clone(),
            fd: file.as_raw_fd(),
            created: created.clone(),
        });
        return Ok(DestinationLock {
            dir: dir.to_path_buf(),
            path,
            file,
            created,
        });
    }
    Err(LuddError::OutputBusy(dir.to_path_buf()))
}

impl Drop for DestinationLock {
    fn drop(&mut self) {
        use std::os::unix::io::AsRawFd;
        let _gate = gate();
        release(&self.path, self.file.as_raw_fd(), &self.created);
        forget(&self.path);
    }
}

/// Removes a lock file if no other process holds a lock on it (this one
/// may hold a shared lock among others), then the parent directories
/// made for it if they are empty. The lock itself ends when the file is
/// closed.
fn release(path: &Path, fd: libc::c_int, created: &[PathBuf]) {
    // SAFETY: flock on a descriptor owned by a live `DestinationLock`.
    if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        let _ = fs::remove_file(path);
    }
    for dir in created.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
}

// ---------------------------------------------------------------------
// What an interruption removes.

/// What this process holds on disk that an interruption must remove.
enum Held {
    /// A staging directory, not yet published.
    Dir(PathBuf),
    /// A lock file, its descriptor, and parent directories made for it.
    Lock {
        path: PathBuf,
        fd: libc::c_int,
        created: Vec<PathBuf>,
    },
}

impl Held {
    fn path(&self) -> &Path {
        match self {
            Held::Dir(p) | Held::Lock { path: p, .. } => p,
        }
    }
}

static HELD: Mutex<Vec<Held>> = Mutex::new(Vec::new());

/// Held for reading around every change to the file system made here;
/// `remove_unfinished` takes it for writing and never gives it back.
static GATE: RwLock<()> = RwLock::new(());

fn gate() -> RwLockReadGuard<'static, ()> {
    GATE.read().unwrap_or_else(PoisonError::into_inner)
}

fn register(held: Held) {
    HELD.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(held);
}

fn forget(path: &Path) {
    HELD.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|h| h.path() != path);
}

/// Removes every staging directory and lock file this process holds, and
/// returns how many staging directories there were. Called when the
/// process is interrupted, just before it exits: it waits for the file
/// operations in flight to end and blocks every later one (the gate stays
/// closed), so nothing half-written is left and nothing new starts. Files
/// already complete (a sweep's parts) stay.
pub fn remove_unfinished() -> usize {
    std::mem::forget(GATE.write().unwrap_or_else(PoisonError::into_inner));
    let held = std::mem::take(&mut *HELD.lock().unwrap_or_else(PoisonError::into_inner));
    let mut staging = 0;
    for h in held.iter().rev() {
        match h {
            Held::Dir(dir) => {
                staging += 1;
                let _ = fs::remove_dir_all(dir);
            }
            Held::Lock { path, fd, created } => release(path, *fd, created),
        }
    }
    staging
}
