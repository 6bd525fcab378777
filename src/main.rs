//! The `ludd` command line: a thin layer over the library.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use ludd::model::observe::record::GROUPS;
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
    /// Fit parameters to the scenario's historical targets (simulated method of moments).
    Calibrate {
        /// Built-in name or file.
        scenario: String,
        /// A parameter to search, as path=low..high; repeat for several.
        #[arg(long = "param", value_name = "PATH=LOW..HIGH", required = true)]
        params: Vec<String>,
        /// Candidate ensembles to evaluate in all.
        #[arg(long, default_value_t = 40)]
        budget: usize,
        /// Runs per candidate (seeds 1..=N).
        #[arg(long, default_value_t = 5)]
        seeds: u64,
        /// Write the best parameters as a RON fragment to FILE (default: print it).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Overrides applied before calibration.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Compare settings: an ensemble for each value (or combination of values) of the varied
    /// parameters, or for each setting of a named experiment (see `ludd list`).
    Compare {
        /// Experiment (built-in name or file), or scenario (built-in name or file) with --vary.
        target: String,
        /// A parameter and the values to compare, as path=v1,v2,...; repeat to cross several.
        #[arg(long = "vary", value_name = "PATH=V1,V2,...")]
        vary: Vec<String>,
        /// Runs per setting, seeds 1..=N (default: the experiment's, or 20).
        #[arg(long)]
        seeds: Option<u64>,
        /// Output directory (default runs/compare-<name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a parameter in every setting.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Replace an existing output directory.
        #[arg(long)]
        force: bool,
    },
    /// Who gains and who loses: the redistribution tables of a run, a comparison, or any
    /// directory of runs, printed and written beside the inputs.
    Summarize {
        /// A run directory, a comparison directory, or a directory holding run directories.
        dir: PathBuf,
    },
    /// Write a self-contained HTML report with SVG charts of a run, a comparison or a directory of runs.
    Report {
        dir: PathBuf,
        /// Output file (default <dir>/report.html).
        #[arg(short = 'o', long = "out", value_name = "FILE.html")]
        out: Option<PathBuf>,
    },
    /// Run a parameter sweep into a hive-partitioned parquet dataset (resumable, shardable),
    /// or `ludd sweep status <dir>` to list complete, failed and missing runs.
    Sweep {
        /// The sweep file (RON), or `status`.
        file: String,
        /// With `status`: the sweep's output directory.
        dir: Option<PathBuf>,
        /// Output directory (default runs/sweep-<name>). Re-running resumes it.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run slice I of N (0-based); default from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX/COUNT.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Measure speed: step a scenario scaled to N workers without writing tables, and print
    /// agent-steps per second, time per phase, peak memory and bytes per worker.
    Bench {
        /// Built-in name or file (default llm).
        #[arg(default_value = "llm")]
        scenario: String,
        /// Worker agents (firms and inventors scale in proportion); default: the scenario's own.
        #[arg(long)]
        workers: Option<u64>,
        /// Steps to run (default: the whole scenario).
        #[arg(long)]
        steps: Option<usize>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Repeat the measurement this many times, each from a fresh world,
        /// and report the median and range of the speed.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
    },
    /// Run an ensemble and compare it with the historical targets in scenarios/targets.csv.
    Validate {
        /// Built-in name, file, or `all` (every built-in scenario with targets).
        scenario: String,
        /// Runs per scenario (seeds 1..=N), executed in parallel.
        #[arg(long, default_value_t = 10)]
        seeds: u64,
        /// Exit non-zero when any target is missed.
        #[arg(long)]
        strict: bool,
        /// Directory for validation.parquet.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Also write the table as markdown into FILE (between the table markers if it has them).
        #[arg(long, value_name = "FILE")]
        markdown: Option<PathBuf>,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
}

fn main() -> ExitCode {
    // Printing into a closed pipe (`ludd bench | head -1`) ends the program
    // quietly, as it does for other command-line tools, instead of a panic.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
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
            println!("scenarios (ludd run <name>):");
            for (name, text) in BUILTIN {
                let s = ludd::Scenario::from_ron(text, name)?;
                println!("  {name:<16} {}", s.description);
            }
            println!("experiments (ludd compare <name>):");
            for (name, _) in ludd::scenario::experiment::BUILTIN_EXPERIMENTS {
                let (e, _) = ludd::scenario::experiment::load(name)?;
                println!("  {name:<16} {}", e.question);
            }
        }
        Command::Summarize { dir } => summarize(&dir)?,
        Command::Bench {
            scenario,
            workers,
            steps,
            threads,
            repeat,
        } => bench(&scenario, workers, steps, threads, repeat)?,
        Command::Sweep {
            file,
            dir,
            out,
            shard,
            threads,
        } => sweep(&file, dir, out, shard.as_deref(), threads)?,
        Command::Report { dir, out } => {
            let html = ludd::report::report(&dir)?;
            let path = out.unwrap_or_else(|| dir.join("report.html"));
            let tmp = path.with_extension("html.tmp");
            std::fs::write(&tmp, html).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
            println!("report written to {}", path.display());
        }
        Command::Compare {
            target,
            vary,
            seeds,
            out,
            set,
            threads,
            force,
        } => {
            compare(&target, &vary, seeds, out, &set, threads, force)?;
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
            ludd::analysis::output::check_destination(&dir, force)?;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads.unwrap_or(0))
                .build()
                .context("starting the thread pool")?;
            let threads = pool.current_num_threads();
            tracing::info!(scenario = %s.name, seed, threads, "running");
            let output = pool.install(|| ludd::run(s, seed))?;
            let writing = std::time::Instant::now();
            ludd::analysis::output::write_run(&output, &dir, &set, threads, force)?;
            let written = writing.elapsed().as_secs_f64();
            print_summary(&output, &dir);
            println!(
                "tables written in {written:.2} s, {:.1}% of the run's wall time",
                100.0 * written / (written + output.wall_seconds)
            );
        }
        Command::Calibrate {
            scenario,
            params,
            budget,
            seeds,
            out,
            set,
        } => {
            calibrate(&scenario, &params, budget, seeds, out.as_deref(), &set)?;
        }
        Command::Validate {
            scenario,
            seeds,
            strict,
            out,
            markdown,
            set,
        } => {
            validate(&scenario, seeds, strict, &out, markdown.as_deref(), &set)?;
        }
    }
    Ok(())
}

