//! ludd: an agent-based model of the three-stage cycle of industrial
//! history (special-purpose tools, a general-purpose technology,
//! reorganization) and of the backlash it provokes.
//!
//! The crate is built in layers, bottom first; each uses only the layers
//! below it (docs/ARCHITECTURE.md; `tests/suite/layers.rs` enforces it):
//!
//! - [`error`]: the one error type, located (file, line, field, step).
//! - [`scenario`]: scenario and experiment types, built-ins, overrides,
//!   validation: the plain data a world is built from.
//! - [`model`]: the pure simulation core: state, step pipeline, ledger,
//!   random streams, observation and `run`. No I/O, no polars.
//! - [`analysis`]: polars tables and files, comparisons, sweeps, validation
//!   against history, calibration, redistribution, statistics.
//! - [`report`]: the HTML report with its charts, and the terminal text.
//! - [`serve`]: `ludd serve`, the local web server and its page, over the
//!   analysis and report layers.
//!
//! The command line (`src/cli/`) belongs to the binary.

pub mod analysis;
pub mod error;
pub mod model;
pub mod report;
pub mod scenario;
pub mod serve;

pub use error::{LuddError, Result};
pub use model::run::{ensemble, run, RunOutput};
pub use scenario::{load, Scenario};
