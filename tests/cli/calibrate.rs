//! `ludd calibrate`: the search improves the distance to history when a
//! parameter has been moved away from its calibrated value.

use crate::command::{ludd, scratch, text};
use crate::common::{loom, seeds};
use ludd::analysis::calibration::{calibrate, distance, Param};

/// The loom scenario's historical targets.
fn loom_targets() -> Vec<ludd::analysis::validation::Target> {
    ludd::analysis::validation::targets()
        .unwrap()
        .into_iter()
        .filter(|t| t.scenario == "loom")
        .collect()
}

#[test]
fn calibration_recovers_from_a_displaced_parameter() {
    // The power loom's initial productivity moved from 3.4 down to 2.2,
    // where the switch to the general technology mostly fails.
    let displaced =
        ludd::scenario::apply_override(&loom(), "technologies.power_loom.productivity=2.2")
            .unwrap();
    let targets = loom_targets();
    let params = [Param::parse("technologies.power_loom.productivity=2.0..4.0").unwrap()];
    let result = calibrate(&displaced, &params, &targets, &seeds(2), 6, &|_| {}).unwrap();
    eprintln!(
        "distance {:.2} -> {:.2} after {} candidates; productivity {:.3}",
        result.start_distance, result.best_distance, result.evaluations, result.best[0]
    );
    assert!(result.evaluations <= 6);
    assert!(
        result.best_distance < result.start_distance,
        "calibration must improve the distance"
    );
    assert!(
        (distance(&result.after) - result.best_distance).abs() < 1e-9,
        "the reported best is reproducible"
    );
    assert!((2.0..=4.0).contains(&result.best[0]));
    let fragment = result.fragment("loom", 2, 6, "2026-01-01");
    assert!(fragment.contains("\"technologies.power_loom.productivity\":"));
}

/// The search tries points of its box, not the scenario's own values, so
/// its best can be worse than where it started: it must say so, and its
/// fragment must keep the scenario's values.
#[test]
fn a_search_that_finds_nothing_better_keeps_the_scenario_values() {
    // The targets the power loom was calibrated on: L6, the first Luddite
    // wave, decades off at every setting, is left out of that fit (see
    // scenarios/loom.ron), and an early loom that brings protest closer
    // to 1811 would otherwise count as better.
    let targets: Vec<_> = loom_targets()
        .into_iter()
        .filter(|t| t.id != "L6")
        .collect();
    // Twice the power loom's productivity of 1785 brings it decades early.
    let params = [Param::parse("technologies.power_loom.productivity=3.5..4.0").unwrap()];
    let result = calibrate(&loom(), &params, &targets, &seeds(2), 2, &|_| {}).unwrap();
    eprintln!(
        "distance {:.2} at the scenario's values, {:.2} at the best candidate",
        result.start_distance, result.best_distance
    );
    assert!(
        !result.improved(),
        "a productivity far from the calibrated one must not beat it"
    );
    let fragment = result.fragment("loom", 2, 2, "2026-01-01");
    assert!(fragment.contains("No candidate beat the scenario's own values"));
    assert!(
        fragment.lines().all(|l| l.trim_start().starts_with("//")),
        "pasted, the record changes nothing:\n{fragment}"
    );
}

#[test]
fn parameter_ranges_are_checked() {
    for (text, want) in [
        (
            "technologies.power_loom.productivity",
            "expected path=low..high",
        ),
        ("a=1", "expected a range"),
        ("a=x..2", "low end"),
        ("a=3..2", "low < high"),
    ] {
        let err = Param::parse(text).unwrap_err().to_string();
        assert!(err.contains(want), "{text}: {err}");
    }
    // Each bad argument fails before any run, with a message naming it.
    let dir = scratch("calibrate-bad-path");
    for (args, wanted) in [
        (
            &["--param", "technologies.power_lom.productivity=1..2"][..],
            &["power_lom"][..],
        ),
        // A target the scenario does not have is named, with those it has.
        (
            &[
                "--param",
                "technologies.power_loom.improvement=0.01..0.02",
                "--targets",
                "L1,L9",
            ][..],
            &["L9 not among", "L1, L2, L3, L4, L5, L6, L7"][..],
        ),
    ] {
        let mut all = vec!["calibrate", "loom", "--budget", "3", "--seeds", "1"];
        all.extend_from_slice(args);
        let out = ludd(&all, &dir);
        assert!(!out.status.success(), "{args:?}");
        let err = text(&out.stderr);
        assert!(wanted.iter().all(|w| err.contains(w)), "{args:?}: {err}");
    }
}
