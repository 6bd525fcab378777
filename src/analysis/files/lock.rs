// ---------------------------------------------------------------------
// Locks: one writer per destination.

use super::destination::parent_or_here;
use super::interrupt::{forget_lock, gate, register, Held};
use super::publish::hidden_sibling;
use crate::error::{LuddError, Result};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

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

/// Takes a shared lock on `dir`: for processes that may write the same
/// destination together (the shards of one sweep write disjoint files
/// into one directory); readers take it through `lock_for_reading`.
/// Shared holders do not exclude each other; they exclude, and are
/// excluded by, an exclusive holder.
///
/// The sweep takes it on its output directory before it reads or writes
/// `sweep.ron`, and holds it until the last part is written:
/// `let _lock = files::lock_shared(&dir)?;`.
pub fn lock_shared(dir: &Path) -> Result<DestinationLock> {
    lock(dir, libc::LOCK_SH, true)
}

/// A shared lock held while a run or comparison directory is read
/// (`lock_for_reading`), or none where the file system refuses a lock file.
#[derive(Debug)]
pub struct ReadLock {
    _lock: Option<DestinationLock>,
}

/// Takes a shared lock on `dir` while it is read to write elsewhere
/// (`report`, `summarize`): a writer replacing `dir` meanwhile is refused,
/// and so is this reader while a writer holds it (`LuddError::OutputBusy`).
/// No directory is created. Where the lock file cannot be made (a
/// read-only mount, a directory the user may not write), `dir` is read
/// without a lock, since reading needs no write access: this is said once
/// on stderr, and what is read is still checked against its manifest.
pub fn lock_for_reading(dir: &Path) -> Result<ReadLock> {
    // Nothing to lock: reading it will say that it does not exist.
    if fs::symlink_metadata(dir).is_err() {
        return Ok(ReadLock { _lock: None });
    }
    match lock(dir, libc::LOCK_SH, false) {
        Ok(lock) => Ok(ReadLock { _lock: Some(lock) }),
        Err(LuddError::Io { cause, .. })
            if matches!(
                cause.raw_os_error(),
                Some(libc::EROFS | libc::EACCES | libc::EPERM)
            ) =>
        {
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                eprintln!(
                    "ludd: {} cannot hold a lock file ({cause}); reading without a lock, \
                     each run's tables checked against its manifest",
                    parent_or_here(dir).display()
                )
            });
            Ok(ReadLock { _lock: None })
        }
        Err(e) => Err(e),
    }
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
        forget_lock(self.file.as_raw_fd());
    }
}

/// Removes a lock file if no other process holds a lock on it (this one
/// may hold a shared lock among others), then the parent directories
/// made for it if they are empty. The lock itself ends when the file is
/// closed.
pub(super) fn release(path: &Path, fd: libc::c_int, created: &[PathBuf]) {
    // SAFETY: flock on a descriptor owned by a live `DestinationLock`.
    if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        let _ = fs::remove_file(path);
    }
    for dir in created.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
}
