//! Scenario types: plain serde structs read from RON, plus loading and
//! validation. A scenario may say when a technology becomes possible and
//! when an institution changes; nothing in it scripts an outcome.

mod builtin;
pub mod experiment;
mod overrides;
mod validate;

pub use builtin::{builtin, builtin_names, BUILTIN};
pub use overrides::apply_override;
pub use validate::validate;

use crate::error::{LuddError, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A complete scenario: time frame, industry, technologies, regions, trade
/// routes, dated institutional changes and behavioural parameters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// First simulated year (fractional years allowed).
    pub start_year: f64,
    /// The run stops before this year.
    pub end_year: f64,
    /// Steps per year; 4 means one step is a quarter.
    pub steps_per_year: u32,
    /// First year that is a projection rather than history: outputs flag
    /// the rows from then on, and reports must show them with their spread.
    #[serde(default)]
    pub projection_from: Option<f64>,
    /// How many people one worker agent stands for (scales people counts in the outputs).
    pub people_per_agent: f64,
    pub industry: Industry,
    pub technologies: Vec<Technology>,
    pub regions: Vec<Region>,
    pub routes: Vec<Route>,
    #[serde(default)]
    pub policies: Vec<Policy>,
    /// A wage policy firms may adopt (profit sharing, efficiency wages).
    #[serde(default)]
    pub wage_policy: Option<WagePolicy>,
    #[serde(default)]
    pub behaviour: Behaviour,
    #[serde(default)]
    pub stages: StageRule,
}

/// The industry that is transforming, made of tasks that each technology may
/// perform.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Industry {
    pub name: String,
    pub tasks: Vec<Task>,
    /// Price elasticity of demand for the industry's good (above 1: cheaper
    /// goods widen the market, which feeds increasing returns).
    pub demand_elasticity: f64,
    /// Largest share of household spending the good can take as it gets cheaper.
    pub saturation_share: f64,
    /// Firms' markup on unit cost.
    pub markup: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub name: String,
    /// Labour needed by this task, in worker-quarters per unit of output with
    /// craft methods. The weights of all tasks make one unit of craft labour.
    pub weight: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TechKind {
    Craft,
    Special,
    General,
}

impl TechKind {
    pub const ALL: [TechKind; 3] = [TechKind::Craft, TechKind::Special, TechKind::General];
    pub fn name(self) -> &'static str {
        match self {
            TechKind::Craft => "craft",
            TechKind::Special => "special",
            TechKind::General => "general",
        }
    }
}

/// One way of performing one or more tasks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Technology {
    pub name: String,
    pub kind: TechKind,
    /// The tasks this technology can perform.
    pub tasks: Vec<String>,
    /// Year from which the technology is possible in its origin region.
    pub possible_from: f64,
    /// Region where it first becomes possible; other regions learn it through
    /// diffusion along trade routes. `None`: possible everywhere at once.
    pub origin: Option<String>,
    /// Output per worker relative to craft methods (craft is 1).
    pub productivity: f64,
    /// Machine capital per worker, in years of the origin region's initial unskilled wage.
    pub capital_per_worker: f64,
    /// Lumpy set-up cost a firm pays once before using it (a factory, an
    /// engine), in years of the initial unskilled wage.
    pub fixed_cost: f64,
    /// Minimum general education (0 to 1) of the workers who operate it.
    pub education_required: f64,
    /// Mean fractional productivity gain of a successful invention.
    pub improvement: f64,
    /// Each improvement multiplies the next one's expected gain by this factor
    /// (below 1: diminishing returns).
    pub diminishing: f64,
    /// Wright's law exponent: machine cost falls as experience^(-b), where
    /// experience is installed capital relative to the first installation.
    pub learning_exponent: f64,
    /// Productivity gain per e-fold rise of experience (returns to scale of
    /// the installed base). Zero removes that source of increasing returns.
    pub scale_gain: f64,
}

