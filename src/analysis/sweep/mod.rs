//! `ludd sweep`: many runs over a parameter design, streamed to a
//! hive-partitioned parquet dataset, resumable and shardable.
//!
//! A sweep file names a base scenario, a design (a grid of listed values, a
//! Latin hypercube or a Sobol sequence over ranges, or Saltelli's design for
//! Sobol sensitivity indices), replicates per point and what to keep. Each
//! run's seed comes from a seed tree: a hash of the master seed, the point's
//! stable id and the replicate number, so adding points or replicates never
//! changes a run already made.
//!
//! Layout of the output directory:
//! - `sweep.ron`: the record: the sweep as run, the hash of its resolved
//!   base scenario and ludd's version (written first, checked on every
//!   resume; `record`);
//! - `metrics/point=<id>/replicate=<r>/part.parquet`: one row per run (the
//!   comparison measures of `compare::RunMetrics`, the parameter values, the
//!   seed), readable as one table with its partition columns;
//! - `runs/point=<id>/replicate=<r>/`: the run's own tables (`keep: Full`);
//! - `failed/point=<id>/replicate=<r>.txt`: the error of a run that failed.
//!
//! Every file goes through a temporary name and a rename; a run is complete
//! when its part file reads back whole (`dataset::read_part`), and a re-run
//! skips complete runs and does the rest.
//!
//! The files: `design` (the sweep file, its designs, points and jobs),
//! `sobol` (the Sobol sequence behind two of the designs), `record` (what
//! the directory records, and which resumes and growths it allows),
//! `execute` (sharding and running into the dataset) and `dataset` (its
//! layout, which runs are complete, status, and reading it back).

mod dataset;
mod design;
mod execute;
mod points;
mod record;
mod sobol;

pub use dataset::{
    is_measures_only, metrics_file, read_metrics, read_record, status, summary, summary_provenance,
    Status,
};
pub use design::{seed_of, Axis, Design, Job, Keep, Point, Range, SweepFile, MAX_RUNS};
pub use execute::{execute, shard_from, Outcome};
pub use points::Points;
pub use record::{adopt, growth, read as read_full_record, Adopted, Record, Recorded, VERSION};
pub use sobol::{sobol_point, MAX_SOBOL_DIMENSIONS};
