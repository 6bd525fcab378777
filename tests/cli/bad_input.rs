//! Bad input: each kind gives a clear error that says where and what, the
//! process exits non-zero, and no output directory is left behind.

use crate::command::{ludd, scratch, text};

/// A scenario file made by editing the built-in loom text.
struct FileCase {
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    /// Every one of these must appear in the error message.
    expect: &'static [&'static str],
}

const FILE_CASES: &[FileCase] = &[
    FileCase {
        name: "syntax error",
        edits: &[("    steps_per_year: 4,", "    steps_per_year: 4,,")],
        expect: &["bad.ron:11:"],
    },
    FileCase {
        name: "unknown field",
        edits: &[(
            "    steps_per_year: 4,",
            "    steps_per_year: 4,\n    step_length: 2,",
        )],
        expect: &["bad.ron:12:", "step_length"],
    },
    FileCase {
        name: "wrong type",
        edits: &[("    steps_per_year: 4,", "    steps_per_year: \"four\",")],
        expect: &["bad.ron:11:"],
    },
    FileCase {
        name: "every semantic problem at once",
        edits: &[
            ("            firms: 40,", "            firms: 0,"),
            (
                "            industry_employment: 0.04,\n            firms: 0,",
                "            industry_employment: 1.5,\n            firms: 0,",
            ),
            ("    end_year: 1900.0,", "    end_year: 1700.0,"),
            (
                "Route(from: \"britain\", to: \"usa\"",
                "Route(from: \"britain\", to: \"atlantis\"",
            ),
            (
                "name: \"water_frame\", kind: Special, tasks: [\"spinning\"]",
                "name: \"water_frame\", kind: Special, tasks: [\"carding\"]",
            ),
            (
                "field: \"union_strength\", value: 0.0,",
                "field: \"union_strenght\", value: 0.0,",
            ),
            (
                "        materials_share: 0.3,\n",
                "        materials_share: 0.3,\n        hired_task: Some(\"carding\"),\n",
            ),
        ],
        expect: &[
            "7 problem(s)",
            "industry.hired_task: names no task of the industry: \"carding\"",
            "regions.britain.firms",
            "regions.britain.industry_employment",
            "end_year: must come after start_year",
            "routes.4.to: unknown region 'atlantis'",
            "technologies.water_frame.tasks: unknown task 'carding'",
            "policies.4.field: unknown institution 'union_strenght'",
        ],
    },
    FileCase {
        name: "embargoes aimed amiss",
        edits: &[
            (
                "note: \"machinery export ban (14 Geo. III c. 71)\")",
                "note: \"machinery export ban (14 Geo. III c. 71)\", toward: Some(\"britain\"))",
            ),
            (
                "note: \"Speenhamland system\")",
                "note: \"Speenhamland system\", toward: Some(\"usa\"))",
            ),
            (
                "note: \"machinery export ban repealed\")",
                "note: \"machinery export ban repealed\", toward: \"atlantis\")",
            ),
        ],
        expect: &[
            "3 problem(s)",
            "policies.1.toward: britain cannot embargo itself",
            "policies.3.toward: only an export_embargo can be aimed at one region, not relief_replacement",
            "policies.21.toward: unknown region 'atlantis'",
        ],
    },
];

fn loom_text() -> String {
    ludd::scenario::read_source("loom").unwrap().0
}

#[test]
fn bad_scenario_files_are_refused_with_their_location() {
    for case in FILE_CASES {
        let dir = scratch(&format!("bad-{}", case.name.replace(' ', "-")));
        let mut text = loom_text();
        for (from, to) in case.edits {
            assert!(
                text.contains(from),
                "{}: the edit target '{from}' is in loom.ron",
                case.name
            );
            text = text.replacen(from, to, 1);
        }
        std::fs::write(dir.join("bad.ron"), text).unwrap();
        for command in [
            &["check", "bad.ron"][..],
            &["run", "bad.ron", "--out", "out"][..],
        ] {
            let out = ludd(command, &dir);
            let err = text_of(&out.stderr);
            assert!(
                !out.status.success(),
                "{}: {command:?} must fail",
                case.name
            );
            for want in case.expect {
                assert!(
                    err.contains(want),
                    "{}: error lacks '{want}':\n{err}",
                    case.name
                );
            }
            assert!(
                !dir.join("out").exists(),
                "{}: no output directory may be left",
                case.name
            );
        }
    }
}

fn text_of(bytes: &[u8]) -> String {
    text(bytes)
}

/// Overrides on the command line: (assignment, expected fragments).
const SET_CASES: &[(&str, &[&str])] = &[
    (
        "regions.britain.institutions.relief_replacemnt=0.5",
        &[
            "relief_replacemnt",
            "valid fields",
            "did you mean 'relief_replacement'",
        ],
    ),
    (
        "regions.narnia.workers=10",
        &["no element 'narnia'", "britain, usa, india, continent"],
    ),
    (
        "regions.britain.workers=many",
        &["expects a number, found a string"],
    ),
    (
        "regions.britain.institutions.relief_replacement=1.7",
        &["regions.britain.institutions.relief_replacement", "[0, 1]"],
    ),
    ("start_year", &["expected path=value"]),
];

#[test]
fn bad_overrides_are_refused_with_the_valid_choices() {
    for (assignment, expect) in SET_CASES {
        let dir = scratch("bad-set");
        let out = ludd(&["run", "loom", "--set", assignment, "--out", "out"], &dir);
        let err = text(&out.stderr);
        assert!(!out.status.success(), "--set {assignment} must fail");
        for want in *expect {
            assert!(
                err.contains(want),
                "--set {assignment}: error lacks '{want}':\n{err}"
            );
        }
        assert!(!dir.join("out").exists());
    }
}

#[test]
fn a_scenario_too_large_for_the_memory_is_refused_with_the_estimate() {
    let dir = scratch("too-large");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args([
            "run",
            "llm",
            "--set",
            "regions.*.workers=20000000",
            "--out",
            "out",
        ])
        .env("LUDD_MEMORY_LIMIT", "2G")
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("would need about")
            && err.contains("GiB of memory")
            && err.contains("2.0 GiB are available"),
        "{err}"
    );
    assert!(!dir.join("out").exists());
    // The estimate follows what runs measure (docs/PERFORMANCE.md: 60-72
    // bytes per worker, plus the tables).
    let llm = ludd::scenario::load("llm", &[]).unwrap().scenario;
    let big = ludd::model::run::scaled(&llm, 10_000_000);
    let per_worker = big.memory_estimate() as f64 / 10_000_000.0;
    assert!(
        (60.0..=120.0).contains(&per_worker),
        "{per_worker} bytes per worker"
    );
}

#[test]
fn an_unknown_scenario_names_the_built_in_ones() {
    let dir = scratch("unknown-scenario");
    let out = ludd(&["run", "lom", "--out", "out"], &dir);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("unknown scenario 'lom'") && err.contains("loom"),
        "{err}"
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn an_existing_output_directory_is_kept_unless_forced() {
    let dir = scratch("existing-output");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("out/notes.txt"), "mine").unwrap();
    let out = ludd(&["run", "loom", "--out", "out"], &dir);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out/notes.txt")).unwrap(),
        "mine"
    );
}
