//! Running the `ludd` binary in a scratch directory and reading what it
//! leaves there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `ludd` binary.
pub fn ludd(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the ludd binary starts")
}

/// Runs the `ludd` binary with `vars` set in its environment.
pub fn ludd_with(args: &[&str], dir: &Path, vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args(args)
        .envs(vars.iter().copied())
        .current_dir(dir)
        .output()
        .expect("the ludd binary starts")
}

/// A refusal: non-zero exit, a message, no panic; the message.
pub fn refused(out: &Output, what: &str) -> String {
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{what} must fail:\n{err}");
    assert!(
        !err.contains("panicked") && !err.contains("capacity overflow"),
        "{what} panicked:\n{err}"
    );
    err
}

/// An empty directory for one test; `name` must be unique in this binary.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file below `dir`, at any depth.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// A sweep's rows in (point, replicate) order.
pub fn sorted(df: polars::prelude::DataFrame) -> polars::prelude::DataFrame {
    df.sort(["point", "replicate"], Default::default()).unwrap()
}
