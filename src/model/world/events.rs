//! Events: dated, located happenings a run records beside its tables
//! (a technology arrives, a firm adopts, protest breaks out, a law changes).

use super::World;

macro_rules! event_kinds {
    ($($kind:ident => $name:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum EventKind {
            $($kind,)*
        }

        impl EventKind {
            /// The kind as written in `events.parquet`.
            pub fn name(self) -> &'static str {
                match self {
                    $(EventKind::$kind => $name,)*
                }
            }
        }
    };
}

event_kinds! {
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
