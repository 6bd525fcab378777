//! Analysis over runs, with polars: tables and files, comparisons, sweeps,
//! validation against history, calibration, redistribution, statistics.

pub mod calibration;
pub mod compare;
pub mod output;
pub mod redistribution;
pub mod stats;
pub mod sweep;
pub mod validation;
