//! Inputs are never mixed: `summarize` and `report` on directories holding
//! runs of different scenarios, runs of one scenario with different
//! overrides, symbolic links, damaged tables and manifests. Runs are kept to
//! a few simulated years (`--set end_year=...`), so each takes a fraction of
//! a second.

use crate::command::{ludd, scratch, text};
use ludd::analysis::output::read_parquet;
use polars::prelude::*;
use std::path::Path;

/// A short run of the LLM scenario (2010 to `end`) into `out`.
fn run_llm(dir: &Path, out: &str, seed: &str, end: &str) {
    let end_year = format!("end_year={end}");
    let run = ludd(
        &[
            "run",
            "llm",
            "--set",
            &end_year,
            "--set",
            "projection_from=2015",
            "--seed",
            seed,
            "--out",
            out,
        ],
        dir,
    );
    assert!(run.status.success(), "run llm: {}", text(&run.stderr));
}

/// A short run of the PC scenario (1960 to 1964) into `out`.
fn run_pc(dir: &Path, out: &str) {
    let run = ludd(&["run", "pc", "--set", "end_year=1964", "--out", out], dir);
    assert!(run.status.success(), "run pc: {}", text(&run.stderr));
}

/// Runs `ludd args` expecting success, and returns its standard output.
fn ok(args: &[&str], dir: &Path) -> String {
    let out = ludd(args, dir);
    assert!(
        out.status.success(),
        "ludd {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs `ludd args` expecting a located failure: a non-zero exit, a message
/// naming `names`, and neither a panic nor a polars query plan.
fn fails_naming(args: &[&str], dir: &Path, names: &[&str]) -> String {
    let out = ludd(args, dir);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "ludd {args:?} succeeded: {err}");
    for name in names {
        assert!(err.contains(name), "ludd {args:?}: no {name} in: {err}");
    }
    for plan in [
        "panicked",
        "SCAN",
        "FILTER",
        "SELECT",
        "parquet scan",
        "with_columns",
        "group_by",
        "redistribution.parquet",
    ] {
        assert!(!err.contains(plan), "ludd {args:?}: {plan} in: {err}");
    }
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "ludd {args:?}: one line: {err}"
    );
    err
}

/// (scenario, setting, region, runs) of each row of a redistribution table.
fn rows(file: &Path) -> Vec<(String, String, String, u32)> {
    let df = read_parquet(file).expect("the table reads");
    let column = |name: &str| -> Vec<String> {
        df.column(name)
            .unwrap_or_else(|e| panic!("{}: {name}: {e}", file.display()))
            .str()
            .unwrap()
            .into_iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect()
    };
    let runs: Vec<u32> = df
        .column("runs")
        .unwrap()
        .u32()
        .unwrap()
        .into_iter()
        .map(|v| v.unwrap())
        .collect();
    let (scenario, setting, region) = (column("scenario"), column("setting"), column("region"));
    (0..df.height())
        .map(|i| {
            (
                scenario[i].clone(),
                setting[i].clone(),
                region[i].clone(),
                runs[i],
            )
        })
        .collect()
}

/// The years of one scenario's paths in `redistribution_paths.parquet`.
fn years_of(file: &Path, scenario: &str) -> (f64, f64) {
    let df = read_parquet(file).expect("the paths read");
    let names = df.column("scenario").unwrap().str().unwrap().clone();
    let years = df.column("year").unwrap().cast(&DataType::Float64).unwrap();
    let years = years.f64().unwrap();
    let mine: Vec<f64> = names
        .into_iter()
        .zip(years)
        .filter(|(n, _)| *n == Some(scenario))
        .filter_map(|(_, y)| y)
        .collect();
    assert!(!mine.is_empty(), "{scenario} has paths");
    mine.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
            (a.min(y), b.max(y))
        })
}

