//! `--set path=value`: change any scenario parameter by its path before
//! validation. Paths are dot-separated field names; list elements are
//! addressed by their `name` (`regions.britain.workers`), their index
//! (`routes.0.transport_cost`), `from-to` for routes
//! (`routes.britain-usa.transport_cost`), `region-field-year` for policies
//! (`policies.britain-repression-1812.value`), or `*` for all of them.
//! `null` removes an optional part (`wage_policy=null`,
//! `projection_from=null`); given for a required part it is refused. An
//! optional field that the scenario leaves out can be set by its name too
//! (`technologies.power_loom.depreciation=0.1`): the name is checked
//! against the fields its part has when the scenario is read back.

use super::Scenario;
use crate::error::{LuddError, Result};
use serde_json::Value;

pub fn apply_override(scenario: &Scenario, assignment: &str) -> Result<Scenario> {
    apply_overrides(scenario, std::slice::from_ref(&assignment))
}

/// Several `path=value` assignments, applied in order to one tree of the
/// scenario: the same scenario as applying them one at a time, for one
/// conversion instead of one per assignment.
pub fn apply_overrides(scenario: &Scenario, assignments: &[impl AsRef<str>]) -> Result<Scenario> {
    Overridable::new(scenario).apply(assignments)
}

/// A scenario ready for many sets of overrides (a sweep's points): its
/// tree is made once, and each set applied to a copy of it.
pub struct Overridable<'a> {
    scenario: &'a Scenario,
    tree: Value,
}

