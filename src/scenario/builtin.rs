//! Scenarios and experiments embedded in the binary, so `ludd run loom` and
//! `ludd compare luddites` work from any directory, and the one way both
//! are found: a file if the name is a path, otherwise a built-in.

use crate::error::{LuddError, Result};
use std::path::Path;

/// Name and RON text of every built-in scenario.
pub const BUILTIN: &[(&str, &str)] = &[
    ("loom", include_str!("../../scenarios/loom.ron")),
    (
        "assembly_line",
        include_str!("../../scenarios/assembly_line.ron"),
    ),
    ("pc", include_str!("../../scenarios/pc.ron")),
    ("llm", include_str!("../../scenarios/llm.ron")),
];

/// Name and RON text of every built-in experiment.
pub const BUILTIN_EXPERIMENTS: &[(&str, &str)] = &[
    (
        "luddites",
        include_str!("../../scenarios/experiments/luddites.ron"),
    ),
    (
        "poor_law",
        include_str!("../../scenarios/experiments/poor_law.ron"),
    ),
    (
        "five_dollar_day",
        include_str!("../../scenarios/experiments/five_dollar_day.ron"),
    ),
    (
        "embargo",
        include_str!("../../scenarios/experiments/embargo.ron"),
    ),
    (
        "llm_sharing",
        include_str!("../../scenarios/experiments/llm_sharing.ron"),
    ),
    (
        "adoption_speed",
        include_str!("../../scenarios/experiments/adoption_speed.ron"),
    ),
    (
        "aftermath",
        include_str!("../../scenarios/experiments/aftermath.ron"),
    ),
    (
        "relief_and_riots",
        include_str!("../../scenarios/experiments/relief_and_riots.ron"),
    ),
    (
        "putting_out",
        include_str!("../../scenarios/experiments/putting_out.ron"),
    ),
    (
        "invention",
        include_str!("../../scenarios/experiments/invention.ron"),
    ),
    (
        "emigration",
        include_str!("../../scenarios/experiments/emigration.ron"),
    ),
];

pub fn builtin(name: &str) -> Option<&'static str> {
    find(BUILTIN, name)
}

pub fn builtin_names() -> Vec<&'static str> {
    names(BUILTIN)
}

/// The RON text of a built-in experiment by name.
pub fn builtin_experiment(name: &str) -> Option<&'static str> {
    find(BUILTIN_EXPERIMENTS, name)
}

/// The RON text of an entry of `table` by name.
pub(super) fn find(table: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

fn names(table: &[(&'static str, &str)]) -> Vec<&'static str> {
    table.iter().map(|(n, _)| *n).collect()
}

/// The RON text of the file `name_or_path` if there is one, otherwise of
/// the entry of `table` by that name, together with a name for messages:
/// the path as given, or `<{what} {name}>` for a built-in.
pub(super) fn read_file_or_builtin(
    name_or_path: &str,
    table: &[(&'static str, &'static str)],
    what: &str,
) -> Result<(String, String)> {
    let path = Path::new(name_or_path);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| LuddError::io(path, e))?;
        return Ok((text, name_or_path.to_string()));
    }
    match find(table, name_or_path) {
        Some(text) => Ok((text.to_string(), format!("<{what} {name_or_path}>"))),
        None => Err(LuddError::UnknownScenario {
            name: name_or_path.to_string(),
            known: names(table).join(", "),
        }),
    }
}
