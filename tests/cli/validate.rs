//! `ludd validate`: the targets and plausibility checks parse, statistics
//! are computed as documented in ../shared/targets/README.md and
//! docs/VALIDATION.md, and the command writes its tables, for one scenario
//! and for every target (`validate all`). How runs are counted in the band
//! and judged solid is tested on made-up runs beside the code
//! (`analysis::validation::ensembles`).

use crate::command::{ludd, scratch, text};
use ludd::analysis::validation::{
    checks, parse_targets, statistic, targets, Statistic, CHECKS_END, CHECKS_START, TABLE_END,
    TABLE_START,
};

const HEADER: &str = "scenario,id,metric,region,statistic,year_a,year_b,threshold,value,low,high,unit,derivation,source,quality";

#[test]
fn the_built_in_targets_parse_with_their_sources() {
    let all = targets().expect("scenarios/targets.csv parses");
    assert_eq!(all.len(), 20);
    let mut ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "target ids are unique");
    assert!(all
        .iter()
        .all(|t| !t.source.is_empty() && !t.derivation.is_empty() && t.low <= t.high));
    assert!(all
        .iter()
        .any(|t| t.scenario == "loom" && t.statistic == Statistic::Date));
}

#[test]
fn the_built_in_checks_parse_and_lie_inside_their_runs() {
    let all = checks().expect("scenarios/checks.csv parses");
    let built_in_targets = targets().unwrap();
    assert!(all.len() >= 9, "{} checks", all.len());
    let mut ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
    ids.extend(built_in_targets.iter().map(|t| t.id.as_str()));
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "check ids are unique, among the targets' too");
    for c in &all {
        assert!(!c.source.is_empty() && !c.derivation.is_empty() && c.low <= c.high);
        assert!(
            [Statistic::Max, Statistic::Min, Statistic::Range].contains(&c.statistic),
            "{}: a window statistic",
            c.id
        );
        let s = ludd::scenario::load(&c.scenario, &[]).unwrap().scenario;
        let (a, b) = (c.year_a.unwrap(), c.year_b.unwrap());
        // The last whole year of a run is the one before its end year.
        assert!(
            a >= s.start_year && b < s.end_year,
            "{}: {a}-{b} outside the run {}-{}",
            c.id,
            s.start_year,
            s.end_year
        );
    }
    for scenario in ["loom", "assembly_line", "pc", "llm"] {
        for series in ["unemployment_rate", "protest_intensity"] {
            assert!(
                all.iter()
                    .any(|c| c.scenario == scenario && c.metric == series),
                "{scenario}: a check of {series}"
            );
        }
    }
}

#[test]
fn malformed_targets_are_reported_by_line() {
    let header = HEADER;
    let cases = [
        (
            format!("{header}\nloom,X1,real_wage,britain,median,1800,,,1,0,2,u,d,s,q\n"),
            "t.csv:2 statistic",
        ),
        (
            format!("{header}\nloom,X1,real_wage,britain,level,,,,1,0,2,u,d,s,q\n"),
            "t.csv:2",
        ),
        (
            format!("{header}\n\nloom,X1,real_wage,britain,level,18x0,,,1,0,2,u,d,s,q\n"),
            "t.csv:3 year_a",
        ),
        (
            "scenario,id\nloom,X1\n".to_string(),
            "missing column 'metric'",
        ),
        (
            format!("{header}\nloom,X1,real_wage,britain,max,1800,,,1,0,2,u,d,s,q\n"),
            "t.csv:2",
        ),
        (
            format!("{header}\nloom,X1,real_wage,britain,range,1800,1808,,1,0,2,u,d,s,q\n"),
            "t.csv:2 year_b",
        ),
        (
            format!("{header}\nloom,X1,real_wage,britain,min,1800,1790,,1,0,2,u,d,s,q\n"),
            "t.csv:2 year_b",
        ),
    ];
    for (text, want) in cases {
        let err = parse_targets(&text, "t.csv").unwrap_err().to_string();
        assert!(err.contains(want), "expected '{want}' in:\n{err}");
    }
}

#[test]
fn a_malformed_checks_file_is_named_with_its_line_and_field() {
    let text = format!(
        "{HEADER}\nloom,CX1,unemployment_rate,britain,max,1760,1899,,0.09,0,0.12,u,d,s,q\n\
         loom,CX2,labour_share,britain,range,1760,18x9,,0.15,0.03,1,u,d,s,q\n"
    );
    let err = parse_targets(&text, "scenarios/checks.csv")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("scenarios/checks.csv:3 year_b") && err.contains("'18x9'"),
        "{err}"
    );
}