/// A region: its people, firms, inventors, rest of the economy and government.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: String,
    /// Worker agents.
    pub workers: u32,
    /// Share of workers employed in the industry (as craft workers) at the start.
    pub industry_employment: f64,
    pub firms: u32,
    pub inventors: u32,
    /// Output per worker in the rest of the economy at the start, in units of
    /// the reference region's (1 = the reference).
    pub productivity: f64,
    /// Annual growth of rest-of-economy productivity (a trend, not an outcome
    /// of the transition).
    pub productivity_growth: f64,
    /// Mean general education of workers at the start, 0 to 1.
    pub education: f64,
    pub institutions: Institutions,
}

/// A trade route: goods and knowledge move along it in both directions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub from: String,
    pub to: String,
    /// Transport cost as a share of the delivered good's price.
    pub transport_cost: f64,
    /// Share of the technology gap between the two regions closed per year by
    /// ordinary contact (travel, trade, publications).
    pub knowledge_flow: f64,
    /// Ad valorem tariff on the industry's good crossing this route, in
    /// either direction, replacing the importer's general `tariff` (a
    /// treaty rate, a preference within an empire). `None`: the importer's
    /// general tariff applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tariff: Option<f64>,
}

/// The government's institutions in one region. Every field can change by a
/// dated policy and by `--set`; `INSTITUTION_FIELDS` gives the ranges.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Institutions {
    pub relief_replacement: f64,
    pub relief_eligibility: f64,
    pub education_spending: f64,
    pub retraining: f64,
    pub union_strength: f64,
    pub firing_cost: f64,
    pub minimum_wage: f64,
    pub wage_passthrough: f64,
    pub income_tax: f64,
    pub profit_tax: f64,
    pub general_tech_tax: f64,
    pub repression: f64,
    pub accommodation: f64,
    pub machine_ban_years: f64,
    pub machine_ban_trigger: f64,
    pub tariff: f64,
    pub export_embargo: f64,
    pub embargo_leak: f64,
    pub infrastructure_spending: f64,
}

impl Default for Institutions {
    fn default() -> Self {
        Institutions {
            relief_replacement: 0.3,
            relief_eligibility: 0.5,
            education_spending: 0.005,
            retraining: 0.5,
            union_strength: 0.2,
            firing_cost: 0.0,
            minimum_wage: 0.0,
            wage_passthrough: 0.3,
            income_tax: 0.05,
            profit_tax: 0.05,
            general_tech_tax: 0.0,
            repression: 0.3,
            accommodation: 0.2,
            machine_ban_years: 0.0,
            machine_ban_trigger: 0.05,
            tariff: 0.0,
            export_embargo: 0.0,
            embargo_leak: 0.2,
            infrastructure_spending: 0.0,
        }
    }
}

/// Name, lower bound, upper bound and meaning of every institution.
pub const INSTITUTION_FIELDS: &[(&str, f64, f64, &str)] = &[
    (
        "relief_replacement",
        0.0,
        1.0,
        "relief as a share of the unskilled wage",
    ),
    (
        "relief_eligibility",
        0.0,
        1.0,
        "share of the unemployed who qualify for relief",
    ),
    (
        "education_spending",
        0.0,
        0.2,
        "public education spending, share of output",
    ),
    (
        "retraining",
        0.0,
        5.0,
        "multiplier on the speed displaced workers gain general skills",
    ),
    (
        "union_strength",
        0.0,
        1.0,
        "how much unions resist wage cuts (1 = fully rigid)",
    ),
    (
        "firing_cost",
        0.0,
        8.0,
        "severance in quarters of wage per worker fired",
    ),
    (
        "minimum_wage",
        0.0,
        1.0,
        "wage floor as a share of the unskilled wage",
    ),
    (
        "wage_passthrough",
        0.0,
        1.0,
        "share of productivity growth passed into wages",
    ),
    (
        "income_tax",
        0.0,
        0.9,
        "tax rate on wages and other household income",
    ),
    ("profit_tax", 0.0, 0.9, "tax rate on firms' profits"),
    (
        "general_tech_tax",
        0.0,
        1.0,
        "tax on general-technology machine purchases, share of price",
    ),
    (
        "repression",
        0.0,
        1.0,
        "share of protesters deterred or arrested each quarter",
    ),
    (
        "accommodation",
        0.0,
        1.0,
        "extra relief granted in proportion to protest",
    ),
    (
        "machine_ban_years",
        0.0,
        50.0,
        "years general-technology adoption is banned after a protest wave (0: never)",
    ),
    (
        "machine_ban_trigger",
        0.0,
        1.0,
        "protest intensity that triggers a machine ban",
    ),
    (
        "tariff",
        0.0,
        5.0,
        "ad valorem tariff on imports of the industry's good",
    ),
    (
        "export_embargo",
        0.0,
        1.0,
        "1: machinery and know-how may not leave the region",
    ),
    (
        "embargo_leak",
        0.0,
        1.0,
        "share of normal knowledge flow that still leaks past an embargo",
    ),
    (
        "infrastructure_spending",
        0.0,
        0.2,
        "public infrastructure spending, share of output (lowers transport costs)",
    ),
];

