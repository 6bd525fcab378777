//! Work bounded before it starts, and names every command can address:
//! thousands of threads are lowered with a message, a sweep design is
//! counted and sized before any point is made and checked point by point
//! without holding its points, every name is an identifier, and a number far
//! out of range is shown as written.

use crate::command::{ludd, ludd_with, refused, scratch, text};
use std::path::Path;

/// A grid sweep of the loom over two axes of `n` and `m` values; the last
/// value of the first axis is `last` (to plant invalid points, which the
/// grid, varying its last axis fastest, makes last).
fn grid(dir: &Path, file: &str, n: usize, m: usize, last: &str) {
    let mut first: Vec<String> = (0..n)
        .map(|i| format!("\"{}\"", i as f64 / n as f64 * 0.9))
        .collect();
    if let Some(end) = first.last_mut() {
        *end = format!("\"{last}\"");
    }
    let second: Vec<String> = (0..m)
        .map(|i| format!("\"{}\"", 0.5 + i as f64 * 1e-4))
        .collect();
    let text = format!(
        "Sweep(name: \"big\", base: \"loom\", set: [\"end_year=1731\"], design: Grid([\
         Axis(path: \"regions.britain.institutions.relief_replacement\", values: [{}]), \
         Axis(path: \"behaviour.threshold_mean\", values: [{}])]))",
        first.join(","),
        second.join(",")
    );
    std::fs::write(dir.join(file), text).unwrap();
}

#[test]
fn thousands_of_threads_are_lowered_with_a_message_and_change_no_table() {
    let dir = scratch("bounds-threads");
    let run = |threads: &str, out: &str| {
        let o = ludd(
            &[
                "run",
                "loom",
                "--set",
                "end_year=1735",
                "--threads",
                threads,
                "--out",
                out,
            ],
            &dir,
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stderr)
    };
    let many = run("3000", "many");
    assert!(
        many.contains("--threads 3000 is more than 8 per core") && many.contains("; using "),
        "the lowered count is said: {many}"
    );
    let one = run("1", "one");
    assert!(
        !one.contains("per core"),
        "one thread is not lowered: {one}"
    );
    for table in ["series.parquet", "groups.parquet", "technologies.parquet"] {
        let a = std::fs::read(dir.join("many").join(table)).unwrap();
        let b = std::fs::read(dir.join("one").join(table)).unwrap();
        assert!(
            a == b,
            "{table} is the same on 1 thread and on the lowered count"
        );
    }
}

#[test]
fn a_design_too_large_for_the_memory_is_refused_before_its_points_are_made() {
    let dir = scratch("bounds-design-size");
    // Nine million points: under the limit on runs, but gigabytes of
    // bookkeeping, refused by its size before any point is made.
    grid(&dir, "big.ron", 3000, 3000, "0.95");
    let out = ludd_with(
        &["sweep", "big.ron", "--out", "s"],
        &dir,
        &[("LUDD_MEMORY_LIMIT", "200M")],
    );
    let err = refused(&out, "a nine-million-point grid on 200 MiB");
    assert!(
        err.contains("the design's 9000000 points and their runs") && err.contains("GiB"),
        "the refusal names the design and its size: {err}"
    );
    assert!(!dir.join("s").exists(), "no directory is made");
}

#[test]
fn every_point_of_a_large_design_is_checked_before_the_first_run() {
    let dir = scratch("bounds-design-check");
    // 30,000 points, the last hundred of them invalid (relief_replacement
    // lies in [0, 1]): found, though the points are checked a block at a
    // time and the first blocks hold no problem.
    grid(&dir, "bad.ron", 300, 100, "2");
    let out = ludd(&["sweep", "bad.ron", "--out", "s"], &dir);
    let err = refused(&out, "a grid with an invalid last point");
    assert!(
        err.contains("checking the design's 30000 points before the first run"),
        "a long check is announced: {err}"
    );
    assert!(
        err.contains("institutions.relief_replacement") && err.contains("found 2"),
        "the invalid points are named: {err}"
    );
    assert_eq!(
        err.matches("[point ").count(),
        20,
        "the first twenty of the hundred invalid points: {err}"
    );
    assert!(!dir.join("s").exists(), "no directory is made");
}

