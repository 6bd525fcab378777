//! SIGINT and SIGTERM: the command stops cleanly. Its staging directories
//! and lock files are removed (`files::remove_unfinished`: complete files,
//! such as a sweep's parts, stay, so the sweep resumes), and the process
//! exits with 128 + the signal's number (130, 143), as a shell reports a
//! command ended by a signal.
//!
//! The signals are blocked in every thread (threads inherit the mask of
//! the thread that starts them, and this runs before any other starts) and
//! taken by one thread with `sigwait`, so the handling is ordinary code,
//! free to take locks and remove directories, rather than a handler
//! limited to async-signal-safe calls.

/// Starts the thread that handles SIGINT and SIGTERM. Call it first in
/// `main`, before any other thread starts.
#[cfg(unix)]
pub fn handle() {
    // SAFETY: a signal set built with the libc calls meant for it, and the
    // mask of the calling thread changed before any other thread exists.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    std::thread::spawn(move || loop {
        let mut signal = 0;
        // SAFETY: `set` is a valid signal set blocked in every thread.
        if unsafe { libc::sigwait(&set, &mut signal) } != 0 {
            continue;
        }
        let staging = ludd::analysis::files::remove_unfinished();
        let name = if signal == libc::SIGINT {
            "SIGINT"
        } else {
            "SIGTERM"
        };
        eprintln!(
            "\nludd: stopped by {name}; {staging} unfinished output director{} removed",
            if staging == 1 { "y" } else { "ies" }
        );
        std::process::exit(128 + signal);
    });
}

#[cfg(not(unix))]
pub fn handle() {}
