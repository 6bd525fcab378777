//! Sizes are checked, not trusted, and messages say what is wrong: seed
//! counts beyond the documented maximum, a malformed or small
//! `LUDD_MEMORY_LIMIT`, `bench` scaled past the memory, a calibration range
//! outside the parameter's, `--markdown` onto a file that is not ludd's,
//! standard output on a full device, and the `--set`, byte-order-mark and
//! `bench --workers 0` messages.

use crate::command::{ludd, ludd_with, refused, scratch, text};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Everything in `dir`, hidden entries (staging directories) included.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const MAX_SEEDS: &str = "18446744073709551615";

#[test]
fn seed_counts_beyond_the_maximum_are_refused_before_any_run() {
    let dir = scratch("limits-seeds");
    let cases: [&[&str]; 3] = [
        &["validate", "loom", "--seeds", MAX_SEEDS, "--out", "v"],
        &[
            "compare",
            "loom",
            "--vary",
            "end_year=1740",
            "--seeds",
            MAX_SEEDS,
            "--out",
            "c",
        ],
        &[
            "calibrate",
            "loom",
            "--param",
            "behaviour.threshold_mean=1.2..1.5",
            "--budget",
            "3",
            "--seeds",
            MAX_SEEDS,
        ],
    ];
    for args in cases {
        let err = refused(&ludd(args, &dir), args[0]);
        assert!(
            err.contains(MAX_SEEDS) && err.contains("1000000"),
            "{}: the message names the count and the maximum:\n{err}",
            args[0]
        );
        assert!(
            entries(&dir).is_empty(),
            "{}: nothing left behind, staging included: {:?}",
            args[0],
            entries(&dir)
        );
    }
    // Just past the maximum is refused as well: the limit, not an overflow.
    let err = refused(
        &ludd(&["validate", "loom", "--seeds", "1000001"], &dir),
        "validate --seeds 1000001",
    );
    assert!(err.contains("1000000"), "{err}");
}

#[test]
fn a_malformed_memory_limit_is_named_with_the_accepted_forms() {
    let dir = scratch("limits-memory-variable");
    for value in ["garbage", "-5", "99999999999999999999G", "", "12X", "0"] {
        let out = ludd_with(&["check", "loom"], &dir, &[("LUDD_MEMORY_LIMIT", value)]);
        let err = refused(&out, &format!("LUDD_MEMORY_LIMIT={value:?}"));
        assert!(
            err.contains(&format!("LUDD_MEMORY_LIMIT=\"{value}\""))
                && err.contains("K, M or G suffix"),
            "{value:?}: the variable, its value and the accepted forms:\n{err}"
        );
    }
    for value in ["8G", "8192m", " 8589934592 "] {
        let out = ludd_with(&["check", "loom"], &dir, &[("LUDD_MEMORY_LIMIT", value)]);
        assert!(out.status.success(), "{value:?}: {}", text(&out.stderr));
    }
    // A small limit is shown in a unit that says how small.
    let out = ludd_with(&["check", "loom"], &dir, &[("LUDD_MEMORY_LIMIT", "1M")]);
    let err = refused(&out, "LUDD_MEMORY_LIMIT=1M");
    assert!(
        err.contains("1.0 MiB are available") && err.contains("MiB of memory"),
        "{err}"
    );
    assert!(!err.contains("0.0 GiB"), "{err}");
    assert_eq!(ludd::error::size_text(512), "512 bytes");
    assert_eq!(ludd::error::size_text(3 << 29), "1.5 GiB");
}

#[test]
fn bench_checks_memory_after_scaling_and_lists_problems() {
    let dir = scratch("limits-bench");
    let limit = [("LUDD_MEMORY_LIMIT", "100M")];
    let small = ludd_with(
        &["bench", "llm", "--workers", "1000", "--steps", "1"],
        &dir,
        &limit,
    );
    assert!(
        small.status.success(),
        "the scenario itself fits: {}",
        text(&small.stderr)
    );
    let big = ludd_with(&["bench", "llm", "--workers", "3000000"], &dir, &limit);
    let err = refused(&big, "bench --workers 3000000 under 100M");
    assert!(
        err.contains("scaled to 3000000 workers") && err.contains("100.0 MiB are available"),
        "{err}"
    );
    assert!(big.stdout.is_empty(), "refused before it runs");

    let zero = ludd(&["bench", "loom", "--workers", "0"], &dir);
    let err = refused(&zero, "bench --workers 0");
    assert!(
        !err.contains("Problem {") && err.contains("scaled to 0 workers"),
        "problems listed as validation lists them:\n{err}"
    );
    assert!(err.contains("  - people_per_agent:"), "{err}");
}

#[test]
fn a_calibration_range_outside_the_parameter_is_refused_before_any_run() {
    let dir = scratch("limits-calibrate-range");
    let out = ludd(
        &[
            "calibrate",
            "llm",
            "--param",
            "regions.usa.institutions.relief_replacement=-1..3",
            "--budget",
            "3",
            "--seeds",
            "1",
        ],
        &dir,
    );
    let err = refused(&out, "an out-of-range --param");
    assert!(
        err.contains("--param regions.usa.institutions.relief_replacement=-1..3")
            && err.contains("must lie in [0, 1]"),
        "names the option and the allowed range:\n{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "no best value is reported:\n{}",
        text(&out.stdout)
    );
    // Parse errors and unknown paths name --param too, never --set.
    for param in ["a=1", "technologies.power_lom.productivity=1..2"] {
        let out = ludd(
            &[
                "calibrate",
                "loom",
                "--param",
                param,
                "--budget",
                "3",
                "--seeds",
                "1",
            ],
            &dir,
        );
        let err = refused(&out, param);
        assert!(
            err.contains(&format!("--param {param}")) && !err.contains("--set"),
            "{err}"
        );
    }
}

