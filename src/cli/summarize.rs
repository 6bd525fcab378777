//! `ludd summarize DIR`: who gains and who loses, printed and written
//! beside the runs; for a sweep that kept only its measures, one row per
//! point.

use anyhow::Result;
use clap::Args;
use ludd::analysis::{output::write_parquet, redistribution, sweep};
use ludd::report::terminal;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct SummarizeArgs {
    /// A run directory, a comparison directory, or a directory holding run directories.
    dir: PathBuf,
}

pub fn execute(args: SummarizeArgs) -> Result<()> {
    let dir = &args.dir;
    if sweep::is_measures_only(dir) {
        return sweep_summary(dir);
    }
    // The directory is locked shared while it is read, as each run in it
    // is, so that no comparison or run replaces it meanwhile.
    let _reading = ludd::analysis::files::lock_for_reading(dir)?;
    let found = redistribution::find_runs(dir)?;
    let runs = &found.runs;
    let mut r = redistribution::summarize(runs)?;
    let scenarios = found.scenarios();
    let spread = ", mean [5th, 95th percentile] over runs";
    if let [scenario] = scenarios.as_slice() {
        let all: Vec<_> = runs.iter().collect();
        say!(
            "{}: {} run(s) in {} setting(s) of scenario {scenario}; real income per quarter at start prices{}",
            dir.display(),
            runs.len(),
            redistribution::settings(&all),
            if runs.len() > 1 { spread } else { "" }
        )?;
    } else {
        // Runs of different scenarios are never averaged together: each
        // scenario gets a block of its own, and the tables a column.
        say!(
            "{}: {} run(s) of {} scenarios ({}), summarized one scenario at a time and never averaged together; real income per quarter at start prices",
            dir.display(),
            runs.len(),
            scenarios.len(),
            scenarios.join(", ")
        )?;
    }
    if let Some(note) = found.links_note() {
        say!("{note}")?;
    }
    if dir.join("sweep.ron").is_file() {
        if let Some(note) = partial_sweep(dir)? {
            say!("{note}")?;
        }
    }
    for scenario in &scenarios {
        let of = found.of_scenario(scenario);
        if scenarios.len() > 1 {
            say!(
                "\n=== scenario {scenario}: {} run(s) in {} setting(s){}",
                of.len(),
                redistribution::settings(&of),
                if of.len() > 1 { spread } else { "" }
            )?;
        }
        let (by_group, by_region) = redistribution::display(&r, scenario, of.len() > 1)?;
        say!("\nby group: before stage 2, in its first year, its trough from then on, in stage 3's first year, and years below the level before\n")?;
        say!("{}", terminal::table(&by_group))?;
        say!("\nby region: protest (share x years, and waves), lifetime income change of the displaced hand trades, Engels' pause (years output per worker outgrew real wages since stage 2), labour share trough, peak Gini\n")?;
        say!("{}", terminal::table(&by_region))?;
    }
    let provenance = redistribution::provenance(runs);
    for (name, df) in [
        ("redistribution.parquet", &mut r.by_group),
        ("redistribution_regions.parquet", &mut r.by_region),
        ("redistribution_paths.parquet", &mut r.paths),
    ] {
        write_parquet(df, &dir.join(name), &provenance)?;
    }
    say!(
        "\nwritten to {}: redistribution.parquet, redistribution_regions.parquet, redistribution_paths.parquet (a row per scenario, setting and region)",
        dir.display()
    )?;
    Ok(())
}

/// A sweep that kept only its measures is summarized from its dataset.
fn sweep_summary(dir: &Path) -> Result<()> {
    let mut df = sweep::summary(dir)?;
    let shown: Vec<&str> = df
        .get_column_names_str()
        .into_iter()
        .filter(|c| !c.ends_with("_p5") && !c.ends_with("_p95"))
        .collect();
    say!(
        "{}: one row per point, means over its replicates (5th and 95th percentiles in the file)",
        dir.display()
    )?;
    if let Some(note) = partial_sweep(dir)? {
        say!("{note}")?;
    }
    say!()?;
    say!("{}", terminal::table(&df.select(shown)?))?;
    let path = dir.join("sweep_summary.parquet");
    write_parquet(&mut df, &path, &sweep::summary_provenance(dir)?)?;
    say!("\nwritten to {}", path.display())?;
    Ok(())
}

/// A sentence saying that the sweep in `dir` is partial (stopped, still
/// running, or some runs failed), so its means are over the complete runs
/// alone; None when every run of its design is complete.
fn partial_sweep(dir: &Path) -> Result<Option<String>> {
    let status = sweep::status(dir)?;
    if status.complete == status.expected {
        return Ok(None);
    }
    Ok(Some(format!(
        "partial sweep: {} of {} runs of the design are complete ({} failed, {} damaged, {} \
         missing); what follows is over the complete runs alone (`ludd sweep status {}` lists \
         the rest, and running the sweep again completes it)",
        status.complete,
        status.expected,
        status.failed.len(),
        status.damaged.len(),
        status.missing.len(),
        dir.display()
    )))
}
