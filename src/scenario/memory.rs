//! How much memory runs need and how much they may have, and how many runs
//! one command may make: a scenario or an ensemble that would not fit is
//! refused before anything is allocated, because a run that starts and is
//! then killed by the operating system loses its work and says nothing
//! useful about why.

use super::{Region, Scenario};
use crate::error::{LuddError, Result};

/// The most runs one command makes (seeds times settings, candidates or
/// scenarios). Far beyond any ensemble the model needs (a run of the
/// smallest scenario takes tenths of a second, so this is days of
/// computing), it keeps every count and list of seeds well inside the
/// machine's integers and memory; docs/RELIABILITY.md documents it.
pub const MAX_RUNS: u64 = 1_000_000;

/// Memory the process needs whatever it runs (code, thread stacks, the
/// allocator's own structures).
const BASE: u64 = 32 << 20;

impl Scenario {
    /// Memory one run of this scenario needs while it runs, in bytes: its
    /// world (`state_estimate`) and the tables it records
    /// (`records_estimate`), plus the process's base.
    pub fn memory_estimate(&self) -> u64 {
        BASE.saturating_add(self.state_estimate())
            .saturating_add(self.records_estimate())
    }

    /// Memory of a run's world, in bytes, estimated from its agents: per
    /// worker, its state and scratch (measured: 60 to 72 bytes at 1M-10M
    /// workers, docs/PERFORMANCE.md); per firm, its state, plans and market
    /// weights; per inventor, its state. `bench` needs only this.
    pub fn state_estimate(&self) -> u64 {
        let sum = |f: fn(&Region) -> u32| self.regions.iter().map(|r| u64::from(f(r))).sum::<u64>();
        // A run reserves each region's slots for its largest labour force.
        let workers = self
            .regions
            .iter()
            .map(|r| r.peak_workers(self.start_year, self.end_year, self.steps_per_year))
            .fold(0u64, u64::saturating_add);
        let (firms, inventors) = (sum(|r| r.firms), sum(|r| r.inventors));
        let regions = self.regions.len() as u64;
        let techs = self.technologies.len() as u64;
        let per_firm = 600 + 16 * regions + 8 * techs;
        workers
            .saturating_mul(72)
            .saturating_add(firms.saturating_mul(per_firm))
            .saturating_add(inventors.saturating_mul(24))
    }

    /// Memory of what a finished run holds (its `RunOutput`), in bytes:
    /// per step and region a row of the series (about 40 numbers and the
    /// region's name), six group rows and a row per technology, and per
    /// step a trade row per route direction and region; every row is
    /// counted with its strings, and the whole twice over, since a table
    /// that grows by doubling may hold up to twice its rows' memory.
    pub fn records_estimate(&self) -> u64 {
        let regions = self.regions.len() as u64;
        let techs = self.technologies.len() as u64;
        let steps = self.steps() as u64;
        let routes = self.routes.len() as u64;
        let per_step = regions * (400 + 6 * 120 + techs * 180) + (2 * routes + regions) * 140;
        steps.saturating_mul(per_step).saturating_mul(2)
    }

    /// Memory of an ensemble of `runs` runs of this scenario of which at
    /// most `at_once` are alive together (each a world and its records),
    /// keeping `kept_per_run` bytes of every finished run (its statistics
    /// or measures), in bytes; saturates rather than wraps.
    pub fn ensemble_estimate(&self, at_once: u64, runs: u64, kept_per_run: u64) -> u64 {
        let run = self
            .state_estimate()
            .saturating_add(self.records_estimate());
        BASE.saturating_add(run.saturating_mul(at_once.clamp(1, runs.max(1))))
            .saturating_add(runs.saturating_mul(kept_per_run))
    }
}

/// Refuses, before anything is allocated, a scenario whose run would need
/// more memory than the machine has available now (`MemAvailable` in
/// /proc/meminfo; where that cannot be read, nothing is refused) or
/// `LUDD_MEMORY_LIMIT` allows.
pub fn check_memory(scenario: &Scenario, source: &str) -> Result<()> {
    check_needed(scenario.memory_estimate(), "a run", source)
}

/// Refuses, like `check_memory`, `needed` bytes for `what` ("a run",
/// "8 runs at once") of `source`.
pub fn check_needed(needed: u64, what: &str, source: &str) -> Result<()> {
    check_bytes(
        needed,
        what,
        source,
        "use fewer agents (with a larger people_per_agent), a shorter run, \
         fewer seeds or fewer threads",
    )
}

