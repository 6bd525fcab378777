//! What a page asks to run: a built-in scenario or an uploaded one, the
//! `--set` overrides its sliders make, its timeline of dated policies, the
//! number of seeds and the end year. It is turned into a validated
//! scenario here, with the command line's own loading, overriding and
//! validation, so a page sees the same messages as `ludd run`, each with
//! the field it belongs to.
//!
//! Nothing here reads a file: a scenario is a built-in, named, or text the
//! client sent.

use crate::analysis::output::scenario_hash;
use crate::error::LuddError;
use crate::scenario::{apply_override, builtin, builtin_names, validate, Policy, Scenario};
use serde::{Deserialize, Serialize};

/// The seeds a page runs unless it asks for another number.
pub const DEFAULT_SEEDS: u64 = 8;

/// The name uploaded scenario text is reported under.
pub const UPLOAD: &str = "upload.ron";

/// One ensemble a page asks for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// A built-in scenario's name; absent when `ron` is given.
    #[serde(default)]
    pub scenario: Option<String>,
    /// An uploaded scenario's RON text.
    #[serde(default)]
    pub ron: Option<String>,
    /// Overrides, each `path=value` as `--set` takes them.
    #[serde(default)]
    pub set: Vec<String>,
    /// The dated policies; when given they replace the scenario's own.
    #[serde(default)]
    pub policies: Option<Vec<Policy>>,
    #[serde(default = "default_seeds")]
    pub seeds: u64,
    #[serde(default)]
    pub end_year: Option<f64>,
}

fn default_seeds() -> u64 {
    DEFAULT_SEEDS
}

/// A problem with a setting, tied to the field of the page it belongs to:
/// `scenario`, `ron`, `seeds`, `end_year`, `set:<path>` for an override,
/// `policies` for the timeline, or a scenario field path from validation
/// (`regions[britain].institutions.relief_replacement`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A setting turned into a validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub scenario: Scenario,
    /// Hash of the resolved scenario's RON: with a seed, the cache key.
    pub hash: String,
    /// Where the scenario came from, for messages.
    pub source: String,
    pub seeds: u64,
    /// The overrides as given, for the runs' provenance.
    pub overrides: Vec<String>,
}

/// Resolves and validates `setting`; every problem found is returned,
/// each with its field. `max_seeds` bounds the ensemble.
pub fn prepare(setting: &Setting, max_seeds: u64) -> Result<Prepared, Vec<FieldError>> {
    let (text, source) = match (&setting.scenario, &setting.ron) {
        (Some(name), None) => match builtin(name) {
            Some(text) => (text.to_string(), format!("<built-in {name}>")),
            None => {
                let known = builtin_names().join(", ");
                return Err(vec![FieldError::new(
                    "scenario",
                    format!("unknown scenario '{name}' (built-in: {known})"),
                )]);
            }
        },
        (None, Some(text)) => (text.clone(), UPLOAD.to_string()),
        _ => {
            return Err(vec![FieldError::new(
                "scenario",
                "give either a built-in scenario's name or an uploaded scenario's text",
            )])
        }
    };
    let mut errors = Vec::new();
    if setting.seeds == 0 || setting.seeds > max_seeds {
        errors.push(FieldError::new(
            "seeds",
            format!("must be from 1 to {max_seeds}"),
        ));
    }
    let field = if setting.ron.is_some() {
        "ron"
    } else {
        "scenario"
    };
    let mut s = Scenario::from_ron(&text, &source).map_err(|e| vec![located(field, &e)])?;
    for assignment in &setting.set {
        match apply_override(&s, assignment) {
            Ok(changed) => s = changed,
            Err(e) => errors.push(located(field, &e)),
        }
    }
    if let Some(policies) = &setting.policies {
        s.policies = policies.clone();
    }
    if let Some(end) = setting.end_year {
        s.end_year = end;
    }
    errors.extend(
        validate(&s)
            .into_iter()
            .map(|p| FieldError::new(p.path.clone(), p.to_string())),
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    let hash = scenario_hash(&s.to_ron());
    Ok(Prepared {
        scenario: s,
        hash,
        source,
        seeds: setting.seeds,
        overrides: setting.set.clone(),
    })
}

/// The field an error of loading belongs to, and its message as the
/// command line prints it.
pub fn located(field: &str, e: &LuddError) -> FieldError {
    match e {
        LuddError::Override { path, .. } => FieldError::new(format!("set:{path}"), e.to_string()),
        _ => FieldError::new(field, e.to_string()),
    }
}
