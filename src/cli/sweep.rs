//! `ludd sweep FILE`: a parameter sweep into its dataset, this shard's part;
//! `ludd sweep status DIR`: its complete, failed, missing and damaged runs.

use super::options::{OutDir, Threads};
use super::progress_bar;
use anyhow::{Context, Result};
use clap::Args;
use ludd::analysis::sweep;
use std::path::{Path, PathBuf};

#[derive(Args)]
#[command(mut_arg("out", |a| a.help(
    "Output directory (default runs/sweep-<name>). Re-running resumes it"
)))]
pub struct SweepArgs {
    /// The sweep file (RON), or `status`.
    file: String,
    /// With `status`: the sweep's output directory.
    dir: Option<PathBuf>,
    #[command(flatten)]
    out: OutDir,
    /// Run slice I of N (0-based); default from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX/COUNT.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    #[command(flatten)]
    threads: Threads,
}

pub fn execute(args: SweepArgs) -> Result<()> {
    if args.file == "status" {
        let dir = args.dir.context("usage: ludd sweep status <dir>")?;
        return status(&dir);
    }
    anyhow::ensure!(
        args.dir.is_none(),
        "unexpected argument after the sweep file; did you mean `ludd sweep status <dir>`?"
    );
    let file = &args.file;
    let shard = sweep::shard_from(args.shard.as_deref())?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    let sw = sweep::SweepFile::from_ron(&text, file)?;
    let pool = args.threads.pool()?;
    let threads = pool.current_num_threads();
    // Every point is checked before the first run, once the design is
    // known to fit; a large design says so and shows its progress.
    let checking = progress_bar(0, "points checked");
    let base = pool.install(|| {
        sw.validate(file, &|done, total| {
            if done == 0 && total > 10_000 {
                checking.suspend(|| {
                    eprintln!(
                        "{}: checking the design's {total} points before the first run",
                        sw.name
                    )
                });
            }
            checking.set_length(total as u64);
            checking.set_position(done as u64);
        })
    })?;
    checking.finish_and_clear();
    let points = sw.point_maker();
    let dir = args.out.or_runs(&format!("sweep-{}", sw.name));
    let runs = points.len() as u64 * sw.replicates;
    eprintln!(
        "{}: {} points x {} replicates = {runs} runs; shard {}/{}; {threads} threads",
        sw.name,
        points.len(),
        sw.replicates,
        shard.0,
        shard.1,
    );
    let bar = progress_bar(0, "runs");
    let started = std::time::Instant::now();
    let outcome = pool.install(|| {
        sweep::execute(&sw, &base, &points, &dir, shard, threads, &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
    })?;
    bar.finish_and_clear();
    if let sweep::Adopted::Grown { from, to } = outcome.adopted {
        eprintln!(
            "{}: the design grew from {from} to {to} runs; the {from} earlier runs keep their seeds",
            dir.display()
        );
    }
    if outcome.damaged > 0 {
        eprintln!(
            "{}: {} run(s) whose part file did not read back whole were made again",
            dir.display(),
            outcome.damaged
        );
    }
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    say!(
        "{}: {} runs in this shard; {} already complete, {} done now ({:.1} runs per minute), {} failed",
        dir.display(),
        outcome.jobs_in_shard,
        outcome.skipped,
        outcome.done,
        outcome.done as f64 / minutes.max(1e-9),
        outcome.failed
    )?;
    if outcome.failed > 0 {
        say!("see `ludd sweep status {}` for the errors", dir.display())?;
    }
    Ok(())
}

fn status(dir: &Path) -> Result<()> {
    let s = sweep::status(dir)?;
    say!(
        "{}: {} runs expected, {} complete, {} failed, {} missing, {} damaged",
        dir.display(),
        s.expected,
        s.complete,
        s.failed.len(),
        s.missing.len(),
        s.damaged.len()
    )?;
    match &s.made_by {
        Some((version, hash)) => say!("made by ludd {version} from a base scenario with hash {hash}")?,
        None => say!("recorded by an earlier ludd without its base scenario or version: readable, not resumable")?,
    }
    for (point, replicate, why) in s.damaged.iter().take(20) {
        say!("damaged point={point} replicate={replicate}: its part file {why}; running the sweep again makes it anew")?;
    }
    if s.damaged.len() > 20 {
        say!("... and {} more damaged", s.damaged.len() - 20)?;
    }
    for (point, replicate, error) in &s.failed {
        say!("failed  point={point} replicate={replicate}: {error}")?;
    }
    for (point, replicate) in s.missing.iter().take(20) {
        say!("missing point={point} replicate={replicate}")?;
    }
    if s.missing.len() > 20 {
        say!("... and {} more missing", s.missing.len() - 20)?;
    }
    Ok(())
}
