//! Experiments: a base scenario, the settings to compare, and the question
//! the comparison answers. `ludd compare` runs one from a RON file in
//! `scenarios/experiments/` or from `--vary` on the command line.
//!
//! Settings are the product of the labelled alternatives in `settings`
//! (one unchanged setting when there are none) and every `vary` axis, so
//! two axes of two values each give four settings. Every setting is the
//! base scenario with its overrides applied in order (the experiment's
//! `set`, the alternative's `set`, then one value from each axis), then
//! validated like any scenario.

pub use super::builtin::BUILTIN_EXPERIMENTS;

use super::validate::Checker;
use crate::error::{LuddError, Result};
use crate::scenario::{self, apply_override, Scenario};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    pub name: String,
    /// The question the comparison answers, in a sentence.
    pub question: String,
    /// Built-in scenario name, or a file path relative to the experiment file.
    pub base: String,
    /// Runs per setting (seeds 1..=N).
    #[serde(default = "default_seeds")]
    pub seeds: u64,
    /// Overrides applied to every setting.
    #[serde(default)]
    pub set: Vec<String>,
    /// Labelled alternatives, each a list of overrides.
    #[serde(default)]
    pub settings: Vec<Setting>,
    /// Parameters varied over lists of values, crossed with each other and with `settings`.
    #[serde(default)]
    pub vary: Vec<Vary>,
}

fn default_seeds() -> u64 {
    20
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub label: String,
    #[serde(default)]
    pub set: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Vary {
    pub path: String,
    pub values: Vec<String>,
}

impl Vary {
    /// Parses `path=v1,v2,...` from the command line.
    pub fn parse(text: &str) -> Result<Vary> {
        let fail = |message: &str| LuddError::Override {
            path: text.to_string(),
            message: message.to_string(),
        };
        let (path, values) = text
            .split_once('=')
            .ok_or_else(|| fail("expected path=v1,v2,..., for example regions.britain.institutions.relief_replacement=0.1,0.6"))?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if path.trim().is_empty() || values.iter().any(|v| v.is_empty()) {
            return Err(fail("the path and every value must be non-empty"));
        }
        Ok(Vary {
            path: path.trim().to_string(),
            values,
        })
    }
}

/// (axis, value) for each axis that places a setting.
type Coordinates = Vec<(String, String)>;

/// One setting ready to run: its label, its value on each axis, and the
/// validated scenario.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub label: String,
    /// (axis, value) for the `settings` axis (named `setting`) and each `vary` path.
    pub coordinates: Vec<(String, String)>,
    pub overrides: Vec<String>,
    pub scenario: Scenario,
}

impl Experiment {
    /// An experiment on a plain scenario from the command line.
    pub fn from_scenario(base: &str, vary: Vec<Vary>, seeds: u64) -> Experiment {
        Experiment {
            name: Path::new(base)
                .file_stem()
                .map_or(base.to_string(), |s| s.to_string_lossy().into_owned()),
            question: String::new(),
            base: base.to_string(),
            seeds,
            set: Vec::new(),
            settings: Vec::new(),
            vary,
        }
    }

    /// Parses an experiment file; its name must be an identifier, as every
    /// name a table or `--set` may show (`scenario::identifier_problem`).
    pub fn from_ron(text: &str, file: &str) -> Result<Experiment> {
        let experiment: Experiment = scenario::parse_ron(text, file)?;
        let mut c = Checker::default();
        if let Some(problem) = scenario::identifier_problem(&experiment.name) {
            c.fail("name", problem);
        }
        c.finish(file)?;
        Ok(experiment)
    }

