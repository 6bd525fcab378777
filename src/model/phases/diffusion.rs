//! Diffusion of technology along trade routes and with people.
//!
//! Its contract is `contracts::Diffusion`; `buf` is working memory only
//! (knowledge and experience at the start of the route flows, the
//! routes), refilled each step.
//!
//! A technology first becomes known in its origin region in the year the
//! scenario makes it possible. From there it spreads by two channels, each
//! under its own law.
//!
//! - Along trade routes (trade, visits, letters, drawings, machines): a
//!   region that does not know it learns it with a hazard set by the
//!   route's knowledge flow; a region that knows it closes part of the gap
//!   to a neighbour's best practice each quarter. An export embargo on
//!   machinery, models and plans multiplies both by the embargo's leak
//!   rate toward the regions it holds toward (every one, or the one a
//!   dated policy names): it slows knowledge, but cannot stop it.
//! - With mechanics who emigrate (`emigration`): the skilled men who build
//!   and run a technology leave for a neighbour where they would be paid
//!   more, and carry it in their heads. An emigration ban multiplies their
//!   hazard by its leak. The British laws were of both kinds and distinct:
//!   the ban on the emigration of artisans (5 Geo. I c. 27, 1719, repealed
//!   by 5 Geo. IV c. 97 in 1824) and the bans on exporting machinery and
//!   its plans (14 Geo. III c. 71, 1774, to 1843).

use crate::model::contracts::Diffusion;
use crate::model::rng::{self, Phase};
use crate::model::world::{
    Clock, Economy, EventKind, Events, Knowledge, Parameters, Politics, CARRIED, GENERAL,
};
use petgraph::visit::EdgeRef;
use rand::Rng;

pub fn diffusion(view: Diffusion<'_>, buf: &mut Buffers) {
    let Diffusion {
        params,
        clock,
        economy,
        politics,
        knowledge,
        events,
    } = view;
    let techs = params.techs();
    let steps_per_year = params.steps_per_year();
    // A technology becomes possible in its origin (or everywhere).
    for j in 0..techs {
        let t = &params.scenario.technologies[j];
        if !t.given_by(clock.year) {
            continue;
        }
        let productivity = t.productivity;
        for r in 0..params.region_count() {
            let t = &params.scenario.technologies[j];
            let here = t
                .origin
                .as_deref()
                .is_none_or(|o| o == params.region_name(r));
            if here && knowledge.productivity[r * techs + j] == 0.0 {
                knowledge.productivity[r * techs + j] = productivity;
                let detail = format!("{} becomes possible", t.name);
                events.record(
                    params,
                    clock,
                    r,
                    EventKind::TechnologyPossible,
                    productivity,
                    &detail,
                );
            }
        }
    }
    // Flows along routes, computed from the state at the start of the phase
    // so that the order of routes does not matter.
    let Buffers {
        known,
        experience,
        edges,
    } = buf;
    known.clone_from(&knowledge.productivity);
    experience.clone_from(&knowledge.experience);
    edges.clear();
    edges.extend(params.network.edge_references().map(|e| {
        (
            e.id().index(),
            params.network[e.source()],
            params.network[e.target()],
            e.weight().knowledge_flow,
        )
    }));
    for &(id, a, c, flow) in edges.iter() {
        for (from, to) in [(a, c), (c, a)] {
            let leak = politics[from].knowledge_leak(to);
            let embargoed = leak < 1.0;
            let rate = flow * leak / steps_per_year;
            for j in 0..techs {
                let (src, dst) = (from * techs + j, to * techs + j);
                if known[src] <= 0.0 {
                    continue;
                }
                if known[dst] == 0.0 && knowledge.productivity[dst] == 0.0 {
                    let mut rng = rng::stream(
                        params.seed,
                        clock.step,
                        Phase::Diffusion,
                        ((id * 2 + (from == a) as usize) * 64 + j) as u64,
                    );
                    if rng.random::<f64>() < 1.0 - (-rate).exp() {
                        // The first copy is imperfect.
                        knowledge.productivity[dst] = 0.8 * known[src];
                        let kind = if embargoed {
                            EventKind::EmbargoLeak
                        } else {
                            EventKind::TechnologyArrives
                        };
                        let detail = format!(
                            "{} reaches {} from {}",
                            params.scenario.technologies[j].name,
                            params.region_name(to),
                            params.region_name(from)
                        );
                        events.record(params, clock, to, kind, 0.8 * known[src], &detail);
                    }
                } else if known[src] > knowledge.productivity[dst]
                    && knowledge.productivity[dst] > 0.0
                {
                    knowledge.productivity[dst] +=
                        rate * (known[src] - knowledge.productivity[dst]);
                }
                // Part of others' experience spills over (machine makers learn from each other).
                if experience[src] > knowledge.experience[dst] {
                    knowledge.experience[dst] +=
                        0.5 * rate * (experience[src] - knowledge.experience[dst]);
                }
            }
        }
    }
    for &(id, a, c, flow) in edges.iter().filter(|e| e.1 != e.2) {
        for (from, to) in [(a, c), (c, a)] {
            emigration(
                params,
                clock,
                economy,
                politics,
                known,
                experience,
                (id, from, to, flow),
                knowledge,
                events,
            );
        }
    }
}