fn compare(
    target: &str,
    vary: &[String],
    seeds: Option<u64>,
    out: Option<PathBuf>,
    set: &[String],
    threads: Option<usize>,
    force: bool,
) -> Result<()> {
    use ludd::{analysis::compare, scenario::experiment};
    let axes: Vec<experiment::Vary> = vary
        .iter()
        .map(|v| experiment::Vary::parse(v))
        .collect::<Result<_, _>>()?;
    let (mut e, source) = if experiment::is_experiment(target) {
        experiment::load(target)?
    } else {
        anyhow::ensure!(
            !axes.is_empty(),
            "'{target}' is a scenario: say what to compare with --vary path=v1,v2,..."
        );
        // Fail early, with the scenario's own location, if it does not load.
        scenario::load(target, set)?;
        (
            experiment::Experiment::from_scenario(target, Vec::new(), 20),
            target.to_string(),
        )
    };
    e.vary.extend(axes);
    e.set.extend(set.iter().cloned());
    if let Some(n) = seeds {
        e.seeds = n;
    }
    let settings = e.resolve(&source)?;
    let dir = out.unwrap_or_else(|| PathBuf::from(format!("runs/compare-{}", e.name)));
    ludd::analysis::output::check_destination(&dir, force)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("starting the thread pool")?;
    let total = settings.len() as u64 * e.seeds;
    eprintln!(
        "{}: {} settings x {} seeds = {total} runs on {} threads",
        e.name,
        settings.len(),
        e.seeds,
        pool.current_num_threads()
    );
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {per_sec}, {eta} left")
            .expect("valid template"),
    );
    let threads_used = pool.current_num_threads();
    let result = pool.install(|| {
        compare::execute(&e, &settings, &dir, force, threads_used, &|done| {
            bar.set_position(done as u64)
        })
    })?;
    bar.finish_and_clear();
    if !e.question.is_empty() {
        println!("{}\n", e.question);
    }
    println!("{}", display(&compare::display_frame(&result.summary)?));
    println!(
        "mean [5th, 95th percentile] over {} runs per setting; leading region: {}",
        e.seeds,
        {
            let s = &settings[0].scenario;
            &s.regions[s.leading_region()].name
        }
    );
    println!(
        "tables written to {} (compare.parquet, runs.parquet, runs/)",
        dir.display()
    );
    Ok(())
}

