//! Debian packages the tests install when they are missing (Chromium for
//! the report, Slurm and munge for the job array), as root on CI machines.

use std::process::Command;
use std::sync::{Mutex, PoisonError};

/// Installs `packages` with apt-get, updating the package lists once when
/// the first attempt fails; whether they are installed. One installation at
/// a time: apt-get holds dpkg's lock, and the tests run in parallel.
pub fn apt_install(packages: &[&str]) -> bool {
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
