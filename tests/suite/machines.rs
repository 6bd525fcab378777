//! Machines by vintage: firms adopt a technology machine by machine and run
//! old and new methods side by side, so adoption is gradual within firms as
//! well as across them; builders' prices keep falling, an embargo stops
//! machines, and households join the buyers as the price falls.

use ludd::model::phases::{self, Buffers};
use ludd::model::world::World;
use ludd::RunOutput;

use crate::common::loom;
use crate::runs::ensemble;

#[test]
fn a_loom_firm_runs_two_technologies_on_one_task_in_one_quarter() {
    let s = loom();
    let mut world = World::new(&s, 1);
    let mut buffers = Buffers::new(&world);
    phases::settle(&mut world, &mut buffers).expect("settles");
    let tasks = world.params.tasks();
    let mut seen = None;
    for _ in 0..s.steps() {
        phases::step(&mut world, &mut buffers).expect("steps");
        let machines = &world.firms.machines;
        'firms: for f in (0..world.firms.len()).filter(|&f| world.firms.alive[f]) {
            for t in 0..tasks {
                let mut methods = 0u64;
                if machines.hand[f * tasks + t] > 0.0 {
                    methods |= 1 << world.firms.choice[f * tasks + t];
                }
                for k in machines.lots(f, t).filter(|&k| machines.used[k] > 0.0) {
                    methods |= 1 << machines.tech[k];
                }
                if methods.count_ones() >= 2 {
                    seen = Some((world.clock.year, f, t, methods));
                    break 'firms;
                }
            }
        }
        if seen.is_some() {
            break;
        }
        world.clock.step += 1;
        world.clock.year = s.year_of(world.clock.step);
    }
    let (year, f, t, methods) = seen.expect("some firm runs two technologies on one task");
    let names: Vec<&str> = (0..s.technologies.len())
        .filter(|j| methods & (1 << j) != 0)
        .map(|j| s.technologies[j].name.as_str())
        .collect();
    println!("firm {f} runs {names:?} on task {t} in {year:.2}");
}

/// The year a technology's annual mean of `pick` in `region` first reaches `level`.
fn first_year(
    out: &RunOutput,
    region: &str,
    tech: &str,
    pick: fn(&ludd::model::observe::TechRow) -> f64,
    level: f64,
) -> f64 {
    let spy = out.scenario.steps_per_year as usize;
    let rows: Vec<_> = out
        .records
        .technologies
        .iter()
        .filter(|r| r.region == region && r.technology == tech)
        .collect();
    rows.chunks(spy)
        .find(|year| year.iter().map(|r| pick(r)).sum::<f64>() / spy as f64 >= level)
        .map_or(out.scenario.end_year, |year| year[0].year.floor())
}

#[test]
fn the_power_loom_spreads_gradually_among_firms_and_in_their_capacity() {
    let runs = ensemble(&loom(), 4);
    for out in &runs {
        let firms = |level| first_year(out, "britain", "power_loom", |r| r.firm_share, level);
        let capacity =
            |level| first_year(out, "britain", "power_loom", |r| r.capacity_share, level);
        let (f10, f50) = (firms(0.1), firms(0.5));
        let (c10, c50) = (capacity(0.1), capacity(0.5));
        println!(
            "seed {}: firms using the power loom 10% in {f10}, 50% in {f50}; its capacity 10% in {c10}, 50% in {c50}",
            out.seed
        );
        assert!(
            f50 < out.scenario.end_year && c50 < out.scenario.end_year,
            "both pass half"
        );
        assert!(
            f50 - f10 >= 5.0,
            "the share of firms rises over years, not at once"
        );
        assert!(
            c50 - c10 >= 5.0,
            "its share of capacity rises over years, not at once"
        );
    }
}

/// Wright's law without a floor: the PC, built by the region that has
/// built the most of them, falls below a tenth of its first price, and
/// goes on falling as more are built. The design cost is left out, so
/// that the fall is the builders' learning alone.
#[test]
fn a_machine_price_keeps_falling_with_cumulative_production_past_a_tenth() {
    let mut s = ludd::scenario::load("pc", &[])
        .expect("the built-in pc scenario is valid")
        .scenario;
    s.behaviour.design_cost = 0.0;
    let tech = "general_purpose_computer";
    for out in ensemble(&s, 2) {
        let rows = |region: &str| -> Vec<(f64, f64, f64)> {
            (out.records.technologies.iter())
                .filter(|r| r.region == region && r.technology == tech)
                .map(|r| {
                    let price = r.builder_price.expect("a technology with machines");
                    (r.year, price, r.machines_built.expect("machines"))
                })
                .collect()
        };
        let leader = (out.scenario.regions.iter())
            .map(|r| r.name.as_str())
            .max_by(|a, b| {
                let built = |name| rows(name).last().map_or(0.0, |row| row.2);
                built(*a).total_cmp(&built(*b))
            })
            .expect("regions");
        let series = rows(leader);
        let first = series[0].1;
        let crossed = series
            .iter()
            .position(|row| row.1 < 0.1 * first)
            .unwrap_or_else(|| {
                let least = series.iter().map(|row| row.1).fold(f64::MAX, f64::min);
                panic!(
                    "seed {}: {leader}'s price fell only to {:.3} of its first",
                    out.seed,
                    least / first
                )
            });
        let (year, at_tenth, built_then) = series[crossed];
        let (_, last, built_last) = *series.last().expect("rows");
        println!(
            "seed {}: {leader}'s builder at {:.3} of its first price in {year:.2} ({built_then:.0} built), {:.3} at the end ({built_last:.0} built)",
            out.seed,
            at_tenth / first,
            last / first
        );
        assert!(built_last > built_then, "builders go on building");
        assert!(last < at_tenth, "and the price goes on falling");
    }
}

