//! The economy earns its aggregates: a world without new technology stays
//! in its steady state; the labour share falls while the general technology
//! spreads and recovers as new tasks arrive; without exogenous
//! productivity growth, steam still earns growth, real wages lag it and
//! catch up after 1840; hand workers are paid by the piece.

use crate::common::loom;
use crate::runs::ensemble;
use ludd::analysis::stats::mean;
use ludd::model::contracts::{Incomes, Labour, Production, Trade};
use ludd::model::observe::SeriesRow;
use ludd::model::phases::{self, Buffers};
use ludd::model::world::{World, CRAFT, CRAFT_SHOP, HIRED, REST, UNEMPLOYED};
use ludd::scenario::{Scenario, TechKind};
use ludd::RunOutput;

/// The scenario with every technology that becomes possible after the
/// start removed: the stage-1 world, held still.
fn still(base: &Scenario) -> Scenario {
    let mut s = base.clone();
    let start = s.start_year;
    s.technologies.retain(|t| t.given_by(start));
    s
}

/// Annual means of a series in one region, as (year, value).
fn annual(out: &RunOutput, region: &str, pick: impl Fn(&SeriesRow) -> f64) -> Vec<(f64, f64)> {
    let spy = out.scenario.steps_per_year as usize;
    let rows: Vec<&SeriesRow> = out
        .records
        .series
        .iter()
        .filter(|s| s.region == region)
        .collect();
    rows.chunks(spy)
        .filter(|c| c.len() == spy)
        .map(|c| {
            (
                c[0].year.floor(),
                mean(&c.iter().map(|s| pick(s)).collect::<Vec<_>>()),
            )
        })
        .collect()
}

/// Mean of the annual values in `[from, to)`.
fn window(series: &[(f64, f64)], from: f64, to: f64) -> f64 {
    mean(
        &series
            .iter()
            .filter(|(y, _)| *y >= from && *y < to)
            .map(|(_, v)| *v)
            .collect::<Vec<_>>(),
    )
}

/// Ensemble mean of a window mean.
fn ensemble_window(
    runs: &[RunOutput],
    region: &str,
    pick: impl Fn(&SeriesRow) -> f64 + Copy,
    from: f64,
    to: f64,
) -> f64 {
    mean(
        &runs
            .iter()
            .map(|o| window(&annual(o, region, pick), from, to))
            .collect::<Vec<_>>(),
    )
}

#[test]
fn a_still_world_stays_in_its_steady_state() {
    // Leading region and its peacetime unemployment ceiling (the
    // plausibility checks in scenarios/checks.csv).
    still_world_stays(&[
        ("loom", "britain", 0.12),
        ("pc", "usa", 0.11),
        ("llm", "usa", 0.11),
    ]);
}

#[test]
fn the_still_assembly_line_world_stays_calm() {
    still_world_stays(&[("assembly_line", "usa", 0.12)]);
}

