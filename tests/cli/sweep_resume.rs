//! Sweeps remember what they ran: a resume whose base scenario or ludd
//! version differs from the record is refused naming both; a directory of
//! results without a record is refused; a design grows (more replicates,
//! more grid values) keeping every earlier run byte for byte; a part file
//! that does not read back whole is damaged, not complete; a duplicate grid
//! axis is refused before any run.

use crate::command::{ludd, scratch, sorted, text, walk};
use ludd::analysis::sweep::{
    growth, read_full_record, read_metrics, Record, Recorded, SweepFile, VERSION,
};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A grid sweep over `values` of the mean threshold, one value of the
/// local contagion, `replicates` each, on `base`; short runs (to 1790).
fn write_sweep(dir: &Path, base: &str, values: &str, replicates: u32) {
    std::fs::write(
        dir.join("grid.ron"),
        format!(
            "Sweep(\n    name: \"grid\",\n    base: \"{base}\",\n    set: [\"end_year=1790\"],\n    design: Grid([\n        Axis(path: \"behaviour.threshold_mean\", values: [{values}]),\n        Axis(path: \"behaviour.contagion_local\", values: [\"1.0\"]),\n    ]),\n    replicates: {replicates},\n    master_seed: 9,\n)\n"
        ),
    )
    .unwrap();
}

fn succeeds(args: &[&str], dir: &Path) -> String {
    let o = ludd(args, dir);
    assert!(o.status.success(), "{args:?} failed:\n{}", text(&o.stderr));
    text(&o.stdout)
}

/// Refused: exits non-zero; returns the message.
fn refused(args: &[&str], dir: &Path) -> String {
    let o = ludd(args, dir);
    assert!(!o.status.success(), "{args:?} must be refused");
    text(&o.stderr)
}

