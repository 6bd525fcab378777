//! The validation table: a DataFrame, aligned text, markdown, and writing
//! it into a markdown file between its markers.

use super::ensembles::Outcome;
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

const HEADER: [&str; 11] = [
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
    "match",
];

/// One outcome as the cells of a table row.
fn cells(o: &Outcome) -> [String; 11] {
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
        if o.hit { "hit".into() } else { "miss".into() },
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
        if !o.hit {
            row[10] = "**miss**".into();
        }
        s.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    s
}

/// The validation table as aligned text for the terminal.
pub fn text_table(outcomes: &[Outcome]) -> String {
    let rows: Vec<[String; 11]> = std::iter::once(HEADER.map(String::from))
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
                if (5..10).contains(&c) {
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

/// The markers between which `ludd validate --markdown` writes its table.
pub const TABLE_START: &str = "<!-- validation table: start -->";
pub const TABLE_END: &str = "<!-- validation table: end -->";

/// `old` with the text between the table markers (the markers included)
/// replaced by `block`, which carries the markers; no old text gives the
/// block alone. `None` when `old` lacks either marker or has them in the
/// wrong order: a file without markers is not ludd's to rewrite.
pub fn replace_table(old: Option<&str>, block: &str) -> Option<String> {
    let Some(old) = old else {
        return Some(format!("{block}\n"));
    };
    let a = old.find(TABLE_START)?;
    let b = a + old[a..].find(TABLE_END)?;
    Some(format!(
        "{}{block}{}",
        &old[..a],
        &old[b + TABLE_END.len()..]
    ))
}

/// What `--markdown path` may write into: `None` for a file that does not
/// exist yet (it will hold the table alone), the text of an existing text
/// file with the table markers, and otherwise an error that leaves the
/// file as it is: a binary file, or text without the markers, is refused
/// rather than replaced. `ludd validate` asks before its runs, so that a
/// wrong destination costs nothing, and again before writing.
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
    if replace_table(Some(&text), "").is_none() {
        return Err(refuse(format!(
            "has no validation table markers, so it is left as it is; put the lines \
             {TABLE_START} and {TABLE_END} where the table belongs (what lies between them \
             is replaced), or name a new file"
        )));
    }
    Ok(Some(text))
}

/// Writes the table into the markdown file `path` between the table
/// markers, keeping the text around them, with the command that made it;
/// a new file holds the table alone (see `markdown_destination`).
pub fn write_markdown(path: &std::path::Path, table: &str, which: &str, seeds: u64) -> Result<()> {
    let block = format!(
        "{TABLE_START}\nGenerated by `ludd validate {which} --seeds {seeds} --markdown {}`.\n\n{table}{TABLE_END}",
        path.display()
    );
    let old = markdown_destination(path)?;
    let text =
        replace_table(old.as_deref(), &block).expect("markdown_destination checks the markers");
    write_atomic(path, text)
}