#[test]
fn statistics_follow_their_definitions() {
    let header = HEADER;
    // Quarterly series growing 10% a year from 1.0 in 1800.
    let series: Vec<(f64, f64)> = (0..80)
        .map(|q| (1800.0 + q as f64 / 4.0, 1.1f64.powi(q / 4)))
        .collect();
    let cases = [
        ("level,1802,,", Some(1.21)),
        ("ratio,1800,1810,", Some(1.1f64.powi(10))),
        ("growth,1800,1810,", Some(1.1f64.powi(10) - 1.0)),
        ("annual_factor,1800,1810,", Some(1.1)),
        ("crossing,,,2.0", Some(1808.0)),
        ("first_year_above,,,1.1", Some(1802.0)),
        ("crossing,,,100", None),
    ];
    assert_statistics(&cases, &series, |spec| {
        format!("{header}\nloom,X1,real_wage,britain,{spec},1,0,2,u,d,s,q\n")
    });
}

#[test]
fn window_statistics_follow_their_definitions() {
    // One value a year, 1800 to 1815, and a gap (NaN) that annual means
    // skip.
    let values = [
        3., 1., 4., 1., 5., 9., 2., 6., 5., 3., 5., 8., 9., 7., 9., 3.,
    ];
    let mut series: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(k, &v)| (1800.0 + k as f64, v))
        .collect();
    series.insert(5, (1804.5, f64::NAN));
    // The ten-year means, 1800-09 to 1806-15: 3.9, 4.1, 4.8, 5.3, 5.9,
    // 6.3, 5.7.
    let cases = [
        ("max,1800,1805", Some(9.0)),
        ("max,1806,1815", Some(9.0)),
        ("max,1800,1800", Some(3.0)),
        ("min,1800,1805", Some(1.0)),
        ("min,1806,1815", Some(2.0)),
        ("range,1800,1815", Some(6.3 - 3.9)),
        ("range,1800,1809", Some(0.0)),
        ("range,1801,1811", Some(4.8 - 4.1)),
        // Windows the series does not cover have no statistic.
        ("max,1810,1820", None),
        ("min,1795,1805", None),
        ("range,1806,1816", None),
    ];
    assert_statistics(&cases, &series, |spec| {
        format!("{HEADER}\nloom,X1,real_wage,britain,{spec},,1,0,2,u,d,s,q\n")
    });
}

/// Each case's statistic, parsed from the target row `row` makes of its
/// spec, computed on `series`, against the expected value (or none).
fn assert_statistics(
    cases: &[(&str, Option<f64>)],
    series: &[(f64, f64)],
    row: impl Fn(&str) -> String,
) {
    for &(spec, want) in cases {
        let t = &parse_targets(&row(spec), "t.csv").unwrap()[0];
        let got = statistic(t, series);
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{spec}: {g} vs {w}"),
            (None, None) => {}
            _ => panic!("{spec}: {got:?} vs {want:?}"),
        }
    }
}

