//! Semantic validation: every rule a parsed scenario must meet before it can
//! run, each broken rule reported with its field path, all at once.

use super::behaviour::BEHAVIOUR_FIELDS;
use super::{Scenario, TechKind, INSTITUTION_FIELDS, STAGE_RULE_FIELDS};
use crate::error::{number_text, LuddError, Problem, Result};
use std::collections::HashSet;

/// Years must lie within this distance of year 0, which covers any
/// history while refusing values that can only be typing errors.
const YEAR_LIMIT: f64 = 10_000.0;

/// Collects every broken rule with its field path, so that one attempt
/// reports all of them rather than the first.
#[derive(Default)]
pub(super) struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    pub(super) fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// The problems found, as the error of `file` when there are any.
    pub(super) fn finish(self, file: &str) -> Result<()> {
        accept(file, self.problems)
    }

    /// A finite number within [lo, hi].
    fn range(&mut self, path: impl Into<String>, value: f64, lo: f64, hi: f64) {
        if !value.is_finite() {
            self.fail(path, format!("must be a finite number, found {value}"));
        } else if value < lo || value > hi {
            self.fail(
                path,
                format!(
                    "must lie in [{}, {}], found {}",
                    number_text(lo),
                    number_text(hi),
                    number_text(value)
                ),
            );
        }
    }

    /// A year within [-YEAR_LIMIT, YEAR_LIMIT].
    fn year(&mut self, path: impl Into<String>, value: f64) {
        self.range(path, value, -YEAR_LIMIT, YEAR_LIMIT);
    }

    /// Every parameter of a table of ranges, found by name with `get`.
    fn table<'a>(
        &mut self,
        prefix: &str,
        ranges: impl Iterator<Item = (&'a str, f64, f64)>,
        get: impl Fn(&str) -> Option<f64>,
    ) {
        for (field, lo, hi) in ranges {
            let value = get(field).expect("every field in a table of ranges exists");
            self.range(format!("{prefix}.{field}"), value, lo, hi);
        }
    }

    /// A name that must be one of the scenario's regions.
    fn region(&mut self, s: &Scenario, path: impl Into<String>, name: &str) {
        if s.region_index(name).is_none() {
            self.fail(
                path,
                format!(
                    "unknown region '{name}' (regions: {})",
                    names(s.regions.iter().map(|r| &r.name))
                ),
            );
        }
    }

    /// Names of a list's elements: each an identifier (`identifier_problem`)
    /// and none twice.
    fn unique<'a>(&mut self, path: &str, names: impl Iterator<Item = &'a str>) {
        let mut seen = HashSet::new();
        for (i, name) in names.enumerate() {
            if let Some(problem) = identifier_problem(name) {
                self.fail(format!("{path}.{i}.name"), problem);
            } else if !seen.insert(name) {
                self.fail(
                    format!("{path}.{i}.name"),
                    format!("duplicate name '{name}'"),
                );
            }
        }
    }
}

/// The longest name accepted.
const NAME_LIMIT: usize = 64;

/// Why `name` cannot name a region, technology, task, wage policy or
/// experiment, or `None` when it can. A name is an identifier: a letter or
/// an underscore, then letters, digits and underscores, at most 64 of them.
/// One rule for every name keeps each one addressable by `--set` (a dot,
/// `=`, `-` or `*` would be read as part of the path, a leading digit as a
/// list index), safe as a file name and a parquet column, and inert
/// wherever a page or report shows it (no spaces, quotes or markup).
pub fn identifier_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Some("must not be empty".into());
    };
    let shown = if name.chars().count() > NAME_LIMIT {
        format!("{}...", name.chars().take(NAME_LIMIT).collect::<String>())
    } else {
        name.to_string()
    };
    let problem = if !(first.is_ascii_alphabetic() || first == '_') {
        "must begin with a letter or an underscore"
    } else if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        "may hold only letters, digits and underscores (no spaces, dots, dashes, quotes or markup)"
    } else if name.len() > NAME_LIMIT {
        "is longer than 64 characters"
    } else {
        return None;
    };
    Some(format!("{shown:?} {problem}, so that --set can address it"))
}

/// `Ok` when there are no problems; otherwise all of them at once, as the
/// error of `file`.
pub(super) fn accept(file: &str, problems: Vec<Problem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(LuddError::Invalid {
            file: file.to_string(),
            problems,
        })
    }
}