fn sweep(
    file: &str,
    dir: Option<PathBuf>,
    out: Option<PathBuf>,
    shard: Option<&str>,
    threads: Option<usize>,
) -> Result<()> {
    use ludd::analysis::sweep;
    if file == "status" {
        let dir = dir.context("usage: ludd sweep status <dir>")?;
        let s = sweep::status(&dir)?;
        println!(
            "{}: {} runs expected, {} complete, {} failed, {} missing",
            dir.display(),
            s.expected,
            s.complete,
            s.failed.len(),
            s.missing.len()
        );
        for (point, replicate, error) in &s.failed {
            println!("failed  point={point} replicate={replicate}: {error}");
        }
        for (point, replicate) in s.missing.iter().take(20) {
            println!("missing point={point} replicate={replicate}");
        }
        if s.missing.len() > 20 {
            println!("... and {} more missing", s.missing.len() - 20);
        }
        return Ok(());
    }
    anyhow::ensure!(
        dir.is_none(),
        "unexpected argument after the sweep file; did you mean `ludd sweep status <dir>`?"
    );
    let shard = sweep::shard_from(shard)?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    let sw = sweep::SweepFile::from_ron(&text, file)?;
    let (base, points) = sw.validate(file)?;
    let dir = out.unwrap_or_else(|| PathBuf::from(format!("runs/sweep-{}", sw.name)));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("starting the thread pool")?;
    let runs = points.len() as u64 * sw.replicates;
    eprintln!(
        "{}: {} points x {} replicates = {runs} runs; shard {}/{}; {} threads",
        sw.name,
        points.len(),
        sw.replicates,
        shard.0,
        shard.1,
        pool.current_num_threads()
    );
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {per_sec}, {eta} left")
            .expect("valid template"),
    );
    let started = std::time::Instant::now();
    let outcome = pool.install(|| {
        sweep::execute(
            &sw,
            &base,
            &points,
            &dir,
            shard,
            pool.current_num_threads(),
            &|done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            },
        )
    })?;
    bar.finish_and_clear();
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    println!(
        "{}: {} runs in this shard; {} already complete, {} done now ({:.1} runs per minute), {} failed",
        dir.display(),
        outcome.jobs_in_shard,
        outcome.skipped,
        outcome.done,
        outcome.done as f64 / minutes.max(1e-9),
        outcome.failed
    );
    if outcome.failed > 0 {
        println!("see `ludd sweep status {}` for the errors", dir.display());
    }
    Ok(())
}