impl Institutions {
    pub fn get(&self, field: &str) -> Option<f64> {
        Some(match field {
            "relief_replacement" => self.relief_replacement,
            "relief_eligibility" => self.relief_eligibility,
            "education_spending" => self.education_spending,
            "retraining" => self.retraining,
            "union_strength" => self.union_strength,
            "firing_cost" => self.firing_cost,
            "minimum_wage" => self.minimum_wage,
            "wage_passthrough" => self.wage_passthrough,
            "income_tax" => self.income_tax,
            "profit_tax" => self.profit_tax,
            "general_tech_tax" => self.general_tech_tax,
            "repression" => self.repression,
            "accommodation" => self.accommodation,
            "machine_ban_years" => self.machine_ban_years,
            "machine_ban_trigger" => self.machine_ban_trigger,
            "tariff" => self.tariff,
            "export_embargo" => self.export_embargo,
            "embargo_leak" => self.embargo_leak,
            "infrastructure_spending" => self.infrastructure_spending,
            _ => return None,
        })
    }

    /// Sets a field by name; `false` if there is no such field.
    pub fn set(&mut self, field: &str, value: f64) -> bool {
        let slot = match field {
            "relief_replacement" => &mut self.relief_replacement,
            "relief_eligibility" => &mut self.relief_eligibility,
            "education_spending" => &mut self.education_spending,
            "retraining" => &mut self.retraining,
            "union_strength" => &mut self.union_strength,
            "firing_cost" => &mut self.firing_cost,
            "minimum_wage" => &mut self.minimum_wage,
            "wage_passthrough" => &mut self.wage_passthrough,
            "income_tax" => &mut self.income_tax,
            "profit_tax" => &mut self.profit_tax,
            "general_tech_tax" => &mut self.general_tech_tax,
            "repression" => &mut self.repression,
            "accommodation" => &mut self.accommodation,
            "machine_ban_years" => &mut self.machine_ban_years,
            "machine_ban_trigger" => &mut self.machine_ban_trigger,
            "tariff" => &mut self.tariff,
            "export_embargo" => &mut self.export_embargo,
            "embargo_leak" => &mut self.embargo_leak,
            "infrastructure_spending" => &mut self.infrastructure_spending,
            _ => return false,
        };
        *slot = value;
        true
    }
}

/// A firm wage policy: pay above the going wage in exchange for lower
/// turnover and more effort (Ford's $5 day, January 1914). Each firm decides
/// for itself whether it pays.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WagePolicy {
    pub name: String,
    /// Region where firms can first adopt it (`None`: everywhere).
    pub origin: Option<String>,
    pub possible_from: f64,
    /// Pay above the going wage, as a share of it.
    pub premium: f64,
    /// Rise of output per worker from effort and lower absenteeism.
    pub effort_gain: f64,
    /// Share by which voluntary quits fall.
    pub quit_reduction: f64,
}

/// A dated change of one institution in one region (a law, a policy).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub year: f64,
    pub region: String,
    pub field: String,
    pub value: f64,
    #[serde(default)]
    pub note: String,
}

