//! ludd: an agent-based model of the three-stage cycle of industrial
//! history (special-purpose tools, a general-purpose technology,
//! reorganization) and of the backlash it provokes.
//!
//! The simulation core (`world`, `phases`, `record`, `stages`, `summary`,
//! `run`) is pure: no I/O, and it cannot fail on a validated scenario except
//! through its own invariant checks. Loading (`scenario`) and writing
//! (`output`) sit at the edges. See docs/ARCHITECTURE.md.

pub mod calibration;
pub mod compare;
pub mod error;
pub mod experiment;
pub mod ledger;
pub mod output;
pub mod phases;
pub mod record;
pub mod redistribution;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod stages;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod validation;
pub mod world;

pub use error::{LuddError, Result};
pub use run::{ensemble, run, RunOutput};
pub use scenario::{load, Scenario};
