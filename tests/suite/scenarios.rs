//! Every built-in scenario runs, keeps its books balanced, and shows the
//! three stages in order, from the agents' decisions, in its leading region.

use crate::common::seeds;

/// Scenario and the region that leads its transition in history.
const LEADERS: [(&str, &str); 4] = [
    ("loom", "britain"),
    ("assembly_line", "usa"),
    ("pc", "usa"),
    ("llm", "usa"),
];

#[test]
fn every_scenario_shows_three_stages_in_order_in_its_leading_region() {
    for (name, leader) in LEADERS {
        let s = ludd::scenario::load(name, &[]).unwrap().scenario;
        let runs = ludd::ensemble(&s, &seeds(3)).unwrap();
        for out in &runs {
            assert!(
                out.worst_imbalance < ludd::model::phases::accounting::TOLERANCE,
                "{name} seed {}: books",
                out.seed
            );
        }
        // The default run (seed 1) must show all three stages in order.
        let row = runs[0].summary.iter().find(|r| r.region == leader).unwrap();
        let (s1, s2, s3) = (row.stage1_year, row.stage2_year, row.stage3_year);
        eprintln!("{name} {leader}: stage 1 {s1:?}, stage 2 {s2:?}, stage 3 {s3:?}");
        let (Some(a), Some(b), Some(c)) = (s1, s2, s3) else {
            panic!(
                "{name}: {leader} must pass through all three stages (got {s1:?}, {s2:?}, {s3:?})"
            );
        };
        assert!(
            a <= b && b <= c,
            "{name}: stages out of order in {leader}: {a} {b} {c}"
        );
        // Stages never go back in the series.
        let stages: Vec<u8> = runs[0]
            .records
            .series
            .iter()
            .filter(|r| r.region == leader)
            .map(|r| r.stage)
            .collect();
        assert!(
            stages.windows(2).all(|w| w[0] <= w[1]),
            "{name}: the stage column must never go back"
        );
    }
}

/// `--set` reaches an optional field that a scenario leaves out, such as a
/// technology's own depreciation, and refuses a misspelt one with the
/// part's fields, the optional ones included.
#[test]
fn an_optional_field_the_scenario_leaves_out_can_be_set() {
    let set = |assignment: &str| ludd::scenario::load("loom", &[assignment.to_string()]);
    let s = set("technologies.power_loom.depreciation=0.2")
        .expect("an optional field left out can be set")
        .scenario;
    let loom = (s.technologies.iter())
        .find(|t| t.name == "power_loom")
        .expect("the power loom");
    assert_eq!(loom.depreciation, Some(0.2));
    let error = set("technologies.power_loom.depreciaton=0.2")
        .expect_err("a misspelt field is refused")
        .to_string();
    for part in [
        "'depreciaton' is not a field of technologies.power_loom",
        "household_use",
        "did you mean 'depreciation'",
    ] {
        assert!(error.contains(part), "{part:?} not in: {error}");
    }
}

/// A technology gives the year it is known or, if general, the year its
/// prerequisites exist; never both, never neither, and an invented one
/// has no origin. Every problem is named with its path.
#[test]
fn a_technology_is_dated_or_feasible_and_only_a_general_one_is_invented() {
    let load = |sets: &[&str]| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        ludd::scenario::load("loom", &sets)
    };
    load(&[
        "technologies.power_loom.possible_from=null",
        "technologies.power_loom.origin=null",
        "technologies.power_loom.feasible_from=1781.8",
    ])
    .expect("a general technology given only its prerequisites' year is valid");
    for (sets, expected) in [
        (
            &["technologies.power_loom.feasible_from=1781.8"][..],
            "technologies.power_loom: gives both possible_from and feasible_from",
        ),
        (
            &["technologies.power_loom.possible_from=null"][..],
            "technologies.power_loom: needs possible_from",
        ),
        (
            &[
                "technologies.mule.possible_from=null",
                "technologies.mule.origin=null",
                "technologies.mule.feasible_from=1770",
            ][..],
            "technologies.mule.feasible_from: only a general technology is invented",
        ),
        (
            &[
                "technologies.power_loom.possible_from=null",
                "technologies.power_loom.feasible_from=1781.8",
            ][..],
            "technologies.power_loom.origin: an invented technology has no origin",
        ),
    ] {
        let error = load(sets).expect_err("refused").to_string();
        assert!(error.contains(expected), "{expected:?} not in: {error}");
    }
}

/// Issue 34's rule: a built-in scenario names only the year each general
/// technology's prerequisites exist, never the year it appears.
#[test]
#[ignore = "the built-in scenarios still date their general technologies: given only their prerequisites' years (the `invention` experiment's), nine of the thirteen targets solid with dates stay solid (the loom's six among them), and A1, A2, P1 and P2 leave (docs/VALIDATION.md, \"Invention\")"]
fn no_built_in_scenario_dates_its_general_technology() {
    for name in ludd::scenario::builtin_names() {
        let s = ludd::scenario::load(name, &[]).expect("valid").scenario;
        for t in (s.technologies.iter()).filter(|t| t.kind == ludd::scenario::TechKind::General) {
            assert!(
                t.possible_from.is_none() && t.feasible_from.is_some(),
                "{name}: {} is dated ({:?}); give feasible_from instead",
                t.name,
                t.possible_from
            );
        }
    }
}
