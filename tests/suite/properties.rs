//! Properties of random valid scenarios. Each case takes a built-in
//! scenario and draws new sizes for its regions (workers, firms,
//! inventors), new terms for its routes (transport cost, knowledge flow, a
//! tariff or none) and, for about half of the institutions of each region,
//! a value anywhere in the range docs/ODD.md documents. Every case must
//! validate (the documented ranges are the valid ones), and on every case:
//! the books balance every step; shares and rates lie in [0, 1]; head
//! counts follow the demographic rates (drawn anew, growing or shrinking,
//! for each region), and inventors only move between regions; and the
//! tables are identical on one and two threads.
//!
//! `LUDD_PROPERTY_CASES` sets the number of cases (default 100).

use crate::env_count;
use ludd::scenario::INSTITUTION_FIELDS;
use ludd::{RunOutput, Scenario};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

fn random_scenario(case: u64) -> Scenario {
    let names = ["loom", "assembly_line", "pc", "llm"];
    let base = names[case as usize % names.len()];
    let mut s = ludd::scenario::load(base, &[]).unwrap().scenario;
    let mut rng = ChaCha8Rng::seed_from_u64(1_000 + case);
    let start = s.start_year;
    for r in s.regions.iter_mut() {
        r.workers = rng.random_range(10..3_000);
        r.firms = rng.random_range(1..=r.workers.min(40));
        r.inventors = rng.random_range(0..40);
        // Up to three demographic rates anywhere in the valid range, from
        // dates inside the twenty years each case runs.
        r.population_growth.clear();
        let mut from = start;
        for _ in 0..rng.random_range(0..=3) {
            let rate = rng.random_range(-0.05..=0.1);
            r.population_growth
                .push(ludd::scenario::Growth { from, rate });
            from += rng.random_range(1.0..8.0);
        }
        for (field, low, high, _) in INSTITUTION_FIELDS {
            if rng.random_bool(0.5) {
                let value = if low == high {
                    *low
                } else {
                    rng.random_range(*low..=*high)
                };
                assert!(r.institutions.set(field, value), "{field} is settable");
            }
        }
    }
    for route in s.routes.iter_mut() {
        route.transport_cost = rng.random_range(0.0..=2.0);
        route.knowledge_flow = rng.random_range(0.0..=1.0);
        route.tariff =
            (route.from != route.to && rng.random_bool(0.3)).then(|| rng.random_range(0.0..=1.0));
    }
    // Dated policies would override the drawn institutions; a few remain
    // possible, chosen at random.
    s.policies.retain(|_| rng.random_bool(0.3));
    // Twenty years from the start keeps a case short.
    s.end_year = s.start_year + 20.0;
    s.projection_from = None;
    s
}

fn run_on(threads: usize, s: &Scenario, seed: u64) -> RunOutput {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| ludd::run(s, seed))
        .unwrap_or_else(|e| panic!("{}: {e}", s.name))
}

fn within_unit(name: &str, value: f64, case: u64) {
    assert!(
        (0.0..=1.0).contains(&value),
        "case {case}: {name} = {value} lies outside [0, 1]"
    );
}

#[test]
fn random_valid_scenarios_keep_every_invariant() {
    let cases = env_count("LUDD_PROPERTY_CASES", 100) as u64;
    let mut steps = 0;
    for case in 0..cases {
        let s = random_scenario(case);
        let problems = ludd::scenario::validate(&s);
        assert!(
            problems.is_empty(),
            "case {case}: values within the documented ranges are refused: {problems:?}"
        );
        let one = run_on(1, &s, case);
        let two = run_on(2, &s, case);
        steps += one.steps;

        // The books: the accounting phase fails a run whose books are off;
        // the worst step must also stay below the tolerance.
        assert!(
            one.worst_imbalance < ludd::model::phases::accounting::TOLERANCE,
            "case {case}"
        );

        // Identical on one and two threads (Debug prints every float
        // exactly enough to tell two apart).
        assert_eq!(
            format!(
                "{:?}{:?}{:?}{:?}",
                one.records.series, one.records.groups, one.records.technologies, one.records.trade
            ),
            format!(
                "{:?}{:?}{:?}{:?}",
                two.records.series, two.records.groups, two.records.technologies, two.records.trade
            ),
            "case {case}: one and two threads differ"
        );

        // Shares and rates.
        for r in &one.records.series {
            for (name, v) in [
                ("unemployment_rate", r.unemployment_rate),
                ("labour_share", r.labour_share),
                ("gini_income", r.gini_income),
                ("craft_output_share", r.craft_output_share),
                ("special_output_share", r.special_output_share),
                ("general_output_share", r.general_output_share),
                ("reorganized_output_share", r.reorganized_output_share),
                ("general_worker_use_share", r.general_worker_use_share),
                ("general_firm_adoption_share", r.general_firm_adoption_share),
                ("top_firm_share", r.top_firm_share),
                ("protest_intensity", r.protest_intensity),
            ] {
                within_unit(name, v, case);
            }
        }
        for t in &one.records.technologies {
            within_unit("output_share", t.output_share, case);
        }

        // Head counts: each region's workers, in people, every step; all
        // inventors together every step.
        let ppa = s.people_per_agent;
        let mut workers: BTreeMap<(&str, u32), f64> = BTreeMap::new();
        let mut inventors: BTreeMap<u32, f64> = BTreeMap::new();
        for g in &one.records.groups {
            match g.group {
                "craft" | "operator" | "general" | "unskilled" => {
                    *workers.entry((g.region.as_str(), g.step)).or_default() += g.people;
                }
                "inventors" if g.region != "world" => {
                    *inventors.entry(g.step).or_default() += g.people
                }
                _ => {}
            }
        }
        // A region's labour force follows its demographic rates: by step k
        // it is the initial count grown at each step's rate, to within the
        // one agent that rounding down to whole agents can take.
        let spy = f64::from(s.steps_per_year);
        let grown = |r: &ludd::scenario::Region, step: u32| {
            let log: f64 = (0..=step)
                .map(|k| r.growth_at(s.year_of(k as usize)).ln_1p() / spy)
                .sum();
            f64::from(r.workers) * log.exp()
        };
        for ((region, step), people) in &workers {
            // The rows of region "world" hold every region's workers.
            let (expected, slack) = match s.regions.iter().find(|r| r.name == *region) {
                Some(r) => (grown(r, *step), 1.0),
                None => (
                    s.regions.iter().map(|r| grown(r, *step)).sum::<f64>(),
                    s.regions.len() as f64,
                ),
            };
            assert!(
                (people / ppa - expected).abs() <= slack + 1e-6 * expected,
                "case {case}, {region}, step {step}: {} worker agents, expected {expected:.2}",
                people / ppa
            );
        }
        let all: f64 = s
            .regions
            .iter()
            .map(|r| f64::from(r.inventors))
            .sum::<f64>()
            * ppa;
        for (step, people) in &inventors {
            assert!(
                (people - all).abs() <= 1e-9 * all.max(1.0),
                "case {case}, step {step}: {people} inventors in people, expected {all}"
            );
        }
    }
    eprintln!("{cases} random valid scenarios, {steps} steps in all, each on 1 and 2 threads: every invariant held");
}
