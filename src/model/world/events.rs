//! Events: dated, located happenings a run records beside its tables
//! (a technology arrives, a firm adopts, protest breaks out, a law changes).

use super::{Clock, Parameters};

named_enum!(
    /// What happened.
    EventKind, EVENT_KINDS, EVENT_KIND_NAMES {
        TechnologyPossible => "technology_possible",
        TechnologyArrives => "technology_arrives",
        Invention => "invention",
        NewTechnology => "new_technology",
        Adoption => "adoption",
        Protest => "protest",
        Repression => "repression",
        MachineBan => "machine_ban",
        Policy => "policy",
        EmbargoLeak => "embargo_leak",
        EmigrationLeak => "emigration_leak",
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

/// The events of a run, in the order they happened.
#[derive(Clone, Debug, Default)]
pub struct Events {
    pub list: Vec<Event>,
}

impl Events {
    /// Records an event in region `r` at the clock's step.
    pub fn record(
        &mut self,
        params: &Parameters,
        clock: &Clock,
        r: usize,
        kind: EventKind,
        magnitude: f64,
        detail: impl Into<String>,
    ) {
        let detail = detail.into();
        tracing::debug!(
            step = clock.step,
            year = clock.year,
            region = params.region_name(r),
            kind = kind.name(),
            magnitude,
            "{detail}"
        );
        self.list.push(Event {
            step: clock.step,
            year: clock.year,
            region: r,
            kind,
            magnitude,
            detail,
        });
    }
}
