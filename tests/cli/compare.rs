//! `ludd compare` end to end: settings crossed from --vary and from named
//! experiments, the printed table, compare.parquet, runs.parquet and every
//! run's tables; bad experiments and bad --vary fail with their location and
//! leave nothing behind.

use crate::command::{ludd, scratch, text};
use ludd::analysis::output::read_parquet;
use ludd::scenario::experiment::{self, BUILTIN_EXPERIMENTS};

#[test]
fn every_built_in_experiment_resolves_to_valid_settings() {
    for (name, _) in BUILTIN_EXPERIMENTS {
        let (e, source) = experiment::load(name).expect("loads");
        assert_eq!(&e.name, name, "an experiment's name matches its file");
        assert!(!e.question.is_empty(), "{name} states its question");
        assert!(e.seeds >= 20, "{name} runs at least 20 seeds per setting");
        let settings = e.resolve(&source).expect("every setting validates");
        assert!(settings.len() >= 2, "{name} compares at least two settings");
        // Each setting really differs from the others.
        for (i, a) in settings.iter().enumerate() {
            for b in &settings[i + 1..] {
                assert_ne!(
                    a.scenario, b.scenario,
                    "{name}: '{}' and '{}' are the same scenario",
                    a.label, b.label
                );
            }
        }
    }
}

