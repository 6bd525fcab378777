//! The library-level tests, in one binary: the model's invariants, the
//! built-in scenarios, counterfactuals and findings, properties of random
//! scenarios, fuzzed inputs, and the layering rule of `src/`. The tests that
//! drive the `ludd` binary are in `tests/cli`; the counting allocator has a
//! binary of its own (`tests/allocations.rs`).

#[path = "../common/mod.rs"]
mod common;
mod runs;

mod counterfactuals;
mod economy;
mod findings;
mod fuzz;
mod invariants;
mod invention;
mod knowledge;
mod layers;
mod machines;
mod model_order;
mod properties;
mod scenarios;

/// A count from the environment variable `name`, or `default`.
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
