//! `ludd show`: a scenario as RON, its source text or resolved.

use super::options::Overrides;
use anyhow::Result;
use clap::Args;
use ludd::scenario;

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

pub fn execute(args: ShowArgs) -> Result<()> {
    let set = &args.overrides.set;
    if args.resolved || !set.is_empty() {
        say_raw!("{}", scenario::load(&args.scenario, set)?.scenario.to_ron())?;
        say!()?;
    } else {
        say_raw!("{}", scenario::read_source(&args.scenario)?.0)?;
    }
    Ok(())
}