impl<'a> Overridable<'a> {
    pub fn new(scenario: &'a Scenario) -> Overridable<'a> {
        Overridable {
            scenario,
            tree: serde_json::to_value(scenario).expect("a scenario always converts to a tree"),
        }
    }

    /// The scenario with `assignments` applied in order. When the result
    /// does not fit a scenario, they are applied one at a time again to
    /// name the one that breaks it.
    pub fn apply(&self, assignments: &[impl AsRef<str>]) -> Result<Scenario> {
        let mut tree = self.tree.clone();
        let mut added = None;
        for assignment in assignments {
            added = set_assignment(&mut tree, assignment.as_ref())?.or(added);
        }
        match serde_json::from_value(tree) {
            Ok(s) => Ok(s),
            Err(_) if assignments.len() > 1 => {
                let mut s = self.scenario.clone();
                for assignment in assignments {
                    s = apply_override(&s, assignment.as_ref())?;
                }
                Ok(s)
            }
            Err(e) => {
                let assignment = assignments.first().map_or("", |a| a.as_ref());
                let (path, raw) = assignment.split_once('=').unwrap_or((assignment, ""));
                let value = parse_value(raw.trim());
                let unknown = e.to_string().contains("unknown field");
                let message = if let Some(Added { field, parent }) = added.filter(|_| unknown) {
                    not_a_field(&field, &parent, &expected_fields(&e.to_string()))
                } else if value.is_null() {
                    "this part is required; null removes only optional parts \
                     (such as projection_from, wage_policy or a technology's origin)"
                        .to_string()
                } else if non_finite(&value) {
                    NOT_FINITE.to_string()
                } else {
                    format!("value '{}' does not fit: {e}", raw.trim())
                };
                Err(LuddError::Override {
                    path: path.trim().to_string(),
                    message,
                })
            }
        }
    }
}

/// A field an assignment added to the tree because the scenario left it
/// out: its name and the part it was added to, which reading the tree back
/// checks.
#[derive(Clone)]
struct Added {
    field: String,
    parent: String,
}

/// The message for a name that is not a field of `parent`.
fn not_a_field(field: &str, parent: &str, valid: &[String]) -> String {
    format!(
        "'{field}' is not a field of {parent}; valid fields: {}{}",
        valid.join(", "),
        suggestion(field, valid)
    )
}

/// The field names a serde "unknown field" error lists as expected.
fn expected_fields(error: &str) -> Vec<String> {
    let expected = error.split_once("expected").map_or("", |(_, e)| e);
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// One `path=value` set in the scenario's tree, or why it cannot be; the
/// field it added, if the scenario left it out.
fn set_assignment(tree: &mut Value, assignment: &str) -> Result<Option<Added>> {
    let fail = |path: &str, message: String| LuddError::Override {
        path: path.to_string(),
        message,
    };
    let (path, raw) = assignment.split_once('=').ok_or_else(|| {
        fail(
            assignment,
            "expected path=value, for example regions.britain.workers=5000".into(),
        )
    })?;
    let path = path.trim();
    let raw = raw.trim();
    if path.is_empty() {
        return Err(fail(assignment, "the path before '=' is empty".into()));
    }
    let value = parse_value(raw);
    let segments: Vec<&str> = path.split('.').collect();
    set(tree, &segments, &value, &mut Vec::new()).map_err(|m| fail(path, m))
}

/// What an override that gives NaN or an infinity is told: such a value
/// would only surface later as a failed run.
const NOT_FINITE: &str = "expects a finite number; NaN and infinities are not allowed";

/// Whether `value` is text that reads as NaN or an infinity (`NaN`, `inf`,
/// `-infinity`, `1e999`), which JSON cannot hold as a number.
fn non_finite(value: &Value) -> bool {
    value
        .as_str()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .is_some_and(|v| !v.is_finite())
}

/// Numbers, booleans, `null` and JSON lists or maps are taken as such;
/// anything else is a string (so `origin=britain` needs no quotes).
fn parse_value(raw: &str) -> Value {
    match serde_json::from_str::<Value>(raw) {
        Ok(v) => v,
        Err(_) => Value::String(raw.trim_matches('"').to_string()),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing (None)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a structure",
    }
}

fn set(
    node: &mut Value,
    rest: &[&str],
    value: &Value,
    at: &mut Vec<String>,
) -> Result<Option<Added>, String> {
    let Some((head, tail)) = rest.split_first() else {
        return assign(node, value, at).map(|()| None);
    };
    let here = if at.is_empty() {
        "the scenario".to_string()
    } else {
        at.join(".")
    };
    match node {
        Value::Object(map) => {
            let valid: Vec<String> = map.keys().cloned().collect();
            // A last name the part does not hold may be an optional field
            // the scenario left out: it is added, and reading the tree back
            // refuses it if the part has no such field.
            if tail.is_empty() && !map.contains_key(*head) && !value.is_null() {
                map.insert(head.to_string(), value.clone());
                return Ok(Some(Added {
                    field: head.to_string(),
                    parent: here,
                }));
            }
            let Some(child) = map.get_mut(*head) else {
                return Err(not_a_field(head, &here, &valid));
            };
            at.push(head.to_string());
            set(child, tail, value, at)
        }
        Value::Array(items) => {
            if *head == "*" {
                let mut added = None;
                for (i, item) in items.iter_mut().enumerate() {
                    at.push(i.to_string());
                    let here = set(item, tail, value, at)?;
                    added = added.or(here);
                    at.pop();
                }
                return Ok(added);
            }
            let labels: Vec<String> = items.iter().map(label).collect();
            let index = head
                .parse::<usize>()
                .ok()
                .filter(|i| *i < items.len())
                .or_else(|| labels.iter().position(|l| l == head));
            match index {
                Some(i) => {
                    at.push(head.to_string());
                    set(&mut items[i], tail, value, at)
                }
                None => Err(format!(
                    "{here} has no element '{head}'; choose an index below {}, '*', or one of: {}",
                    items.len(),
                    labels.join(", ")
                )),
            }
        }
        _ => Err(format!(
            "{here} is {} and has no field '{head}'",
            kind(node)
        )),
    }
}

fn assign(node: &mut Value, value: &Value, at: &[String]) -> Result<(), String> {
    let compatible = matches!(
        (&*node, value),
        (Value::Number(_), Value::Number(_))
            | (Value::Bool(_), Value::Bool(_))
            | (Value::String(_), Value::String(_))
            | (Value::Array(_), Value::Array(_))
            | (Value::Object(_), Value::Object(_))
            | (
                Value::Null,
                Value::String(_)
                    | Value::Number(_)
                    | Value::Bool(_)
                    | Value::Null
                    | Value::Object(_)
            )
            | (_, Value::Null)
    );
    if matches!(node, Value::Number(_)) && non_finite(value) {
        return Err(format!("{} {NOT_FINITE}", at.join(".")));
    }
    if !compatible {
        return Err(format!(
            "{} expects {}, found {}",
            at.join("."),
            kind(node),
            kind(value)
        ));
    }
    *node = value.clone();
    Ok(())
}

/// How a list element is named in a path: its `name`, `from-to` for
/// routes, or `region-field-year` for dated policies (the whole year, so
/// `policies.britain-repression-1812.value`; `region-field-toward-year`
/// for an embargo aimed at one region, `policies.usa-export_embargo-china-2022`).
fn label(item: &Value) -> String {
    if let Some(name) = item.get("name").and_then(Value::as_str) {
        return name.to_string();
    }
    if let (Some(region), Some(field), Some(year)) = (
        item.get("region").and_then(Value::as_str),
        item.get("field").and_then(Value::as_str),
        item.get("year").and_then(Value::as_f64),
    ) {
        let year = year.floor() as i64;
        return match item.get("toward").and_then(Value::as_str) {
            Some(toward) => format!("{region}-{field}-{toward}-{year}"),
            None => format!("{region}-{field}-{year}"),
        };
    }
    match (
        item.get("from").and_then(Value::as_str),
        item.get("to").and_then(Value::as_str),
    ) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => String::new(),
    }
}

fn suggestion(word: &str, valid: &[String]) -> String {
    let best = valid.iter().min_by_key(|v| edit_distance(word, v));
    match best {
        Some(b) if edit_distance(word, b) <= 3 => format!(" (did you mean '{b}'?)"),
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
