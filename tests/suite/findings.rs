//! The eight findings from the backlash literature (docs/EXPERIMENTS.md),
//! each run on its named experiment in scenarios/experiments/ with 40
//! seeds per setting and one test at the 5% level. Forty, not twenty:
//! the non-inferiority test of finding 1 needs about 35 pairs to bound a
//! delay by five years when paired differences in the year of the switch
//! have a standard deviation of about 15 years; every finding uses the
//! same number.
//!
//! The settings of an experiment run with the same seeds, and a seed fixes
//! every random stream (common random numbers), so runs are compared in
//! pairs by seed: the test is the 95% percentile-bootstrap interval
//! (4,000 resamples, fixed seed) of the mean paired difference, which must
//! exclude zero on the stated side. For "no later" and "does not delay"
//! (non-inferiority) its upper end must lie below a stated margin. Welch's
//! unpaired t test is printed beside it for readers who prefer it.
//!
//! Every figure is printed (run with `--nocapture` to see it) and listed
//! in docs/EXPERIMENTS.md.

use ludd::analysis::compare::{annual, leading_region, metrics};
use ludd::analysis::stats::{bootstrap, bootstrap_paired, mean, slope, welch};
use ludd::scenario::experiment;
use ludd::RunOutput;

use crate::runs::general_crossing;

const SEEDS: u64 = 40;
const ALPHA: f64 = 0.05;

/// Runs the named settings of a built-in experiment with seeds 1..=SEEDS.
fn experiment(name: &str, labels: &[&str]) -> Vec<(String, Vec<RunOutput>)> {
    let (e, source) = experiment::load(name).expect("the built-in experiment loads");
    assert!(e.seeds >= SEEDS, "{name} must run at least {SEEDS} seeds");
    let seeds: Vec<u64> = (1..=SEEDS).collect();
    e.resolve(&source)
        .expect("the experiment's settings are valid")
        .into_iter()
        .filter(|s| labels.contains(&s.label.as_str()))
        .map(|s| {
            let runs = ludd::ensemble(&s.scenario, &seeds).expect("the runs complete");
            (s.label, runs)
        })
        .collect()
}

fn setting<'a>(all: &'a [(String, Vec<RunOutput>)], label: &str) -> &'a [RunOutput] {
    &all.iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no setting '{label}'"))
        .1
}

/// Mean of a region's annual series over the years [from, to).
fn window(
    out: &RunOutput,
    region: &str,
    from: f64,
    to: f64,
    pick: fn(&ludd::model::observe::SeriesRow) -> f64,
) -> f64 {
    let start = out.scenario.start_year;
    let a = annual(out, region, pick);
    let lo = ((from - start).max(0.0) as usize).min(a.len());
    let hi = ((to - start).max(0.0) as usize).min(a.len());
    mean(&a[lo..hi])
}

/// Prints and returns the paired bootstrap interval of mean(a - b), runs paired by seed.
fn report(finding: &str, what: &str, a: &[f64], b: &[f64]) -> (f64, f64) {
    assert_eq!(a.len(), b.len(), "runs are paired by seed");
    let w = welch(a, b);
    let ci = bootstrap_paired(a, b, ALPHA, 7);
    eprintln!(
        "{finding}: {what}: {:.3} vs {:.3}, difference {:+.3}, paired 95% bootstrap [{:+.3}, {:+.3}]; Welch t = {:.2}, df = {:.1}, p = {:.4}",
        mean(a),
        mean(b),
        w.difference,
        ci.0,
        ci.1,
        w.t,
        w.df,
        w.p
    );
    ci
}

#[test]
fn f1_generous_relief_lowers_protest() {
    let all = experiment("poor_law", &["old_poor_law", "new_poor_law"]);
    let (old, new) = (setting(&all, "old_poor_law"), setting(&all, "new_poor_law"));
    let protest = |runs: &[RunOutput]| {
        runs.iter()
            .map(|o| metrics(o).protest_years)
            .collect::<Vec<_>>()
    };
    let ci = report(
        "F1",
        "British protest (share x years), Old against New Poor Law",
        &protest(old),
        &protest(new),
    );
    assert!(
        ci.1 < 0.0,
        "generous relief must lower protest (paired bootstrap, 5%)"
    );
}