fn bench(
    which: &str,
    workers: Option<u64>,
    steps: Option<usize>,
    threads: Option<usize>,
    repeat: usize,
) -> Result<()> {
    let loaded = scenario::load(which, &[])?;
    let mut s = loaded.scenario;
    if let Some(n) = workers {
        s = ludd::model::run::scaled(&s, n);
        let problems = ludd::scenario::validate(&s);
        anyhow::ensure!(
            problems.is_empty(),
            "scaled to {n} workers the scenario is invalid: {problems:?}"
        );
    }
    let steps = steps.unwrap_or_else(|| s.steps());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("starting the thread pool")?;
    let mut runs = Vec::new();
    for _ in 0..repeat.max(1) {
        runs.push(pool.install(|| ludd::model::run::bench(&s, 1, steps))?);
    }
    let speeds: Vec<f64> = runs.iter().map(|r| r.agent_steps_per_second()).collect();
    let median = ludd::analysis::stats::quantile(&speeds, 0.5);
    // The repeat nearest the median speed stands for all of them below.
    let b = runs
        .iter()
        .min_by(|x, y| {
            let gap = |r: &ludd::model::run::Bench| (r.agent_steps_per_second() - median).abs();
            gap(x).total_cmp(&gap(y))
        })
        .expect("at least one repeat");
    let peak = peak_resident_bytes();
    println!(
        "{} at {} workers ({} agents), {} steps on {} threads: {:.2} s stepping ({:.2} s set-up), {:.3e} agent-steps/s",
        s.name,
        b.workers,
        b.agents,
        b.steps,
        pool.current_num_threads(),
        b.wall_seconds,
        b.setup_seconds,
        b.agent_steps_per_second()
    );
    if repeat > 1 {
        let (low, high) = speeds
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(l, h), &v| (l.min(v), h.max(v)));
        println!(
            "{repeat} repeats: median {median:.3e} agent-steps/s, range {low:.3e} to {high:.3e} \
             (the figures above and below are from the repeat nearest the median)"
        );
    }
    let total: f64 = b.phase_seconds.iter().sum();
    println!("\n{:<16} {:>10} {:>8}", "phase", "seconds", "share");
    for (name, secs) in ludd::model::phases::PHASES.iter().zip(b.phase_seconds) {
        println!(
            "{name:<16} {secs:>10.3} {:>7.1}%",
            100.0 * secs / total.max(1e-12)
        );
    }
    match peak {
        Some(bytes) => println!(
            "\npeak resident memory {:.1} MiB, {:.0} bytes per worker (all state included)",
            bytes as f64 / 1048576.0,
            bytes as f64 / b.workers as f64
        ),
        None => println!("\npeak resident memory: not available on this system"),
    }
    Ok(())
}

/// The process's peak resident set (VmHWM in /proc/self/status, Linux).
fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn summarize(dir: &std::path::Path) -> Result<()> {
    use ludd::analysis::redistribution;
    // A sweep that kept only its measures is summarized from its dataset.
    if dir.join("sweep.ron").is_file() && !dir.join("runs").is_dir() {
        let mut df = ludd::analysis::sweep::summary(dir)?;
        let shown: Vec<&str> = df
            .get_column_names_str()
            .into_iter()
            .filter(|c| !c.ends_with("_p5") && !c.ends_with("_p95"))
            .collect();
        println!("{}: one row per point, means over its replicates (5th and 95th percentiles in the file)\n", dir.display());
        println!("{}", display(&df.select(shown)?));
        let provenance = ludd::analysis::output::Provenance {
            scenario: dir.display().to_string(),
            scenario_hash: ludd::analysis::output::scenario_hash(&std::fs::read_to_string(
                dir.join("sweep.ron"),
            )?),
            // Every run's own seed is in its file; the tree's root names them all.
            seed: {
                let text = std::fs::read_to_string(dir.join("sweep.ron"))?;
                let sw = ludd::analysis::sweep::SweepFile::from_ron(&text, "sweep.ron")?;
                format!("master={}", sw.master_seed)
            },
            version: env!("CARGO_PKG_VERSION").to_string(),
            overrides: Vec::new(),
        };
        ludd::analysis::output::write_parquet(
            &mut df,
            &dir.join("sweep_summary.parquet"),
            &provenance,
        )?;
        println!(
            "\nwritten to {}",
            dir.join("sweep_summary.parquet").display()
        );
        return Ok(());
    }
    let runs = redistribution::find_runs(dir)?;
    let mut r = redistribution::summarize(&runs)?;
    let (by_group, by_region) = redistribution::display(&r)?;
    let settings: std::collections::BTreeSet<&str> =
        runs.iter().map(|r| r.setting.as_str()).collect();
    println!(
        "{}: {} run(s) in {} setting(s); real income per quarter at start prices{}",
        dir.display(),
        runs.len(),
        settings.len(),
        if runs.len() > 1 {
            ", mean [5th, 95th percentile] over runs"
        } else {
            ""
        }
    );
    println!("\nby group: before stage 2, in its first year, its trough from then on, in stage 3's first year, and years below the level before\n");
    println!("{}", display(&by_group));
    println!("\nby region: protest (share x years, and waves), lifetime income change of the displaced hand trades, Engels' pause (years output per worker outgrew real wages since stage 2), labour share trough, peak Gini\n");
    println!("{}", display(&by_region));
    let provenance = redistribution::provenance(&runs)?;
    for (name, df) in [
        ("redistribution.parquet", &mut r.by_group),
        ("redistribution_regions.parquet", &mut r.by_region),
        ("redistribution_paths.parquet", &mut r.paths),
    ] {
        ludd::analysis::output::write_parquet(df, &dir.join(name), &provenance)?;
    }
    println!(
        "\nwritten to {}: redistribution.parquet, redistribution_regions.parquet, redistribution_paths.parquet",
        dir.display()
    );
    Ok(())
}

