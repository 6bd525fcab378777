//! The tests that drive the `ludd` binary, in one binary: bad input,
//! outputs, readers, comparisons, sweeps (also killed, on full disks, and as a Slurm
//! job array), validation, calibration, `bench`, the report in a real
//! browser and the notebooks. Each test works in a scratch directory of its
//! own, since the tests run in parallel threads of this one process.

mod command;
#[path = "../common/mod.rs"]
mod common;
mod system;

mod bad_input;
mod bench;
mod bounds;
mod calibrate;
mod compare;
mod destinations;
mod faults;
mod inputs;
mod limits;
mod notebooks;
mod outputs;
mod readers;
mod report;
mod serve;
mod slurm;
mod sweep;
mod sweep_resume;
mod validate;
