//! `ludd calibrate`: parameters fitted to a scenario's historical targets.

use super::options::Overrides;
use super::progress_bar;
use anyhow::Result;
use clap::Args;
use ludd::analysis::files::{self, write_atomic, FileKind};
use ludd::analysis::{calibration, validation};
use std::path::{Path, PathBuf};

/// A calibration's fragment: it starts with this comment
/// (`calibration::Calibration::fragment`), so a fragment ludd wrote may be
/// replaced and any other file is kept.
const FRAGMENT: FileKind = FileKind {
    mark: "// Calibrated ",
    what: "calibration fragment",
    example: "best.ron",
};

#[derive(Args)]
#[command(mut_arg("set", |a| a.help("Overrides applied before calibration")))]
pub struct CalibrateArgs {
    /// Built-in name or file.
    scenario: String,
    /// A parameter to search, as path=low..high; repeat for several.
    #[arg(long = "param", value_name = "PATH=LOW..HIGH", required = true)]
    params: Vec<String>,
    /// Candidate ensembles to evaluate in all.
    #[arg(long, default_value_t = 40)]
    budget: usize,
    /// Runs per candidate (seeds 1..=N); at most 1,000,000 runs in all (seeds x (budget + 2)).
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// Fit only these of the scenario's targets, by id (L1,L2,...; default: all of them).
    #[arg(long, value_name = "ID,ID,...", value_delimiter = ',')]
    targets: Vec<String>,
    /// Write the best parameters as a RON fragment to FILE (default: print it).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    overrides: Overrides,
}

pub fn execute(args: CalibrateArgs) -> Result<()> {
    let (budget, seeds) = (args.budget, args.seeds);
    let params: Vec<calibration::Param> = args
        .params
        .iter()
        .map(|p| calibration::Param::parse(p))
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(
        budget > 2 * params.len(),
        "--budget must be at least {} for {} parameters",
        2 * params.len() + 1,
        params.len()
    );
    // `--out` is locked and checked before the calibration starts, and is
    // never the scenario file it reads.
    let scenario_file = Path::new(&args.scenario);
    let inputs: Vec<&Path> = Vec::from_iter(scenario_file.is_file().then_some(scenario_file));
    let _lock = match &args.out {
        Some(path) => {
            let lock = files::lock_file_destination(path)?;
            files::check_file_destination(path, &FRAGMENT, &inputs)?;
            Some(lock)
        }
        None => None,
    };
    let loaded = ludd::load(&args.scenario, &args.overrides.set)?;
    let s = &loaded.scenario;
    let targets: Vec<_> = validation::targets()?
        .into_iter()
        .filter(|t| t.scenario == s.name)
        .collect();
    anyhow::ensure!(
        !targets.is_empty(),
        "no targets for scenario '{}' in scenarios/targets.csv",
        s.name
    );
    let targets = chosen(targets, &args.targets, &s.name)?;
    // Every candidate, and the ensembles before and after, run every seed.
    let runs = ludd::scenario::run_count((budget as u64).saturating_add(2), seeds)
        .map_err(|m| anyhow::anyhow!("--seeds {seeds} with --budget {budget}: {m}"))?;
    validation::check_streaming_memory(
        s,
        &loaded.source,
        targets.len(),
        runs,
        rayon::current_num_threads(),
    )?;
    let seed_list: Vec<u64> = (1..=seeds).collect();
    let bar = progress_bar(budget as u64, "candidates");
    let result = calibration::calibrate(s, &params, &targets, &seed_list, budget, &|done| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();
    say!("before (distance {:.3}):", result.start_distance)?;
    say_raw!("{}", validation::text_table(&result.before))?;
    if result.improved() {
        say!("after (distance {:.3}):", result.best_distance)?;
    } else {
        say!(
            "no candidate beat the scenario's own values (distance {:.3}); the best candidate (distance {:.3}), not to be used:",
            result.start_distance,
            result.best_distance
        )?;
    }
    say_raw!("{}", validation::text_table(&result.after))?;
    let fragment = result.fragment(&s.name, seed_list.len(), budget, &calibration::today());
    match &args.out {
        Some(path) => {
            files::check_file_destination(path, &FRAGMENT, &inputs)?;
            write_atomic(path, &fragment)?;
            if result.improved() {
                say!("best parameters written to {}", path.display())?;
            } else {
                say!("the search's record written to {}", path.display())?;
            }
        }
        None => say_raw!("{fragment}")?,
    }
    Ok(())
}

/// The targets named by `--targets` (all of them when none is named), or
/// an error naming every id that is not one of the scenario's.
fn chosen(
    targets: Vec<validation::Target>,
    ids: &[String],
    scenario: &str,
) -> Result<Vec<validation::Target>> {
    // A stray comma or space names no target.
    let ids: Vec<&str> = ids
        .iter()
        .map(|id| id.trim())
        .filter(|id| !id.is_empty())
        .collect();
    if ids.is_empty() {
        return Ok(targets);
    }
    let unknown: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !targets.iter().any(|t| t.id == *id))
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
        anyhow::bail!(
            "--targets: {} not among scenario '{scenario}''s targets ({})",
            unknown.join(", "),
            known.join(", ")
        );
    }
    Ok(targets
        .into_iter()
        .filter(|t| ids.contains(&t.id.as_str()))
        .collect())
}