#[test]
fn runs_of_two_scenarios_are_summarized_and_reported_apart() {
    let dir = scratch("inputs_two_scenarios");
    // Two seeds of one LLM setting, a third LLM run with another end year
    // (another resolved scenario: a setting of its own), and a PC run.
    run_llm(&dir, "runs/llm-1", "1", "2016");
    run_llm(&dir, "runs/llm-2", "2", "2016");
    run_llm(&dir, "runs/llm-longer", "1", "2017");
    run_pc(&dir, "runs/pc-1");

    let out = ok(&["summarize", "runs"], &dir);
    assert!(
        out.contains("4 run(s) of 2 scenarios (llm, pc)"),
        "the scenarios are named: {out}"
    );
    assert!(out.contains("never averaged together"), "{out}");
    assert!(
        out.contains("=== scenario llm: 3 run(s) in 2 setting(s)"),
        "{out}"
    );
    assert!(
        out.contains("=== scenario pc: 1 run(s) in 1 setting(s)"),
        "{out}"
    );
    assert!(
        !out.contains("in 1 setting(s);"),
        "no single setting: {out}"
    );

    // Every row of the tables written belongs to one scenario and one
    // resolved scenario: the PC run is averaged with nothing, the two LLM
    // seeds with each other, the longer LLM run with nothing.
    let regions = rows(&dir.join("runs/redistribution_regions.parquet"));
    let usa: Vec<_> = regions.iter().filter(|r| r.2 == "usa").collect();
    assert_eq!(usa.len(), 3, "usa: a row per scenario and setting: {usa:?}");
    for (scenario, setting, _, runs) in &usa {
        let expected = match (scenario.as_str(), setting.as_str()) {
            ("pc", "run") => 1,
            ("llm", s) if s.contains("end_year=2016") => 2,
            ("llm", s) if s.contains("end_year=2017") => 1,
            other => panic!("unexpected row {other:?} in {usa:?}"),
        };
        assert_eq!(*runs, expected, "{scenario} {setting}: {usa:?}");
    }
    let groups = rows(&dir.join("runs/redistribution.parquet"));
    assert!(groups.iter().any(|r| r.0 == "pc") && groups.iter().any(|r| r.0 == "llm"));
    let paths = dir.join("runs/redistribution_paths.parquet");
    let (pc_from, pc_to) = years_of(&paths, "pc");
    let (llm_from, llm_to) = years_of(&paths, "llm");
    assert!(
        (1960.0..=1964.0).contains(&pc_from) && pc_to <= 1964.0,
        "pc: {pc_from}-{pc_to}"
    );
    assert!(
        llm_from >= 2010.0 && llm_to <= 2017.0,
        "llm: {llm_from}-{llm_to}"
    );

    let said = ok(&["report", "runs"], &dir);
    assert!(said.contains("report written"), "{said}");
    let html = std::fs::read_to_string(dir.join("runs/report.html")).unwrap();
    for needle in [
        "ludd report: 2 scenarios",
        "never averaged together",
        "<h2>scenario llm</h2>",
        "<h2>scenario pc</h2>",
        "id=\"scenario-0-chart-adoption\"",
        "id=\"scenario-1-chart-adoption\"",
        "3 run(s) in 2 setting(s)",
        "1 run(s) in 1 setting(s)",
    ] {
        assert!(html.contains(needle), "the report holds {needle}");
    }
    assert!(!html.contains("4 run(s) in"), "no section of all four runs");
}

#[test]
fn a_comparison_is_one_scenario_in_several_settings() {
    let dir = scratch("inputs_comparison");
    let cmp = ludd(
        &[
            "compare",
            "llm",
            "--vary",
            "regions.usa.institutions.relief_replacement=0.0,0.7",
            "--seeds",
            "2",
            "--set",
            "end_year=2016",
            "--set",
            "projection_from=2015",
            "--out",
            "cmp",
        ],
        &dir,
    );
    assert!(cmp.status.success(), "{}", text(&cmp.stderr));
    let out = ok(&["summarize", "cmp"], &dir);
    assert!(
        out.contains("4 run(s) in 2 setting(s) of scenario llm"),
        "{out}"
    );
    assert!(!out.contains("scenarios"), "one scenario: {out}");
    let regions = rows(&dir.join("cmp/redistribution_regions.parquet"));
    let usa: Vec<_> = regions.iter().filter(|r| r.2 == "usa").collect();
    assert_eq!(usa.len(), 2, "a row per setting: {usa:?}");
    assert!(usa.iter().all(|r| r.3 == 2), "two seeds each: {usa:?}");
    ok(&["report", "cmp"], &dir);
    let html = std::fs::read_to_string(dir.join("cmp/report.html")).unwrap();
    assert!(
        html.contains("id=\"chart-settings\""),
        "one line per setting"
    );
}

