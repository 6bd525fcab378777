//! Machines by vintage: firms adopt a technology machine by machine and run
//! old and new methods side by side, so adoption is gradual within firms as
//! well as across them.

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
