//! The options several commands share, declared once and flattened into
//! each command's arguments with `#[command(flatten)]`, with what they
//! start (the thread pool) or mean (the default output directory).
//!
//! A shared option keeps the help its commands gave it before: where that
//! differs by command (what `--set` applies to, which directory `--out`
//! defaults to), the option is declared here without help and each command
//! sets its own with `#[command(mut_arg(..))]`.
//!
//! Not every `--out` is shared: `run`, `compare` and `sweep` take an output
//! directory defaulting under `runs/` (`OutDir`), but `validate --out` is a
//! directory defaulting to `.`, `calibrate --out FILE` a RON fragment and
//! `report -o/--out FILE.html` a page; those keep their own declarations.

use anyhow::{Context, Result};
use clap::Args;
use ludd::analysis::files::{self, DestinationLock};
use std::path::PathBuf;

/// `--set PATH=VALUE`, repeatable: overrides of scenario parameters.
#[derive(Args, Debug, Clone)]
pub struct Overrides {
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

/// `--threads N`: the size of the thread pool.
#[derive(Args, Debug, Clone, Copy)]
pub struct Threads {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Threads allowed per core. More never speed a run up (the phases wait
/// for their slowest chunk at every join) and thousands of threads make a
/// twenty-step run take minutes; eight per core still lets a user check on
/// a small machine that results do not depend on the thread count.
pub const THREADS_PER_CORE: usize = 8;

impl Threads {
    /// The number of threads: `--threads`, or one per core; never more than
    /// `THREADS_PER_CORE` per core (`--threads 0` is one per core, as rayon
    /// reads it). A larger request is lowered with a message on standard
    /// error, before any work starts.
    pub fn count(&self) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let most = THREADS_PER_CORE * cores;
        match self.threads {
            None | Some(0) => cores,
            Some(n) if n > most => {
                eprintln!(
                    "ludd: --threads {n} is more than {THREADS_PER_CORE} per core on this machine \
                     ({cores} cores); using {most} (results do not depend on the number of threads)"
                );
                most
            }
            Some(n) => n,
        }
    }

    /// The pool the command's work runs in: of `count()` threads when
    /// `--threads` is given, otherwise of rayon's default (one per core, or
    /// `RAYON_NUM_THREADS`).
    pub fn pool(&self) -> Result<rayon::ThreadPool> {
        let asked = self.threads.filter(|&n| n > 0).map_or(0, |_| self.count());
        rayon::ThreadPoolBuilder::new()
            .num_threads(asked)
            .build()
            .context("starting the thread pool")
    }
}

/// `--force`: replace an existing output directory that ludd wrote.
#[derive(Args, Debug, Clone, Copy)]
pub struct Force {
    /// Replace an existing output directory that ludd wrote (a run, comparison or sweep).
    #[arg(long)]
    pub force: bool,
}

/// `--out DIR`: where a run, comparison or sweep writes, by default a
/// directory under `runs/` named after it.
#[derive(Args, Debug, Clone)]
pub struct OutDir {
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl OutDir {
    /// The directory given, or `runs/<name>` with `name` made safe as one
    /// file name (`files::safe_file_name`): a scenario or sweep named
    /// `../x` stays under `runs/`.
    pub fn or_runs(&self, name: &str) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| PathBuf::from("runs").join(files::safe_file_name(name)))
    }
}

/// The options of a command that runs the model and publishes a directory
/// of results (`run`, `compare`): where, with which overrides, on how many
/// threads, and whether an existing directory may be replaced.
#[derive(Args, Debug, Clone)]
pub struct Publish {
    #[command(flatten)]
    pub out: OutDir,
    #[command(flatten)]
    pub overrides: Overrides,
    #[command(flatten)]
    pub threads: Threads,
    #[command(flatten)]
    pub force: Force,
}

impl Publish {
    /// The output directory (given, or `runs/<name>`), locked for this
    /// process and checked before any work starts, and the thread pool the
    /// work runs in. Hold the lock until the result is published.
    pub fn prepare(&self, name: &str) -> Result<(DestinationLock, rayon::ThreadPool)> {
        let lock = files::lock_destination(&self.out.or_runs(name))?;
        files::check_destination(lock.dir(), self.force.force)?;
        Ok((lock, self.threads.pool()?))
    }
}