    /// Every setting, base scenario resolved and overrides applied; all
    /// problems in all settings are reported together.
    pub fn resolve(&self, source: &str) -> Result<Vec<Resolved>> {
        let mut c = Checker::default();
        if let Err(m) = scenario::run_count(1, self.seeds) {
            c.fail("seeds", m);
        }
        // Two equal settings would be run twice and give the comparison's
        // tables two columns or settings of one name: refused here, before
        // any run, with the axis and value named.
        for (i, v) in self.vary.iter().enumerate() {
            if v.values.is_empty() {
                c.fail(format!("vary.{i}.values"), "must list at least one value");
            }
            if let Some(j) = self.vary[..i].iter().position(|w| w.path == v.path) {
                c.fail(
                    format!("vary.{i}.path"),
                    format!(
                        "'{}' is varied twice (also vary.{j}); give all its values in one list",
                        v.path
                    ),
                );
            }
            for (k, value) in v.values.iter().enumerate() {
                if let Some(l) = v.values[..k].iter().position(|w| same_value(w, value)) {
                    c.fail(
                        format!("vary.{i}.values.{k}"),
                        format!(
                            "'{}={value}' is listed twice (also value {l}, '{}'); each value once",
                            v.path, v.values[l]
                        ),
                    );
                }
            }
        }
        let mut labels = std::collections::HashSet::new();
        for (i, s) in self.settings.iter().enumerate() {
            if !labels.insert(s.label.as_str()) {
                c.fail(
                    format!("settings.{i}.label"),
                    format!("duplicate label '{}'", s.label),
                );
            }
        }
        c.finish(source)?;
        let base_path = Path::new(source)
            .parent()
            .map(|dir| dir.join(&self.base))
            .filter(|p| p.is_file())
            .map_or(self.base.clone(), |p| p.to_string_lossy().into_owned());
        let (text, base_source) = scenario::read_source(&base_path)?;
        let base = Scenario::from_ron(&text, &base_source)?;

        // The product of the alternatives and every axis, first axis slowest.
        let alternatives: Vec<Setting> = if self.settings.is_empty() {
            vec![Setting {
                label: String::new(),
                set: Vec::new(),
            }]
        } else {
            self.settings.clone()
        };
        let mut combos: Vec<(Coordinates, Vec<String>)> = alternatives
            .iter()
            .map(|a| {
                let coords = if self.settings.is_empty() {
                    Vec::new()
                } else {
                    vec![("setting".to_string(), a.label.clone())]
                };
                let mut set = self.set.clone();
                set.extend(a.set.iter().cloned());
                (coords, set)
            })
            .collect();
        for axis in &self.vary {
            let mut next = Vec::with_capacity(combos.len() * axis.values.len());
            for (coords, set) in &combos {
                for v in &axis.values {
                    let mut c = coords.clone();
                    c.push((axis.path.clone(), v.clone()));
                    let mut s = set.clone();
                    s.push(format!("{}={}", axis.path, v));
                    next.push((c, s));
                }
            }
            combos = next;
        }

        let mut resolved = Vec::with_capacity(combos.len());
        let mut c = Checker::default();
        for (coords, overrides) in combos {
            let label = if coords.is_empty() {
                "base".to_string()
            } else {
                coords
                    .iter()
                    .map(|(axis, v)| {
                        if axis == "setting" {
                            v.clone()
                        } else {
                            format!("{axis}={v}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut s = base.clone();
            for o in &overrides {
                s = apply_override(&s, o)?;
            }
            for p in scenario::validate(&s) {
                c.fail(format!("[{label}] {}", p.path), p.message);
            }
            resolved.push(Resolved {
                label,
                coordinates: coords,
                overrides,
                scenario: s,
            });
        }
        if let Err(m) = scenario::run_count(resolved.len() as u64, self.seeds) {
            c.fail("seeds", m);
        }
        c.finish(source)?;
        if let Some(largest) = resolved.iter().max_by_key(|r| r.scenario.memory_estimate()) {
            scenario::check_memory(&largest.scenario, source)?;
        }
        Ok(resolved)
    }
}

/// Whether two values of an axis give the same setting: equal text, or
/// equal numbers written differently (`0.1` and `0.10`).
fn same_value(a: &str, b: &str) -> bool {
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// Whether `name_or_path` names an experiment (built-in or a file whose
/// RON starts with `Experiment(`) rather than a scenario.
pub fn is_experiment(name_or_path: &str) -> bool {
    if scenario::builtin::find(BUILTIN_EXPERIMENTS, name_or_path).is_some() {
        return true;
    }
    let path = Path::new(name_or_path);
    path.is_file()
        && std::fs::read_to_string(path).is_ok_and(|t| {
            t.lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("//"))
                .is_some_and(|l| l.starts_with("Experiment("))
        })
}

/// Loads an experiment by built-in name or file path.
pub fn load(name_or_path: &str) -> Result<(Experiment, String)> {
    let (text, source) = scenario::builtin::read_file_or_builtin(
        name_or_path,
        BUILTIN_EXPERIMENTS,
        "built-in experiment",
    )?;
    Ok((Experiment::from_ron(&text, &source)?, source))
}
