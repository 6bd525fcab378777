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
