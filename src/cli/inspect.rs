//! `ludd list`, `ludd show` and `ludd check`: the scenarios and
//! experiments, read and checked without running them.

use super::options::Overrides;
use anyhow::Result;
use clap::Args;
use ludd::scenario::{self, experiment, BUILTIN};

pub fn list() -> Result<()> {
    println!("scenarios (ludd run <name>):");
    for (name, text) in BUILTIN {
        let s = ludd::Scenario::from_ron(text, name)?;
        println!("  {name:<16} {}", s.description);
    }
    println!("experiments (ludd compare <name>):");
    for (name, _) in experiment::BUILTIN_EXPERIMENTS {
        let (e, _) = experiment::load(name)?;
        println!("  {name:<16} {}", e.question);
    }
    Ok(())
}

#[derive(Args)]
#[command(mut_arg("set", |a| a.help("Override a parameter by path (with --resolved)")))]
pub struct ShowArgs {
    /// Built-in name or file.
    scenario: String,
    /// Print the resolved scenario (defaults filled in, overrides applied) instead of the source text.
    #[arg(long)]
    resolved: bool,
    #[command(flatten)]
    overrides: Overrides,
}

pub fn show(args: ShowArgs) -> Result<()> {
    let set = &args.overrides.set;
    if args.resolved || !set.is_empty() {
        print!("{}", scenario::load(&args.scenario, set)?.scenario.to_ron());
        println!();
    } else {
        print!("{}", scenario::read_source(&args.scenario)?.0);
    }
    Ok(())
}

#[derive(Args)]
pub struct CheckArgs {
    scenario: String,
    #[command(flatten)]
    overrides: Overrides,
}

pub fn check(args: CheckArgs) -> Result<()> {
    let loaded = scenario::load(&args.scenario, &args.overrides.set)?;
    let s = &loaded.scenario;
    println!(
        "{}: valid ({} regions, {} routes, {} technologies, {} steps from {} to {})",
        loaded.source,
        s.regions.len(),
        s.routes.len(),
        s.technologies.len(),
        s.steps(),
        s.start_year,
        s.end_year
    );
    Ok(())
}