#[test]
fn markdown_replaces_only_its_block_and_refuses_other_files() {
    let dir = scratch("limits-markdown");
    let validate = |file: &str| {
        ludd(
            &[
                "validate",
                "loom",
                "--seeds",
                "1",
                "--out",
                "v",
                "--markdown",
                file,
            ],
            &dir,
        )
    };
    let plain = "# Notes\n\nNo table here.\n";
    std::fs::write(dir.join("plain.md"), plain).unwrap();
    let binary: Vec<u8> = (0..=255u8).collect();
    std::fs::write(dir.join("binary.md"), &binary).unwrap();
    for (file, why) in [
        ("plain.md", "no validation table markers"),
        ("binary.md", "not a text file"),
    ] {
        let out = validate(file);
        let err = refused(&out, file);
        assert!(err.contains(file) && err.contains(why), "{err}");
        assert!(
            !err.contains("runs for"),
            "{file}: refused before the runs:\n{err}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("plain.md")).unwrap(),
        plain
    );
    assert_eq!(std::fs::read(dir.join("binary.md")).unwrap(), binary);
    assert!(
        !dir.join("v").exists(),
        "nothing written by a refused command"
    );

    let marked = "# Results\n\nabove\n<!-- validation table: start -->\nold table\n<!-- validation table: end -->\nbelow\n";
    std::fs::write(dir.join("marked.md"), marked).unwrap();
    let out = validate("marked.md");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let now = std::fs::read_to_string(dir.join("marked.md")).unwrap();
    assert!(
        now.starts_with("# Results\n\nabove\n<!-- validation table: start -->\n"),
        "{now}"
    );
    assert!(
        now.ends_with("<!-- validation table: end -->\nbelow\n"),
        "{now}"
    );
    assert!(
        !now.contains("old table") && now.contains("| L1 |"),
        "{now}"
    );

    let out = validate("new.md");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let new = std::fs::read_to_string(dir.join("new.md")).unwrap();
    assert!(new.starts_with("<!-- validation table: start -->") && new.contains("| L7 |"));
}

/// Runs `ludd` with standard output on /dev/full.
fn to_full(args: &[&str], dir: &Path) -> Output {
    let full = std::fs::File::create("/dev/full").expect("/dev/full opens");
    Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .expect("the ludd binary starts")
}

#[test]
fn standard_output_on_a_full_device_is_an_error_not_a_panic() {
    let dir = scratch("limits-dev-full");
    let made = ludd(
        &["run", "loom", "--set", "end_year=1740", "--out", "r"],
        &dir,
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    std::fs::write(
        dir.join("s.ron"),
        "Sweep(\n    name: \"s\",\n    base: \"loom\",\n    set: [\"end_year=1740\"],\n    design: Grid([Axis(path: \"behaviour.threshold_mean\", values: [\"1.2\"])]),\n    replicates: 1,\n    master_seed: 3,\n)\n",
    )
    .unwrap();
    let swept = ludd(&["sweep", "s.ron", "--out", "sw"], &dir);
    assert!(swept.status.success(), "{}", text(&swept.stderr));
    let cases: [&[&str]; 6] = [
        &["list"],
        &["show", "loom"],
        &["check", "loom"],
        &["run", "loom", "--set", "end_year=1740", "--out", "r2"],
        &["summarize", "r"],
        &["sweep", "status", "sw"],
    ];
    for args in cases {
        let out = to_full(args, &dir);
        let err = refused(&out, &args.join(" "));
        assert!(
            err.contains("writing to standard output"),
            "{}: {err}",
            args.join(" ")
        );
    }
}

#[test]
fn override_and_file_messages_say_what_is_wrong() {
    let dir = scratch("limits-messages");
    for value in ["NaN", "inf", "-infinity"] {
        let out = ludd(
            &[
                "check",
                "loom",
                "--set",
                &format!("people_per_agent={value}"),
            ],
            &dir,
        );
        let err = refused(&out, value);
        assert!(
            err.contains("NaN and infinities are not allowed") && !err.contains("found a string"),
            "{value}: {err}"
        );
    }
    // null removes an optional part, and only an optional one.
    let out = ludd(&["check", "llm", "--set", "projection_from=null"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = refused(
        &ludd(&["check", "loom", "--set", "start_year=null"], &dir),
        "start_year=null",
    );
    assert!(
        err.contains("--set start_year") && err.contains("required"),
        "{err}"
    );

    // A scenario file that starts with a UTF-8 byte-order mark reads as without it.
    let shown = ludd(&["show", "loom"], &dir);
    assert!(shown.status.success());
    let mut file = "\u{feff}".as_bytes().to_vec();
    file.extend_from_slice(&shown.stdout);
    std::fs::write(dir.join("bom.ron"), file).unwrap();
    let out = ludd(&["check", "bom.ron"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