#[test]
fn f1_generous_relief_does_not_delay_the_transition() {
    let all = experiment("poor_law", &["old_poor_law", "new_poor_law"]);
    let (old, new) = (setting(&all, "old_poor_law"), setting(&all, "new_poor_law"));
    // Non-inferiority: the transition is delayed by less than five years
    // (a quarter of the 20-year band of the stage-2 target L7).
    let half = |runs: &[RunOutput]| {
        runs.iter()
            .map(|o| general_crossing(o, "britain", 0.5))
            .collect::<Vec<_>>()
    };
    let ci = report(
        "F1",
        "year the power loom passes half of British output",
        &half(old),
        &half(new),
    );
    assert!(
        ci.1 < 5.0,
        "generous relief must not delay the transition by five years or more (upper bound {:+.2})",
        ci.1
    );
}

#[test]
#[ignore = "the model disagrees: with 40 seeds the slope of protest on adoption across regions in 1790-1850 is -1.668 without relief (95% interval [-2.164, -1.345]) and -0.439 with generous relief, a difference of -1.229 ([-1.723, -0.888]): India's hand weavers, displaced by imported mill cloth without adopting the power loom, protest most (docs/EXPERIMENTS.md)"]
fn f2_more_adoption_goes_with_more_protest_and_relief_weakens_the_link() {
    let all = experiment("relief_and_riots", &["no_relief", "generous_relief"]);
    // One point per region and run: the general technology's mean share of
    // the region's output and the region's protest, both over 1790-1850,
    // when the power loom spread (Caprettini and Voth compare threshing
    // machines and riots across parishes in the same way).
    let points = |runs: &[RunOutput]| -> Vec<Vec<(f64, f64)>> {
        runs.iter()
            .map(|o| {
                o.region_names
                    .iter()
                    .map(|r| {
                        (
                            window(o, r, 1790.0, 1850.0, |s| s.general_output_share),
                            window(o, r, 1790.0, 1850.0, |s| s.protest_intensity) * 60.0,
                        )
                    })
                    .collect()
            })
            .collect()
    };
    let flat = |runs: &[Vec<(f64, f64)>]| runs.iter().flatten().copied().collect::<Vec<_>>();
    let none = points(setting(&all, "no_relief"));
    let generous = points(setting(&all, "generous_relief"));
    let (s_none, s_gen) = (slope(&flat(&none)), slope(&flat(&generous)));
    // Bootstrap over runs (each run keeps its regions together).
    let ci_none = bootstrap(&none, &none, ALPHA, 11, |a, _| slope(&flat(a)));
    let ci_diff = bootstrap(&none, &generous, ALPHA, 13, |a, b| {
        slope(&flat(a)) - slope(&flat(b))
    });
    eprintln!(
        "F2: slope of protest (share x years, 1790-1850) on adoption (mean general share): no relief {s_none:.3} [95% {:.3}, {:.3}], generous relief {s_gen:.3}; difference {:.3} [95% {:.3}, {:.3}]",
        ci_none.0, ci_none.1, s_none - s_gen, ci_diff.0, ci_diff.1
    );
    assert!(
        ci_none.0 > 0.0,
        "without relief, more adoption must go with more protest"
    );
    assert!(ci_diff.0 > 0.0, "generous relief must weaken the link");
}

