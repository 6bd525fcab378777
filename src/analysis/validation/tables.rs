//! The validation table: a DataFrame, aligned text, markdown, and writing
//! it into a markdown file between its markers. The plausibility checks
//! use the same table, written between markers of their own.

use super::ensembles::{Outcome, Verdict};
use crate::analysis::files::{polars_error, write_atomic};
use crate::error::{LuddError, Result};
use polars::prelude::*;

/// The validation table as a DataFrame.
pub fn frame(outcomes: &[Outcome]) -> Result<DataFrame> {
    let col = |name: &str, f: &dyn Fn(&Outcome) -> Option<f64>| {
        Column::new(name.into(), outcomes.iter().map(f).collect::<Vec<_>>())
    };
    let text = |name: &str, f: &dyn Fn(&Outcome) -> String| {
        Column::new(name.into(), outcomes.iter().map(f).collect::<Vec<_>>())
    };
    DataFrame::new(vec![
        text("scenario", &|o| o.target.scenario.clone()),
        text("id", &|o| o.target.id.clone()),
        text("metric", &|o| o.target.metric.clone()),
        text("region", &|o| o.target.region.clone()),
        text("statistic", &|o| o.target.statistic.name().into()),
        col("history", &|o| Some(o.target.value)),
        col("low", &|o| Some(o.target.low)),
        col("high", &|o| Some(o.target.high)),
        col("model_mean", &|o| o.mean),
        col("model_p5", &|o| o.p5),
        col("model_p95", &|o| o.p95),
        Column::new(
            "reached".into(),
            outcomes
                .iter()
                .map(|o| o.reached as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "runs".into(),
            outcomes.iter().map(|o| o.runs as u32).collect::<Vec<_>>(),
        ),
        Column::new(
            "hit".into(),
            outcomes.iter().map(|o| o.hit).collect::<Vec<_>>(),
        ),
        Column::new(
            "in_band".into(),
            outcomes
                .iter()
                .map(|o| o.in_band as u32)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "solid".into(),
            outcomes
                .iter()
                .map(|o| o.verdict == Verdict::Solid)
                .collect::<Vec<_>>(),
        ),
        text("match", &|o| o.verdict.name().into()),
        text("unit", &|o| o.target.unit.clone()),
        text("source", &|o| o.target.source.clone()),
    ])
    .map_err(polars_error("validation"))
}

fn show(x: Option<f64>) -> String {
    match x {
        None => "not reached".into(),
        Some(v) if v.abs() >= 100.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.3}"),
    }
}

/// The columns of the text and markdown tables.
const COLUMNS: usize = 12;

/// The column of the verdict, bold in markdown when it is a miss.
const MATCH: usize = COLUMNS - 1;

const HEADER: [&str; COLUMNS] = [
    "scenario",
    "id",
    "series",
    "region",
    "statistic",
    "history",
    "band",
    "model mean",
    "model 5-95%",
    "reached",
    "runs in band",
    "match",
];

/// One outcome as the cells of a table row.
fn cells(o: &Outcome) -> [String; COLUMNS] {
    let t = &o.target;
    [
        t.scenario.clone(),
        t.id.clone(),
        t.metric.clone(),
        t.region.clone(),
        t.statistic.name().into(),
        show(Some(t.value)),
        format!("{} to {}", show(Some(t.low)), show(Some(t.high))),
        show(o.mean),
        format!("{} to {}", show(o.p5), show(o.p95)),
        format!("{}/{}", o.reached, o.runs),
        format!("{}/{}", o.in_band, o.runs),
        o.verdict.name().into(),
    ]
}

