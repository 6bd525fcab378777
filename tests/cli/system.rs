//! What some tests need beyond the Rust toolchain: Debian packages (Chromium
//! for the report and the page of `ludd serve`, Slurm and munge for the job
//! array), root (tmpfs mounts, Slurm's daemons) and Python with venv and
//! PyPI (the notebooks). A test asks here for what it needs. When something
//! is missing, root installs it with apt-get, as on CI; for anyone else, or
//! when the installation fails, one line on the terminal says which test was
//! not run and what to install, and the test returns early, so that
//! `cargo test` passes for a user who is not root. With
//! LUDD_TEST_REQUIRE_ALL=1, which `.ci/run` sets, that line is a failure
//! instead, so CI never passes with a test left out.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::{Mutex, PoisonError};

/// Something on the system a test needs, and the Debian packages that bring it.
pub struct Need {
    /// What the test uses, as the line that says it was not run names it.
    pub names: &'static str,
    /// Whether it is on this machine.
    pub present: fn() -> bool,
    /// The Debian packages that install it.
    pub packages: &'static [&'static str],
}

fn all_exist(files: &[&str]) -> bool {
    files.iter().all(|f| Path::new(f).exists())
}

/// Debian's headless Chromium, for the report.
pub const CHROMIUM: Need = Need {
    names: "chromium",
    present: || all_exist(&["/usr/bin/chromium"]),
    packages: &["chromium"],
};

/// Chromium driven through WebDriver, for the page of `ludd serve`.
pub const CHROMEDRIVER: Need = Need {
    names: "chromium and chromedriver",
    present: || all_exist(&["/usr/bin/chromium", "/usr/bin/chromedriver"]),
    packages: &["chromium", "chromium-driver"],
};

/// A one-node Slurm cluster with munge's authentication.
pub const SLURM: Need = Need {
    names: "slurmctld, slurmd, sbatch and munged",
    present: || {
        all_exist(&[
            "/usr/sbin/slurmctld",
            "/usr/sbin/slurmd",
            "/usr/bin/sbatch",
            "/usr/sbin/munged",
        ])
    },
    packages: &["slurmctld", "slurmd", "slurm-client", "munge"],
};

/// python3 able to make a virtual environment with pip in it (Debian keeps
/// ensurepip out of python3, in python3-venv).
pub const PYTHON_VENV: Need = Need {
    names: "python3 with venv",
    present: || {
        Command::new("python3")
            .args(["-c", "import venv, ensurepip"])
            .output()
            .is_ok_and(|o| o.status.success())
    },
    packages: &["python3", "python3-venv"],
};

/// Whether `need` is on this machine, installed with apt-get when it is
/// missing and the tests run as root. Otherwise says that the running test
/// (or its `part`, when only a part of it needs this) was not run and what
/// to install, and answers false; under LUDD_TEST_REQUIRE_ALL it fails.
pub fn have(need: &Need, part: Option<&str>) -> bool {
    if (need.present)() {
        return true;
    }
    let install = format!("apt-get install {}", need.packages.join(" "));
    if !is_root() {
        return not_run(part, &format!("needs {} ({install}, as root)", need.names));
    }
    if apt_install(need.packages) && (need.present)() {
        return true;
    }
    not_run(
        part,
        &format!(
            "needs {}, which apt-get could not install here ({install} failed)",
            need.names
        ),
    )
}

/// Whether the tests run as root; otherwise says that the running test (or
/// its `part`) was not run and why it needs root (`what` it does as root),
/// and answers false; under LUDD_TEST_REQUIRE_ALL it fails.
pub fn root(part: Option<&str>, what: &str) -> bool {
    is_root()
        || not_run(
            part,
            &format!("needs root to {what} (run cargo test as root)"),
        )
}

/// Why a test was not run when root could not mount a tmpfs (in a container
/// without the capability to, for one).
pub const MOUNT_FAILED: &str = "needs a tmpfs, which mount -t tmpfs refused here, as root";

/// Whether the tests run as root (effective user id 0), who can install
/// packages, mount file systems and start Slurm's daemons.
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Says on the terminal that the running test (or its `part`) was not run,
/// and `why`; answers false, for the test to return early. Under
/// LUDD_TEST_REQUIRE_ALL=1 it panics with the same words instead.
pub fn not_run(part: Option<&str>, why: &str) -> bool {
    // libtest names the thread of each test after the test.
    let current = std::thread::current();
    let test = current.name().unwrap_or("a test");
    let part = part.map(|p| format!(" ({p})")).unwrap_or_default();
    let line = format!("NOT RUN: {test}{part} {why}");
    if std::env::var("LUDD_TEST_REQUIRE_ALL").is_ok_and(|v| !v.is_empty() && v != "0") {
        panic!("{line}; LUDD_TEST_REQUIRE_ALL requires every test to run");
    }
    // libtest keeps what a passing test prints with eprintln! and shows it
    // only with --nocapture; a write to the standard error itself is not
    // captured, so the line reaches the terminal of a plain `cargo test`.
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
    false
}

/// Installs `packages` with apt-get, updating the package lists once when
/// the first attempt fails; whether they are installed. One installation at
/// a time: apt-get holds dpkg's lock, and the tests run in parallel.
fn apt_install(packages: &[&str]) -> bool {
    static APT: Mutex<()> = Mutex::new(());
    let _alone = APT.lock().unwrap_or_else(PoisonError::into_inner);
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    install()
        || (Command::new("apt-get")
            .arg("update")
            .status()
            .is_ok_and(|s| s.success())
            && install())
}