/// Behavioural parameters shared by all regions. Defaults come from the
/// agent-based literature named beside each; scenarios may override any.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Behaviour {
    /// Share of disposable income consumed each quarter (K+S households).
    pub consumption_income: f64,
    /// Share of savings consumed each quarter.
    pub consumption_wealth: f64,
    /// Wage response to excess labour demand of a skill class, per quarter.
    pub wage_adjustment: f64,
    /// Probability per quarter that a firm reviews its technology choices.
    pub review_rate: f64,
    /// Cost saving a firm needs before it switches technology (sunk capital, habit).
    pub switch_threshold: f64,
    /// Spread (log standard deviation) of firms' own efficiency with a new technology.
    pub firm_heterogeneity: f64,
    /// Price sensitivity of buyers choosing between suppliers (logit exponent on log price).
    pub price_sensitivity: f64,
    /// Annual user cost of machine capital (depreciation plus interest).
    pub capital_user_cost: f64,
    /// Years over which a firm expects to recover a fixed set-up cost.
    pub payback_years: f64,
    /// Share of the gap between what buyers asked for and expected sales that
    /// firms close each quarter (adaptive expectations, Dosi et al. 2010).
    pub expectation_speed: f64,
    /// Quarterly probability that an industry worker quits for reasons of
    /// their own (turnover), before any wage policy.
    pub base_quit_rate: f64,
    /// Cost of hiring and training one worker, in quarters of their wage.
    pub hiring_cost: f64,
    /// Share of revenue firms spend on research.
    pub research_share: f64,
    /// Innovation success: probability 1 - exp(-zeta * effort) (Dosi et al. 2010).
    pub innovation_zeta: f64,
    /// Beta distribution of invention gains (Dosi et al. 2010).
    pub gain_beta_a: f64,
    pub gain_beta_b: f64,
    /// How sharply inventors prefer the project with the higher expected reward (logit).
    pub inventor_choice_sharpness: f64,
    /// Share of an invention's value an inventor expects to keep (patents, secrecy).
    pub appropriability: f64,
    /// Probability per quarter that an inventor considers moving region.
    pub inventor_mobility: f64,
    /// Probability per quarter that an inventor imitates the best practice of a neighbour instead of inventing.
    pub imitation_rate: f64,
    /// Share of dividends and wealth owners consume per quarter.
    pub owners_consumption: f64,
    /// Share of cash above a buffer firms pay out per quarter.
    pub payout: f64,
    /// Markup of the rest of the economy on its labour cost.
    pub rest_markup: f64,
    /// Share of households' spending on other goods bought from trade neighbours.
    pub rest_openness: f64,
    /// Quarterly share of the gap between rest-of-economy jobs and demand closed by hiring or firing.
    pub rest_adjustment: f64,
    /// Wage premium a craft worker forgoes to stay in the trade (attachment to the craft).
    pub craft_attachment: f64,
    /// Quarterly probability that an employed worker looks for a better job.
    pub on_the_job_search: f64,
    /// Quarterly gain in general education of a worker out of the industry at retraining 1 and education spending 1%.
    pub learning_speed: f64,
    /// Grievance: quarterly persistence, weight of income losses, weight of gains
    /// (losses weigh more: Kahneman-Tversky), weight of unemployment and of the
    /// local rate of adoption (Mellor et al. 2015).
    pub grievance_persistence: f64,
    pub loss_weight: f64,
    pub gain_weight: f64,
    pub unemployment_weight: f64,
    pub adoption_rate_weight: f64,
    /// Contagion from protest in the own region and in trade neighbours (Aidt and Leon-Ablan 2021).
    pub contagion_local: f64,
    pub contagion_neighbours: f64,
    /// Mean and spread of individual protest thresholds (Granovetter 1978).
    pub threshold_mean: f64,
    pub threshold_spread: f64,
    /// Share of adopting firms' machine capital destroyed per unit of protest intensity.
    pub destruction_rate: f64,
    /// Rise of firms' perceived risk per unit of protest intensity, and its quarterly persistence
    /// (Caprettini and Voth 2020: adoption slowed for years after riots).
    pub risk_sensitivity: f64,
    pub risk_persistence: f64,
    /// Grievance a worker gains each time repression deters them from protest.
    pub repression_backlash: f64,
    /// Quarterly probability that a fully general firm at scale reorganizes.
    pub reorganization_rate: f64,
    /// Productivity bonus of a reorganized firm on general tasks (complementarities), and the years of dip before it (J-curve).
    pub reorganization_bonus: f64,
    pub reorganization_dip_years: f64,
    /// Quarters of losses before a firm exits; quarterly probability an empty firm slot re-enters when the industry is profitable.
    pub exit_patience: f64,
    pub entry_rate: f64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            consumption_income: 0.9,
            consumption_wealth: 0.03,
            wage_adjustment: 0.04,
            review_rate: 0.04,
            switch_threshold: 0.05,
            firm_heterogeneity: 0.2,
            price_sensitivity: 2.0,
            capital_user_cost: 0.15,
            payback_years: 8.0,
            expectation_speed: 0.3,
            base_quit_rate: 0.0,
            hiring_cost: 0.0,
            research_share: 0.02,
            innovation_zeta: 0.15,
            gain_beta_a: 2.0,
            gain_beta_b: 4.0,
            inventor_choice_sharpness: 3.0,
            appropriability: 0.5,
            inventor_mobility: 0.002,
            imitation_rate: 0.1,
            owners_consumption: 0.05,
            payout: 0.25,
            rest_markup: 0.25,
            rest_openness: 0.1,
            rest_adjustment: 0.2,
            craft_attachment: 0.4,
            on_the_job_search: 0.05,
            learning_speed: 0.02,
            grievance_persistence: 0.9,
            loss_weight: 1.5,
            gain_weight: 0.5,
            unemployment_weight: 0.1,
            adoption_rate_weight: 2.0,
            contagion_local: 1.5,
            contagion_neighbours: 0.5,
            threshold_mean: 1.5,
            threshold_spread: 0.4,
            destruction_rate: 0.5,
            risk_sensitivity: 0.5,
            risk_persistence: 0.97,
            repression_backlash: 0.2,
            reorganization_rate: 0.02,
            reorganization_bonus: 0.3,
            reorganization_dip_years: 3.0,
            exit_patience: 8.0,
            entry_rate: 0.02,
        }
    }
}

