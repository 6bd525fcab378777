//! `ludd bench`: what a series of speed measurements says (the median
//! speed and the repeat that stands for all of them) and the process's
//! peak memory.

use crate::analysis::stats::quantile;
use crate::model::run::Bench;

/// The median speed of `runs` (agent-steps per second) and the repeat
/// nearest it, which stands for all of them. `runs` must not be empty.
pub fn median_repeat(runs: &[Bench]) -> (f64, &Bench) {
    let speeds: Vec<f64> = runs.iter().map(|r| r.agent_steps_per_second()).collect();
    let median = quantile(&speeds, 0.5);
    let nearest = runs
        .iter()
        .min_by(|x, y| {
            let gap = |r: &Bench| (r.agent_steps_per_second() - median).abs();
            gap(x).total_cmp(&gap(y))
        })
        .expect("at least one repeat");
    (median, nearest)
}

/// The process's peak resident set (VmHWM in /proc/self/status, Linux).
pub fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
