//! `ludd report DIR`: the HTML report of a run, a comparison, a sweep or a
//! directory of runs.

use anyhow::Result;
use clap::Args;
use ludd::analysis::files::{self, write_atomic, REPORT};
use std::path::PathBuf;

#[derive(Args)]
pub struct ReportArgs {
    dir: PathBuf,
    /// Output file (default <dir>/report.html).
    #[arg(short = 'o', long = "out", value_name = "FILE.html")]
    out: Option<PathBuf>,
}

pub fn execute(args: ReportArgs) -> Result<()> {
    let path = args.out.unwrap_or_else(|| args.dir.join("report.html"));
    // The page is checked before the report is built, and never written
    // onto the directory it reads (checked before the locks too, since a
    // page named after that directory would meet its own lock); the
    // directory read is locked shared, so that no run replaces it
    // meanwhile (or read without a lock where it cannot hold one, on
    // read-only storage), and the page exclusively, then checked again.
    files::check_file_destination(&path, &REPORT, &[&args.dir])?;
    let _reading = files::lock_for_reading(&args.dir)?;
    let _writing = files::lock_file_destination(&path)?;
    files::check_file_destination(&path, &REPORT, &[&args.dir])?;
    let html = ludd::report::report(&args.dir)?;
    files::check_file_destination(&path, &REPORT, &[&args.dir])?;
    write_atomic(&path, html)?;
    say!("report written to {}", path.display())?;
    Ok(())
}