#[test]
#[ignore = "the model disagrees: with 40 seeds faster learning shortens the switch from 10% to 90% of British output by 11.3 years (paired 95% interval [-14.2, -8.2]; 73.4 against 84.7 years), but British protest falls rather than rises (0.499 against 1.032 share-years, paired difference -0.533, [-0.588, -0.483]) (docs/EXPERIMENTS.md)"]
fn f3_a_faster_rate_of_adoption_raises_protest() {
    let all = experiment(
        "adoption_speed",
        &[
            "technologies.power_loom.learning_exponent=0.05",
            "technologies.power_loom.learning_exponent=0.3",
        ],
    );
    let slow = setting(&all, "technologies.power_loom.learning_exponent=0.05");
    let fast = setting(&all, "technologies.power_loom.learning_exponent=0.3");
    // The manipulation must work: the switch from a tenth to nine tenths of British output is quicker.
    let spread = |runs: &[RunOutput]| {
        runs.iter()
            .map(|o| general_crossing(o, "britain", 0.9) - general_crossing(o, "britain", 0.1))
            .collect::<Vec<_>>()
    };
    let ci = report(
        "F3",
        "years from 10% to 90% general share in Britain, fast against slow learning",
        &spread(fast),
        &spread(slow),
    );
    assert!(ci.1 < 0.0, "faster learning must speed adoption up");
    let protest = |runs: &[RunOutput]| {
        runs.iter()
            .map(|o| metrics(o).protest_years)
            .collect::<Vec<_>>()
    };
    let ci = report(
        "F3",
        "British protest (share x years), fast against slow adoption",
        &protest(fast),
        &protest(slow),
    );
    assert!(
        ci.0 > 0.0,
        "faster adoption must raise protest (paired bootstrap, 5%)"
    );
}

#[test]
#[ignore = "the model disagrees since mechanics emigrate: with 40 seeds, of the firms left to adopt when one of 141 protest waves begins, 0.062 adopt within ten years with consequences against 0.066 without, a paired difference of -0.004 whose 95% interval [-0.009, +0.000] no longer excludes zero (it was -0.005, [-0.009, -0.001]); research after over before is dominated by waves in regions that spent almost nothing on research before them (docs/EXPERIMENTS.md)"]
fn f4_after_a_protest_wave_adoption_and_research_slow_down() {
    let all = experiment(
        "aftermath",
        &["protest_has_consequences", "no_consequences"],
    );
    let on = setting(&all, "protest_has_consequences");
    let off = setting(&all, "no_consequences");
    // For each run and region with a protest wave in the run where protest
    // has consequences, in both runs of the same seed (paired):
    // - adoption: the share of firms not yet using the general technology
    //   when the wave began that use it ten years later (the hazard of
    //   adoption; waves with fewer than 5% of firms left to adopt in either
    //   run are left out, as there is nothing left to slow). Not the rise
    //   of the output share, which protest also moves by breaking machines,
    //   nor investment, which replacing broken machines inflates;
    // - research: spending over the ten years after the wave began relative
    //   to the five years before.
    let (mut adoption, mut research) = (Vec::new(), Vec::new());
    for (a, b) in on.iter().zip(off) {
        for r in &a.region_names {
            let Some(t0) = a
                .records
                .series
                .iter()
                .find(|s| &s.region == r && s.protest_intensity >= 0.01)
                .map(|s| s.year.floor())
            else {
                continue;
            };
            if t0 + 10.0 > a.scenario.end_year || t0 - 5.0 < a.scenario.start_year {
                continue;
            }
            let after_over_before =
                |o: &RunOutput, pick: fn(&ludd::model::observe::SeriesRow) -> f64| {
                    let before = window(o, r, t0 - 5.0, t0, pick);
                    (before > 0.0).then(|| window(o, r, t0, t0 + 10.0, pick) / before)
                };
            let hazard = |o: &RunOutput| {
                let before = window(o, r, t0 - 1.0, t0, |s| s.general_firm_adoption_share);
                let after = window(o, r, t0 + 9.0, t0 + 10.0, |s| s.general_firm_adoption_share);
                (before < 0.95).then(|| (after - before) / (1.0 - before))
            };
            if let (Some(x), Some(y)) = (hazard(a), hazard(b)) {
                adoption.push((x, y));
            }
            research.push((
                after_over_before(a, |s| s.research_spending).unwrap_or(0.0),
                after_over_before(b, |s| s.research_spending).unwrap_or(0.0),
            ));
        }
    }
    assert!(
        adoption.len() >= 20,
        "too few protest waves after general machines arrived ({})",
        adoption.len()
    );
    let paired = |v: &[(f64, f64)]| {
        (
            v.iter().map(|p| p.0).collect::<Vec<_>>(),
            v.iter().map(|p| p.1).collect::<Vec<_>>(),
        )
    };
    let (a1, a0) = paired(&adoption);
    let (r1, r0) = paired(&research);
    let ca = bootstrap_paired(&a1, &a0, ALPHA, 17);
    let cr = bootstrap_paired(&r1, &r0, ALPHA, 19);
    eprintln!(
        "F4: {} waves; {} with firms left to adopt; share of them adopting within ten years: {:.3} with consequences vs {:.3} without, paired difference {:+.3} [95% {:+.3}, {:+.3}]; research spending after / before: {:.3} vs {:.3}, paired difference {:+.3} [95% {:+.3}, {:+.3}]",
        research.len(), adoption.len(), mean(&a1), mean(&a0), mean(&a1) - mean(&a0), ca.0, ca.1, mean(&r1), mean(&r0), mean(&r1) - mean(&r0), cr.0, cr.1
    );
    assert!(
        ca.1 < 0.0,
        "adoption must slow after a wave (paired bootstrap)"
    );
    assert!(
        cr.1 < 0.0,
        "research must slow after a wave (paired bootstrap)"
    );
}

