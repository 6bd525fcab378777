//! `ludd validate`: ensembles checked against the historical targets and
//! the plausibility checks, one ensemble per scenario for both.

use super::options::Overrides;
use anyhow::Result;
use clap::Args;
use ludd::analysis::files::with_new_dirs;
use ludd::analysis::output::{seeds_text, write_parquet, Provenance};
use ludd::analysis::validation;
use ludd::error::LuddError;
use ludd::scenario;
use std::path::PathBuf;

#[derive(Args)]
pub struct ValidateArgs {
    /// Built-in name, file, or `all` (every built-in scenario with targets).
    scenario: String,
    /// Runs per scenario (seeds 1..=N), executed in parallel; at most 1,000,000 runs in all.
    #[arg(long, default_value_t = 10)]
    seeds: u64,
    /// Exit non-zero when any target is missed (its ensemble mean outside the band);
    /// plausibility checks do not count.
    #[arg(long)]
    strict: bool,
    /// Exit non-zero when any target is not solid (mean and at least half the runs in the
    /// band); plausibility checks do not count.
    #[arg(long)]
    strict_solid: bool,
    /// Directory for validation.parquet and plausibility.parquet.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Also write the tables as markdown into FILE (between their markers if it has them).
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    #[command(flatten)]
    overrides: Overrides,
}

pub fn execute(args: ValidateArgs) -> Result<()> {
    let (which, seeds, set) = (args.scenario.as_str(), args.seeds, &args.overrides.set);
    let targets = validation::targets()?;
    let checks = validation::checks()?;
    let both: Vec<validation::Target> = targets.iter().chain(&checks).cloned().collect();
    let names = validation::scenarios_to_check(which, &both);
    scenario::run_count(names.len() as u64, seeds)
        .map_err(|m| anyhow::anyhow!("--seeds {seeds}: {m}"))?;
    // A destination that would be refused is refused before the runs.
    if let Some(path) = &args.markdown {
        validation::markdown_destination(path)?;
    }
    if std::fs::metadata(&args.out).is_ok_and(|m| !m.is_dir()) {
        return Err(LuddError::OutputRefused {
            path: args.out.clone(),
            reason: "it exists and is not a directory; --out names the directory for \
                     validation.parquet and plausibility.parquet"
                .into(),
        }
        .into());
    }
    let seed_list: Vec<u64> = (1..=seeds).collect();
    let threads = rayon::current_num_threads();
    let (mut outcomes, mut checked) = (Vec::new(), Vec::new());
    for name in &names {
        let loaded = scenario::load(name, set)?;
        let s = &loaded.scenario;
        let mine = validation::targets_of(&targets, &s.name);
        let my_checks = validation::targets_of(&checks, &s.name);
        if mine.is_empty() && my_checks.is_empty() {
            eprintln!("{}: no targets for scenario '{}'", loaded.source, s.name);
            continue;
        }
        // One ensemble serves the targets and the checks: the runs are the
        // costly part, so they are made once and reduced to both.
        let all: Vec<&validation::Target> = mine.iter().chain(&my_checks).copied().collect();
        validation::check_streaming_memory(s, &loaded.source, all.len(), seeds, threads)?;
        eprintln!(
            "{}: {} runs for {} targets and {} plausibility checks",
            s.name,
            seeds,
            mine.len(),
            my_checks.len()
        );
        // Each run is reduced to its statistics as it ends, so memory holds
        // a run per thread, not the whole ensemble.
        let mut result =
            validation::ensembles(std::slice::from_ref(s), &all, &seed_list, threads, &|_| {});
        let mut found = result.remove(0)?;
        checked.extend(found.split_off(mine.len()));
        outcomes.extend(found);
    }
    if which == "all" {
        for (s, n) in validation::pending(&both, &names) {
            eprintln!("{s}: no built-in scenario yet; its {n} targets and checks are not checked");
        }
    }
    say_raw!("{}", validation::text_table(&outcomes))?;
    say!("{}", validation::summary(&outcomes, "targets"))?;
    say!()?;
    say!("Plausibility checks")?;
    say_raw!("{}", validation::text_table(&checked))?;
    say!("{}", validation::summary(&checked, "checks"))?;
    let out = &args.out;
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
    // A directory made for the tables is removed again if they cannot be
    // written (a full disk).
    with_new_dirs(out, || {
        let mut df = validation::frame(&outcomes)?;
        write_parquet(&mut df, &out.join("validation.parquet"), &provenance)?;
        let mut df = validation::frame(&checked)?;
        write_parquet(&mut df, &out.join("plausibility.parquet"), &provenance)
    })?;
    if let Some(path) = &args.markdown {
        let written = validation::write_markdown(
            path,
            &validation::markdown(&outcomes),
            &validation::markdown(&checked),
            which,
            seeds,
        )?;
        if written == validation::ChecksBlock::NoMarkers {
            eprintln!(
                "{}: no plausibility table markers, so only the validation table was written; \
                 put the lines {} and {} where the plausibility table belongs",
                path.display(),
                validation::CHECKS_START,
                validation::CHECKS_END
            );
        }
    }
    let missed = outcomes.iter().filter(|o| !o.hit).count();
    if args.strict && missed > 0 {
        anyhow::bail!("{missed} of {} targets missed (--strict)", outcomes.len());
    }
    let unsolid = outcomes
        .iter()
        .filter(|o| o.verdict != validation::Verdict::Solid)
        .count();
    if args.strict_solid && unsolid > 0 {
        anyhow::bail!(
            "{unsolid} of {} targets not solid (--strict-solid)",
            outcomes.len()
        );
    }
    Ok(())
}
