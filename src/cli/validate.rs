//! `ludd validate`: ensembles checked against the historical targets.

use super::options::Overrides;
use anyhow::{Context, Result};
use clap::Args;
use ludd::analysis::output::{seeds_text, write_parquet, Provenance};
use ludd::analysis::validation;
use ludd::scenario;
use std::path::PathBuf;

#[derive(Args)]
pub struct ValidateArgs {
    /// Built-in name, file, or `all` (every built-in scenario with targets).
    scenario: String,
    /// Runs per scenario (seeds 1..=N), executed in parallel; at most 1,000,000 runs in all.
    #[arg(long, default_value_t = 10)]
    seeds: u64,
    /// Exit non-zero when any target is missed.
    #[arg(long)]
    strict: bool,
    /// Directory for validation.parquet.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Also write the table as markdown into FILE (between the table markers if it has them).
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    #[command(flatten)]
    overrides: Overrides,
}

pub fn execute(args: ValidateArgs) -> Result<()> {
    let (which, seeds, set) = (args.scenario.as_str(), args.seeds, &args.overrides.set);
    let targets = validation::targets()?;
    let names = validation::scenarios_to_check(which, &targets);
    scenario::run_count(names.len() as u64, seeds)
        .map_err(|m| anyhow::anyhow!("--seeds {seeds}: {m}"))?;
    // A destination that would be refused is refused before the runs.
    if let Some(path) = &args.markdown {
        validation::markdown_destination(path)?;
    }
    let seed_list: Vec<u64> = (1..=seeds).collect();
    let threads = rayon::current_num_threads();
    let mut outcomes = Vec::new();
    for name in &names {
        let loaded = scenario::load(name, set)?;
        let s = &loaded.scenario;
        let mine = validation::targets_of(&targets, &s.name);
        if mine.is_empty() {
            eprintln!("{}: no targets for scenario '{}'", loaded.source, s.name);
            continue;
        }
        validation::check_streaming_memory(s, &loaded.source, mine.len(), seeds, threads)?;
        eprintln!("{}: {} runs for {} targets", s.name, seeds, mine.len());
        // Each run is reduced to its statistics as it ends, so memory holds
        // a run per thread, not the whole ensemble.
        let mut result =
            validation::ensembles(std::slice::from_ref(s), &mine, &seed_list, threads, &|_| {});
        outcomes.extend(result.remove(0)?);
    }
    if which == "all" {
        for (s, n) in validation::pending(&targets, &names) {
            eprintln!("{s}: no built-in scenario yet; its {n} targets are not checked");
        }
    }
    let mut df = validation::frame(&outcomes)?;
    say_raw!("{}", validation::text_table(&outcomes))?;
    let hits = outcomes.iter().filter(|o| o.hit).count();
    say!("{hits} of {} targets inside their band", outcomes.len())?;
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let resolved: String = names
        .iter()
        .map(|n| scenario::load(n, set).map(|l| l.scenario.to_ron()))
        .collect::<Result<_, _>>()?;
    let provenance = Provenance::new(
        names.join(","),
        &resolved,
        seeds_text(&seed_list),
        set.clone(),
    );
    write_parquet(&mut df, &out.join("validation.parquet"), &provenance)?;
    if let Some(path) = &args.markdown {
        validation::write_markdown(path, &validation::markdown(&outcomes), which, seeds)?;
    }
    if args.strict && hits < outcomes.len() {
        anyhow::bail!(
            "{} of {} targets missed (--strict)",
            outcomes.len() - hits,
            outcomes.len()
        );
    }
    Ok(())
}