fn still_world_stays(cases: &[(&str, &str, f64)]) {
    let mut failures = Vec::new();
    for &(name, region, ceiling) in cases {
        let base = ludd::scenario::load(name, &[]).expect("built-in").scenario;
        let s = still(&base);
        let growth = s
            .regions
            .iter()
            .find(|r| r.name == region)
            .expect("leading region")
            .productivity_growth;
        for out in ensemble(&s, 10) {
            let seed = out.seed;
            let unemployment = annual(&out, region, |s| s.unemployment_rate);
            let protest = annual(&out, region, |s| s.protest_intensity);
            let wage = annual(&out, region, |s| s.real_wage);
            let peak_u = unemployment.iter().map(|x| x.1).fold(0.0, f64::max);
            let peak_p = protest.iter().map(|x| x.1).fold(0.0, f64::max);
            let (first, last) = (wage[0], wage[wage.len() - 1]);
            let years = last.0 - first.0;
            let wage_growth = (last.1 / first.1).powf(1.0 / years) - 1.0;
            eprintln!(
                "{name} seed {seed}: peak unemployment {peak_u:.3}, peak protest {peak_p:.4}, real wage growth {:.2}% a year (rest of the economy {:.2}%)",
                100.0 * wage_growth,
                100.0 * growth
            );
            if peak_u > ceiling {
                failures.push(format!(
                    "{name} seed {seed}: peak unemployment {peak_u:.3} above {ceiling}"
                ));
            }
            if peak_p >= 0.005 {
                failures.push(format!(
                    "{name} seed {seed}: protest {peak_p:.4} without any new machine"
                ));
            }
            if (wage_growth - growth).abs() > 0.01 {
                failures.push(format!(
                    "{name} seed {seed}: real wages grow {:.2}% a year against the rest of the economy's {:.2}%",
                    100.0 * wage_growth,
                    100.0 * growth
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "a still world moved:\n{}",
        failures.join("\n")
    );
}

/// Money does not pile up with the merchants who buy the industry's good:
/// in each scenario, held still and as built, from the end of settling to
/// the end of the run, no region's merchants hold more than three
/// quarters' worth of what they bought. Merchants spend all they hold on
/// the industry's good; a shop's price that cannot rise when buyers ask
/// for more than it made leaves the rest with them, quarter after quarter.
#[test]
fn merchants_hold_no_idle_hoard() {
    let mut failures = Vec::new();
    for name in ["loom", "assembly_line", "pc", "llm"] {
        let base = ludd::scenario::load(name, &[]).expect("built-in").scenario;
        for (world, s) in [("still", still(&base)), ("built-in", base)] {
            let mut w = World::new(&s, 1);
            let mut b = Buffers::new(&w);
            phases::settle(&mut w, &mut b).expect("settles");
            let mut worst = (0.0, String::new());
            for _ in 0..s.steps() {
                phases::step(&mut w, &mut b).expect("steps");
                let regions = w.economy.len();
                for (r, region) in w.economy.iter().enumerate() {
                    // What the region's merchants paid for at factory prices.
                    let bought: f64 = (0..regions).map(|s| w.flows.trade[s * regions + r]).sum();
                    let quarters = region.merchants_cash / bought.max(1e-9);
                    if quarters > worst.0 {
                        let at = format!("{} in {:.2}", w.params.region_name(r), w.clock.year);
                        worst = (quarters, at);
                    }
                }
            }
            eprintln!(
                "{name} ({world}): merchants hold at most {:.2} quarters of their purchases ({})",
                worst.0, worst.1
            );
            if worst.0 > 3.0 {
                failures.push(format!(
                    "{name} ({world}): {:.1} quarters ({})",
                    worst.0, worst.1
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "merchants hoard: {}",
        failures.join("; ")
    );
}

/// Britain's labour share over 20 seeds (ensemble means): 1770-1789, the
/// lowest decade of 1800-1849, and the 1890s.
fn labour_share_path(s: &Scenario) -> (f64, f64, f64) {
    let runs = ensemble(s, 20);
    let share = |from, to| ensemble_window(&runs, "britain", |s| s.labour_share, from, to);
    let lowest = (1800..1850)
        .step_by(10)
        .map(|y| share(y as f64, y as f64 + 10.0))
        .fold(f64::INFINITY, f64::min);
    (share(1770.0, 1790.0), lowest, share(1890.0, 1900.0))
}

#[test]
#[ignore = "the model disagrees: with 20 seeds the British labour share falls from 0.655 in 1770-1789 to 0.514 in its lowest decade of 1800-1849 and is back only to 0.544 in the 1890s, 21% of the fall against the more than half asked: new tasks give back what steam took over 60 years (reinstatement_years, the top of its calibration range), while engines that keep getting cheaper and better go on automating the rest of the economy's tasks through the century (docs/VALIDATION.md, L4 and L5)"]
fn the_labour_share_falls_while_the_power_loom_spreads_and_recovers() {
    let base = loom();
    let (before, trough, end) = labour_share_path(&base);
    eprintln!("British labour share: 1770-1789 {before:.3}, lowest decade 1800-1849 {trough:.3}, 1890s {end:.3}");
    assert!(
        trough < before - 0.01,
        "the labour share must fall while the power loom spreads ({before:.3} to {trough:.3})"
    );
    assert!(
        end > trough + 0.5 * (before - trough),
        "and recover most of the fall by 1900 ({trough:.3} to {end:.3})"
    );

    // Without the general technology nothing automates the rest of the economy.
    let mut without = base.clone();
    without.technologies.retain(|t| t.kind != TechKind::General);
    let (before, lowest, _) = labour_share_path(&without);
    eprintln!("without the power loom: 1770-1789 {before:.3}, lowest decade 1800-1849 {lowest:.3}");
    assert!(
        lowest > before - 0.01,
        "without the general technology the labour share must not fall ({before:.3} to {lowest:.3})"
    );
}

/// The loom with no exogenous productivity growth anywhere: ten runs, and
/// the ensemble's growth of British output per worker and real wages
/// between the annual means of two years.
fn without_exogenous_growth() -> impl Fn(fn(&SeriesRow) -> f64, f64, f64) -> f64 {
    let mut s = loom();
    for r in s.regions.iter_mut() {
        r.productivity_growth = 0.0;
    }
    let runs = ensemble(&s, 10);
    move |pick, from, to| {
        let at = |year: f64| ensemble_window(&runs, "britain", pick, year, year + 1.0);
        at(to) / at(from) - 1.0
    }
}

/// With no exogenous productivity growth anywhere, steam still earns
/// Britain's growth: the rest of the economy automates the tasks it can do
/// as its machines cheapen and improve against labour, so output per
/// worker grows at least 25% in 1780-1840, and real wages fall behind it
/// while capital takes a larger share (Allen 2009's Engels' pause).
#[test]
fn without_exogenous_growth_steam_earns_growth_and_wages_fall_behind() {
    let growth = without_exogenous_growth();
    let output = growth(|s| s.output_per_worker, 1780.0, 1840.0);
    let wage = growth(|s| s.real_wage, 1780.0, 1840.0);
    eprintln!("Britain with no exogenous growth, 1780-1840: output per worker {output:+.3}, real wage {wage:+.3}");
    assert!(
        output >= 0.25,
        "output per worker must grow at least 25% in 1780-1840 ({output:.3})"
    );
    assert!(
        wage < output,
        "real wages must fall behind output per worker in 1780-1840 ({wage:.3} against {output:.3})"
    );
}

/// After 1840 real wages catch up with output per worker (Allen 2009), and
/// must do so without exogenous growth too.
#[test]
fn without_exogenous_growth_real_wages_catch_up_after_1840() {
    let growth = without_exogenous_growth();
    let output = growth(|s| s.output_per_worker, 1840.0, 1899.0);
    let wage = growth(|s| s.real_wage, 1840.0, 1899.0);
    eprintln!("Britain with no exogenous growth, 1840-1899: output per worker {output:+.3}, real wage {wage:+.3}");
    assert!(
        wage > output,
        "real wages must catch up after 1840 ({wage:.3} against {output:.3})"
    );
}

/// In shops whose members do every task and share its earnings (the
/// built-in loom), halving the cloth price takes half of a weaver's revenue.
#[test]
fn a_hand_weaver_earns_revenue_less_materials_and_loses_half_of_it_when_the_price_halves() {
    let s = loom();
    assert!(s.industry.hired_task.is_none());
    piece_rates(&s, 0.5);
}

/// The same where weavers pay spinners a wage (`hired_task`, the
/// `putting_out` experiment): a quarter off the cloth price takes a quarter
/// of a weaver's revenue and none of the spinners' pay. (Half off would
/// leave less than the cotton and the spinners cost: the weaver would keep
/// nothing.)
#[test]
fn a_weaver_who_pays_spinners_bears_the_whole_fall_in_the_cloth_price() {
    let mut s = loom();
    s.industry.hired_task = Some("spinning".into());
    piece_rates(&s, 0.75);
}

/// Cuts every shop's price to `factor` of itself for one step and checks
/// that a weaver keeps the shop's revenue less its materials and its
/// spinners' pay, per weaver, and loses `1 - factor` of their revenue.
fn piece_rates(s: &Scenario, factor: f64) {
    let mut w = World::new(s, 3);
    let mut b = Buffers::new(&w);
    phases::production::production(Production::lend(&mut w));
    // Merchants with money enough to buy every shop's whole stock at either
    // price, so the same cloth is sold and only its price differs.
    for region in w.economy.iter_mut() {
        region.merchants_cash *= 10.0;
    }
    let mut cheap = w.clone();
    let mut cheap_b = b.clone();
    for f in 0..cheap.firms.len() {
        cheap.firms.price[f] *= factor;
    }
    for (w, b) in [(&mut w, &mut b), (&mut cheap, &mut cheap_b)] {
        phases::trade::trade(Trade::lend(w), &mut b.trade);
        phases::labour::labour(Labour::lend(w), &mut b.labour, &mut b.workers);
        phases::incomes::incomes(Incomes::lend(w), &mut b.incomes, &mut b.workers);
    }
    // A self-employed weaver in Britain's first shop: one of its members
    // (the craft class), not one of the spinners it pays a wage.
    let f = (0..w.firms.len())
        .find(|&f| w.firms.organization[f] == CRAFT_SHOP && w.firms.region[f] == 0)
        .expect("a hand shop");
    let i = (0..w.workers.len())
        .find(|&i| {
            w.workers.employer[i] == f as u32
                && cheap.workers.employer[i] == f as u32
                && w.workers.class[i] == CRAFT as u8
        })
        .expect("a weaver who stays");
    let staff = w.params.shop_members(&w.firms, f);
    assert_eq!(
        staff,
        cheap.params.shop_members(&cheap.firms, f),
        "the shop keeps its weavers"
    );
    assert_eq!(
        w.firms.labour[f][HIRED], cheap.firms.labour[f][HIRED],
        "the shop keeps its spinners"
    );
    assert_eq!(
        w.firms.labour[f][HIRED] > 0,
        s.industry.hired_task.is_some(),
        "weavers pay spinners where the industry hires a task"
    );
    assert!(
        (w.firms.sales[f] - cheap.firms.sales[f]).abs() < 1e-9 * w.firms.sales[f],
        "the same cloth is sold ({} and {})",
        w.firms.sales[f],
        cheap.firms.sales[f]
    );
    let revenue_share = w.firms.revenue[f] / staff as f64;
    let tax = s.regions[0].institutions.income_tax;
    // What the weaver keeps is the shop's revenue less the materials of
    // its cloth (its tools have not worn yet) and the spinners' wages and
    // hiring, shared by head among the weavers.
    let materials = w.firms.output[f]
        * ludd::model::costs::materials_cost(&ludd::model::costs::Costing::of(&w), 0);
    assert!(materials > 0.0, "the loom's cloth is made of bought cotton");
    let hand_wage = w.economy[0].wage[HIRED];
    let spinners = f64::from(w.firms.labour[f][HIRED]) * hand_wage
        + s.behaviour.hiring_cost * f64::from(w.firms.hires[f]) * hand_wage;
    let kept = (w.firms.revenue[f] - materials - spinners) / staff as f64 * (1.0 - tax);
    assert!(
        (f64::from(w.workers.income[i]) - kept).abs() < 1e-4 * kept,
        "the weaver keeps revenue less materials ({} against {kept:.5})",
        w.workers.income[i]
    );
    let lost = f64::from(w.workers.income[i] - cheap.workers.income[i]);
    let expected = (1.0 - factor) * revenue_share * (1.0 - tax);
    eprintln!(
        "weaver's income {} -> {}: lost {lost:.4}, {:.0}% of their revenue after tax {expected:.4}",
        w.workers.income[i],
        cheap.workers.income[i],
        100.0 * (1.0 - factor)
    );
    assert!(
        (lost - expected).abs() < 1e-3 * expected,
        "the weaver loses {:.0}% of their revenue ({lost:.5} against {expected:.5})",
        100.0 * (1.0 - factor)
    );
    let employed = |w: &World| {
        (0..w.workers.len())
            .filter(|&i| w.workers.employer[i] != UNEMPLOYED && w.workers.employer[i] != REST)
            .count()
    };
    assert_eq!(
        employed(&w),
        employed(&cheap),
        "no one in the industry loses work"
    );
}

/// Mean head count of a group in a region over the years `[from, to)`,
/// averaged over runs.
fn ensemble_people(runs: &[RunOutput], region: &str, group: &str, from: f64, to: f64) -> f64 {
    mean(
        &runs
            .iter()
            .map(|o| {
                mean(
                    &o.records
                        .groups
                        .iter()
                        .filter(|g| g.region == region && g.group == group)
                        .filter(|g| g.year >= from && g.year < to)
                        .map(|g| g.people)
                        .collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>(),
    )
}

/// The young judge a hand trade by what it has paid over the years
/// (`trade_memory_years`): with the loom scenario's memory, handloom
/// weaving goes on drawing entrants after its rates begin to fall, as it
/// did (Bythell 1969), so more weavers work in the 1820s and their
/// earnings fall further from 1800 to 1830 than when the young look only
/// at this quarter's earnings.
#[test]
fn a_remembered_trade_keeps_drawing_entrants_as_its_rates_fall() {
    let remembered = loom();
    assert!(remembered.behaviour.trade_memory_years > 0.0);
    let mut forgotten = loom();
    forgotten.behaviour.trade_memory_years = 0.0;
    let measure = |s: &Scenario| {
        let runs = ensemble(s, 6);
        let earnings =
            |from, to| ensemble_window(&runs, "britain", |s| s.craft_real_wage, from, to);
        (
            ensemble_people(&runs, "britain", "craft", 1820.0, 1830.0),
            earnings(1830.0, 1831.0) / earnings(1800.0, 1801.0),
        )
    };
    let (weavers, fall) = measure(&remembered);
    let (weavers0, fall0) = measure(&forgotten);
    eprintln!(
        "British hand workers in the 1820s: {weavers:.0} remembered, {weavers0:.0} not; \
         hand earnings 1830 over 1800: {fall:.3} and {fall0:.3}"
    );
    assert!(
        weavers > 1.1 * weavers0,
        "the remembered trade must keep more weavers ({weavers:.0} against {weavers0:.0})"
    );
    assert!(
        fall < fall0,
        "their earnings must fall further ({fall:.3} against {fall0:.3})"
    );
}

/// Machine spinning, where weavers pay spinners for their yarn: the jenny,
/// the water frame and the mule cut the spinners' places in the hand shops
/// and, since a shop can weave no more cloth than its weavers can, leave
/// the saving with the weavers until entrants crowd in: the handloom
/// weavers' golden age of the 1780s and 1790s (Bythell 1969, ch. 3),
/// bought at the hand spinners' expense.
#[test]
fn machine_yarn_raises_weavers_earnings_and_takes_the_spinners_places() {
    let mut with = loom();
    with.end_year = 1800.0;
    with.industry.hired_task = Some("spinning".into());
    let mut without = with.clone();
    without
        .technologies
        .retain(|t| t.kind != TechKind::Special || !t.tasks.iter().any(|x| x == "spinning"));
    assert!(without.technologies.len() < with.technologies.len());
    let measure = |s: &Scenario| {
        let runs = ensemble(s, 4);
        (
            ensemble_window(&runs, "britain", |s| s.craft_real_wage, 1780.0, 1795.0),
            ensemble_window(&runs, "britain", |s| s.shop_hands, 1780.0, 1795.0),
        )
    };
    let (earnings, hands) = measure(&with);
    let (earnings0, hands0) = measure(&without);
    eprintln!(
        "British weavers' real earnings 1780-1794: {earnings:.3} with spinning machines, \
         {earnings0:.3} without; hand spinners {hands:.0} and {hands0:.0}"
    );
    assert!(
        earnings > 1.2 * earnings0,
        "machine yarn must raise weavers' earnings ({earnings:.3} against {earnings0:.3})"
    );
    assert!(
        hands < 0.5 * hands0,
        "machine yarn must take the hand spinners' places ({hands:.0} against {hands0:.0})"
    );
}

/// Inventors are paid as inventors were: a skilled worker's wage, from the
/// research firms and machine builders fund and, where research does not
/// fill their time, from their trade (Meisenzahl and Mokyr 2012; Mowery
/// and Rosenberg 1998). In every built-in scenario, region and decade their
/// mean real income lies between the unskilled worker's and three times
/// it, and does not follow the size of the research money the way a share
/// of the pool did (British inventors at 0.14 of the unskilled wage before
/// stage 2 in the loom, American ones growing a hundredfold).
#[test]
fn inventors_earn_a_skilled_wage_in_every_scenario_region_and_decade() {
    let mut failures = Vec::new();
    for name in ludd::scenario::builtin_names() {
        let s = ludd::scenario::load(name, &[])
            .expect("the built-in scenario is valid")
            .scenario;
        let out = &ensemble(&s, 1)[0];
        let mut from = s.start_year;
        while from + 10.0 <= s.end_year {
            for region in &s.regions {
                let income = |group: &str| {
                    mean(
                        &(out.records.groups.iter())
                            .filter(|g| g.region == region.name && g.group == group)
                            .filter(|g| g.year >= from && g.year < from + 10.0)
                            .map(|g| g.real_income)
                            .collect::<Vec<_>>(),
                    )
                };
                let ratio = income("inventors") / income("unskilled");
                if !(1.0..=3.0).contains(&ratio) {
                    failures.push(format!("{name} {} {from}s: {ratio:.3}", region.name));
                }
            }
            from += 10.0;
        }
    }
    assert!(
        failures.is_empty(),
        "inventors' income over the unskilled worker's outside [1, 3]: {failures:?}"
    );
}

/// Peacetime unemployment stays in its historical range while the power
/// loom spreads: in every run of ten, British unemployment, year by year
/// over 1760-1899, stays at or below 12% (the bound of the check CL1:
/// Boyer and Hatton 2002; Feinstein 1998). Searchers spread over the
/// places on offer in proportion to what they are worth; when each chose
/// the single best option by last quarter's chances, they queued in
/// thousands for a few factory places while the rest of the economy's
/// vacancies went unfilled, and a third or more of runs peaked above 15%.
#[test]
fn peacetime_unemployment_stays_in_its_historical_range_in_every_run() {
    let runs = ensemble(&loom(), 10);
    let peaks: Vec<f64> = runs
        .iter()
        .map(|o| {
            annual(o, "britain", |s| s.unemployment_rate)
                .into_iter()
                .filter(|&(year, _)| (1760.0..1900.0).contains(&year))
                .map(|(_, u)| u)
                .fold(0.0, f64::max)
        })
        .collect();
    assert!(
        peaks.iter().all(|&u| u <= 0.12),
        "British unemployment peaks above 12% in some runs: {peaks:.3?}"
    );
}
