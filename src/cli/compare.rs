//! `ludd compare`: an ensemble per setting of an experiment, or of the
//! values given with `--vary`, summarized and written.

use super::options::Publish;
use super::progress_bar;
use anyhow::Result;
use clap::Args;
use ludd::analysis::compare;
use ludd::report::terminal;
use ludd::scenario::{self, experiment};

#[derive(Args)]
#[command(
    mut_arg("out", |a| a.help("Output directory (default runs/compare-<name>)")),
    mut_arg("set", |a| a.help("Override a parameter in every setting")),
)]
pub struct CompareArgs {
    /// Experiment (built-in name or file), or scenario (built-in name or file) with --vary.
    target: String,
    /// A parameter and the values to compare, as path=v1,v2,...; repeat to cross several.
    #[arg(long = "vary", value_name = "PATH=V1,V2,...")]
    vary: Vec<String>,
    /// Runs per setting, seeds 1..=N (default: the experiment's, or 20).
    #[arg(long)]
    seeds: Option<u64>,
    #[command(flatten)]
    publish: Publish,
}

pub fn execute(args: CompareArgs) -> Result<()> {
    let (target, set) = (&args.target, &args.publish.overrides.set);
    let axes: Vec<experiment::Vary> = args
        .vary
        .iter()
        .map(|v| experiment::Vary::parse(v))
        .collect::<Result<_, _>>()?;
    let (mut e, source) = if experiment::is_experiment(target) {
        experiment::load(target)?
    } else {
        anyhow::ensure!(
            !axes.is_empty(),
            "'{target}' is a scenario: say what to compare with --vary path=v1,v2,..."
        );
        // Fail early, with the scenario's own location, if it does not load.
        scenario::load(target, set)?;
        (
            experiment::Experiment::from_scenario(target, Vec::new(), 20),
            target.to_string(),
        )
    };
    e.vary.extend(axes);
    e.set.extend(set.iter().cloned());
    if let Some(n) = args.seeds {
        e.seeds = n;
    }
    let settings = e.resolve(&source)?;
    let (lock, pool) = args.publish.prepare(&format!("compare-{}", e.name))?;
    let dir = lock.dir();
    let threads = pool.current_num_threads();
    let total = settings.len() as u64 * e.seeds; // resolve checked it against MAX_RUNS
    if let Some(largest) = settings.iter().max_by_key(|r| r.scenario.memory_estimate()) {
        let kept = std::mem::size_of::<compare::CompareRun>() as u64 * 2;
        scenario::check_ensemble_memory(&largest.scenario, &source, threads as u64, total, kept)?;
    }
    eprintln!(
        "{}: {} settings x {} seeds = {total} runs on {threads} threads",
        e.name,
        settings.len(),
        e.seeds,
    );
    let bar = progress_bar(total, "runs");
    let result = pool.install(|| {
        compare::execute(
            &e,
            &settings,
            dir,
            args.publish.force.force,
            threads,
            &|done| bar.set_position(done as u64),
        )
    })?;
    bar.finish_and_clear();
    if !e.question.is_empty() {
        say!("{}\n", e.question)?;
    }
    say!(
        "{}",
        terminal::table(&compare::display_frame(&result.summary)?)
    )?;
    let s = &settings[0].scenario;
    say!(
        "mean [5th, 95th percentile] over {} runs per setting; leading region: {}",
        e.seeds,
        s.regions[s.leading_region()].name
    )?;
    if settings.len() > 1 {
        say!(
            "\npaired differences against {}, seed by seed:\n{}",
            settings[0].label,
            terminal::table(&compare::paired_display(&settings, &result.measured)?)
        )?;
        say!("mean difference [95% paired bootstrap interval] over the seeds both define")?;
    }
    say!(
        "tables written to {} (compare.parquet, runs.parquet, runs/)",
        dir.display()
    )?;
    Ok(())
}