/// The rule that dates the stages from the simulated series (see docs/ODD.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StageRule {
    /// Stage 1 starts when special tools first produce this share of the industry's output.
    pub stage1_special_share: f64,
    /// Stage 2 starts when the general technology first produces this share.
    pub stage2_general_share: f64,
    /// Stage 3 starts when the general technology produces this share ...
    pub stage3_general_share: f64,
    /// ... and reorganized firms produce this share.
    pub stage3_reorganized_share: f64,
}

impl Default for StageRule {
    fn default() -> Self {
        StageRule {
            stage1_special_share: 0.05,
            stage2_general_share: 0.02,
            stage3_general_share: 0.5,
            stage3_reorganized_share: 0.25,
        }
    }
}

impl Scenario {
    /// Memory a run of this scenario needs, in bytes, estimated from its
    /// agents and length: per worker, its state and scratch (measured: 60 to
    /// 72 bytes at 1M-10M workers, docs/PERFORMANCE.md); per firm, its state,
    /// plans and market weights; per step, the recorded tables.
    pub fn memory_estimate(&self) -> u64 {
        let sum = |f: fn(&Region) -> u32| self.regions.iter().map(|r| u64::from(f(r))).sum::<u64>();
        let (workers, firms, inventors) =
            (sum(|r| r.workers), sum(|r| r.firms), sum(|r| r.inventors));
        let regions = self.regions.len() as u64;
        let techs = self.technologies.len() as u64;
        let steps = self.steps() as u64;
        let routes = self.routes.len() as u64;
        let per_step = regions * (400 + 6 * 120 + techs * 100) + (2 * routes + regions) * 64;
        const BASE: u64 = 32 << 20;
        BASE + workers * 72
            + firms * (600 + 16 * regions + 8 * techs)
            + inventors * 24
            + steps * per_step
    }