/// Markets widen as machines cheapen: in the PC scenario the share of
/// American households that own a computer and the share of firms that
/// use one both rise decade by decade as its delivered price falls. With
/// households' value of one halved, fewer own one in 1995, so ownership
/// answers to price and value, not to the date.
#[test]
fn the_pcs_buyers_grow_in_number_as_its_price_falls() {
    let base = ludd::scenario::load("pc", &[])
        .expect("the built-in pc scenario is valid")
        .scenario;
    let tech = "general_purpose_computer";
    let at = |out: &RunOutput, year: f64| {
        let series = (out.records.series.iter())
            .find(|s| s.region == "usa" && s.year == year)
            .expect("the year is in the run");
        let price = (out.records.technologies.iter())
            .find(|r| r.region == "usa" && r.technology == tech && r.year == year)
            .and_then(|r| r.machine_price)
            .expect("a technology with machines");
        (
            series.general_household_share,
            series.general_firm_adoption_share,
            price,
        )
    };
    let years = [1985.0, 1995.0, 2005.0];
    let runs = ensemble(&base, 2);
    for out in &runs {
        let points: Vec<_> = years.iter().map(|&y| at(out, y)).collect();
        println!(
            "seed {}: (households owning, firms using, price) in 1985, 1995, 2005: {points:.3?}",
            out.seed
        );
        for w in points.windows(2) {
            assert!(
                w[1].2 < w[0].2,
                "seed {}: the price falls ({points:.3?})",
                out.seed
            );
            assert!(
                w[1].0 > w[0].0,
                "seed {}: more households own one ({points:.3?})",
                out.seed
            );
        }
        assert!(
            points[2].1 > points[0].1,
            "seed {}: more firms use one ({points:.3?})",
            out.seed
        );
    }
    let mut halved = base.clone();
    for t in halved.technologies.iter_mut() {
        if let Some(h) = t.household_use.as_mut() {
            h.value *= 0.5;
        }
    }
    for (out, low) in runs.iter().zip(ensemble(&halved, 2)) {
        let (full, half) = (at(out, 1995.0).0, at(&low, 1995.0).0);
        println!(
            "seed {}: households owning in 1995 {full:.3}, with half the value {half:.3}",
            out.seed
        );
        assert!(
            half < 0.8 * full,
            "seed {}: {half:.3} against {full:.3}",
            out.seed
        );
    }
}

/// An export embargo on machinery stops machines, not knowledge. In the PC
/// scenario the other regions come to order American computers; once the
/// USA bans their export, no region orders from an American builder from
/// the next quarter on, and the computer still reaches the other regions
/// and is built there.
#[test]
fn an_embargo_stops_machine_exports_and_not_knowledge() {
    let s = ludd::scenario::load("pc", &[])
        .expect("the built-in pc scenario is valid")
        .scenario;
    let usa = s.region_index("usa").expect("usa");
    let computer = (s.technologies.iter())
        .position(|t| t.name == "general_purpose_computer")
        .expect("the computer");
    let mut world = World::new(&s, 1);
    let mut buffers = Buffers::new(&world);
    phases::settle(&mut world, &mut buffers).expect("settles");
    let regions = s.regions.len();
    let abroad: Vec<usize> = (0..regions).filter(|&r| r != usa).collect();
    let buys_american = |world: &World| {
        (abroad.iter()).any(|&r| world.economy[r].machine_source[computer] as usize == usa)
    };
    let mut quarters_buying = 0;
    let mut banned = None;
    for _ in 0..s.steps() {
        phases::step(&mut world, &mut buffers).expect("steps");
        if let Some(year) = banned {
            assert!(
                !buys_american(&world),
                "a region still orders American computers in {:.2}, after the ban of {year:.2}",
                world.clock.year
            );
        } else if buys_american(&world) {
            quarters_buying += 1;
            if quarters_buying == 8 {
                world.politics[usa].institutions.export_embargo = 1.0;
                banned = Some(world.clock.year);
            }
        }
        world.clock.step += 1;
        world.clock.year = s.year_of(world.clock.step);
    }
    let year = banned.expect("other regions come to order American computers");
    println!("American computers ordered abroad for two years, then banned in {year:.2}");
    assert!(
        abroad
            .iter()
            .all(|&r| world.knowledge.know(r, computer) > 0.0),
        "the computer's knowledge still reaches every region"
    );
    let built: f64 = (abroad.iter())
        .map(|&r| world.builders.built[world.builders.of(r, computer)])
        .sum();
    println!("computers built outside the USA: {built:.0}");
    assert!(built > 0.0, "other regions build computers themselves");
}
