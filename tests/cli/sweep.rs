//! `ludd sweep`: a grid streamed to a hive-partitioned dataset; shards whose
//! union equals the whole; a seed tree that keeps existing runs when the
//! design grows; a sweep killed halfway and resumed equals an uninterrupted
//! one; status; bad sweep files located.

use crate::command::{ludd, scratch, sorted, text, walk};
use ludd::analysis::sweep::read_metrics;
use polars::prelude::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn write_sweep(dir: &Path, name: &str, values: &str, replicates: u32) {
    std::fs::write(
        dir.join(format!("{name}.ron")),
        format!(
            "Sweep(\n    name: \"{name}\",\n    base: \"loom\",\n    set: [\"end_year=1790\"],\n    design: Grid([\n        Axis(path: \"behaviour.threshold_mean\", values: [{values}]),\n        Axis(path: \"behaviour.contagion_local\", values: [\"0.5\", \"1.5\"]),\n    ]),\n    replicates: {replicates},\n    master_seed: 3,\n)\n"
        ),
    )
    .unwrap();
}

#[test]
fn a_grid_streams_to_a_hive_dataset_and_shards_add_up_to_it() {
    let dir = scratch("sweep_grid");
    write_sweep(&dir, "grid", "\"1.2\", \"1.5\"", 2);
    let out = ludd(&["sweep", "grid.ron", "--out", "whole"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("8 done now"),
        "{}",
        text(&out.stdout)
    );
    let whole = sorted(read_metrics(&dir.join("whole")).expect("the dataset reads as one table"));
    assert_eq!(whole.height(), 8, "2 x 2 points x 2 replicates");
    for column in [
        "point",
        "replicate",
        "seed",
        "behaviour.threshold_mean",
        "protest_years",
        "general_half_year",
    ] {
        assert!(whole.column(column).is_ok(), "the dataset has {column}");
    }
    let status = ludd(&["sweep", "status", "whole"], &dir);
    assert!(
        text(&status.stdout).contains("8 runs expected, 8 complete, 0 failed, 0 missing"),
        "{}",
        text(&status.stdout)
    );

    // Three shards, one through the Slurm variables, into one directory.
    for (i, how) in [(0, "flag"), (1, "slurm"), (2, "flag")] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ludd"));
        cmd.current_dir(&dir)
            .args(["sweep", "grid.ron", "--out", "sharded"]);
        if how == "flag" {
            cmd.args(["--shard", &format!("{i}/3")]);
        } else {
            cmd.env("SLURM_ARRAY_TASK_ID", i.to_string())
                .env("SLURM_ARRAY_TASK_COUNT", "3");
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let sharded = sorted(read_metrics(&dir.join("sharded")).unwrap());
    assert!(
        sharded.equals_missing(&whole),
        "the union of three shards equals the single-machine sweep"
    );

    // Re-running a complete sweep does nothing and changes nothing.
    let again = ludd(&["sweep", "grid.ron", "--out", "whole"], &dir);
    assert!(
        text(&again.stdout).contains("8 already complete, 0 done now"),
        "{}",
        text(&again.stdout)
    );
}

#[test]
fn adding_points_keeps_the_runs_already_made() {
    let dir = scratch("sweep_grow");
    write_sweep(&dir, "small", "\"1.2\", \"1.5\"", 1);
    write_sweep(&dir, "large", "\"1.2\", \"1.5\", \"2.0\"", 2);
    for name in ["small", "large"] {
        let o = ludd(&["sweep", &format!("{name}.ron"), "--out", name], &dir);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let small = sorted(read_metrics(&dir.join("small")).unwrap())
        .drop("sweep")
        .unwrap();
    let large = sorted(read_metrics(&dir.join("large")).unwrap())
        .drop("sweep")
        .unwrap();
    assert_eq!(large.height(), 12);
    let kept = large
        .lazy()
        .join(
            small
                .clone()
                .lazy()
                .select([col("point"), col("replicate")]),
            [col("point"), col("replicate")],
            [col("point"), col("replicate")],
            JoinArgs::new(JoinType::Inner),
        )
        .collect()
        .unwrap();
    let kept = sorted(kept).select(small.get_column_names_str()).unwrap();
    assert!(
        kept.equals_missing(&small),
        "the runs of the smaller design reappear unchanged in the larger one"
    );
}

#[test]
fn a_sweep_killed_halfway_resumes_to_the_uninterrupted_result() {
    let dir = scratch("sweep_kill");
    write_sweep(&dir, "grid", "\"1.2\", \"1.5\", \"2.0\"", 2);
    let reference = ludd(&["sweep", "grid.ron", "--out", "reference"], &dir);
    assert!(reference.status.success(), "{}", text(&reference.stderr));

    // Start the same sweep on one thread and kill it once some runs are written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ludd"))
        .current_dir(&dir)
        .args(["sweep", "grid.ron", "--out", "killed", "--threads", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let count = || {
        walk(&dir.join("killed/metrics"))
            .iter()
            .filter(|p| p.file_name().is_some_and(|n| n == "part.parquet"))
            .count()
    };
    while count() < 4 && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = count();
    assert!(
        (1..12).contains(&before),
        "killed partway: {before} of 12 runs written"
    );

    let status = ludd(&["sweep", "status", "killed"], &dir);
    assert!(
        text(&status.stdout).contains(&format!("{before} complete")),
        "{}",
        text(&status.stdout)
    );
    let resumed = ludd(&["sweep", "grid.ron", "--out", "killed"], &dir);
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert!(
        text(&resumed.stdout).contains(&format!("{before} already complete")),
        "{}",
        text(&resumed.stdout)
    );
    let a = sorted(read_metrics(&dir.join("reference")).unwrap());
    let b = sorted(read_metrics(&dir.join("killed")).unwrap());
    assert_eq!(b.height(), 12, "no run missing or duplicated");
    assert!(
        a.equals_missing(&b),
        "the resumed sweep equals the uninterrupted one"
    );
    eprintln!(
        "killed after {before} of 12 runs; resumed to 12, identical to the uninterrupted sweep"
    );
}

#[test]
fn bad_sweep_files_are_located() {
    let dir = scratch("sweep_bad");
    std::fs::write(
        dir.join("typo.ron"),
        "Sweep(\n    name: \"t\",\n    base: \"loom\",\n    desing: Grid([]),\n)\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("range.ron"),
        "Sweep(\n    name: \"r\",\n    base: \"loom\",\n    design: Sobol(points: 4, ranges: [Range(path: \"behaviour.threshold_mean\", low: 2.0, high: 1.0)]),\n)\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("path.ron"),
        "Sweep(\n    name: \"p\",\n    base: \"loom\",\n    design: Grid([Axis(path: \"behaviour.treshold_mean\", values: [\"1.0\"])]),\n)\n",
    )
    .unwrap();
    for (file, expect) in [
        ("typo.ron", vec!["typo.ron:4:", "desing"]),
        ("range.ron", vec!["design.ranges.0", "low < high"]),
        ("path.ron", vec!["treshold_mean", "threshold_mean"]),
    ] {
        let o = ludd(&["sweep", file, "--out", "o"], &dir);
        assert!(!o.status.success(), "{file} must fail");
        let err = text(&o.stderr);
        for needle in expect {
            assert!(
                err.contains(needle),
                "{file}: the error names '{needle}':\n{err}"
            );
        }
        assert!(!dir.join("o").exists(), "{file} leaves no output");
    }
    let o = ludd(&["sweep", "range.ron", "--shard", "3/2"], &dir);
    assert!(text(&o.stderr).contains("--shard"), "{}", text(&o.stderr));
}
