// ---------------------------------------------------------------------
// Staging and publishing.

use super::destination::{check_destination, fnv1a, parent_or_here};
use super::interrupt::{forget, gate, register, Held};
use crate::error::{LuddError, Result};
use std::fs;
use std::path::{Path, PathBuf};

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
    let result = fill(&staging)
        .map_err(|e| as_published(e, &staging, dir))
        .and_then(|value| publish(&staging, dir, force).map(|()| value));
    if result.is_err() {
        let _gate = gate();
        let _ = fs::remove_dir_all(&staging);
        forget(&staging);
    }
    result
}

/// The error `e` met while filling `staging`, with a path inside it shown
/// at its place in `dir`, the file that was being made: the staging
/// directory is removed by the time the message is read.
fn as_published(e: LuddError, staging: &Path, dir: &Path) -> LuddError {
    let moved = |path: PathBuf| match path.strip_prefix(staging) {
        Ok(inside) => dir.join(inside),
        Err(_) => path,
    };
    match e {
        LuddError::Io { path, cause } => LuddError::Io {
            path: moved(path),
            cause,
        },
        LuddError::Output { path, message } => LuddError::Output {
            path: moved(path),
            message,
        },
        e => e,
    }
}

/// Removes what processes that no longer run (killed before they could
/// publish or clean up) left beside `dir`: their staging directories, and
/// their old copies once `dir` itself is in place (while `dir` is missing,
/// an old copy may be the only one, so it is kept). Only the exact names
/// ludd makes count, with a process id that no process has; best effort:
/// what cannot be read or removed is left alone.
fn remove_abandoned_staging(dir: &Path) {
    let Some(name) = dir.file_name() else {
        return;
    };
    let stem = hidden_stem(&name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent_or_here(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let abandoned = match hidden_name(&entry_name) {
            Some((s, Hidden::Partial(pid))) => s == stem && !alive(pid),
            Some((s, Hidden::Old(pid))) => s == stem && !alive(pid) && dir.exists(),
            _ => false,
        };
        if abandoned && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process with id `pid` exists (signal 0 checks without
/// sending anything; EPERM means it exists under another user).
fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 sends nothing; it only asks whether `pid` exists.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// What a hidden name that ludd keeps beside a destination is, told by
/// its exact form (`hidden_sibling`): a staging directory
/// `.<name>.partial-<pid>`, an old copy `.<name>.old-<pid>`, a temporary
/// `.<name>.<pid>.tmp`, a lock file `.<name>.lock`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Hidden {
    Partial(u32),
    Old(u32),
    Tmp(u32),
    Lock,
}

/// The hidden stem (`.<name>`, see `hidden_stem`) and kind of a name
/// ludd makes beside a destination, or None for any other name; a process
/// id must be all digits.
pub(super) fn hidden_name(name: &str) -> Option<(&str, Hidden)> {
    let pid = |digits: &str| {
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse::<u32>().ok())
            .flatten()
    };
    // The kind is told by the end of the name alone, since the
    // destination's own name may hold any of the tags.
    let (stem, kind) = if let Some(stem) = name.strip_suffix(".lock") {
        (stem, Hidden::Lock)
    } else if let Some(rest) = name.strip_suffix(".tmp") {
        let (stem, digits) = rest.rsplit_once('.')?;
        (stem, Hidden::Tmp(pid(digits)?))
    } else {
        let (stem, tag) = name.rsplit_once('.')?;
        if let Some(digits) = tag.strip_prefix("partial-") {
            (stem, Hidden::Partial(pid(digits)?))
        } else {
            (stem, Hidden::Old(pid(tag.strip_prefix("old-")?)?))
        }
    };
    // The stem is `.` and a name of at least one character.
    (stem.len() > 1 && stem.starts_with('.')).then_some((stem, kind))
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
pub(super) fn hidden_sibling(path: &Path, tag: &str) -> PathBuf {
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

/// Creates the directory `dir` and those missing above it, then runs `f`;
/// when `f` fails (a full disk), the directories created here that are
/// still empty are removed again, so that a failed command leaves no
/// empty directory behind. Directories that existed are never removed.
pub fn with_new_dirs<T>(dir: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && fs::symlink_metadata(p).is_err())
        .map(Path::to_path_buf)
        .collect();
    fs::create_dir_all(dir).map_err(|e| LuddError::io(dir, e))?;
    let result = f();
    if result.is_err() {
        // Innermost first; a directory that holds anything stops the walk.
        for created in &missing {
            if fs::remove_dir(created).is_err() {
                break;
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::{hidden_name, hidden_sibling, Hidden};
    use std::path::Path;

    #[test]
    fn only_the_exact_hidden_names_ludd_makes_are_known() {
        for (name, known) in [
            (".r.partial-12", Some((".r", Hidden::Partial(12)))),
            (".r.old-7", Some((".r", Hidden::Old(7)))),
            (".a.b.123.tmp", Some((".a.b", Hidden::Tmp(123)))),
            (
                ".series.parquet.lock",
                Some((".series.parquet", Hidden::Lock)),
            ),
            (".chapter1.old-version", None),
            (".r.partial-", None),
            (".r.partial-12ab", None),
            (".r.old-+7", None),
            (".r.old-99999999999", None),
            (".notes.tmp", None),
            (".lock", None),
            ("r.lock", None),
            ("r.partial-12", None),
        ] {
            assert_eq!(hidden_name(name), known, "{name}");
        }
    }

    #[test]
    fn every_name_hidden_sibling_makes_is_known_again() {
        let long = "x".repeat(250);
        for dir in [
            "r",
            "a.b",
            "a.partial-3",
            "b.old-4",
            "c.5.tmp",
            "d.lock",
            &long,
        ] {
            let path = Path::new("out").join(dir);
            for (tag, kind) in [
                ("partial-42".to_string(), Hidden::Partial(42)),
                ("old-42".to_string(), Hidden::Old(42)),
                ("42.tmp".to_string(), Hidden::Tmp(42)),
                ("lock".to_string(), Hidden::Lock),
            ] {
                let sibling = hidden_sibling(&path, &tag);
                let name = sibling.file_name().unwrap().to_string_lossy().into_owned();
                assert_eq!(hidden_name(&name).map(|(_, k)| k), Some(kind), "{name}");
            }
        }
    }
}
