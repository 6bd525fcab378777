//! The `ludd` command line: a thin layer over the library.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use ludd::record::GROUPS;
use ludd::scenario::{self, BUILTIN};
use std::path::PathBuf;
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
    Show {
        /// Built-in name or file.
        scenario: String,
        /// Print the resolved scenario (defaults filled in, overrides applied) instead of the source text.
        #[arg(long)]
        resolved: bool,
        /// Override a parameter by path (with --resolved).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Validate a scenario without running it.
    Check {
        scenario: String,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Run a scenario and write its tables.
    Run {
        /// Built-in name or file.
        scenario: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output directory (default runs/<scenario>-<seed>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a parameter by path, e.g. regions.britain.institutions.relief_replacement=0.6
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Replace an existing output directory.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match execute(cli.command) {
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

fn execute(command: Command) -> Result<()> {
    match command {
        Command::List => {
            for (name, text) in BUILTIN {
                let s = ludd::Scenario::from_ron(text, name)?;
                println!("{name:<16} {}", s.description);
            }
        }
        Command::Show {
            scenario,
            resolved,
            set,
        } => {
            if resolved || !set.is_empty() {
                print!("{}", scenario::load(&scenario, &set)?.scenario.to_ron());
                println!();
            } else {
                print!("{}", scenario::read_source(&scenario)?.0);
            }
        }
        Command::Check { scenario, set } => {
            let loaded = scenario::load(&scenario, &set)?;
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
        }
        Command::Run {
            scenario,
            seed,
            out,
            set,
            threads,
            force,
        } => {
            let loaded = scenario::load(&scenario, &set)?;
            let s = &loaded.scenario;
            let dir = out.unwrap_or_else(|| PathBuf::from(format!("runs/{}-{seed}", s.name)));
            ludd::output::check_destination(&dir, force)?;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads.unwrap_or(0))
                .build()
                .context("starting the thread pool")?;
            let threads = pool.current_num_threads();
            tracing::info!(scenario = %s.name, seed, threads, "running");
            let output = pool.install(|| ludd::run(s, seed))?;
            ludd::output::write_run(&output, &dir, &set, threads, force)?;
            print_summary(&output, &dir);
        }
    }
    Ok(())
}

fn year(y: Option<f64>) -> String {
    y.map_or("-".into(), |y| format!("{y:.0}"))
}

/// Writes the end-of-run summary; a closed pipe (`| head`) is not an error.
fn print_summary(out: &ludd::RunOutput, dir: &std::path::Path) {
    use std::io::Write;
    let _ = std::io::stdout().write_all(summary_text(out, dir).as_bytes());
}

fn summary_text(out: &ludd::RunOutput, dir: &std::path::Path) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    macro_rules! println {
        () => { s.push('\n') };
        ($($arg:tt)*) => {{ let _ = writeln!(s, $($arg)*); }};
    }
    macro_rules! print {
        ($($arg:tt)*) => {{ let _ = write!(s, $($arg)*); }};
    }
    println!(
        "{} (seed {}): {} steps, {} agents, {:.2} s, {:.2e} agent-steps/s",
        out.scenario.name,
        out.seed,
        out.steps,
        out.agents,
        out.wall_seconds,
        out.agent_steps_per_second()
    );
    println!(
        "\n{:<12} {:>7} {:>7} {:>7} {:>9} {:>7} {:>8}",
        "region", "stage1", "stage2", "stage3", "general", "waves", "peak"
    );
    for r in &out.summary {
        println!(
            "{:<12} {:>7} {:>7} {:>7} {:>8.0}% {:>7} {:>7.1}%",
            r.region,
            year(r.stage1_year),
            year(r.stage2_year),
            year(r.stage3_year),
            100.0 * r.general_share_end,
            r.protest_waves,
            100.0 * r.peak_protest
        );
    }
    println!("\nreal income change from the year before stage 2 to the end (trough in brackets):");
    print!("{:<12}", "region");
    for g in GROUPS {
        print!(" {g:>18}");
    }
    println!();
    for r in &out.summary {
        print!("{:<12}", r.region);
        for g in &r.groups {
            let trough = if g.before > 0.0 {
                g.trough / g.before - 1.0
            } else {
                0.0
            };
            print!(
                " {:>9} {:>8}",
                format!("{:+.0}%", 100.0 * g.change),
                format!("({:+.0}%)", 100.0 * trough)
            );
        }
        println!();
    }
    println!("\ntables written to {}", dir.display());
    s
}
