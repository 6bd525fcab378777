// ---------------------------------------------------------------------
// What an interruption removes.

use super::lock::release;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard};

/// What this process holds on disk that an interruption must remove.
pub(super) enum Held {
    /// A staging directory, not yet published.
    Dir(PathBuf),
    /// A lock file, its descriptor, and parent directories made for it.
    Lock {
        path: PathBuf,
        fd: libc::c_int,
        created: Vec<PathBuf>,
    },
}

static HELD: Mutex<Vec<Held>> = Mutex::new(Vec::new());

/// Held for reading around every change to the file system made here;
/// `remove_unfinished` takes it for writing and never gives it back.
static GATE: RwLock<()> = RwLock::new(());

pub(super) fn gate() -> RwLockReadGuard<'static, ()> {
    GATE.read().unwrap_or_else(PoisonError::into_inner)
}

pub(super) fn register(held: Held) {
    HELD.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(held);
}

/// Forgets the staging directory `path`, published or removed.
pub(super) fn forget(path: &Path) {
    HELD.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|h| !matches!(h, Held::Dir(p) if p == path));
}

/// Forgets the lock held on the descriptor `fd`, released. It is told by
/// its descriptor, not its path: this process may hold two shared locks on
/// one file (a report of one run locks it as the directory read and as the
/// run read), and the other stays registered.
pub(super) fn forget_lock(fd: libc::c_int) {
    HELD.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|h| !matches!(h, Held::Lock { fd: held, .. } if *held == fd));
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