#[test]
fn f5_repression_lowers_protest_now_and_raises_grievance_later() {
    let all = experiment("luddites", &["frame_breaking_act", "no_act"]);
    let act = setting(&all, "frame_breaking_act");
    let none = setting(&all, "no_act");
    let short = |runs: &[RunOutput]| {
        runs.iter()
            .map(|o| window(o, "britain", 1812.0, 1817.0, |s| s.protest_intensity))
            .collect::<Vec<_>>()
    };
    let ci = report(
        "F5",
        "British protest intensity 1812-1816, Act against none",
        &short(act),
        &short(none),
    );
    assert!(
        ci.1 < 0.0,
        "repression must lower protest in the short run (paired bootstrap, 5%)"
    );
    let later = |runs: &[RunOutput]| {
        runs.iter()
            .map(|o| window(o, "britain", 1812.0, 1830.0, |s| s.grievance_mean))
            .collect::<Vec<_>>()
    };
    let ci = report(
        "F5",
        "British mean grievance 1812-1829, Act against none",
        &later(act),
        &later(none),
    );
    assert!(
        ci.0 > 0.0,
        "repression must raise grievance (paired bootstrap, 5%)"
    );
}

#[test]
fn f6_profit_sharing_lowers_the_leaders_quit_rate() {
    let all = experiment("five_dollar_day", &["five_dollar_day", "no_profit_sharing"]);
    let ford = setting(&all, "five_dollar_day");
    let none = setting(&all, "no_profit_sharing");
    // The largest car maker in the USA each quarter, 1914-1929.
    let quits = |runs: &[RunOutput]| {
        runs.iter()
            .map(|o| {
                window(o, "usa", 1914.0, 1930.0, |s| {
                    s.leader_quit_rate.unwrap_or(0.0)
                })
            })
            .collect::<Vec<_>>()
    };
    let ci = report(
        "F6",
        "leading firm's annual quit rate 1914-1929, profit sharing against none",
        &quits(ford),
        &quits(none),
    );
    assert!(
        ci.1 < 0.0,
        "profit sharing must lower the leader's quit rate (paired bootstrap, 5%)"
    );
}

#[test]
#[ignore = "the model disagrees on the second half: with 40 seeds profit sharing lowers the leader's quit rate (the test before) but changes its output per quarter in 1914-1929 by -1.103 (201.793 against 202.896, paired 95% interval [-10.378, +6.267]): with materials and parts a third of a car's price, the labour the five-dollar day saves cuts the price too little to widen the leader's market (docs/EXPERIMENTS.md)"]
fn f6_profit_sharing_raises_the_leaders_output() {
    let all = experiment("five_dollar_day", &["five_dollar_day", "no_profit_sharing"]);
    let ford = setting(&all, "five_dollar_day");
    let none = setting(&all, "no_profit_sharing");
    let output = |runs: &[RunOutput]| {
        runs.iter()
            .map(|o| window(o, "usa", 1914.0, 1930.0, |s| s.leader_output.unwrap_or(0.0)))
            .collect::<Vec<_>>()
    };
    let ci = report(
        "F6",
        "leading firm's output per quarter 1914-1929, profit sharing against none",
        &output(ford),
        &output(none),
    );
    assert!(
        ci.0 > 0.0,
        "profit sharing must raise the leader's output (paired bootstrap, 5%)"
    );
}

