//! Signals that end a process: the command stops cleanly. On SIGINT,
//! SIGTERM or SIGHUP (a closed terminal or a lost ssh session) its staging
//! directories and lock files are removed (`files::remove_unfinished`:
//! complete files, such as a sweep's parts, stay, so the sweep resumes),
//! and the process exits with 128 + the signal's number (130, 143, 129),
//! as a shell reports a command ended by a signal.
//!
//! The signals are blocked in every thread (threads inherit the mask of
//! the thread that starts them, and this runs before any other starts) and
//! taken by one thread with `sigwait`, so the handling is ordinary code,
//! free to take locks and remove directories, rather than a handler
//! limited to async-signal-safe calls.
//!
//! SIGXFSZ (a file grown past `ulimit -f`) is ignored: by default it kills
//! the process without a word, leaving its staging directory; ignored, the
//! write fails with "File too large", which is reported with the path like
//! any other write error, and the staging directory is removed.

/// The signals that stop a command cleanly, with their names.
#[cfg(unix)]
const STOPPING: [(libc::c_int, &str); 3] = [
    (libc::SIGINT, "SIGINT"),
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGHUP, "SIGHUP"),
];

/// Starts the thread that handles SIGINT, SIGTERM and SIGHUP, and ignores
/// SIGXFSZ. Call it first in `main`, before any other thread starts.
#[cfg(unix)]
pub fn handle() {
    // SAFETY: a signal set built with the libc calls meant for it, and the
    // mask and dispositions of the process changed before any other thread
    // exists.
    let set = unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for (signal, _) in STOPPING {
            libc::sigaddset(&mut set, signal);
        }
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
        let name = STOPPING
            .iter()
            .find(|(s, _)| *s == signal)
            .map_or("a signal", |(_, name)| name);
        eprintln!(
            "\nludd: stopped by {name}; {staging} unfinished output director{} removed",
            if staging == 1 { "y" } else { "ies" }
        );
        std::process::exit(128 + signal);
    });
}

#[cfg(not(unix))]
pub fn handle() {}
