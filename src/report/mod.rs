//! `ludd report`: one self-contained HTML page of SVG charts drawn with
//! plotters, from a run, a comparison or any directory of runs. The page
//! loads nothing from the network: the charts are inline SVG and the font
//! (DejaVu Sans, which also measures the text when the charts are laid out)
//! is embedded as base64.
//!
//! - `data`: reading the run, comparison and sweep directories, and
//!   reshaping their tables into what the charts draw;
//! - `charts`: the charts, drawn as SVG;
//! - `html`: the page that holds them.

mod charts;
mod data;
mod html;
pub mod terminal;

use crate::error::{LuddError, Result};
use std::path::Path;

/// The ids of the charts a report holds, in page order; the settings chart
/// appears only for directories with more than one setting.
pub const CHARTS: [&str; 8] = [
    "adoption",
    "wages",
    "distribution",
    "protest",
    "network",
    "history",
    "settings",
    "settings-protest",
];

/// An error of reading a table or drawing a chart, reported against the
/// page being made.
fn fail(message: impl Into<String>) -> LuddError {
    LuddError::Output {
        path: "report.html".into(),
        message: message.into(),
    }
}

/// The report of every run at or under `dir`, as one HTML page.
pub fn report(dir: &Path) -> Result<String> {
    if crate::analysis::sweep::is_measures_only(dir) {
        return html::sweep_page(&data::read_sweep(dir)?);
    }
    html::runs_page(dir, &data::read_runs(dir)?)
}
