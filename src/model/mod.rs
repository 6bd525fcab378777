//! The simulation core: the world's state, the step pipeline of named
//! phases, the ledger, random streams, observation of each step, and
//! `run`. Pure: no I/O and no polars; on a validated scenario it can fail
//! only through its own invariant checks (the books, finite numbers).

pub mod costs;
pub mod ledger;
pub mod observe;
pub mod phases;
pub mod rng;
pub mod run;
pub mod world;