#[test]
fn symbolic_links_are_skipped_not_followed() {
    let dir = scratch("inputs_links");
    run_llm(&dir, "runs/run-3", "3", "2016");
    std::os::unix::fs::symlink("run-3", dir.join("runs/latest")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("runs/self")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/elsewhere", dir.join("runs/dangling")).unwrap();

    let out = ok(&["summarize", "runs"], &dir);
    assert!(
        out.contains("runs: 1 run(s) in 1 setting(s)"),
        "run-3 once: {out}"
    );
    assert!(
        out.contains("3 symbolic link(s) skipped") && out.contains("runs/latest"),
        "the links are named: {out}"
    );
    let regions = rows(&dir.join("runs/redistribution_regions.parquet"));
    assert!(regions.iter().all(|r| r.3 == 1), "one run: {regions:?}");

    ok(&["report", "runs"], &dir);
    let html = std::fs::read_to_string(dir.join("runs/report.html")).unwrap();
    assert!(html.contains("1 run(s) in 1 setting(s)"), "run-3 once");
    assert!(html.contains("3 symbolic link(s) skipped"), "links noted");

    // A link named on the command line is the user's choice, and is read.
    let out = ok(&["summarize", "runs/latest"], &dir);
    assert!(out.contains("1 run(s) in 1 setting(s)"), "{out}");

    // A directory of links alone has no runs, and says why.
    std::fs::create_dir(dir.join("only-links")).unwrap();
    std::os::unix::fs::symlink("../runs/run-3", dir.join("only-links/run")).unwrap();
    fails_naming(
        &["summarize", "only-links"],
        &dir,
        &[
            "only-links",
            "no run directories",
            "1 symbolic link(s) skipped",
        ],
    );
}

#[test]
fn a_damaged_table_is_named_in_one_line() {
    let dir = scratch("inputs_damaged");
    run_llm(&dir, "whole", "1", "2016");
    let copy = |name: &str| {
        let to = dir.join(name);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(dir.join("whole")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
        to
    };
    let series = std::fs::read(dir.join("whole/series.parquet")).unwrap();

    // Truncated, empty, and overwritten inside with its footer intact (the
    // damage is found only when the query reads the pages).
    let truncated = copy("truncated");
    std::fs::write(
        truncated.join("series.parquet"),
        &series[..series.len() / 2],
    )
    .unwrap();
    let empty = copy("empty");
    std::fs::write(empty.join("series.parquet"), b"").unwrap();
    let inside = copy("inside");
    let mut bytes = series.clone();
    let footer = 3_000.min(bytes.len() / 2);
    let end = bytes.len() - footer;
    bytes[100..end].fill(b'A');
    std::fs::write(inside.join("series.parquet"), &bytes).unwrap();
    let groups = copy("groups-empty");
    std::fs::write(groups.join("groups.parquet"), b"").unwrap();

    for (run, file) in [
        ("truncated", "series.parquet"),
        ("empty", "series.parquet"),
        ("inside", "series.parquet"),
        ("groups-empty", "groups.parquet"),
    ] {
        let named = format!("{run}/{file}");
        for command in ["summarize", "report"] {
            fails_naming(&[command, run], &dir, &[&named, "could not be read whole"]);
        }
    }
    // An empty or cut manifest is named the same way.
    let manifest = copy("manifest-empty");
    std::fs::write(manifest.join("manifest.json"), b"").unwrap();
    for command in ["summarize", "report"] {
        fails_naming(
            &[command, "manifest-empty"],
            &dir,
            &["manifest-empty/manifest.json", "could not be read whole"],
        );
    }
    // A run among others: the damaged one is named, and nothing is written.
    std::fs::create_dir(dir.join("several")).unwrap();
    std::fs::rename(dir.join("whole"), dir.join("several/whole")).unwrap();
    std::fs::rename(dir.join("empty"), dir.join("several/empty")).unwrap();
    fails_naming(
        &["summarize", "several"],
        &dir,
        &["several/empty/series.parquet"],
    );
    assert!(!dir.join("several/redistribution.parquet").exists());
}

#[test]
fn a_manifest_missing_what_the_report_needs_is_an_error() {
    let dir = scratch("inputs_manifest");
    run_llm(&dir, "whole", "1", "2016");
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let to = dir.join(name);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(dir.join("whole")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
        let path = to.join("manifest.json");
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut m);
        std::fs::write(&path, m.to_string()).unwrap();
    };
    edited("no-regions", &|m| {
        m["scenario"]["regions"] = serde_json::json!([])
    });
    edited("top-regions", &|m| m["regions"] = serde_json::json!([]));
    edited("no-scenario", &|m| {
        m.as_object_mut().unwrap().remove("scenario");
    });
    edited("no-name", &|m| {
        m.as_object_mut().unwrap().remove("scenario_name");
    });
    edited("backwards", &|m| {
        m["scenario"]["end_year"] = serde_json::json!(1900.0)
    });

    let out = ludd(&["report", "no-regions"], &dir);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("no-regions/manifest.json")
            && err.contains("regions: needs at least one region"),
        "{err}"
    );
    let out = ludd(&["report", "backwards"], &dir);
    let err = text(&out.stderr);
    assert!(!out.status.success() && !err.contains("panicked"), "{err}");
    assert!(
        err.contains("backwards/manifest.json") && err.contains("end_year"),
        "{err}"
    );

    // A top-level "regions" key is not read: the report stands.
    ok(&["report", "top-regions"], &dir);

    fails_naming(
        &["report", "no-scenario"],
        &dir,
        &["no-scenario/manifest.json", "'scenario' is missing"],
    );
    for command in ["summarize", "report"] {
        fails_naming(
            &[command, "no-name"],
            &dir,
            &["no-name/manifest.json", "'scenario_name' is missing"],
        );
    }
}

