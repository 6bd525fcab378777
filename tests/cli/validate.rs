//! `ludd validate`: the targets table parses, statistics are computed as
//! documented in ../shared/targets/README.md, and the command writes its
//! table, for one scenario and for every target (`validate all`).

use crate::command::{ludd, scratch, text};
use ludd::analysis::validation::{parse_targets, statistic, targets, Statistic};

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
fn malformed_targets_are_reported_by_line() {
    let header = "scenario,id,metric,region,statistic,year_a,year_b,threshold,value,low,high,unit,derivation,source,quality";
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
    ];
    for (text, want) in cases {
        let err = parse_targets(&text, "t.csv").unwrap_err().to_string();
        assert!(err.contains(want), "expected '{want}' in:\n{err}");
    }
}

#[test]
fn statistics_follow_their_definitions() {
    let header = "scenario,id,metric,region,statistic,year_a,year_b,threshold,value,low,high,unit,derivation,source,quality";
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
    for (spec, want) in cases {
        let text = format!("{header}\nloom,X1,real_wage,britain,{spec},1,0,2,u,d,s,q\n");
        let t = &parse_targets(&text, "t.csv").unwrap()[0];
        let got = statistic(t, &series);
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{spec}: {g} vs {w}"),
            (None, None) => {}
            _ => panic!("{spec}: {got:?} vs {want:?}"),
        }
    }
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