/// A polars table formatted in full for the terminal.
fn display(df: &polars::prelude::DataFrame) -> String {
    for (key, value) in [
        ("POLARS_FMT_MAX_COLS", "-1"),
        ("POLARS_FMT_MAX_ROWS", "-1"),
        ("POLARS_FMT_STR_LEN", "200"),
        ("POLARS_TABLE_WIDTH", "400"),
        ("POLARS_FMT_TABLE_HIDE_COLUMN_DATA_TYPES", "1"),
        ("POLARS_FMT_TABLE_HIDE_DATAFRAME_SHAPE_INFORMATION", "1"),
        ("POLARS_FMT_TABLE_FORMATTING", "ASCII_MARKDOWN"),
    ] {
        if std::env::var_os(key).is_none() {
            std::env::set_var(key, value);
        }
    }
    format!("{df}")
}

fn validate(
    which: &str,
    seeds: u64,
    strict: bool,
    out: &std::path::Path,
    markdown: Option<&std::path::Path>,
    set: &[String],
) -> Result<()> {
    use ludd::analysis::validation;
    anyhow::ensure!(seeds >= 1, "--seeds must be at least 1");
    let targets = validation::targets()?;
    let names: Vec<String> = if which == "all" {
        BUILTIN
            .iter()
            .map(|(n, _)| n.to_string())
            .filter(|n| targets.iter().any(|t| &t.scenario == n))
            .collect()
    } else {
        vec![which.to_string()]
    };
    let seed_list: Vec<u64> = (1..=seeds).collect();
    let mut outcomes = Vec::new();
    for name in &names {
        let loaded = scenario::load(name, set)?;
        let s = &loaded.scenario;
        let mine: Vec<_> = targets.iter().filter(|t| t.scenario == s.name).collect();
        if mine.is_empty() {
            eprintln!("{}: no targets for scenario '{}'", loaded.source, s.name);
            continue;
        }
        eprintln!("{}: {} runs for {} targets", s.name, seeds, mine.len());
        let runs = ludd::ensemble(s, &seed_list)?;
        for t in mine {
            outcomes.push(validation::evaluate(t, &runs)?);
        }
    }
    if which == "all" {
        let done: std::collections::BTreeSet<&str> = names.iter().map(|s| s.as_str()).collect();
        let mut pending: Vec<&str> = targets
            .iter()
            .map(|t| t.scenario.as_str())
            .filter(|s| !done.contains(s))
            .collect();
        pending.dedup();
        for s in pending {
            let n = targets.iter().filter(|t| t.scenario == s).count();
            eprintln!("{s}: no built-in scenario yet; its {n} targets are not checked");
        }
    }
    let mut df = validation::frame(&outcomes)?;
    print!("{}", validation::text_table(&outcomes));
    let hits = outcomes.iter().filter(|o| o.hit).count();
    println!("{hits} of {} targets inside their band", outcomes.len());
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let resolved: String = names
        .iter()
        .map(|n| scenario::load(n, set).map(|l| l.scenario.to_ron()))
        .collect::<Result<_, _>>()?;
    let provenance = ludd::analysis::output::Provenance {
        scenario: names.join(","),
        scenario_hash: ludd::analysis::output::scenario_hash(&resolved),
        seed: ludd::analysis::output::seeds_text(&seed_list),
        version: env!("CARGO_PKG_VERSION").to_string(),
        overrides: set.to_vec(),
    };
    ludd::analysis::output::write_parquet(&mut df, &out.join("validation.parquet"), &provenance)?;
    if let Some(path) = markdown {
        write_markdown(path, &validation::markdown(&outcomes), which, seeds)?;
    }
    if strict && hits < outcomes.len() {
        anyhow::bail!(
            "{} of {} targets missed (--strict)",
            outcomes.len() - hits,
            outcomes.len()
        );
    }
    Ok(())
}

