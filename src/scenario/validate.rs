//! Semantic validation: every rule a parsed scenario must meet before it can
//! run, each broken rule reported with its field path, all at once.

use super::{Scenario, TechKind, INSTITUTION_FIELDS};
use crate::error::Problem;
use std::collections::HashSet;

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// A finite number within [lo, hi].
    fn range(&mut self, path: impl Into<String>, value: f64, lo: f64, hi: f64) {
        if !value.is_finite() {
            self.fail(path, format!("must be a finite number, found {value}"));
        } else if value < lo || value > hi {
            self.fail(path, format!("must lie in [{lo}, {hi}], found {value}"));
        }
    }

    fn unique<'a>(&mut self, path: &str, names: impl Iterator<Item = &'a str>) {
        let mut seen = HashSet::new();
        for (i, name) in names.enumerate() {
            if name.is_empty() {
                self.fail(format!("{path}.{i}.name"), "must not be empty");
            } else if !seen.insert(name) {
                self.fail(
                    format!("{path}.{i}.name"),
                    format!("duplicate name '{name}'"),
                );
            }
        }
    }
}

/// Returns every problem found; an empty list means the scenario can run.
pub fn validate(s: &Scenario) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    if s.name.is_empty() {
        c.fail("name", "must not be empty");
    }
    c.range("start_year", s.start_year, -10_000.0, 10_000.0);
    c.range("end_year", s.end_year, -10_000.0, 10_000.0);
    if s.start_year.is_finite() && s.end_year.is_finite() && s.end_year <= s.start_year {
        c.fail(
            "end_year",
            format!(
                "must come after start_year ({}), found {}",
                s.start_year, s.end_year
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
    c.range("industry.saturation_share", ind.saturation_share, 1e-4, 0.9);

    // Regions.
    if s.regions.is_empty() {
        c.fail("regions", "needs at least one region");
    }
    c.unique("regions", s.regions.iter().map(|r| r.name.as_str()));
    let mut total_workers: u64 = 0;
    for (i, r) in s.regions.iter().enumerate() {
        let p = format!("regions.{}", r.name_or(i));
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
        total_workers += r.workers as u64;
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
        for (field, lo, hi, _) in INSTITUTION_FIELDS {
            let v = r
                .institutions
                .get(field)
                .expect("every listed field exists");
            c.range(format!("{p}.institutions.{field}"), v, *lo, *hi);
        }
    }
    if total_workers > 200_000_000 {
        c.fail(
            "regions",
            format!("{total_workers} worker agents in all; at most 200000000 are allowed"),
        );
    }

    // Technologies.
    c.unique(
        "technologies",
        s.technologies.iter().map(|t| t.name.as_str()),
    );
    for (i, t) in s.technologies.iter().enumerate() {
        let p = format!(
            "technologies.{}",
            if t.name.is_empty() {
                i.to_string()
            } else {
                t.name.clone()
            }
        );
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
            if s.region_index(origin).is_none() {
                c.fail(
                    format!("{p}.origin"),
                    format!(
                        "unknown region '{origin}' (regions: {})",
                        names(s.regions.iter().map(|r| &r.name))
                    ),
                );
            }
        }
        c.range(
            format!("{p}.possible_from"),
            t.possible_from,
            -10_000.0,
            10_000.0,
        );
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
            t.kind == TechKind::Craft
                && t.tasks.contains(&task.name)
                && t.possible_from <= s.start_year
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
            if s.region_index(name).is_none() {
                c.fail(
                    format!("{p}.{end}"),
                    format!(
                        "unknown region '{name}' (regions: {})",
                        names(s.regions.iter().map(|r| &r.name))
                    ),
                );
            }
        }
        let key = if route.from < route.to {
            (&route.from, &route.to)
        } else {
            (&route.to, &route.from)
        };
        if !seen_routes.insert(key) {
            c.fail(
                format!("{p}"),
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
        if s.region_index(&pol.region).is_none() {
            c.fail(
                format!("{p}.region"),
                format!(
                    "unknown region '{}' (regions: {})",
                    pol.region,
                    names(s.regions.iter().map(|r| &r.name))
                ),
            );
        }
        c.range(format!("{p}.year"), pol.year, -10_000.0, 10_000.0);
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
    }

    if let Some(p) = &s.wage_policy {
        c.range(
            "wage_policy.possible_from",
            p.possible_from,
            -10_000.0,
            10_000.0,
        );
        c.range("wage_policy.premium", p.premium, 0.0, 5.0);
        c.range("wage_policy.effort_gain", p.effort_gain, 0.0, 5.0);
        c.range("wage_policy.quit_reduction", p.quit_reduction, 0.0, 1.0);
        if let Some(origin) = &p.origin {
            if s.region_index(origin).is_none() {
                c.fail(
                    "wage_policy.origin",
                    format!(
                        "unknown region '{origin}' (regions: {})",
                        names(s.regions.iter().map(|r| &r.name))
                    ),
                );
            }
        }
    }

    // Behaviour: every parameter is a rate, share or positive scale.
    let b = &s.behaviour;
    let unit = [
        ("consumption_income", b.consumption_income),
        ("consumption_wealth", b.consumption_wealth),
        ("review_rate", b.review_rate),
        ("switch_threshold", b.switch_threshold),
        ("research_share", b.research_share),
        ("expectation_speed", b.expectation_speed),
        ("base_quit_rate", b.base_quit_rate),
        ("appropriability", b.appropriability),
        ("inventor_mobility", b.inventor_mobility),
        ("imitation_rate", b.imitation_rate),
        ("owners_consumption", b.owners_consumption),
        ("payout", b.payout),
        ("rest_adjustment", b.rest_adjustment),
        ("rest_openness", b.rest_openness),
        ("on_the_job_search", b.on_the_job_search),
        ("learning_speed", b.learning_speed),
        ("grievance_persistence", b.grievance_persistence),
        ("destruction_rate", b.destruction_rate),
        ("risk_persistence", b.risk_persistence),
        ("reorganization_rate", b.reorganization_rate),
        ("entry_rate", b.entry_rate),
        ("wage_adjustment", b.wage_adjustment),
    ];
    for (name, v) in unit {
        c.range(format!("behaviour.{name}"), v, 0.0, 1.0);
    }
    let scales = [
        ("firm_heterogeneity", b.firm_heterogeneity, 2.0),
        ("price_sensitivity", b.price_sensitivity, 50.0),
        ("capital_user_cost", b.capital_user_cost, 2.0),
        ("payback_years", b.payback_years, 100.0),
        ("innovation_zeta", b.innovation_zeta, 100.0),
        (
            "inventor_choice_sharpness",
            b.inventor_choice_sharpness,
            50.0,
        ),
        ("rest_markup", b.rest_markup, 5.0),
        ("craft_attachment", b.craft_attachment, 5.0),
        ("loss_weight", b.loss_weight, 50.0),
        ("gain_weight", b.gain_weight, 50.0),
        ("unemployment_weight", b.unemployment_weight, 10.0),
        ("adoption_rate_weight", b.adoption_rate_weight, 100.0),
        ("contagion_local", b.contagion_local, 10.0),
        ("contagion_neighbours", b.contagion_neighbours, 10.0),
        ("threshold_mean", b.threshold_mean, 10.0),
        ("threshold_spread", b.threshold_spread, 10.0),
        ("risk_sensitivity", b.risk_sensitivity, 100.0),
        ("repression_backlash", b.repression_backlash, 10.0),
        ("reorganization_bonus", b.reorganization_bonus, 5.0),
        ("reorganization_dip_years", b.reorganization_dip_years, 50.0),
        ("exit_patience", b.exit_patience, 400.0),
        ("hiring_cost", b.hiring_cost, 8.0),
    ];
    for (name, v, hi) in scales {
        c.range(format!("behaviour.{name}"), v, 0.0, hi);
    }
    c.range("behaviour.gain_beta_a", b.gain_beta_a, 0.05, 100.0);
    c.range("behaviour.gain_beta_b", b.gain_beta_b, 0.05, 100.0);
    if b.payback_years < 0.25 {
        c.fail("behaviour.payback_years", "must be at least 0.25");
    }

    let st = &s.stages;
    c.range(
        "stages.stage1_special_share",
        st.stage1_special_share,
        1e-6,
        1.0,
    );
    c.range(
        "stages.stage2_general_share",
        st.stage2_general_share,
        1e-6,
        1.0,
    );
    c.range(
        "stages.stage3_general_share",
        st.stage3_general_share,
        1e-6,
        1.0,
    );
    c.range(
        "stages.stage3_reorganized_share",
        st.stage3_reorganized_share,
        0.0,
        1.0,
    );
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

impl super::Region {
    fn name_or(&self, i: usize) -> String {
        if self.name.is_empty() {
            i.to_string()
        } else {
            self.name.clone()
        }
    }
}
