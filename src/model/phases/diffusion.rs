//! Diffusion of technology along trade routes.
//!
//! Reads:
//! - knowledge: `knowledge.productivity`, `knowledge.experience` (both as
//!   they stand at the start of the route flows, and as they are updated).
//! - regions: `regions[r].institutions.export_embargo` and `.embargo_leak`
//!   (through `innovation::leak`).
//! - routes: every route of `network` and its `knowledge_flow`.
//! - scenario: `scenario.technologies[j]` (`possible_from`, `origin`,
//!   `productivity`).
//!
//! Writes:
//! - knowledge: `knowledge.productivity` (a technology becoming possible,
//!   arriving along a route, or catching up with a neighbour),
//!   `knowledge.experience` (spillovers from neighbours).
//! - events: `TechnologyPossible`, `TechnologyArrives`, `EmbargoLeak` (a
//!   technology reaching a region from one under embargo).
//! - `buf`: working memory only (knowledge and experience at the start of
//!   the route flows, the routes), refilled each step.
//!
//! A technology first becomes known in its origin region in the year the
//! scenario makes it possible. From there it spreads along trade routes: a
//! region that does not know it learns it with a hazard set by the route's
//! knowledge flow; a region that knows it closes part of the gap to a
//! neighbour's best practice each quarter. An export embargo multiplies
//! both by the embargo's leak rate: it slows knowledge, but cannot stop it.

use crate::model::rng::{self, Phase};
use crate::model::world::EventKind;
use crate::model::world::World;
use petgraph::visit::EdgeRef;
use rand::Rng;

pub fn diffusion(w: &mut World, buf: &mut Buffers) {
    let techs = w.techs();
    let spy = w.scenario.steps_per_year as f64;
    // A technology becomes possible in its origin (or everywhere).
    for j in 0..techs {
        let t = &w.scenario.technologies[j];
        if w.year < t.possible_from {
            continue;
        }
        let productivity = t.productivity;
        for r in 0..w.regions.len() {
            let t = &w.scenario.technologies[j];
            let here = t.origin.as_deref().is_none_or(|o| o == w.regions[r].name);
            if here && w.knowledge.productivity[r * techs + j] == 0.0 {
                w.knowledge.productivity[r * techs + j] = productivity;
                let detail = format!("{} becomes possible", t.name);
                w.event(r, EventKind::TechnologyPossible, productivity, &detail);
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
    known.clone_from(&w.knowledge.productivity);
    experience.clone_from(&w.knowledge.experience);
    edges.clear();
    edges.extend(w.network.edge_references().map(|e| {
        (
            e.id().index(),
            w.network[e.source()],
            w.network[e.target()],
            e.weight().knowledge_flow,
        )
    }));
    for &(id, a, c, flow) in edges.iter() {
        for (from, to) in [(a, c), (c, a)] {
            let leak = crate::model::phases::innovation::leak(w, from);
            let embargoed = leak < 1.0;
            let rate = flow * leak / spy;
            for j in 0..techs {
                let (src, dst) = (from * techs + j, to * techs + j);
                if known[src] <= 0.0 {
                    continue;
                }
                if known[dst] == 0.0 && w.knowledge.productivity[dst] == 0.0 {
                    let mut rng = rng::stream(
                        w.seed,
                        w.step,
                        Phase::Diffusion,
                        ((id * 2 + (from == a) as usize) * 64 + j) as u64,
                    );
                    if rng.random::<f64>() < 1.0 - (-rate).exp() {
                        // The first copy is imperfect.
                        w.knowledge.productivity[dst] = 0.8 * known[src];
                        let kind = if embargoed {
                            EventKind::EmbargoLeak
                        } else {
                            EventKind::TechnologyArrives
                        };
                        let detail = format!(
                            "{} reaches {} from {}",
                            w.scenario.technologies[j].name,
                            w.regions[to].name,
                            w.regions[from].name
                        );
                        w.event(to, kind, 0.8 * known[src], &detail);
                    }
                } else if known[src] > w.knowledge.productivity[dst]
                    && w.knowledge.productivity[dst] > 0.0
                {
                    w.knowledge.productivity[dst] +=
                        rate * (known[src] - w.knowledge.productivity[dst]);
                }
                // Part of others' experience spills over (machine makers learn from each other).
                if experience[src] > w.knowledge.experience[dst] {
                    w.knowledge.experience[dst] +=
                        0.5 * rate * (experience[src] - w.knowledge.experience[dst]);
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
