//! The library's error type. Every variant says where the problem is
//! (file, line and column, field path, output path, or step and phase).

use std::fmt;
use std::path::PathBuf;

/// One semantic problem found by validation, located by its field path
/// (for example `regions[britain].firms`).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, thiserror::Error)]
pub enum LuddError {
    /// The RON text does not parse, names an unknown field or has a wrong type.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// The scenario parses but breaks one or more rules; all are listed.
    #[error("{file}: {} problem(s):\n{}", problems.len(), list(problems))]
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },

    /// The runs would need more memory than the machine has available.
    /// `what` says which runs are counted ("a run", "4 runs at once").
    /// `advice` says what would make it fit.
    #[error(
        "{file}: {what} would need about {} of memory and {} are available; {advice}",
        size_text(*needed),
        size_text(*available)
    )]
    TooLarge {
        file: String,
        what: String,
        needed: u64,
        available: u64,
        advice: &'static str,
    },

    #[error(
        "unknown scenario '{name}': not a file and not a built-in scenario (built-in: {known})"
    )]
    UnknownScenario { name: String, known: String },

    /// A `--set path=value` override that cannot be applied.
    #[error("--set {path}: {message}")]
    Override { path: String, message: String },

    /// A `--param path=low..high` of `ludd calibrate` that cannot be searched.
    #[error("--param {path}: {message}")]
    Param { path: String, message: String },

    /// An environment variable ludd reads holds a value it cannot use.
    #[error("environment variable {variable}={value:?}: {message}")]
    Environment {
        variable: &'static str,
        value: String,
        message: String,
    },

    /// The simulation stopped because an invariant broke (the books do not
    /// balance, or a number became NaN or infinite).
    #[error("step {step} (year {year:.2}), phase {phase}, region {region}: {message}")]
    Simulation {
        step: usize,
        year: f64,
        phase: &'static str,
        region: String,
        message: String,
    },

    /// Not marked as the error's source: the message already carries it,
    /// and a source would be printed twice in a chain.
    #[error("{}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("{}: {message}", path.display())]
    Output { path: PathBuf, message: String },

    #[error("output directory {} already exists; pass --force to replace it", .0.display())]
    OutputExists(PathBuf),

    /// Another ludd process holds the destination's lock (`files::lock_destination`).
    #[error(
        "{}: another ludd process is writing it (or reading it to write elsewhere); \
         wait for it to finish or choose another destination",
        .0.display()
    )]
    OutputBusy(PathBuf),

    /// A destination that ludd will not write: not its own, an input of the
    /// command, or not where a file can go.
    #[error("{}: not written: {reason}", path.display())]
    OutputRefused { path: PathBuf, reason: String },

    /// `ludd serve` cannot listen at the address it was given.
    #[error("cannot serve at {address}: {message}")]
    Serve { address: String, message: String },
}

impl LuddError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        LuddError::Io {
            path: path.into(),
            cause: source,
        }
    }
}

/// A number of bytes in the largest binary unit (GiB, MiB, KiB) in which
/// it is at least 1, with one decimal, or in bytes below 1 KiB: the one
/// way sizes are shown, so that a small limit never reads "0.0 GiB".
pub fn size_text(bytes: u64) -> String {
    const UNITS: [(&str, u32); 3] = [("GiB", 30), ("MiB", 20), ("KiB", 10)];
    UNITS
        .iter()
        .find(|(_, shift)| bytes >= 1u64 << shift)
        .map_or(format!("{bytes} bytes"), |(unit, shift)| {
            format!("{:.1} {unit}", bytes as f64 / (1u64 << shift) as f64)
        })
}

/// A number as a message shows it: as written for everyday magnitudes
/// (`0.45`, `1812`, `-3`), in scientific notation beyond them (`1e308`,
/// `2.5e-9`), so that a value far out of range reads as the user typed it
/// rather than as hundreds of digits.
pub fn number_text(value: f64) -> String {
    let size = value.abs();
    if value == 0.0 || !value.is_finite() || (1e-4..1e15).contains(&size) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

pub type Result<T, E = LuddError> = std::result::Result<T, E>;