/// Refuses `needed` bytes for `what` of `source`, saying `advice` (what
/// would make it fit), when they exceed the memory available.
pub fn check_bytes(needed: u64, what: &str, source: &str, advice: &'static str) -> Result<()> {
    match available_memory()? {
        Some(available) if needed > available => Err(LuddError::TooLarge {
            file: source.to_string(),
            what: what.to_string(),
            needed,
            available,
            advice,
        }),
        _ => Ok(()),
    }
}

/// Refuses an ensemble of `runs` runs of `scenario`, at most `at_once` of
/// them alive together and `kept_per_run` bytes kept of each, that would
/// not fit (see `Scenario::ensemble_estimate`).
pub fn check_ensemble_memory(
    scenario: &Scenario,
    source: &str,
    at_once: u64,
    runs: u64,
    kept_per_run: u64,
) -> Result<()> {
    let at_once = at_once.clamp(1, runs.max(1));
    check_needed(
        scenario.ensemble_estimate(at_once, runs, kept_per_run),
        &format!("{runs} runs, {at_once} at once,"),
        source,
    )
}

/// The number of runs of `groups` ensembles (settings, candidates,
/// scenarios) of `seeds` runs each, or why it is refused: no seeds, or more
/// than `MAX_RUNS` in all. The product is checked, so a huge `--seeds`
/// never wraps to a small count.
pub fn run_count(groups: u64, seeds: u64) -> std::result::Result<u64, String> {
    if seeds == 0 {
        return Err("must be at least 1".into());
    }
    match groups.checked_mul(seeds) {
        Some(runs) if runs <= MAX_RUNS => Ok(runs),
        _ if groups == 1 => Err(format!(
            "{seeds} runs are more than the {MAX_RUNS} one command may make"
        )),
        _ => Err(format!(
            "{groups} ensembles of {seeds} runs make more than the {MAX_RUNS} runs \
             one command may make"
        )),
    }
}

/// The environment variable that lowers the memory ludd may use.
pub const MEMORY_LIMIT_VARIABLE: &str = "LUDD_MEMORY_LIMIT";

/// Memory runs may use, in bytes: what the machine has available
/// (`MemAvailable`, Linux), or less if the environment variable
/// `LUDD_MEMORY_LIMIT` (bytes, or with a K, M or G suffix) says so, as on a
/// shared node with a memory allowance. A `LUDD_MEMORY_LIMIT` that is set
/// but malformed is an error, never silently ignored: ignoring it would
/// run what the user meant to forbid.
pub fn available_memory() -> Result<Option<u64>> {
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|meminfo| {
            let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            kb.checked_mul(1024)
        });
    let limit = match std::env::var_os(MEMORY_LIMIT_VARIABLE) {
        None => None,
        Some(value) => {
            let value = value.to_string_lossy();
            Some(
                parse_bytes(&value).map_err(|message| LuddError::Environment {
                    variable: MEMORY_LIMIT_VARIABLE,
                    value: value.into_owned(),
                    message,
                })?,
            )
        }
    };
    Ok(match (machine, limit) {
        (Some(m), Some(l)) => Some(m.min(l)),
        (m, l) => m.or(l),
    })
}

/// `12345`, `512K`, `300M` or `8G` (suffixes in either case) in bytes, or
/// why the text is not such a size.
fn parse_bytes(text: &str) -> std::result::Result<u64, String> {
    const FORMS: &str = "give a positive whole number of bytes, optionally with a K, M or G \
                         suffix (for example 8G, 512M or 1048576)";
    let trimmed = text.trim();
    let (digits, shift) = match trimmed.char_indices().last() {
        Some((i, 'K' | 'k')) => (&trimmed[..i], 10),
        Some((i, 'M' | 'm')) => (&trimmed[..i], 20),
        Some((i, 'G' | 'g')) => (&trimmed[..i], 30),
        Some(_) => (trimmed, 0),
        None => return Err(format!("empty; {FORMS}")),
    };
    let digits = digits.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not a size; {FORMS}"));
    }
    match digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
    {
        Some(0) => Err(format!("a limit of zero bytes allows nothing; {FORMS}")),
        Some(bytes) => Ok(bytes),
        None => Err(format!(
            "larger than {} bytes, the most that can be counted; {FORMS}",
            u64::MAX
        )),
    }
}
