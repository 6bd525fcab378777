//! `ludd bench`: speed and memory of stepping a scenario, scaled to a
//! number of workers, without writing tables.

use super::options::Threads;
use anyhow::Result;
use clap::Args;
use ludd::analysis::bench::{median_repeat, peak_resident_bytes};
use ludd::error::{size_text, LuddError};
use ludd::model::{phases::PHASES, run};

#[derive(Args)]
#[command(mut_arg("threads", |a| a.help("Worker threads (default: all cores)")))]
pub struct BenchArgs {
    /// Built-in name or file (default llm).
    #[arg(default_value = "llm")]
    scenario: String,
    /// Worker agents (firms and inventors scale in proportion); default: the scenario's own.
    #[arg(long)]
    workers: Option<u64>,
    /// Steps to run (default: the whole scenario).
    #[arg(long)]
    steps: Option<usize>,
    #[command(flatten)]
    threads: Threads,
    /// Repeat the measurement this many times, each from a fresh world,
    /// and report the median and range of the speed.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
}

pub fn execute(args: BenchArgs) -> Result<()> {
    let loaded = ludd::load(&args.scenario, &[])?;
    let mut s = loaded.scenario;
    if let Some(n) = args.workers {
        s = run::scaled(&s, n);
        let file = format!("{} scaled to {n} workers", loaded.source);
        let problems = ludd::scenario::validate(&s);
        if !problems.is_empty() {
            return Err(LuddError::Invalid { file, problems }.into());
        }
        // The scenario as it will run is checked, not the one loaded.
        ludd::scenario::check_memory(&s, &file)?;
    }
    let steps = args.steps.unwrap_or_else(|| s.steps());
    let pool = args.threads.pool()?;
    let repeat = args.repeat;
    let mut runs = Vec::new();
    for _ in 0..repeat.max(1) {
        runs.push(pool.install(|| run::bench(&s, 1, steps))?);
    }
    // The repeat nearest the median speed stands for all of them below.
    let (median, b) = median_repeat(&runs);
    let peak = peak_resident_bytes();
    say!(
        "{} at {} workers ({} agents), {} steps on {} threads: {:.2} s stepping ({:.2} s set-up), {:.3e} agent-steps/s",
        s.name,
        b.workers,
        b.agents,
        b.steps,
        pool.current_num_threads(),
        b.wall_seconds,
        b.setup_seconds,
        b.agent_steps_per_second()
    )?;
    if repeat > 1 {
        let (low, high) = runs
            .iter()
            .map(|r| r.agent_steps_per_second())
            .fold((f64::INFINITY, 0.0f64), |(l, h), v| (l.min(v), h.max(v)));
        say!(
            "{repeat} repeats: median {median:.3e} agent-steps/s, range {low:.3e} to {high:.3e} \
             (the figures above and below are from the repeat nearest the median)"
        )?;
    }
    let total: f64 = b.phase_seconds.iter().sum();
    say!("\n{:<16} {:>10} {:>8}", "phase", "seconds", "share")?;
    for (name, secs) in PHASES.iter().zip(b.phase_seconds) {
        say!(
            "{name:<16} {secs:>10.3} {:>7.1}%",
            100.0 * secs / total.max(1e-12)
        )?;
    }
    match peak {
        Some(bytes) => say!(
            "\npeak resident memory {}, {:.0} bytes per worker (all state included)",
            size_text(bytes),
            bytes as f64 / b.workers as f64
        ),
        None => say!("\npeak resident memory: not available on this system"),
    }
}
