//! Events: dated, located happenings a run records beside its tables
//! (a technology arrives, a firm adopts, protest breaks out, a law changes).

use super::World;

named_enum!(
    /// What happened.
    EventKind, EVENT_KINDS, EVENT_KIND_NAMES {
        TechnologyPossible => "technology_possible",
        TechnologyArrives => "technology_arrives",
        Invention => "invention",
        Adoption => "adoption",
        Protest => "protest",
        Repression => "repression",
        MachineBan => "machine_ban",
        Policy => "policy",
        EmbargoLeak => "embargo_leak",
        Migration => "migration",
        Stage => "stage",
        Reorganization => "reorganization",
        Entry => "entry",
        Exit => "exit",
    }
);

#[derive(Clone, Debug)]
pub struct Event {
    pub step: usize,
    pub year: f64,
    pub region: usize,
    pub kind: EventKind,
    pub magnitude: f64,
    pub detail: String,
}

impl World {
    /// Records an event in region `r` at the current step.
    pub fn event(&mut self, r: usize, kind: EventKind, magnitude: f64, detail: impl Into<String>) {
        let detail = detail.into();
        tracing::debug!(step = self.step, year = self.year, region = %self.regions[r].name, kind = kind.name(), magnitude, "{detail}");
        self.events.push(Event {
            step: self.step,
            year: self.year,
            region: r,
            kind,
            magnitude,
            detail,
        });
    }

    /// Records the first use of technology `j` in region `r` as an event.
    pub fn first_adoption(&mut self, r: usize, j: usize) {
        let k = r * self.techs() + j;
        if !self.knowledge.adopted[k] {
            self.knowledge.adopted[k] = true;
            let detail = format!("first firm adopts {}", self.scenario.technologies[j].name);
            self.event(r, EventKind::Adoption, 1.0, &detail);
        }
    }
}
