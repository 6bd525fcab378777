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