#[test]
fn f7_an_embargo_delays_stage_2_abroad() {
    let all = experiment("embargo", &["ban", "no_ban"]);
    let ban = setting(&all, "ban");
    let free = setting(&all, "no_ban");
    let year = |runs: &[RunOutput]| runs.iter().map(abroad).collect::<Vec<_>>();
    let ci = report(
        "F7",
        "first stage 2 abroad, ban against no ban",
        &year(ban),
        &year(free),
    );
    assert!(
        ci.0 > 0.0,
        "the ban must delay stage 2 abroad (paired bootstrap, 5%)"
    );
}

/// Stage 2 abroad: the first region other than the leader to begin it (the end year if none does).
fn abroad(o: &RunOutput) -> f64 {
    let lead = leading_region(o);
    o.summary
        .iter()
        .enumerate()
        .filter(|(r, _)| *r != lead)
        .map(|(_, s)| s.stage2_year.unwrap_or(o.scenario.end_year))
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn f7_under_an_embargo_stage_2_still_arrives_abroad_within_fifty_years() {
    let all = experiment("embargo", &["ban"]);
    let ban = setting(&all, "ban");
    let lag: Vec<f64> = ban
        .iter()
        .map(|o| {
            abroad(o)
                - o.summary[leading_region(o)]
                    .stage2_year
                    .unwrap_or(o.scenario.end_year)
        })
        .collect();
    let worst = lag.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let beyond = lag.iter().filter(|&&l| l > 50.0).count();
    eprintln!("F7: under the ban stage 2 arrives abroad {:.1} years after Britain on average, at most {worst:.1}; {beyond} of {} runs beyond fifty years", mean(&lag), lag.len());
    assert!(
        worst <= 50.0,
        "under the ban stage 2 must still arrive abroad within fifty years of Britain in every run"
    );
}

#[test]
#[ignore = "the model disagrees: with 40 seeds broad sharing brings the year general models make 90% of US output 1.2 years later (2032.5 against 2031.2, paired 95% interval [+0.8, +1.7], beyond the one-year margin), so the test stops at its first half; the comparison of the displaced professionals' lifetime income, its second half, favours broad sharing (+0.074 against +0.035, paired difference +0.039, [+0.023, +0.054]; `ludd compare llm_sharing --seeds 40`) (docs/EXPERIMENTS.md)"]
fn f8_broad_sharing_completes_stage_2_no_later_and_the_displaced_lose_less() {
    let all = experiment("llm_sharing", &["broad_sharing", "no_sharing"]);
    let broad = setting(&all, "broad_sharing");
    let none = setting(&all, "no_sharing");
    // Stage 2 is complete when the general technology makes nine tenths of
    // US output (the end year when it never does). Margin: one year.
    let done = |runs: &[RunOutput]| {
        runs.iter()
            .map(|o| general_crossing(o, "usa", 0.9))
            .collect::<Vec<_>>()
    };
    let ci = report(
        "F8",
        "year general models make 90% of US output, broad sharing against none",
        &done(broad),
        &done(none),
    );
    assert!(
        ci.1 < 1.0,
        "broad sharing must complete stage 2 no later (upper bound {:+.2} years)",
        ci.1
    );
    // Seeds in which stage 2 began (and so a displaced cohort exists) in both settings.
    let (l1, l0): (Vec<f64>, Vec<f64>) = broad
        .iter()
        .zip(none)
        .filter_map(|(a, b)| {
            Some((
                metrics(a).cohort_lifetime_change?,
                metrics(b).cohort_lifetime_change?,
            ))
        })
        .unzip();
    assert!(
        l1.len() >= 30,
        "stage 2 must begin in most runs to follow the displaced ({} of {SEEDS})",
        l1.len()
    );
    let ci = report(
        "F8",
        "lifetime income change of the displaced professionals, broad sharing against none",
        &l1,
        &l0,
    );
    assert!(
        ci.0 > 0.0,
        "the displaced must lose less with broad sharing (paired bootstrap, 5%)"
    );
}