#[test]
fn every_name_is_an_identifier_that_set_can_address() {
    let dir = scratch("bounds-names");
    let bad = [
        "a.b",
        "x=y",
        "a\"><img src=x onerror=alert(1)>",
        "1st",
        "north-west",
        "",
    ];
    for (field, path) in [
        ("regions.britain.name", "regions.0.name"),
        ("technologies.power_loom.name", "technologies."),
        ("industry.tasks.weaving.name", "industry.tasks."),
    ] {
        for name in bad {
            let set = format!("{field}={name}");
            let out = ludd(&["check", "loom", "--set", &set], &dir);
            let err = refused(&out, &set);
            assert!(
                err.contains(path)
                    && (err.contains("letters, digits and underscores")
                        || err.contains("must begin with a letter")
                        || err.contains("must not be empty")),
                "{set}: the name's problem is given with its field: {err}"
            );
        }
    }
    // A trailing space (which `--set` would trim) in a scenario file, the
    // name renamed everywhere it is used.
    let shown = ludd(&["show", "loom"], &dir);
    assert!(shown.status.success());
    let spaced = text(&shown.stdout).replace("\"britain\"", "\"britain \"");
    std::fs::write(dir.join("spaced.ron"), spaced).unwrap();
    let err = refused(
        &ludd(&["check", "spaced.ron"], &dir),
        "a region named 'britain '",
    );
    assert!(
        err.contains("regions.0.name") && err.contains("\"britain \" may hold only"),
        "the name with a space is refused: {err}"
    );
    // A name that is an identifier is addressable by --set.
    let ok = ludd(
        &[
            "check",
            "loom",
            "--set",
            "regions.india.name=south_asia",
            "--set",
            "regions.south_asia.workers=900",
            "--set",
            "routes.*.transport_cost=0.2",
        ],
        &dir,
    );
    let err = text(&ok.stderr);
    assert!(
        !err.contains("letters, digits and underscores"),
        "an identifier passes the names rule: {err}"
    );
    // A comparison of a scenario file is named after the file, which need
    // not be an identifier: it runs, and --force replaces what it wrote.
    let study = text(&ludd(&["show", "loom"], &dir).stdout);
    std::fs::write(dir.join("my-study.ron"), study).unwrap();
    for _ in 0..2 {
        let out = ludd(
            &[
                "compare",
                "my-study.ron",
                "--vary",
                "end_year=1732,1733",
                "--seeds",
                "1",
                "--out",
                "study",
                "--force",
            ],
            &dir,
        );
        assert!(
            out.status.success(),
            "a comparison of my-study.ron, made and replaced: {}",
            text(&out.stderr)
        );
    }
    // An experiment's name follows the same rule.
    std::fs::write(
        dir.join("exp.ron"),
        "Experiment(name: \"my study\", question: \"?\", base: \"loom\", \
         vary: [Vary(path: \"end_year\", values: [\"1740\", \"1745\"])])",
    )
    .unwrap();
    let out = ludd(&["compare", "exp.ron", "--out", "c"], &dir);
    let err = refused(&out, "an experiment named with a space");
    assert!(
        err.contains("name") && err.contains("\"my study\""),
        "the experiment's name is refused: {err}"
    );
}

#[test]
fn a_number_far_out_of_range_is_shown_as_written() {
    let dir = scratch("bounds-numbers");
    let out = ludd(
        &[
            "check",
            "loom",
            "--set",
            "regions.britain.institutions.relief_replacement=1e308",
        ],
        &dir,
    );
    let err = refused(&out, "relief at 1e308");
    assert!(err.contains("found 1e308"), "shown as written: {err}");
    assert!(
        !err.contains("0000000000"),
        "never hundreds of digits: {err}"
    );
}
