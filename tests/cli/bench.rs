//! `ludd bench` measures without judging: it steps a scaled scenario and
//! reports speed, time per phase and memory. Performance targets live in
//! benchmarks and docs, never in timed tests; this checks what it prints.

use crate::command::{ludd, scratch, text};
use crate::common::loom;

#[test]
fn bench_scales_the_scenario_and_reports_every_phase() {
    let dir = scratch("bench");
    let out = ludd(
        &[
            "bench",
            "loom",
            "--workers",
            "3000",
            "--steps",
            "8",
            "--threads",
            "2",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("loom at 30"),
        "about 3000 workers:\n{stdout}"
    );
    assert!(stdout.contains("8 steps on 2 threads"), "{stdout}");
    assert!(stdout.contains("agent-steps/s"), "{stdout}");
    for phase in ludd::model::phases::PHASES {
        assert!(
            stdout.contains(phase),
            "the time of phase {phase} is reported:\n{stdout}"
        );
    }
    assert!(stdout.contains("bytes per worker"), "{stdout}");
    assert!(
        dir.read_dir().unwrap().next().is_none(),
        "bench writes no tables"
    );

    // Scaling keeps the economy the same size in people.
    let loom = loom();
    let scaled = ludd::model::run::scaled(&loom, 60_000);
    let people = |s: &ludd::Scenario| {
        s.regions.iter().map(|r| f64::from(r.workers)).sum::<f64>() * s.people_per_agent
    };
    assert!((people(&scaled) / people(&loom) - 1.0).abs() < 0.01);
    assert!(ludd::scenario::validate(&scaled).is_empty());
}
