//! Text for the terminal: a run's summary and polars tables printed in full.

use crate::model::observe::GROUPS;
use crate::model::run::RunOutput;
use polars::prelude::DataFrame;
use std::fmt::Write;
use std::path::Path;

/// A polars table formatted in full for the terminal (as markdown, without
/// types or shape); the `POLARS_FMT_*` variables, when set, still apply.
pub fn table(df: &DataFrame) -> String {
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

/// A year, `-` when it never came, starred when it lies in the projection.
fn year(y: Option<f64>, projection_from: Option<f64>) -> String {
    match (y, projection_from) {
        (None, _) => "-".into(),
        (Some(y), Some(p)) if y >= p => format!("{y:.0}*"),
        (Some(y), _) => format!("{y:.0}"),
    }
}

/// The end-of-run summary `ludd run` prints: speed, each region's stages
/// and protest, and each group's real income change, then where the
/// tables went.
pub fn run_summary(out: &RunOutput, dir: &Path) -> String {
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
            let change = match g.change {
                Some(c) => format!("{:+.0}%", 100.0 * c),
                None if g.emptied => "emptied".to_string(),
                None => "n/a".to_string(),
            };
            print!(" {:>9} {:>8}", change, format!("({:+.0}%)", 100.0 * trough));
        }
        println!();
    }
    println!("\ntables written to {}", dir.display());
    s
}
