//! `ludd run`: one run of a scenario, its tables written and its summary printed.

use super::options::Publish;
use anyhow::Result;
use clap::Args;
use ludd::analysis::output::write_run;
use ludd::report::terminal;

#[derive(Args)]
#[command(
    mut_arg("out", |a| a.help("Output directory (default runs/<scenario>-<seed>)")),
    mut_arg("set", |a| a.help(
        "Override a parameter by path, e.g. regions.britain.institutions.relief_replacement=0.6"
    )),
)]
pub struct RunArgs {
    /// Built-in name or file.
    scenario: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    publish: Publish,
}

pub fn execute(args: RunArgs) -> Result<()> {
    let set = &args.publish.overrides.set;
    let loaded = ludd::load(&args.scenario, set)?;
    let s = &loaded.scenario;
    let seed = args.seed;
    let (lock, pool) = args.publish.prepare(&format!("{}-{seed}", s.name))?;
    let dir = lock.dir();
    let threads = pool.current_num_threads();
    tracing::info!(scenario = %s.name, seed, threads, "running");
    let output = pool.install(|| ludd::run(s, seed))?;
    let writing = std::time::Instant::now();
    write_run(&output, dir, set, threads, args.publish.force.force)?;
    let written = writing.elapsed().as_secs_f64();
    say_raw!("{}", terminal::run_summary(&output, dir))?;
    say!(
        "tables written in {written:.2} s, {:.1}% of the run's wall time",
        100.0 * written / (written + output.wall_seconds)
    )?;
    Ok(())
}
