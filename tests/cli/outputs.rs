//! The loom scenario runs from the command line and writes every table with
//! the schema documented in docs/OUTPUTS.md; the tables read back through
//! polars and hold no NaN or infinity.

use crate::command::{ludd, scratch, text};
use crate::common::loom;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

use ludd::model::observe::GROUPS;

/// Documented columns per parquet file: name -> (type, nullable).
fn documented_schema() -> BTreeMap<String, Vec<(String, String, bool, String)>> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/OUTPUTS.md"))
            .expect("docs/OUTPUTS.md exists");
    let mut tables: BTreeMap<String, Vec<(String, String, bool, String)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            current = title.ends_with(".parquet").then(|| title.to_string());
            continue;
        }
        let Some(file) = &current else { continue };
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || cells[1] == "column" || cells[1].starts_with("---") {
            continue;
        }
        let nullable = cells[2].ends_with("(null)");
        let dtype = cells[2].trim_end_matches("(null)").trim().to_string();
        let name = cells[1].replace('`', "");
        let names: Vec<String> = if name.contains("<group>") {
            GROUPS.iter().map(|g| name.replace("<group>", g)).collect()
        } else {
            vec![name]
        };
        for n in names {
            tables.entry(file.clone()).or_default().push((
                n,
                dtype.clone(),
                nullable,
                cells[3].to_string(),
            ));
        }
    }
    tables
}

fn dtype_name(dt: &DataType) -> String {
    match dt {
        DataType::UInt32 => "u32".into(),
        DataType::Float64 => "f64".into(),
        DataType::String => "str".into(),
        DataType::Boolean => "bool".into(),
        other => format!("{other}"),
    }
}

#[test]
fn loom_run_writes_every_documented_table() {
    let dir = scratch("outputs");
    let out = ludd(&["run", "loom", "--seed", "3", "--out", "run"], &dir);
    assert!(
        out.status.success(),
        "ludd run failed:\n{}",
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    for word in [
        "britain",
        "usa",
        "india",
        "continent",
        "agent-steps/s",
        "stage2",
    ] {
        assert!(stdout.contains(word), "summary lacks '{word}':\n{stdout}");
    }
    let run = dir.join("run");
    for file in ludd::analysis::output::RUN_FILES {
        assert!(run.join(file).is_file(), "{file} missing");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "only the run directory may remain: {leftovers:?}"
    );

    let schema = documented_schema();
    assert_eq!(schema.len(), 6, "OUTPUTS.md documents six parquet files");
    let scenario = loom();
    let regions = scenario.regions.len();
    let steps = scenario.steps();
    for (file, columns) in &schema {
        let df = ludd::analysis::output::read_parquet(&run.join(file)).expect("table reads back");
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let documented: Vec<&String> = columns.iter().map(|c| &c.0).collect();
        for (name, _, _, unit) in columns.iter().filter(|c| c.3 == "share") {
            let values = df.column(name).unwrap().f64().unwrap().clone();
            let outside = values
                .into_iter()
                .flatten()
                .filter(|v| !(0.0..=1.0).contains(v))
                .count();
            assert_eq!(
                outside, 0,
                "{file}: {name} is a {unit} and must lie in [0, 1]"
            );
        }
        for n in &names {
            assert!(
                documented.contains(&n),
                "{file}: column {n} is not documented"
            );
        }
        for (name, dtype, nullable, _) in columns {
            let column = df
                .column(name)
                .unwrap_or_else(|_| panic!("{file}: column {name} missing"));
            assert_eq!(
                &dtype_name(column.dtype()),
                dtype,
                "{file}: {name} has the documented type"
            );
            if !nullable {
                assert_eq!(column.null_count(), 0, "{file}: {name} must not hold nulls");
            }
            if column.dtype() == &DataType::Float64 {
                let values = column.f64().unwrap();
                let bad = values
                    .into_iter()
                    .flatten()
                    .filter(|v| !v.is_finite())
                    .count();
                assert_eq!(bad, 0, "{file}: {name} holds NaN or infinity");
            }
        }
        let expected_rows = match file.as_str() {
            "series.parquet" => Some(steps * (regions + 1)),
            "groups.parquet" => Some(steps * (regions + 1) * GROUPS.len()),
            "technologies.parquet" => Some(steps * regions * scenario.technologies.len()),
            "summary.parquet" => Some(regions),
            _ => None,
        };
        if let Some(rows) = expected_rows {
            assert_eq!(df.height(), rows, "{file}: row count");
        }
    }

    // Shares are shares.
    let series = ludd::analysis::output::read_parquet(&run.join("series.parquet")).unwrap();
    for name in [
        "craft_output_share",
        "special_output_share",
        "general_output_share",
        "unemployment_rate",
        "labour_share",
        "gini_income",
        "protest_intensity",
    ] {
        let c = series.column(name).unwrap().f64().unwrap();
        assert!(
            c.into_iter()
                .flatten()
                .all(|v| (0.0..=1.0 + 1e-9).contains(&v)),
            "{name} outside [0, 1]"
        );
    }

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["scenario_name"], "loom");
    assert_eq!(manifest["seed"], 3);
    assert!(manifest["wall_seconds"].as_f64().unwrap() > 0.0);
    assert!(manifest["scenario"]["regions"].as_array().unwrap().len() == regions);
}

#[test]
fn list_show_and_check_describe_the_built_in_scenarios() {
    let dir = scratch("list-show-check");
    let list = ludd(&["list"], &dir);
    assert!(list.status.success());
    assert!(text(&list.stdout).contains("loom"));

    // `show` prints a scenario that parses back to the built-in one, and a
    // copy edited on disk can be checked and run.
    let show = ludd(&["show", "loom"], &dir);
    assert!(show.status.success());
    let copy = text(&show.stdout);
    assert_eq!(ludd::Scenario::from_ron(&copy, "copy").unwrap(), loom());
    std::fs::write(dir.join("copy.ron"), &copy).unwrap();
    let check = ludd(&["check", "copy.ron"], &dir);
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("valid"));

    let resolved = ludd(
        &[
            "show",
            "loom",
            "--resolved",
            "--set",
            "regions.britain.workers=700",
        ],
        &dir,
    );
    assert!(resolved.status.success());
    let s = ludd::Scenario::from_ron(&text(&resolved.stdout), "resolved").unwrap();
    assert_eq!(s.regions[0].workers, 700);
}
