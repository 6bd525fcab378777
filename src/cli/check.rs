//! `ludd check`: a scenario validated without running it.

use super::options::Overrides;
use anyhow::Result;
use clap::Args;
use ludd::scenario;

#[derive(Args)]
pub struct CheckArgs {
    scenario: String,
    #[command(flatten)]
    overrides: Overrides,
}

pub fn execute(args: CheckArgs) -> Result<()> {
    let loaded = scenario::load(&args.scenario, &args.overrides.set)?;
    let s = &loaded.scenario;
    say!(
        "{}: valid ({} regions, {} routes, {} technologies, {} steps from {} to {})",
        loaded.source,
        s.regions.len(),
        s.routes.len(),
        s.technologies.len(),
        s.steps(),
        s.start_year,
        s.end_year
    )?;
    Ok(())
}