/// Every part file of a sweep directory with its bytes.
fn parts(out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(&out.join("metrics"))
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "part.parquet"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn recorded(out: &Path) -> Record {
    match read_full_record(out).unwrap() {
        Some((Recorded::Current(r), _)) => r,
        other => panic!("a current record in {}: {other:?}", out.display()),
    }
}

#[test]
fn a_base_changed_between_shards_is_refused_naming_both_hashes() {
    let dir = scratch("resume_base");
    let loom = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/loom.ron"))
        .unwrap();
    std::fs::write(dir.join("base.ron"), &loom).unwrap();
    write_sweep(&dir, "base.ron", "\"1.2\", \"1.5\"", 1);
    succeeds(&["sweep", "grid.ron", "--out", "o", "--shard", "0/2"], &dir);
    let before = parts(&dir.join("o"));
    assert_eq!(before.len(), 1, "shard 0 of 2 made one of two runs");
    let old_hash = recorded(&dir.join("o")).base_hash;

    // The base file changes (more people per agent) between the shards.
    let changed = loom.replacen("people_per_agent: 500.0", "people_per_agent: 700.0", 1);
    assert_ne!(changed, loom, "the edit applies");
    std::fs::write(dir.join("base.ron"), &changed).unwrap();
    let sweep = SweepFile::from_ron(
        &std::fs::read_to_string(dir.join("grid.ron")).unwrap(),
        "grid.ron",
    )
    .unwrap();
    let new_base = sweep
        .base_scenario(&dir.join("grid.ron").to_string_lossy())
        .unwrap();
    let new_hash = Record::new(&sweep, &new_base).base_hash;
    assert_ne!(old_hash, new_hash);

    let message = refused(&["sweep", "grid.ron", "--out", "o", "--shard", "1/2"], &dir);
    for needle in [
        old_hash.as_str(),
        new_hash.as_str(),
        "sweep.ron",
        "new --out",
    ] {
        assert!(message.contains(needle), "names '{needle}':\n{message}");
    }
    assert_eq!(parts(&dir.join("o")), before, "no run was made or changed");
    let status = succeeds(&["sweep", "status", "o"], &dir);
    assert!(
        status.contains("2 runs expected, 1 complete, 0 failed, 1 missing, 0 damaged"),
        "{status}"
    );
    eprintln!("{}", message.trim());
}

#[test]
fn a_record_of_another_ludd_version_is_refused_naming_both() {
    let dir = scratch("resume_version");
    write_sweep(&dir, "loom", "\"1.2\", \"1.5\"", 1);
    succeeds(&["sweep", "grid.ron", "--out", "o", "--shard", "0/2"], &dir);
    let record = dir.join("o/sweep.ron");
    let text_before = std::fs::read_to_string(&record).unwrap();
    let needle = format!("ludd_version: \"{VERSION}\"");
    assert!(text_before.contains(&needle), "{text_before}");
    std::fs::write(
        &record,
        text_before.replace(&needle, "ludd_version: \"0.0.1-old\""),
    )
    .unwrap();
    let message = refused(&["sweep", "grid.ron", "--out", "o", "--shard", "1/2"], &dir);
    for needle in ["0.0.1-old", VERSION, "sweep.ron"] {
        assert!(message.contains(needle), "names '{needle}':\n{message}");
    }
    assert_eq!(parts(&dir.join("o")).len(), 1, "no run was made");

    // A directory from before the record held the base and the version
    // (a bare sweep file as its record) is read, but not resumed.
    let sweep = std::fs::read_to_string(dir.join("grid.ron")).unwrap();
    std::fs::write(&record, &sweep).unwrap();
    let status = succeeds(&["sweep", "status", "o"], &dir);
    assert!(
        status.contains("1 complete") && status.contains("earlier ludd"),
        "{status}"
    );
    let message = refused(&["sweep", "grid.ron", "--out", "o"], &dir);
    assert!(
        message.contains("earlier ludd") && message.contains("new --out"),
        "{message}"
    );
    assert_eq!(parts(&dir.join("o")).len(), 1, "no run was made");
}

#[test]
fn a_directory_of_results_without_its_record_is_refused() {
    let dir = scratch("resume_no_record");
    write_sweep(&dir, "loom", "\"1.2\", \"1.5\"", 1);
    succeeds(&["sweep", "grid.ron", "--out", "o"], &dir);
    let before = parts(&dir.join("o"));
    std::fs::remove_file(dir.join("o/sweep.ron")).unwrap();
    // Neither the same design nor another may adopt the runs.
    for values in ["\"1.2\", \"1.5\"", "\"1.2\", \"1.5\", \"2.0\""] {
        write_sweep(&dir, "loom", values, 1);
        let message = refused(&["sweep", "grid.ron", "--out", "o"], &dir);
        assert!(
            message.contains("no sweep record") && message.contains("another --out"),
            "{message}"
        );
        assert!(!dir.join("o/sweep.ron").exists(), "no record is written");
        assert_eq!(parts(&dir.join("o")), before, "no run was made");
    }
    // Any other non-empty directory is refused the same way.
    std::fs::create_dir_all(dir.join("notes")).unwrap();
    std::fs::write(dir.join("notes/thesis.txt"), "mine").unwrap();
    let message = refused(&["sweep", "grid.ron", "--out", "notes"], &dir);
    assert!(message.contains("thesis.txt"), "{message}");
    assert!(!dir.join("notes/metrics").exists());
}

#[test]
fn a_design_grows_keeping_every_earlier_run_byte_for_byte() {
    let dir = scratch("resume_grow");
    write_sweep(&dir, "loom", "\"1.2\", \"1.5\"", 1);
    succeeds(&["sweep", "grid.ron", "--out", "o"], &dir);
    let first = parts(&dir.join("o"));
    let first_rows = sorted(read_metrics(&dir.join("o")).unwrap());
    assert_eq!(first.len(), 2);

    // Two more replicates: only the four new runs are made.
    write_sweep(&dir, "loom", "\"1.2\", \"1.5\"", 3);
    let out = succeeds(&["sweep", "grid.ron", "--out", "o"], &dir);
    assert!(out.contains("2 already complete, 4 done now"), "{out}");
    let second = parts(&dir.join("o"));
    assert_eq!(second.len(), 6);
    for (file, bytes) in &first {
        assert!(
            second[file] == *bytes,
            "{} kept byte for byte",
            file.display()
        );
    }
    assert_eq!(
        recorded(&dir.join("o")).sweep.replicates,
        3,
        "the record grew"
    );

    // A value more on an axis: only its three runs are made.
    write_sweep(&dir, "loom", "\"1.2\", \"2.0\", \"1.5\"", 3);
    let out = succeeds(&["sweep", "grid.ron", "--out", "o"], &dir);
    assert!(out.contains("6 already complete, 3 done now"), "{out}");
    let third = parts(&dir.join("o"));
    assert_eq!(third.len(), 9);
    for (file, bytes) in &second {
        assert!(
            third[file] == *bytes,
            "{} kept byte for byte",
            file.display()
        );
    }
    // The earlier rows, seeds included, read back the same.
    let rows = sorted(read_metrics(&dir.join("o")).unwrap());
    let kept = rows
        .lazy()
        .filter(
            col("replicate")
                .eq(lit(0i64))
                .and(col("behaviour.threshold_mean").neq(lit(2.0))),
        )
        .collect()
        .unwrap();
    assert!(kept.equals_missing(&first_rows), "earlier rows unchanged");
    let status = succeeds(&["sweep", "status", "o"], &dir);
    assert!(status.contains("9 runs expected, 9 complete"), "{status}");

    // Shrinking or changing the design is not growth: refused, nothing run.
    for (values, replicates, why) in [
        ("\"1.2\", \"2.0\", \"1.5\"", 2, "replicates"),
        ("\"1.2\", \"1.5\"", 3, "not in this design"),
        ("\"1.2\", \"2.0\", \"1.7\"", 3, "not in this design"),
    ] {
        write_sweep(&dir, "loom", values, replicates);
        let message = refused(&["sweep", "grid.ron", "--out", "o"], &dir);
        assert!(
            message.contains(why) && message.contains("only by growing"),
            "{values} x {replicates}: {message}"
        );
        assert_eq!(parts(&dir.join("o")), third, "nothing made or changed");
    }
}

#[test]
fn a_truncated_part_is_damaged_reported_and_made_again() {
    let dir = scratch("resume_truncated");
    write_sweep(&dir, "loom", "\"1.2\", \"1.5\"", 2);
    succeeds(&["sweep", "grid.ron", "--out", "o"], &dir);
    let whole = parts(&dir.join("o"));
    let reference = sorted(read_metrics(&dir.join("o")).unwrap());
    let mut files = whole.keys();
    let (cut, emptied) = (files.next().unwrap().clone(), files.next().unwrap().clone());
    std::fs::write(&cut, &whole[&cut][..whole[&cut].len() / 2]).unwrap();
    std::fs::write(&emptied, b"").unwrap();

    let status = succeeds(&["sweep", "status", "o"], &dir);
    assert!(
        status.contains("4 runs expected, 2 complete, 0 failed, 0 missing, 2 damaged"),
        "{status}"
    );
    assert_eq!(status.matches("damaged point=").count(), 2, "{status}");
    // The summary counts the same runs as complete: it refuses to read past
    // a damaged file, naming it.
    let message = refused(&["summarize", "o"], &dir);
    let relative = |p: &Path| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
    assert!(
        message.contains(&relative(&cut)) || message.contains(&relative(&emptied)),
        "names a damaged part file:\n{message}"
    );

    let out = ludd(&["sweep", "grid.ron", "--out", "o"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 already complete, 2 done now"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stderr).contains("2 run(s) whose part file did not read back whole"));
    assert_eq!(parts(&dir.join("o")), whole, "made again, byte for byte");
    assert!(sorted(read_metrics(&dir.join("o")).unwrap()).equals_missing(&reference));
    let status = succeeds(&["sweep", "status", "o"], &dir);
    assert!(
        status.contains("4 complete, 0 failed, 0 missing, 0 damaged"),
        "{status}"
    );
}

#[test]
fn a_duplicate_grid_axis_or_value_is_refused_before_any_run() {
    let dir = scratch("resume_duplicate");
    for (name, design, expect) in [
        (
            "axis",
            "Grid([\n        Axis(path: \"behaviour.threshold_mean\", values: [\"1.2\"]),\n        Axis(path: \"behaviour.threshold_mean\", values: [\"1.5\"]),\n    ])",
            ["design.1.path", "behaviour.threshold_mean"],
        ),
        (
            "value",
            "Grid([\n        Axis(path: \"behaviour.threshold_mean\", values: [\"1.2\", \"1.20\"]),\n    ])",
            ["design.0.values.1", "1.20"],
        ),
        (
            "range",
            "Sobol(points: 2, ranges: [\n        Range(path: \"behaviour.threshold_mean\", low: 1.0, high: 2.0),\n        Range(path: \"behaviour.threshold_mean\", low: 1.0, high: 2.0),\n    ])",
            ["design.ranges.1.path", "behaviour.threshold_mean"],
        ),
    ] {
        std::fs::write(
            dir.join(format!("{name}.ron")),
            format!(
                "Sweep(\n    name: \"{name}\",\n    base: \"loom\",\n    set: [\"end_year=1790\"],\n    design: {design},\n)\n"
            ),
        )
        .unwrap();
        let message = refused(&["sweep", &format!("{name}.ron"), "--out", name], &dir);
        for needle in expect {
            assert!(message.contains(needle), "{name}: names '{needle}':\n{message}");
        }
        assert!(!dir.join(name).exists(), "{name}: nothing ran, nothing written");
    }
}

#[test]
fn two_thousand_part_files_are_surveyed_without_exhausting_the_stack() {
    // Reading part files from rayon workers, while polars read in its own
    // pool, nested one read inside another on a worker's stack until a
    // thousand files overflowed it. The files here are written directly,
    // so no run is needed.
    let dir = scratch("resume_many_parts");
    let values: Vec<String> = (0..2000)
        .map(|i| format!("\"{}\"", 1.0 + i as f64 / 4000.0))
        .collect();
    let sweep_text = format!(
        "Sweep(\n    name: \"many\",\n    base: \"loom\",\n    design: Grid([Axis(path: \"behaviour.threshold_mean\", values: [{}])]),\n)\n",
        values.join(", ")
    );
    let file = dir.join("many.ron");
    std::fs::write(&file, &sweep_text).unwrap();
    let sweep = SweepFile::from_ron(&sweep_text, "many.ron").unwrap();
    let base = sweep.base_scenario(&file.to_string_lossy()).unwrap();
    let out = dir.join("o");
    std::fs::create_dir_all(&out).unwrap();
    ludd::analysis::sweep::adopt(&out, &sweep, &base).unwrap();
    // One row with a part file's columns; the check reads the columns'
    // names and the row count, so one file's bytes serve every point.
    let mut columns = vec![
        Column::new("seed".into(), vec![1u64]),
        Column::new("sweep".into(), vec!["many"]),
        Column::new("behaviour.threshold_mean".into(), vec![1.0f64]),
    ];
    for (name, _) in ludd::analysis::compare::METRICS {
        columns.push(Column::new(name.into(), vec![0.0f64]));
    }
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut DataFrame::new(columns).unwrap())
        .unwrap();
    for p in &sweep.points() {
        let path = ludd::analysis::sweep::metrics_file(&out, p, 0);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
    }
    let status = ludd::analysis::sweep::status(&out).unwrap();
    assert_eq!((status.expected, status.complete), (2000, 2000));
}

#[test]
fn growth_follows_the_documented_rules() {
    // docs/CLUSTER.md, "Growing a sweep": more grid values, more Sobol
    // points or Saltelli rows on the same ranges, more replicates; nothing
    // else. Checked on the designs alone (no run is made).
    let sweep = |design: &str, replicates: u32, seed: u32| {
        SweepFile::from_ron(
            &format!(
                "Sweep(name: \"s\", base: \"loom\", design: {design}, replicates: {replicates}, master_seed: {seed})"
            ),
            "s.ron",
        )
        .unwrap()
    };
    let ranges = |high: f64| {
        format!("[Range(path: \"behaviour.threshold_mean\", low: 1.0, high: {high}), Range(path: \"behaviour.contagion_local\", low: 0.5, high: 1.5)]")
    };
    let grid = |values: &str| {
        format!("Grid([Axis(path: \"behaviour.threshold_mean\", values: [{values}]), Axis(path: \"behaviour.contagion_local\", values: [\"1.0\"])])")
    };
    let sobol = |n: usize, high: f64| format!("Sobol(points: {n}, ranges: {})", ranges(high));
    let saltelli = |n: usize, high: f64| format!("Saltelli(base: {n}, ranges: {})", ranges(high));
    let lhs = |n: usize| format!("LatinHypercube(points: {n}, ranges: {})", ranges(2.0));
    let g = grid;
    let grows = [
        (g("\"1.2\""), 1, g("\"1.2\""), 1, (1, 1)),
        (g("\"1.2\""), 1, g("\"0.8\", \"1.2\""), 2, (1, 4)),
        (sobol(4, 2.0), 2, sobol(8, 2.0), 3, (8, 24)),
        (saltelli(2, 2.0), 1, saltelli(5, 2.0), 1, (8, 20)),
        (lhs(5), 1, lhs(5), 4, (5, 20)),
    ];
    for (old, r_old, new, r_new, runs) in grows {
        assert_eq!(
            growth(&sweep(&old, r_old, 1), &sweep(&new, r_new, 1)),
            Ok(runs),
            "{old} x {r_old} grows into {new} x {r_new}"
        );
    }
    let refused = [
        (
            g("\"1.2\", \"1.5\""),
            2,
            g("\"1.2\""),
            2,
            1,
            "not in this design",
        ),
        (g("\"1.2\""), 2, g("\"1.2\""), 1, 1, "replicates"),
        (g("\"1.2\""), 1, g("\"1.2\""), 1, 2, "master seed"),
        (sobol(4, 2.0), 1, sobol(8, 3.0), 1, 1, "other values"),
        (sobol(8, 2.0), 1, sobol(4, 2.0), 1, 1, "not in this design"),
        (saltelli(2, 2.0), 1, saltelli(2, 2.5), 1, 1, "other values"),
        (lhs(5), 1, lhs(6), 1, 1, "not in this design"),
        (sobol(4, 2.0), 1, g("\"1.2\""), 1, 1, "not in this design"),
    ];
    for (old, r_old, new, r_new, seed, why) in refused {
        let answer = growth(&sweep(&old, r_old, 1), &sweep(&new, r_new, seed));
        assert!(
            answer.as_ref().is_err_and(|e| e.contains(why)),
            "{old} x {r_old} into {new} x {r_new} (seed {seed}): {answer:?}"
        );
    }
}