/// The validation table as markdown; misses in bold.
pub fn markdown(outcomes: &[Outcome]) -> String {
    let mut s = format!(
        "| {} |\n|{}\n",
        HEADER.join(" | "),
        "---|".repeat(HEADER.len())
    );
    for o in outcomes {
        let mut row = cells(o);
        if o.verdict == Verdict::Miss {
            row[MATCH] = "**miss**".into();
        }
        s.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    s
}

/// The validation table as aligned text for the terminal.
pub fn text_table(outcomes: &[Outcome]) -> String {
    let rows: Vec<[String; COLUMNS]> = std::iter::once(HEADER.map(String::from))
        .chain(outcomes.iter().map(cells))
        .collect();
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut s = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if (5..MATCH).contains(&c) {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s
}

/// The summary line under a table: how many rows are solid, and how many
/// have the ensemble mean in the band (solid ones included), e.g.
/// `solid: 7 of 20 targets; hits (mean in band): 9 of 20`.
pub fn summary(outcomes: &[Outcome], noun: &str) -> String {
    let n = outcomes.len();
    let solid = outcomes
        .iter()
        .filter(|o| o.verdict == Verdict::Solid)
        .count();
    let hits = outcomes.iter().filter(|o| o.hit).count();
    format!("solid: {solid} of {n} {noun}; hits (mean in band): {hits} of {n}")
}

/// The markers between which `ludd validate --markdown` writes its table.
pub const TABLE_START: &str = "<!-- validation table: start -->";
pub const TABLE_END: &str = "<!-- validation table: end -->";

/// The markers between which it writes the plausibility checks.
pub const CHECKS_START: &str = "<!-- plausibility table: start -->";
pub const CHECKS_END: &str = "<!-- plausibility table: end -->";

/// Where in `text` the block from the first `start` marker to the first
/// `end` marker after it lies, the markers included; None when either is
/// missing or they are in the wrong order.
fn block_span(text: &str, start: &str, end: &str) -> Option<std::ops::Range<usize>> {
    let a = text.find(start)?;
    let b = a + text[a..].find(end)?;
    Some(a..b + end.len())
}

/// `old` with the block between the `start` and `end` markers (the
/// markers included) replaced by `block`, which carries the markers; None
/// when `old` lacks them (see `block_span`).
fn replace_block(old: &str, start: &str, end: &str, block: &str) -> Option<String> {
    let span = block_span(old, start, end)?;
    Some(format!("{}{block}{}", &old[..span.start], &old[span.end..]))
}

/// `old` with the text between the table markers (the markers included)
/// replaced by `block`, which carries the markers; no old text gives the
/// block alone. `None` when `old` lacks either marker or has them in the
/// wrong order: a file without markers is not ludd's to rewrite.
pub fn replace_table(old: Option<&str>, block: &str) -> Option<String> {
    match old {
        None => Some(format!("{block}\n")),
        Some(old) => replace_block(old, TABLE_START, TABLE_END, block),
    }
}

/// What `--markdown path` may write into: `None` for a file that does not
/// exist yet (it will hold the tables alone), the text of an existing text
/// file with the table markers, and otherwise an error that leaves the
/// file as it is: a binary file, or text without the markers, is refused
/// rather than replaced. The plausibility markers are optional (a file
/// without them gets no plausibility table, see `write_markdown`), but
/// when present they must come in order and lie outside the validation
/// table, or the file is refused as well. `ludd validate` asks before its
/// runs, so that a wrong destination costs nothing, and again before
/// writing.
pub fn markdown_destination(path: &std::path::Path) -> Result<Option<String>> {
    let refuse = |message: String| LuddError::Output {
        path: path.to_path_buf(),
        message,
    };
    let bytes = match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            if parent.is_some_and(|p| !p.is_dir()) {
                return Err(refuse("its directory does not exist".into()));
            }
            return Ok(None);
        }
        Err(e) => return Err(LuddError::io(path, e)),
        Ok(bytes) => bytes,
    };
    let text = String::from_utf8(bytes)
        .ok()
        .filter(|t| !t.contains('\0'))
        .ok_or_else(|| {
            refuse(
                "is not a text file; --markdown writes only into a markdown file that has \
                 the validation table markers, or into a new file"
                    .into(),
            )
        })?;
    let Some(table) = block_span(&text, TABLE_START, TABLE_END) else {
        return Err(refuse(format!(
            "has no validation table markers, so it is left as it is; put the lines \
             {TABLE_START} and {TABLE_END} where the table belongs (what lies between them \
             is replaced), or name a new file"
        )));
    };
    let has_checks = text.contains(CHECKS_START) || text.contains(CHECKS_END);
    if has_checks {
        let fits = block_span(&text, CHECKS_START, CHECKS_END)
            .is_some_and(|c| c.end <= table.start || c.start >= table.end);
        if !fits {
            return Err(refuse(format!(
                "has plausibility table markers that are not a pair {CHECKS_START} ... \
                 {CHECKS_END} outside the validation table, so it is left as it is; put both \
                 lines, in that order, where the plausibility table belongs, or remove them"
            )));
        }
    }
    Ok(Some(text))
}

/// Whether `write_markdown` wrote the plausibility table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksBlock {
    Written,
    /// The existing file has no plausibility markers: only the validation
    /// table was written, as ludd rewrites only what lies between its
    /// markers and would otherwise have to choose a place for the block.
    NoMarkers,
}

/// Writes the validation table and the plausibility table into the
/// markdown file `path`, each between its markers, keeping the text around
/// them, with the command that made them; a new file holds the two tables
/// alone (see `markdown_destination`).
pub fn write_markdown(
    path: &std::path::Path,
    table: &str,
    checks: &str,
    which: &str,
    seeds: u64,
) -> Result<ChecksBlock> {
    let made = format!(
        "Generated by `ludd validate {which} --seeds {seeds} --markdown {}`.",
        path.display()
    );
    let block = format!("{TABLE_START}\n{made}\n\n{table}{TABLE_END}");
    let checks_block = format!("{CHECKS_START}\n{made}\n\n{checks}{CHECKS_END}");
    let old = markdown_destination(path)?;
    let (text, written) = match old {
        None => (format!("{block}\n\n{checks_block}\n"), ChecksBlock::Written),
        Some(old) => {
            let text = replace_block(&old, TABLE_START, TABLE_END, &block)
                .expect("markdown_destination checks the markers");
            match replace_block(&text, CHECKS_START, CHECKS_END, &checks_block) {
                Some(text) => (text, ChecksBlock::Written),
                None => (text, ChecksBlock::NoMarkers),
            }
        }
    };
    write_atomic(path, text)?;
    Ok(written)
}