/// Mechanics who emigrate from `from` to `to` along route `id`, carrying
/// each technology worked in `from` that `to` knows less well. A mechanic
/// weighs their pay abroad against their pay at home: the skilled
/// (general-class) wage of each region, and abroad a premium for what the
/// destination lacks of the technology, the share an inventor keeps
/// (`appropriability`) of its shortfall from the home best practice, so
/// half a wage where it is unknown (Slater was made a partner for half
/// the profits of Almy and Brown's mill, and American and continental
/// mill-owners advertised for British mechanics; Jeremy 1981,
/// Transatlantic Industrial Revolution, ch. 3). They leave with the yearly
/// hazard `mechanic_emigration` times the route's knowledge flow (the
/// contact between the regions: ships, letters, agents who recruit) times
/// the log of that pay ratio, times the share of them the home region's
/// emigration law lets go. The technology arrives at the `CARRIED` share
/// of the home best practice; they carry no experience, which stays with
/// the factories.
#[allow(clippy::too_many_arguments)]
fn emigration(
    params: &Parameters,
    clock: &Clock,
    economy: &[Economy],
    politics: &[Politics],
    known: &[f64],
    experience: &[f64],
    (id, from, to, flow): (usize, usize, usize, f64),
    knowledge: &mut Knowledge,
    events: &mut Events,
) {
    let techs = params.techs();
    let allowed = politics[from].emigration_allowed();
    let keeps = params.behaviour().appropriability;
    let wage_ratio = economy[to].wage[GENERAL] / economy[from].wage[GENERAL].max(1e-12);
    let rate = params.behaviour().mechanic_emigration * flow * allowed / params.steps_per_year();
    if rate <= 0.0 {
        return;
    }
    let mut rng = rng::stream(
        params.seed,
        clock.step,
        Phase::Emigration,
        (id * 2 + usize::from(from < to)) as u64,
    );
    for j in 0..techs {
        let (src, dst) = (from * techs + j, to * techs + j);
        // Only a technology worked at home has mechanics to carry it.
        if known[src] <= 0.0 || experience[src] <= 0.0 {
            continue;
        }
        let shortfall = (1.0 - knowledge.productivity[dst] / known[src]).max(0.0);
        let pull = (wage_ratio * (1.0 + keeps * shortfall)).ln();
        let draw = rng.random::<f64>();
        if shortfall <= 0.0 || pull <= 0.0 || draw >= 1.0 - (-rate * pull).exp() {
            continue;
        }
        let carried = CARRIED * known[src];
        if carried <= knowledge.productivity[dst] {
            continue;
        }
        knowledge.productivity[dst] = carried;
        let kind = if allowed < 1.0 {
            EventKind::EmigrationLeak
        } else {
            EventKind::Migration
        };
        let detail = format!(
            "a mechanic carries {} from {} to {}",
            params.scenario.technologies[j].name,
            params.region_name(from),
            params.region_name(to)
        );
        events.record(params, clock, to, kind, carried, &detail);
    }
}

/// The diffusion phase's working space, kept between steps: knowledge and
/// experience at the start of the phase, and the routes as (id, one end,
/// other end, knowledge flow).
#[derive(Clone, Default)]
pub struct Buffers {
    known: Vec<f64>,
    experience: Vec<f64>,
    edges: Vec<(usize, usize, usize, f64)>,
}
