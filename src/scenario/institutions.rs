//! The institutions of a region's government, declared once: each row
//! gives an institution's name, default, allowed range and meaning (with
//! its unit), and the struct, its defaults, `INSTITUTION_FIELDS`, `get` and
//! `set` are all generated from these rows by `parameters!`.

use serde::{Deserialize, Serialize};

parameters! {
    /// The government's institutions in one region. Every field can change by a
    /// dated policy and by `--set`; `INSTITUTION_FIELDS` gives the ranges.
    #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, default)]
    pub struct Institutions;

    /// Name, lower bound, upper bound and meaning of every institution.
    pub const INSTITUTION_FIELDS: &[(&str, f64, f64, &str)];

    relief_replacement: f64 = 0.3, [0.0, 1.0],
        "relief as a share of the unskilled wage";
    relief_eligibility: f64 = 0.5, [0.0, 1.0],
        "share of the unemployed who qualify for relief";
    education_spending: f64 = 0.005, [0.0, 0.2],
        "public education spending, share of output";
    retraining: f64 = 0.5, [0.0, 5.0],
        "multiplier on the speed displaced workers gain general skills";
    union_strength: f64 = 0.2, [0.0, 1.0],
        "how much unions resist wage cuts (1 = fully rigid)";
    firing_cost: f64 = 0.0, [0.0, 8.0],
        "severance in quarters of wage per worker fired";
    minimum_wage: f64 = 0.0, [0.0, 1.0],
        "wage floor as a share of the unskilled wage";
    wage_passthrough: f64 = 0.3, [0.0, 1.0],
        "share of the gap between labour's marginal revenue product and the wage that bargaining closes each year";
    income_tax: f64 = 0.05, [0.0, 0.9],
        "tax rate on wages and other household income";
    profit_tax: f64 = 0.05, [0.0, 0.9],
        "tax rate on firms' profits";
    general_tech_tax: f64 = 0.0, [0.0, 1.0],
        "tax on general-technology machine purchases, share of price";
    repression: f64 = 0.3, [0.0, 1.0],
        "share of protesters deterred or arrested each quarter";
    accommodation: f64 = 0.2, [0.0, 1.0],
        "extra relief granted in proportion to protest";
    machine_ban_years: f64 = 0.0, [0.0, 50.0],
        "years general-technology adoption is banned after a protest wave (0: never)";
    machine_ban_trigger: f64 = 0.05, [0.0, 1.0],
        "protest intensity that triggers a machine ban";
    tariff: f64 = 0.0, [0.0, 5.0],
        "ad valorem tariff on imports of the industry's good";
    export_embargo: f64 = 0.0, [0.0, 1.0],
        "1: machinery and know-how may not leave the region";
    embargo_leak: f64 = 0.2, [0.0, 1.0],
        "share of normal knowledge flow that still leaks past an embargo";
    emigration_ban: f64 = 0.0, [0.0, 1.0],
        "1: skilled workers (mechanics, engineers, inventors) may not leave the region";
    emigration_leak: f64 = 0.2, [0.0, 1.0],
        "share of would-be emigrants who still leave past an emigration ban (1 - its enforcement)";
    infrastructure_spending: f64 = 0.0, [0.0, 0.2],
        "public infrastructure spending, share of output (lowers transport costs)";
}