fn calibrate(
    which: &str,
    params: &[String],
    budget: usize,
    seeds: u64,
    out: Option<&std::path::Path>,
    set: &[String],
) -> Result<()> {
    use ludd::analysis::{calibration, validation};
    anyhow::ensure!(seeds >= 1, "--seeds must be at least 1");
    let params: Vec<calibration::Param> = params
        .iter()
        .map(|p| calibration::Param::parse(p))
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(
        budget >= 2 * params.len() + 1,
        "--budget must be at least {} for {} parameters",
        2 * params.len() + 1,
        params.len()
    );
    let loaded = scenario::load(which, set)?;
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
    let seed_list: Vec<u64> = (1..=seeds).collect();
    let bar = indicatif::ProgressBar::new(budget as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} candidates, {per_sec}, {eta} left",
        )
        .expect("valid template"),
    );
    let result = calibration::calibrate(s, &params, &targets, &seed_list, budget, &|done| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();
    println!("before (distance {:.3}):", result.start_distance);
    print!("{}", validation::text_table(&result.before));
    println!("after (distance {:.3}):", result.best_distance);
    print!("{}", validation::text_table(&result.after));
    let fragment = result.fragment(&s.name, seed_list.len(), budget, &today());
    match out {
        Some(path) => {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, &fragment)
                .with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
            println!("best parameters written to {}", path.display());
        }
        None => print!("{fragment}"),
    }
    Ok(())
}

/// Today's date (UTC) as YYYY-MM-DD, from the civil-from-days algorithm.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

const TABLE_START: &str = "<!-- validation table: start -->";
const TABLE_END: &str = "<!-- validation table: end -->";

/// Writes the table into `path` between the table markers, keeping the
/// text around them; a file without markers gets the table alone.
fn write_markdown(path: &std::path::Path, table: &str, which: &str, seeds: u64) -> Result<()> {
    let block = format!("{TABLE_START}\nGenerated by `ludd validate {which} --seeds {seeds} --markdown {}`.\n\n{table}{TABLE_END}", path.display());
    let text = match std::fs::read_to_string(path) {
        Ok(old) => match (old.find(TABLE_START), old.find(TABLE_END)) {
            (Some(a), Some(b)) if a < b => {
                format!("{}{block}{}", &old[..a], &old[b + TABLE_END.len()..])
            }
            _ => format!("{block}\n"),
        },
        Err(_) => format!("{block}\n"),
    };
    let tmp = path.with_extension("md.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn year(y: Option<f64>, projection_from: Option<f64>) -> String {
    match (y, projection_from) {
        (None, _) => "-".into(),
        (Some(y), Some(p)) if y >= p => format!("{y:.0}*"),
        (Some(y), _) => format!("{y:.0}"),
    }
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
            year(r.stage1_year, out.scenario.projection_from),
            year(r.stage2_year, out.scenario.projection_from),
            year(r.stage3_year, out.scenario.projection_from),
            100.0 * r.general_share_end,
            r.protest_waves,
            100.0 * r.peak_protest
        );
    }
    if let Some(p) = out.scenario.projection_from {
        println!("* a projection (from {p:.0} on), not history: compare an ensemble's spread, not one run");
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