#[test]
fn crossed_varies_give_every_combination_with_tables_for_every_run() {
    let dir = scratch("compare_vary");
    let out = ludd(
        &[
            "compare",
            "loom",
            "--vary",
            "regions.britain.institutions.relief_replacement=0.1,0.6",
            "--vary",
            "regions.britain.institutions.repression=0,0.8",
            "--seeds",
            "2",
            "--set",
            "end_year=1800",
            "--out",
            "cmp",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for needle in [
        "measure",
        "protest waves",
        "lifetime income change",
        "relief_replacement=0.6, regions.britain.institutions.repression=0.8",
    ] {
        assert!(
            stdout.contains(needle),
            "the table shows '{needle}':\n{stdout}"
        );
    }

    let summary = read_parquet(&dir.join("cmp/compare.parquet")).expect("compare.parquet");
    assert_eq!(
        summary.height(),
        4,
        "two values on each of two axes give four settings"
    );
    for (name, _) in ludd::analysis::compare::METRICS {
        for stat in ["mean", "p5", "p95"] {
            let column = format!("{name}_{stat}");
            assert!(
                summary.column(&column).is_ok(),
                "compare.parquet has {column}"
            );
        }
    }
    let runs = read_parquet(&dir.join("cmp/runs.parquet")).expect("runs.parquet");
    assert_eq!(runs.height(), 8, "four settings times two seeds");
    for axis in [
        "regions.britain.institutions.relief_replacement",
        "regions.britain.institutions.repression",
    ] {
        assert!(
            runs.column(axis).is_ok(),
            "runs.parquet has a column for the axis {axis}"
        );
    }
    // The per-setting mean is the mean of that setting's runs.
    let runs_protest = runs.column("protest_years").unwrap().f64().unwrap().clone();
    let first_two = (runs_protest.get(0).unwrap() + runs_protest.get(1).unwrap()) / 2.0;
    let mean = summary
        .column("protest_years_mean")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!(
        (mean - first_two).abs() < 1e-12,
        "{mean} against {first_two}"
    );

    let run_dirs: Vec<_> = std::fs::read_dir(dir.join("cmp/runs")).unwrap().collect();
    assert_eq!(run_dirs.len(), 4, "one directory per setting");
    for entry in run_dirs {
        for seed in ["seed-1", "seed-2"] {
            for file in ludd::analysis::output::RUN_FILES {
                let path = entry.as_ref().unwrap().path().join(seed).join(file);
                assert!(path.is_file(), "{} is written", path.display());
            }
        }
    }
    // The same run inside a comparison and alone gives the same tables.
    let alone = ludd(
        &[
            "run",
            "loom",
            "--seed",
            "2",
            "--set",
            "end_year=1800",
            "--set",
            "regions.britain.institutions.relief_replacement=0.1",
            "--set",
            "regions.britain.institutions.repression=0",
            "--out",
            "alone",
        ],
        &dir,
    );
    assert!(alone.status.success(), "{}", text(&alone.stderr));
    let a = read_parquet(&dir.join("alone/series.parquet")).unwrap();
    let inside = std::fs::read_dir(dir.join("cmp/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("00-"))
        .unwrap();
    let b = read_parquet(&inside.join("seed-2/series.parquet")).unwrap();
    assert!(
        a.equals_missing(&b),
        "a run inside a comparison equals the same run alone"
    );
}

#[test]
fn a_named_experiment_runs_with_its_settings() {
    let dir = scratch("compare_experiment");
    let out = ludd(
        &[
            "compare",
            "five_dollar_day",
            "--seeds",
            "2",
            "--set",
            "end_year=1920",
            "--out",
            "fdd",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("profit sharing"),
        "the question is printed:\n{stdout}"
    );
    assert!(
        stdout.contains("no_profit_sharing"),
        "settings are columns:\n{stdout}"
    );
    let summary = read_parquet(&dir.join("fdd/compare.parquet")).unwrap();
    assert_eq!(summary.height(), 2);
    assert!(dir.join("fdd/experiment.ron").is_file());
}

#[test]
fn bad_comparisons_fail_with_their_location_and_leave_nothing() {
    let dir = scratch("compare_bad");
    std::fs::write(
        dir.join("typo.ron"),
        "Experiment(\n    name: \"typo\",\n    question: \"?\",\n    base: \"loom\",\n    setings: [],\n)\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("badpath.ron"),
        "Experiment(\n    name: \"badpath\",\n    question: \"?\",\n    base: \"loom\",\n    settings: [\n        Setting(label: \"a\", set: [\"regions.britian.workers=10\"]),\n        Setting(label: \"b\", set: []),\n    ],\n)\n",
    )
    .unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["compare", "typo.ron", "--out", "o"],
            &["typo.ron:5:", "setings"],
        ),
        (
            &["compare", "badpath.ron", "--out", "o"],
            &["britian", "britain"],
        ),
        (&["compare", "loom", "--out", "o"], &["--vary"]),
        (
            &[
                "compare",
                "loom",
                "--vary",
                "regions.britain.institutions.relief_replacment=0.1,0.2",
                "--out",
                "o",
            ],
            &["relief_replacment", "did you mean 'relief_replacement'"],
        ),
        (
            &[
                "compare",
                "loom",
                "--vary",
                "regions.britain.institutions.relief_replacement=0.1,7",
                "--out",
                "o",
            ],
            &["relief_replacement", "[0, 1]", "found 7"],
        ),
        (
            &[
                "compare",
                "loom",
                "--vary",
                "regions.britain.workers",
                "--out",
                "o",
            ],
            &["path=v1,v2"],
        ),
        (
            &["compare", "nosuch", "--vary", "end_year=1800", "--out", "o"],
            &["nosuch"],
        ),
    ];
    for (args, expect) in cases {
        let out = ludd(args, &dir);
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail");
        for needle in *expect {
            assert!(
                err.contains(needle),
                "{args:?}: the error names '{needle}':\n{err}"
            );
        }
        assert!(!dir.join("o").exists(), "{args:?} leaves no output");
    }
    // An existing output directory is kept unless --force is given.
    std::fs::create_dir_all(dir.join("kept")).unwrap();
    std::fs::write(dir.join("kept/notes.txt"), "mine").unwrap();
    let out = ludd(
        &[
            "compare",
            "loom",
            "--vary",
            "end_year=1740,1750",
            "--seeds",
            "1",
            "--out",
            "kept",
        ],
        &dir,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.join("kept/notes.txt")).unwrap(),
        "mine"
    );
}
