//! Analysis over runs, with polars: tables and files, comparisons, sweeps,
//! validation against history, calibration, redistribution, statistics.
//!
//! Helpers said once for the whole layer: `files` (atomic writes, parquet
//! in and out, staging directories, polars errors), `provenance` (the
//! metadata of every table).

pub mod bench;
pub mod calibration;
pub mod compare;
pub mod files;
pub mod output;
pub mod provenance;
pub mod redistribution;
pub mod stats;
pub mod sweep;
pub mod validation;