/// Returns every problem found; an empty list means the scenario can run.
pub fn validate(s: &Scenario) -> Vec<Problem> {
    let mut c = Checker::default();
    if s.name.is_empty() {
        c.fail("name", "must not be empty");
    }
    c.year("start_year", s.start_year);
    c.year("end_year", s.end_year);
    if s.start_year.is_finite() && s.end_year.is_finite() && s.end_year <= s.start_year {
        c.fail(
            "end_year",
            format!(
                "must come after start_year ({}), found {}",
                number_text(s.start_year),
                number_text(s.end_year)
            ),
        );
    }
    if s.steps_per_year == 0 || s.steps_per_year > 52 {
        c.fail(
            "steps_per_year",
            format!("must lie in [1, 52], found {}", s.steps_per_year),
        );
    }
    if s.start_year.is_finite()
        && s.end_year > s.start_year
        && s.steps_per_year > 0
        && s.steps() > 100_000
    {
        c.fail(
            "end_year",
            format!(
                "the run would take {} steps; at most 100000 are allowed",
                s.steps()
            ),
        );
    }
    c.range("people_per_agent", s.people_per_agent, 1e-6, 1e9);
    if let Some(p) = s.projection_from {
        c.range("projection_from", p, s.start_year, s.end_year);
    }

    // Industry and tasks.
    let ind = &s.industry;
    if ind.tasks.is_empty() {
        c.fail("industry.tasks", "needs at least one task");
    }
    c.unique("industry.tasks", ind.tasks.iter().map(|t| t.name.as_str()));
    for (i, t) in ind.tasks.iter().enumerate() {
        c.range(format!("industry.tasks.{i}.weight"), t.weight, 1e-3, 1e3);
    }
    c.range(
        "industry.demand_elasticity",
        ind.demand_elasticity,
        0.0,
        5.0,
    );
    c.range("industry.markup", ind.markup, 0.0, 5.0);
    c.range("industry.materials_share", ind.materials_share, 0.0, 0.9);
    c.range("industry.saturation_share", ind.saturation_share, 1e-4, 0.9);
    if let Some(hired) = &ind.hired_task {
        if !ind.tasks.iter().any(|t| &t.name == hired) {
            c.fail(
                "industry.hired_task",
                format!("names no task of the industry: {hired:?}"),
            );
        } else if ind.tasks.len() < 2 {
            c.fail(
                "industry.hired_task",
                "needs a second task for the shops' own members to do",
            );
        }
    }

    // Regions.
    if s.regions.is_empty() {
        c.fail("regions", "needs at least one region");
    }
    c.unique("regions", s.regions.iter().map(|r| r.name.as_str()));
    let mut total_workers: u64 = 0;
    for (i, r) in s.regions.iter().enumerate() {
        let p = format!("regions.{}", label(&r.name, i));
        if r.name == "world" {
            c.fail(
                format!("{p}.name"),
                "'world' is reserved for the aggregate of all regions",
            );
        }
        if r.workers < 10 {
            c.fail(
                format!("{p}.workers"),
                format!("needs at least 10 worker agents, found {}", r.workers),
            );
        }
        for (k, g) in r.population_growth.iter().enumerate() {
            let q = format!("{p}.population_growth[{k}]");
            c.range(format!("{q}.from"), g.from, -10_000.0, 10_000.0);
            c.range(format!("{q}.rate"), g.rate, -0.05, 0.1);
            if k > 0 && g.from <= r.population_growth[k - 1].from {
                c.fail(
                    format!("{q}.from"),
                    format!(
                        "must come after the previous entry's year ({})",
                        r.population_growth[k - 1].from
                    ),
                );
            }
        }
        total_workers =
            total_workers.saturating_add(if s.start_year.is_finite() && s.end_year.is_finite() {
                r.peak_workers(s.start_year, s.end_year, s.steps_per_year)
            } else {
                r.workers as u64
            });
        if r.firms == 0 {
            c.fail(format!("{p}.firms"), "needs at least one firm");
        }
        if r.firms > r.workers {
            c.fail(
                format!("{p}.firms"),
                format!("more firms ({}) than workers ({})", r.firms, r.workers),
            );
        }
        if r.inventors > 1_000_000 {
            c.fail(
                format!("{p}.inventors"),
                "at most 1000000 inventors per region",
            );
        }
        c.range(
            format!("{p}.industry_employment"),
            r.industry_employment,
            0.0,
            0.9,
        );
        c.range(format!("{p}.productivity"), r.productivity, 1e-3, 1e3);
        c.range(
            format!("{p}.productivity_growth"),
            r.productivity_growth,
            -0.1,
            0.2,
        );
        c.range(format!("{p}.education"), r.education, 0.0, 1.0);
        c.table(
            &format!("{p}.institutions"),
            INSTITUTION_FIELDS.iter().map(|&(f, lo, hi, _)| (f, lo, hi)),
            |f| r.institutions.get(f),
        );
    }
    if total_workers > 200_000_000 {
        c.fail(
            "regions",
            format!(
                "{total_workers} worker agents in all at the largest (with population growth); \
                 at most 200000000 are allowed"
            ),
        );
    }

    // Technologies.
    c.unique(
        "technologies",
        s.technologies.iter().map(|t| t.name.as_str()),
    );
    for (i, t) in s.technologies.iter().enumerate() {
        let p = format!("technologies.{}", label(&t.name, i));
        if t.tasks.is_empty() {
            c.fail(format!("{p}.tasks"), "must perform at least one task");
        }
        for task in &t.tasks {
            if s.task_index(task).is_none() {
                c.fail(
                    format!("{p}.tasks"),
                    format!(
                        "unknown task '{task}' (tasks: {})",
                        names(ind.tasks.iter().map(|t| &t.name))
                    ),
                );
            }
        }
        if let Some(origin) = &t.origin {
            c.region(s, format!("{p}.origin"), origin);
        }
        match (t.possible_from, t.feasible_from) {
            (Some(year), None) => c.year(format!("{p}.possible_from"), year),
            (None, Some(year)) => {
                c.year(format!("{p}.feasible_from"), year);
                if t.kind != TechKind::General {
                    c.fail(
                        format!("{p}.feasible_from"),
                        "only a general technology is invented in the run; a craft or a special tool gives possible_from",
                    );
                }
                if t.origin.is_some() {
                    c.fail(
                        format!("{p}.origin"),
                        "an invented technology has no origin: the region that invents it first is where it starts",
                    );
                }
            }
            (Some(_), Some(_)) => c.fail(
                p.clone(),
                "gives both possible_from and feasible_from; give the year the method is known or, for a general technology, the year its prerequisites exist",
            ),
            (None, None) => c.fail(
                p.clone(),
                "needs possible_from (the year the method is known) or, for a general technology, feasible_from (the year its prerequisites exist)",
            ),
        }
        c.range(format!("{p}.productivity"), t.productivity, 1e-3, 1e3);
        c.range(
            format!("{p}.capital_per_worker"),
            t.capital_per_worker,
            0.0,
            1e3,
        );
        c.range(format!("{p}.fixed_cost"), t.fixed_cost, 0.0, 1e4);
        c.range(
            format!("{p}.education_required"),
            t.education_required,
            0.0,
            1.0,
        );
        c.range(format!("{p}.improvement"), t.improvement, 0.0, 1.0);
        c.range(format!("{p}.diminishing"), t.diminishing, 0.0, 1.0);
        c.range(
            format!("{p}.learning_exponent"),
            t.learning_exponent,
            0.0,
            1.0,
        );
        c.range(format!("{p}.scale_gain"), t.scale_gain, 0.0, 1.0);
        if let Some(d) = t.depreciation {
            c.range(format!("{p}.depreciation"), d, 0.0, 1.0);
        }
        // Capital's share of the rest of the economy's tasks is its
        // elasticity plus what general technologies take; it must leave
        // labour some tasks.
        c.range(
            format!("{p}.economy_reach"),
            t.economy_reach,
            0.0,
            0.9 - s.behaviour.capital_elasticity,
        );
        if let Some(h) = &t.household_use {
            c.range(format!("{p}.household_use.unit"), h.unit, 1e-6, 100.0);
            c.range(format!("{p}.household_use.value"), h.value, 1e-6, 10.0);
            if t.kind != TechKind::General {
                c.fail(
                    format!("{p}.household_use"),
                    "only a general technology is bought by households",
                );
            }
        }
        if t.economy_reach > 0.0 && t.kind != TechKind::General {
            c.fail(
                format!("{p}.economy_reach"),
                "only a general technology reaches beyond the industry",
            );
        }
        match t.kind {
            TechKind::Craft => {
                if t.fixed_cost > 0.0 || t.capital_per_worker > 0.0 {
                    c.fail(format!("{p}.kind"), "craft methods use no machines: capital_per_worker and fixed_cost must be 0");
                }
            }
            TechKind::Special => {
                if t.tasks.len() > 1 {
                    c.fail(
                        format!("{p}.tasks"),
                        "a special-purpose tool performs exactly one task",
                    );
                }
            }
            TechKind::General => {}
        }
    }
    for (i, task) in ind.tasks.iter().enumerate() {
        let has_craft = s.technologies.iter().any(|t| {
            t.kind == TechKind::Craft && t.tasks.contains(&task.name) && t.given_by(s.start_year)
        });
        if !has_craft {
            c.fail(
                format!("industry.tasks.{i}"),
                format!(
                    "task '{}' needs a craft technology possible from the start year",
                    task.name
                ),
            );
        }
    }
    if s.technologies.len() > 64 {
        c.fail("technologies", "at most 64 technologies");
    }
    if ind.tasks.len() > 16 {
        c.fail("industry.tasks", "at most 16 tasks");
    }

    // Routes.
    let mut seen_routes = HashSet::new();
    for (i, route) in s.routes.iter().enumerate() {
        let p = format!("routes.{i}");
        for (end, name) in [("from", &route.from), ("to", &route.to)] {
            c.region(s, format!("{p}.{end}"), name);
        }
        let key = if route.from < route.to {
            (&route.from, &route.to)
        } else {
            (&route.to, &route.from)
        };
        if !seen_routes.insert(key) {
            c.fail(
                p.as_str(),
                format!(
                    "duplicate route between '{}' and '{}'",
                    route.from, route.to
                ),
            );
        }
        c.range(
            format!("{p}.transport_cost"),
            route.transport_cost,
            0.0,
            10.0,
        );
        c.range(
            format!("{p}.knowledge_flow"),
            route.knowledge_flow,
            0.0,
            1.0,
        );
        if let Some(t) = route.tariff {
            c.range(format!("{p}.tariff"), t, 0.0, 5.0);
            if route.from == route.to {
                c.fail(
                    format!("{p}.tariff"),
                    "a route inside one region carries no tariff",
                );
            }
        }
    }

    // Dated policy changes.
    for (i, pol) in s.policies.iter().enumerate() {
        let p = format!("policies.{i}");
        c.region(s, format!("{p}.region"), &pol.region);
        c.year(format!("{p}.year"), pol.year);
        match INSTITUTION_FIELDS.iter().find(|(f, ..)| *f == pol.field) {
            Some((_, lo, hi, _)) => c.range(format!("{p}.value"), pol.value, *lo, *hi),
            None => c.fail(
                format!("{p}.field"),
                format!(
                    "unknown institution '{}' (institutions: {})",
                    pol.field,
                    INSTITUTION_FIELDS
                        .iter()
                        .map(|f| f.0)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
        if let Some(toward) = &pol.toward {
            let at = format!("{p}.toward");
            if pol.field != "export_embargo" {
                c.fail(
                    at,
                    format!(
                        "only an export_embargo can be aimed at one region, not {}",
                        pol.field
                    ),
                );
            } else if toward == &pol.region {
                c.fail(at, format!("{toward} cannot embargo itself"));
            } else {
                c.region(s, at, toward);
            }
        }
    }

    if let Some(p) = &s.wage_policy {
        if let Some(problem) = identifier_problem(&p.name) {
            c.fail("wage_policy.name", problem);
        }
        c.year("wage_policy.possible_from", p.possible_from);
        c.range("wage_policy.premium", p.premium, 0.0, 5.0);
        c.range("wage_policy.effort_gain", p.effort_gain, 0.0, 5.0);
        c.range("wage_policy.quit_reduction", p.quit_reduction, 0.0, 1.0);
        if let Some(origin) = &p.origin {
            c.region(s, "wage_policy.origin", origin);
        }
    }

    // Behaviour: every parameter is a rate, share or positive scale. Firms
    // spread a set-up cost over `payback_years`, which near zero would make
    // any set-up cost prohibitive, so it must also be at least a quarter;
    // that rule has a message of its own beside the range.
    let behaviour = &s.behaviour;
    c.table("behaviour", BEHAVIOUR_FIELDS.iter().copied(), |f| {
        behaviour.get(f)
    });
    if behaviour.payback_years < 0.25 {
        c.fail("behaviour.payback_years", "must be at least 0.25");
    }

    let st = &s.stages;
    c.table("stages", STAGE_RULE_FIELDS.iter().copied(), |f| st.get(f));
    if st.stage3_general_share < st.stage2_general_share {
        c.fail(
            "stages.stage3_general_share",
            "must not be below stage2_general_share",
        );
    }
    c.problems
}

fn names<'a>(it: impl Iterator<Item = &'a String>) -> String {
    it.map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// How a list element is named in a field path: by its name, or by its
/// index while it has none.
/// How an element appears in a problem's path: by its name, or by its
/// index when the name is not an identifier (and so could not be addressed,
/// or would make the path unreadable).
fn label(name: &str, i: usize) -> String {
    if identifier_problem(name).is_some() {
        i.to_string()
    } else {
        name.to_string()
    }
}