#[test]
fn validate_shows_runs_in_band_and_the_plausibility_checks() {
    let dir = scratch("validate-solid");
    let marked = format!(
        "# Validation\n\n{TABLE_START}\nold\n{TABLE_END}\n\nbetween\n\n{CHECKS_START}\nold\n{CHECKS_END}\nbelow\n"
    );
    std::fs::write(dir.join("both.md"), &marked).unwrap();
    let out = ludd(
        &[
            "validate",
            "loom",
            "--seeds",
            "2",
            "--out",
            "v",
            "--markdown",
            "both.md",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for want in [
        "runs in band",
        "Plausibility checks",
        "solid: ",
        "of 7 targets; hits (mean in band): ",
        "of 3 checks; hits (mean in band): ",
        "CL1",
        "CL2",
        "CL3",
    ] {
        assert!(stdout.contains(want), "'{want}' missing from:\n{stdout}");
    }
    // Every row ends with its runs in band and its verdict.
    let rows: Vec<&str> = stdout.lines().filter(|l| l.starts_with("loom ")).collect();
    assert_eq!(rows.len(), 10, "{stdout}");
    for row in &rows {
        let cells: Vec<&str> = row.split_whitespace().collect();
        let verdict = cells[cells.len() - 1];
        let (inside, runs) = cells[cells.len() - 2].split_once('/').unwrap();
        assert_eq!(runs, "2", "{row}");
        assert!(["solid", "hit", "miss"].contains(&verdict), "{row}");
        if verdict == "solid" {
            assert!(inside.parse::<u32>().unwrap() >= 1, "{row}");
        }
    }

    let df = ludd::analysis::output::read_parquet(&dir.join("v/plausibility.parquet")).unwrap();
    assert_eq!(df.height(), 3);
    let matches = df.column("match").unwrap().str().unwrap();
    let solid = df.column("solid").unwrap().bool().unwrap();
    let hit = df.column("hit").unwrap().bool().unwrap();
    for i in 0..df.height() {
        let want = match (hit.get(i).unwrap(), solid.get(i).unwrap()) {
            (_, true) => "solid",
            (true, false) => "hit",
            (false, false) => "miss",
        };
        assert_eq!(matches.get(i), Some(want));
    }

    // Both blocks replaced, the text around them kept.
    let now = std::fs::read_to_string(dir.join("both.md")).unwrap();
    assert!(!now.contains("old\n"), "{now}");
    let (table, checks) = (now.find("| L1 |").unwrap(), now.find("| CL1 |").unwrap());
    assert!(now.find("between").unwrap() < checks && table < now.find("between").unwrap());
    assert!(now.contains("| runs in band | match |"), "{now}");
    assert!(
        now.starts_with("# Validation\n\n") && now.ends_with(&format!("{CHECKS_END}\nbelow\n"))
    );

    // A file with the validation markers only keeps its text: the
    // plausibility table is left out, and the command says so.
    let only = format!("above\n{TABLE_START}\n{TABLE_END}\nbelow\n");
    std::fs::write(dir.join("only.md"), &only).unwrap();
    let out = ludd(
        &[
            "validate",
            "loom",
            "--seeds",
            "1",
            "--out",
            "v",
            "--markdown",
            "only.md",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no plausibility table markers"));
    let now = std::fs::read_to_string(dir.join("only.md")).unwrap();
    assert!(now.contains("| L7 |") && !now.contains("CL1") && now.ends_with("below\n"));

    // Plausibility markers out of order are refused before the runs.
    let broken = format!("{TABLE_START}\n{TABLE_END}\n{CHECKS_END}\n{CHECKS_START}\n");
    std::fs::write(dir.join("broken.md"), &broken).unwrap();
    let out = ludd(
        &[
            "validate",
            "loom",
            "--seeds",
            "1",
            "--out",
            "v",
            "--markdown",
            "broken.md",
        ],
        &dir,
    );
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("plausibility table markers"),
        "{err}"
    );
    assert!(!err.contains("runs for"), "refused before the runs:\n{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("broken.md")).unwrap(),
        broken
    );

    // A new file gets both tables.
    let out = ludd(
        &[
            "validate",
            "loom",
            "--seeds",
            "1",
            "--out",
            "v",
            "--markdown",
            "new.md",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let new = std::fs::read_to_string(dir.join("new.md")).unwrap();
    assert!(new.starts_with(TABLE_START) && new.contains(CHECKS_START) && new.contains("| CL3 |"));
}

#[test]
fn validate_writes_its_table_and_strict_fails_on_a_miss() {
    let dir = scratch("validate");
    let out = ludd(&["validate", "loom", "--seeds", "3", "--out", "v"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for id in ["L1", "L2", "L3", "L4", "L5", "L6", "L7"] {
        assert!(stdout.contains(id), "{id} missing from:\n{stdout}");
    }
    let df = ludd::analysis::output::read_parquet(&dir.join("v/validation.parquet")).unwrap();
    assert_eq!(df.height(), 7);
    for c in [
        "id",
        "history",
        "low",
        "high",
        "model_mean",
        "model_p5",
        "model_p95",
        "hit",
        "in_band",
        "solid",
        "match",
        "source",
    ] {
        assert!(df.column(c).is_ok(), "column {c}");
    }
    let misses = df
        .column("hit")
        .unwrap()
        .bool()
        .unwrap()
        .into_iter()
        .filter(|h| *h == Some(false))
        .count();
    let strict = ludd(
        &["validate", "loom", "--seeds", "3", "--out", "v", "--strict"],
        &dir,
    );
    assert_eq!(
        strict.status.success(),
        misses == 0,
        "--strict exits non-zero exactly when a target is missed"
    );
    let not_solid = df
        .column("solid")
        .unwrap()
        .bool()
        .unwrap()
        .into_iter()
        .filter(|s| *s == Some(false))
        .count();
    let strict_solid = ludd(
        &[
            "validate",
            "loom",
            "--seeds",
            "3",
            "--out",
            "v",
            "--strict-solid",
        ],
        &dir,
    );
    assert_eq!(
        strict_solid.status.success(),
        not_solid == 0,
        "--strict-solid exits non-zero exactly when a target is not solid"
    );
}

#[test]
fn validate_all_covers_every_target() {
    let dir = scratch("validate-all");
    let out = ludd(&["validate", "all", "--seeds", "10", "--out", "v"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let df = ludd::analysis::output::read_parquet(&dir.join("v/validation.parquet")).unwrap();
    let all = ludd::analysis::validation::targets().unwrap();
    assert_eq!(df.height(), all.len(), "every target has a row");
    let ids: Vec<String> = df
        .column("id")
        .unwrap()
        .str()
        .unwrap()
        .into_iter()
        .flatten()
        .map(String::from)
        .collect();
    for t in &all {
        assert!(ids.contains(&t.id), "target {} missing", t.id);
    }
    let hits = df
        .column("hit")
        .unwrap()
        .bool()
        .unwrap()
        .into_iter()
        .filter(|h| *h == Some(true))
        .count();
    // A measurement for the record, not a threshold.
    eprintln!(
        "validate all --seeds 10: {hits} of {} targets inside their band\n{}",
        all.len(),
        text(&out.stdout)
    );
}
