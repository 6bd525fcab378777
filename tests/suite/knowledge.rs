//! How knowledge travels between regions (docs/ODD.md, "Diffusion"): with
//! mechanics who emigrate, under a law against their going (the
//! `emigration` experiment), and along routes past an export embargo that
//! may be aimed at one region only (the language models' chip controls).
//! Runs are compared in pairs by seed.

use ludd::analysis::stats::mean;
use ludd::scenario::experiment;
use ludd::scenario::Scenario;
use ludd::RunOutput;

const SEEDS: u64 = 20;

/// An ensemble of `SEEDS` runs, each with its books balanced every step.
fn runs(s: &Scenario) -> Vec<RunOutput> {
    crate::runs::balanced_ensemble(s, SEEDS)
}

/// The `emigration` experiment's setting with `label`: the loom with
/// Britain's ban on the emigration of artisans enforced, as the scenario
/// has it, or not enforced at all.
fn emigration_setting(label: &str) -> Scenario {
    let (e, source) = experiment::load("emigration").expect("the built-in experiment loads");
    e.resolve(&source)
        .expect("the experiment's settings are valid")
        .into_iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| panic!("the experiment has a setting {label}"))
        .scenario
}

#[test]
fn people_carry_knowledge_so_an_enforced_emigration_ban_delays_the_followers() {
    let enforced = runs(&emigration_setting("enforced"));
    let free = runs(&emigration_setting("not_enforced"));
    // Paired by seed: each run of one setting against the same seed's run of the other.
    let delay = |region: &str| {
        mean(
            &enforced
                .iter()
                .zip(&free)
                .map(|(e, f)| crate::runs::stage2(e, region) - crate::runs::stage2(f, region))
                .collect::<Vec<_>>(),
        )
    };
    let (usa, continent) = (delay("usa"), delay("continent"));
    eprintln!(
        "stage 2 with emigration forbidden and enforced, against emigration free: the United States {usa:+.1} years, the continent {continent:+.1}"
    );
    assert!(
        usa > 0.0 && continent > 0.0,
        "with British mechanics kept at home, the followers' stage 2 must come later: the United States moved {usa:+.1} years, the continent {continent:+.1}"
    );
}

/// Mean over the years 2025-2029 of the general technology's share of
/// `region`'s industry output in one run.
fn general_share_2025_29(out: &RunOutput, region: &str) -> f64 {
    mean(
        &out.records
            .series
            .iter()
            .filter(|s| s.region == region && (2025.0..2030.0).contains(&s.year))
            .map(|s| s.general_output_share)
            .collect::<Vec<_>>(),
    )
}

#[test]
fn an_embargo_aimed_at_one_region_spares_the_others() {
    let aimed = ludd::scenario::load("llm", &[])
        .expect("the built-in scenario loads")
        .scenario;
    let policy = aimed
        .policies
        .iter()
        .position(|p| p.field == "export_embargo" && p.toward.as_deref() == Some("china"))
        .expect("the language models' chip controls are aimed at China");
    let mut everyone = aimed.clone();
    everyone.policies[policy].toward = None;
    let (aimed, everyone) = (runs(&aimed), runs(&everyone));
    // Paired by seed: the embargo aimed at China against the same toward every region.
    let gain = |region: &str| {
        mean(
            &aimed
                .iter()
                .zip(&everyone)
                .map(|(a, e)| general_share_2025_29(a, region) - general_share_2025_29(e, region))
                .collect::<Vec<_>>(),
        )
    };
    let (europe, rest, china) = (gain("europe"), gain("rest_of_world"), gain("china"));
    eprintln!(
        "general share 2025-29 with the chip controls aimed at China, against the same toward every region: Europe {europe:+.3}, the rest of the world {rest:+.3}, China {china:+.3}"
    );
    assert!(
        europe > 0.0 && rest > 0.0,
        "regions the controls do not name must gain from being spared: Europe {europe:+.3}, the rest of the world {rest:+.3}"
    );
    assert!(
        china.abs() < europe.min(rest),
        "China, named either way, must gain less than the regions spared: China {china:+.3}, Europe {europe:+.3}, the rest of the world {rest:+.3}"
    );
}
