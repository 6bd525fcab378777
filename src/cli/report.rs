//! `ludd report DIR`: the HTML report of a run, a comparison, a sweep or a
//! directory of runs.

use anyhow::Result;
use clap::Args;
use ludd::analysis::files::write_atomic;
use std::path::PathBuf;

#[derive(Args)]
pub struct ReportArgs {
    dir: PathBuf,
    /// Output file (default <dir>/report.html).
    #[arg(short = 'o', long = "out", value_name = "FILE.html")]
    out: Option<PathBuf>,
}

pub fn execute(args: ReportArgs) -> Result<()> {
    let html = ludd::report::report(&args.dir)?;
    let path = args.out.unwrap_or_else(|| args.dir.join("report.html"));
    write_atomic(&path, html)?;
    say!("report written to {}", path.display())?;
    Ok(())
}
