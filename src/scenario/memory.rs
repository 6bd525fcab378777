//! How much memory a run needs and how much it may have: a scenario whose
//! run would not fit is refused before anything is allocated, because a
//! run that starts and is then killed by the operating system loses its
//! work and says nothing useful about why.

use super::{Region, Scenario};
use crate::error::{LuddError, Result};

impl Scenario {
    /// Memory a run of this scenario needs, in bytes, estimated from its
    /// agents and length: per worker, its state and scratch (measured: 60 to
    /// 72 bytes at 1M-10M workers, docs/PERFORMANCE.md); per firm, its state,
    /// plans and market weights; per step, the recorded tables.
    pub fn memory_estimate(&self) -> u64 {
        let sum = |f: fn(&Region) -> u32| self.regions.iter().map(|r| u64::from(f(r))).sum::<u64>();
        let (workers, firms, inventors) =
            (sum(|r| r.workers), sum(|r| r.firms), sum(|r| r.inventors));
        let regions = self.regions.len() as u64;
        let techs = self.technologies.len() as u64;
        let steps = self.steps() as u64;
        let routes = self.routes.len() as u64;
        let per_step = regions * (400 + 6 * 120 + techs * 100) + (2 * routes + regions) * 64;
        const BASE: u64 = 32 << 20;
        BASE + workers * 72
            + firms * (600 + 16 * regions + 8 * techs)
            + inventors * 24
            + steps * per_step
    }
}

/// Refuses, before anything is allocated, a scenario whose run would need
/// more memory than the machine has available now (`MemAvailable` in
/// /proc/meminfo; where that cannot be read, nothing is refused).
pub fn check_memory(scenario: &Scenario, source: &str) -> Result<()> {
    let needed = scenario.memory_estimate();
    match available_memory() {
        Some(available) if needed > available => Err(LuddError::TooLarge {
            file: source.to_string(),
            needed,
            available,
        }),
        _ => Ok(()),
    }
}

/// Memory a run may use, in bytes: what the machine has available
/// (`MemAvailable`, Linux), or less if the environment variable
/// `LUDD_MEMORY_LIMIT` (bytes, or with a K, M or G suffix) says so, as on a
/// shared node with a memory allowance.
pub fn available_memory() -> Option<u64> {
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|meminfo| {
            let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb * 1024)
        });
    let limit = std::env::var("LUDD_MEMORY_LIMIT")
        .ok()
        .and_then(|v| parse_bytes(&v));
    match (machine, limit) {
        (Some(m), Some(l)) => Some(m.min(l)),
        (m, l) => m.or(l),
    }
}

/// `12345`, `512K`, `300M` or `8G` in bytes.
fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 1u64 << 10),
        (i, 'M' | 'm') => (&text[..i], 1 << 20),
        (i, 'G' | 'g') => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(unit)
}