#[test]
fn absurd_values_in_a_table_are_charted_never_a_hang_or_a_panic() {
    let dir = scratch("inputs_absurd");
    run_llm(&dir, "run", "1", "2016");
    // Values no model reaches, far apart: a chart's range built from them
    // would not be finite, and plotters would loop for ever on its ticks.
    let path = dir.join("run/series.parquet");
    let mut df = read_parquet(&path).unwrap();
    let n = df.height();
    for column in [
        "labour_share",
        "protest_intensity",
        "craft_output_share",
        "output_per_worker",
    ] {
        let values: Vec<f64> = (0..n)
            .map(|i| if i < n / 2 { 1.5e308 } else { -1.5e308 })
            .collect();
        df.with_column(Column::new(column.into(), values)).unwrap();
    }
    // Years far outside the run, and NaN: the stage spans are drawn from them.
    let years: Vec<f64> = (0..n)
        .map(|i| match i % 3 {
            0 => 1e308,
            1 => f64::NAN,
            _ => 2012.0,
        })
        .collect();
    df.with_column(Column::new("year".into(), years)).unwrap();
    // The table keeps its run's provenance, so that it is still read as the
    // run's own (a table of another run is refused).
    let kept = ludd::analysis::files::provenance_of(&path).unwrap();
    let provenance = ludd::analysis::provenance::Provenance {
        scenario: kept["ludd.scenario"].clone(),
        scenario_hash: kept["ludd.scenario_hash"].clone(),
        seed: kept["ludd.seed"].clone(),
        version: kept["ludd.version"].clone(),
        overrides: Vec::new(),
    };
    ludd::analysis::files::write_parquet(&mut df, &path, &provenance).unwrap();

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args(["report", "run"])
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("report still drawing after 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.success(), "{err}");
}

#[test]
fn a_damaged_sweep_part_is_named_by_summarize_and_report() {
    let dir = scratch("inputs_sweep_part");
    std::fs::write(
        dir.join("s.ron"),
        "Sweep(\n    name: \"s\",\n    base: \"llm\",\n    set: [\"end_year=2016\", \"projection_from=2015\"],\n    design: Grid([\n        Axis(path: \"behaviour.threshold_mean\", values: [\"1.0\", \"2.0\"]),\n    ]),\n    replicates: 1,\n    master_seed: 3,\n)\n",
    )
    .unwrap();
    ok(&["sweep", "s.ron", "--out", "sweep"], &dir);
    ok(&["summarize", "sweep"], &dir);
    let parts = ludd::analysis::files::parquet_files(&dir.join("sweep/metrics"));
    assert_eq!(parts.len(), 2, "a part per run: {parts:?}");
    let bytes = std::fs::read(&parts[1]).unwrap();
    std::fs::write(&parts[1], &bytes[..bytes.len() / 2]).unwrap();
    let named = parts[1]
        .strip_prefix(&dir)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    // The sweep's own reading of its parts names the damaged run's file and
    // says it is not whole, as `sweep status` does.
    for command in ["summarize", "report"] {
        fails_naming(
            &[command, "sweep"],
            &dir,
            &[&named, "is not a whole parquet file"],
        );
    }
}
