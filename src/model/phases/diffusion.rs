//! Diffusion of technology along trade routes.
//!
//! Its contract is `contracts::Diffusion`; `buf` is working memory only
//! (knowledge and experience at the start of the route flows, the
//! routes), refilled each step.
//!
//! A technology first becomes known in its origin region in the year the
//! scenario makes it possible. From there it spreads along trade routes: a
//! region that does not know it learns it with a hazard set by the route's
//! knowledge flow; a region that knows it closes part of the gap to a
//! neighbour's best practice each quarter. An export embargo multiplies
//! both by the embargo's leak rate: it slows knowledge, but cannot stop it.

use crate::model::contracts::Diffusion;
use crate::model::rng::{self, Phase};
use crate::model::world::EventKind;
use petgraph::visit::EdgeRef;
use rand::Rng;

pub fn diffusion(view: Diffusion<'_>, buf: &mut Buffers) {
    let Diffusion {
        params,
        clock,
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
            let leak = politics[from].knowledge_leak();
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