    pub fn steps(&self) -> usize {
        ((self.end_year - self.start_year) * self.steps_per_year as f64).round() as usize
    }
    pub fn year_of(&self, step: usize) -> f64 {
        self.start_year + step as f64 / self.steps_per_year as f64
    }
    pub fn region_index(&self, name: &str) -> Option<usize> {
        self.regions.iter().position(|r| r.name == name)
    }
    /// Index of the leading region, where comparisons, summaries and reports
    /// take their measures: the origin of the first general technology
    /// (the first region when it has none).
    pub fn leading_region(&self) -> usize {
        self.technologies
            .iter()
            .find(|t| t.kind == TechKind::General)
            .and_then(|t| t.origin.as_deref())
            .and_then(|o| self.region_index(o))
            .unwrap_or(0)
    }
    pub fn task_index(&self, name: &str) -> Option<usize> {
        self.industry.tasks.iter().position(|t| t.name == name)
    }

    /// Parses RON text; `file` names the source in error messages.
    pub fn from_ron(text: &str, file: &str) -> Result<Scenario> {
        parse_ron(text, file)
    }

    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().struct_names(true);
        ron::ser::to_string_pretty(self, config).expect("a scenario always serializes")
    }
}

/// Parses any of ludd's RON files (scenarios, experiments, sweeps), turning
/// a syntax error, an unknown field or a wrong type into file:line:column.
pub fn parse_ron<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T> {
    ron::Options::default()
        .from_str::<T>(text)
        .map_err(|e| LuddError::Parse {
            file: file.to_string(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
        })
}

/// A scenario together with where it came from, for error messages.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub scenario: Scenario,
    pub source: String,
}

/// Loads a scenario by built-in name or file path, applies `--set`
/// overrides and validates the result, reporting every problem at once.
pub fn load(name_or_path: &str, overrides: &[String]) -> Result<Loaded> {
    let (text, source) = read_source(name_or_path)?;
    let mut scenario = Scenario::from_ron(&text, &source)?;
    for assignment in overrides {
        scenario = apply_override(&scenario, assignment)?;
    }
    let problems = validate(&scenario);
    if !problems.is_empty() {
        return Err(LuddError::Invalid {
            file: source,
            problems,
        });
    }
    check_memory(&scenario, &source)?;
    Ok(Loaded { scenario, source })
}

/// Refuses, before anything is allocated, a scenario whose run would need
/// more memory than the machine has available now (`MemAvailable` in
/// /proc/meminfo; where that cannot be read, nothing is refused).
pub fn check_memory(scenario: &Scenario, source: &str) -> Result<()> {
    let needed = scenario.memory_estimate();
    match available_memory() {
        Some(available) if needed > available => Err(LuddError::TooLarge {
            file: source.to_string(),
            needed,
            available,
        }),
        _ => Ok(()),
    }
}

/// Memory a run may use, in bytes: what the machine has available
/// (`MemAvailable`, Linux), or less if the environment variable
/// `LUDD_MEMORY_LIMIT` (bytes, or with a K, M or G suffix) says so, as on a
/// shared node with a memory allowance.
pub fn available_memory() -> Option<u64> {
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|meminfo| {
            let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb * 1024)
        });
    let limit = std::env::var("LUDD_MEMORY_LIMIT")
        .ok()
        .and_then(|v| parse_bytes(&v));
    match (machine, limit) {
        (Some(m), Some(l)) => Some(m.min(l)),
        (m, l) => m.or(l),
    }
}

/// `12345`, `512K`, `300M` or `8G` in bytes.
fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 1u64 << 10),
        (i, 'M' | 'm') => (&text[..i], 1 << 20),
        (i, 'G' | 'g') => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(unit)
}

/// The RON text of a built-in scenario or a file, and a name for messages.
pub fn read_source(name_or_path: &str) -> Result<(String, String)> {
    let path = Path::new(name_or_path);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| LuddError::io(path, e))?;
        return Ok((text, name_or_path.to_string()));
    }
    match builtin(name_or_path) {
        Some(text) => Ok((text.to_string(), format!("<built-in {name_or_path}>"))),
        None => Err(LuddError::UnknownScenario {
            name: name_or_path.to_string(),
            known: builtin_names().join(", "),
        }),
    }
}
