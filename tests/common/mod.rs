//! Helpers of both test binaries (`suite` and `cli`): the built-in loom
//! scenario and the seeds of an ensemble.

use ludd::scenario::Scenario;

pub fn loom() -> Scenario {
    ludd::scenario::load("loom", &[])
        .expect("the built-in loom scenario is valid")
        .scenario
}

/// Seeds 1..=n.
pub fn seeds(n: u64) -> Vec<u64> {
    (1..=n).collect()
}
