//! Invention as an outcome (docs/ODD.md, "Invention"): the loom with its
//! general technology given only the year its prerequisites existed
//! (the `invention` experiment), against the same with the prerequisites
//! earlier, with a smaller stage 1, and with the first region's research
//! shut off. Twenty seeds a setting, compared in pairs by seed.

use ludd::analysis::stats::mean;
use ludd::model::world::EventKind;
use ludd::scenario::experiment;
use ludd::scenario::{Scenario, TechKind};
use ludd::RunOutput;

const SEEDS: u64 = 20;

/// The loom with the power loom invented, feasible from `year`: the
/// `invention` experiment's setting for that year.
fn invented_loom(year: f64) -> Scenario {
    let (e, source) = experiment::load("invention").expect("the built-in experiment loads");
    let mut s = e
        .resolve(&source)
        .expect("the experiment's settings are valid")
        .into_iter()
        .next()
        .expect("the experiment has settings")
        .scenario;
    for t in s
        .technologies
        .iter_mut()
        .filter(|t| t.kind == TechKind::General)
    {
        assert!(
            t.possible_from.is_none(),
            "the experiment leaves the date out"
        );
        t.feasible_from = Some(year);
    }
    s
}

/// An ensemble of `SEEDS` runs, each with its books balanced every step.
fn runs(s: &Scenario) -> Vec<RunOutput> {
    crate::runs::balanced_ensemble(s, SEEDS)
}

/// Mean over runs of the year stage 2 begins in Britain (the end year when
/// it never does).
fn stage2(runs: &[RunOutput]) -> f64 {
    mean(
        &runs
            .iter()
            .map(|o| crate::runs::stage2(o, "britain"))
            .collect::<Vec<_>>(),
    )
}

/// The regions where the general technology is developed in a run, in order.
fn developers(out: &RunOutput) -> Vec<&str> {
    out.events
        .iter()
        .filter(|e| e.kind == EventKind::NewTechnology)
        .map(|e| out.region_names[e.region].as_str())
        .collect()
}

#[test]
fn an_earlier_prerequisite_moves_stage_two_by_less_than_it_and_a_later_one_delays_it() {
    let base = stage2(&runs(&invented_loom(1781.8)));
    let earlier = stage2(&runs(&invented_loom(1761.8)));
    let later = stage2(&runs(&invented_loom(1801.8)));
    eprintln!(
        "British stage 2 with the prerequisites in 1781.8: {base:.1}; twenty years earlier: {earlier:.1} ({:+.1}); twenty years later: {later:.1} ({:+.1})",
        earlier - base,
        later - base
    );
    assert!(
        base - earlier < 10.0,
        "prerequisites twenty years earlier must move stage 2 by less than ten years, not {:.1}: the date must wait for the market",
        base - earlier
    );
    assert!(
        later > base + 5.0,
        "prerequisites twenty years later must delay stage 2 ({later:.1} against {base:.1}), so the test can fail"
    );
}

#[test]
fn a_smaller_stage_one_brings_the_general_technology_later() {
    let base = invented_loom(1781.8);
    let mut small = base.clone();
    for r in &mut small.regions {
        r.industry_employment *= 0.5;
    }
    let (with, half) = (runs(&base), runs(&small));
    let first = |runs: &[RunOutput]| {
        mean(
            &runs
                .iter()
                .map(|o| {
                    o.events
                        .iter()
                        .find(|e| e.kind == EventKind::NewTechnology)
                        .map_or(o.scenario.end_year, |e| e.year)
                })
                .collect::<Vec<_>>(),
        )
    };
    let (invented, invented_half) = (first(&with), first(&half));
    let (s2, s2_half) = (stage2(&with), stage2(&half));
    eprintln!(
        "first development of the power loom: {invented:.1}, with half the industry's workers {invented_half:.1}; British stage 2: {s2:.1} and {s2_half:.1}"
    );
    assert!(
        invented_half > invented,
        "with half the market the power loom must be developed later ({invented_half:.1} against {invented:.1})"
    );
    assert!(
        s2_half > s2,
        "with half the market stage 2 must begin later ({s2_half:.1} against {s2:.1})"
    );
}

#[test]
fn another_region_invents_when_the_first_does_no_research() {
    let mut s = invented_loom(1781.8);
    s.regions[0].inventors = 0;
    let all = runs(&s);
    let elsewhere = all
        .iter()
        .filter(|o| developers(o).iter().any(|&r| r != "britain"))
        .count();
    let firsts: Vec<&str> = all
        .iter()
        .filter_map(|o| developers(o).first().copied())
        .collect();
    eprintln!("with no British inventors the power loom is developed elsewhere in {elsewhere} of {SEEDS} runs; first developers: {firsts:?}");
    assert!(
        developers(&all[0]).iter().all(|&r| r != "britain"),
        "a region without inventors develops nothing"
    );
    assert!(
        2 * elsewhere > SEEDS as usize,
        "another region must develop it in most runs ({elsewhere} of {SEEDS})"
    );
}

#[test]
fn identical_tables_with_one_two_and_eight_threads_when_the_loom_is_invented() {
    let s = invented_loom(1781.8);
    let at = |threads: usize| {
        let out = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| ludd::run(&s, 5))
            .expect("the run completes");
        assert!(
            out.events
                .iter()
                .any(|e| e.kind == EventKind::NewTechnology),
            "the power loom is developed in the run, so the test covers development"
        );
        crate::invariants::fingerprint(&out)
    };
    let one = at(1);
    assert!(one == at(2), "1 and 2 threads differ");
    assert!(one == at(8), "1 and 8 threads differ");
}
