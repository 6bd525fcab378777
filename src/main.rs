//! The `ludd` command line: parses the arguments and dispatches each
//! command to its file under `src/cli/`, a thin layer over the library.

#[macro_use]
mod cli;

use clap::{Parser, Subcommand};
use cli::{
    bench, calibrate, check, compare, list, report, run, serve, show, summarize, sweep, validate,
};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ludd",
    version,
    about = "An agent-based model of industrial transitions and their backlash"
)]
struct Cli {
    /// More diagnostics (-v info, -vv debug, -vvv trace); RUST_LOG also works.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the built-in scenarios.
    List,
    /// Print a scenario as RON, ready to copy and edit.
    Show(show::ShowArgs),
    /// Validate a scenario without running it.
    Check(check::CheckArgs),
    /// Run a scenario and write its tables.
    Run(run::RunArgs),
    /// Fit parameters to the scenario's historical targets (simulated method of moments).
    Calibrate(calibrate::CalibrateArgs),
    /// Compare settings: an ensemble for each value (or combination of values) of the varied
    /// parameters, or for each setting of a named experiment (see `ludd list`).
    Compare(compare::CompareArgs),
    /// Who gains and who loses: the redistribution tables of a run, a comparison, or any
    /// directory of runs, printed and written beside the inputs.
    Summarize(summarize::SummarizeArgs),
    /// Write a self-contained HTML report with SVG charts of a run, a comparison or a directory of runs.
    Report(report::ReportArgs),
    /// Run a parameter sweep into a hive-partitioned parquet dataset (resumable, shardable),
    /// or `ludd sweep status <dir>` to list complete, failed and missing runs.
    Sweep(sweep::SweepArgs),
    /// Measure speed: step a scenario scaled to N workers without writing tables, and print
    /// agent-steps per second, time per phase, peak memory and bytes per worker.
    Bench(bench::BenchArgs),
    /// Run an ensemble and compare it with the historical targets in scenarios/targets.csv.
    Validate(validate::ValidateArgs),
    /// Serve a page on which to change institutions and policies, run ensembles and compare
    /// them with a baseline in the browser (http://127.0.0.1:8080 by default).
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    // First, before any thread starts: SIGINT and SIGTERM stop the command
    // cleanly, exiting with 130 or 143.
    cli::signals::handle();
    // Printing into a closed pipe (`ludd bench | head -1`) ends the program
    // quietly, as it does for other command-line tools, instead of a panic.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::List => list::execute(),
        Command::Show(args) => show::execute(args),
        Command::Check(args) => check::execute(args),
        Command::Run(args) => run::execute(args),
        Command::Calibrate(args) => calibrate::execute(args),
        Command::Compare(args) => compare::execute(args),
        Command::Summarize(args) => summarize::execute(args),
        Command::Report(args) => report::execute(args),
        Command::Sweep(args) => sweep::execute(args),
        Command::Bench(args) => bench::execute(args),
        Command::Validate(args) => validate::execute(args),
        Command::Serve(args) => serve::execute(args),
    }
}
