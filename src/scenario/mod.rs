//! Scenario types: plain serde structs read from RON, plus loading and
//! validation. A scenario may say when a technology becomes possible and
//! when an institution changes; nothing in it scripts an outcome.
//!
//! The groups of numeric parameters (institutions, behaviour, the stage
//! rule) are each declared once with `parameters!`, which derives their
//! defaults, ranges and lookup by name; built-in files, memory limits,
//! `--set` overrides and validation have files of their own.

// `parameters!` is declared first so that the files after it can use it.
#[macro_use]
mod parameters;
mod behaviour;
mod builtin;
pub mod experiment;
mod institutions;
mod memory;
mod overrides;
mod validate;

pub use behaviour::Behaviour;
pub use builtin::{builtin, builtin_experiment, builtin_names, BUILTIN};
pub use institutions::{Institutions, INSTITUTION_FIELDS};
pub use memory::{
    available_memory, check_bytes, check_ensemble_memory, check_memory, check_needed, run_count,
    MAX_RUNS,
};
pub use overrides::{apply_override, apply_overrides, Overridable};
pub use validate::{identifier_problem, validate};

use crate::error::{LuddError, Result};
use serde::{Deserialize, Serialize};

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
    /// Materials (raw cotton, steel and parts) bought from the rest of the
    /// economy, as their share of the price of a hand-made unit at the
    /// start in a region of reference productivity (1.0). The quantity per
    /// unit is the same in every region and with every technology, and is
    /// paid at the region's price of the rest of the economy's good: a
    /// labour-saving machine cheapens only the labour part of the price,
    /// and a falling price cuts a hand worker's earnings, which are what
    /// is left after the materials, by more than it cuts the price. Zero
    /// leaves materials out.
    #[serde(default)]
    pub materials_share: f64,
    /// Whether the industry's starting shops belong to an employer who may
    /// build a plant for the general technology. Self-employed hand workers
    /// (the handloom weavers) never did: there the general technology comes
    /// only with factories that enter beside them. A craft car maker (Ford
    /// built the Model T by hand at Piquette Avenue before Highland Park) or
    /// an office that types and calculates by hand is a firm with owners and
    /// a balance sheet, which may set the general technology up itself. A
    /// fact about the industry's organization in the start year, not an
    /// outcome: whether and when a shop does set it up is its own decision.
    #[serde(default)]
    pub shops_can_invest: bool,
    /// A task the hand shops' self-employed members do not do themselves
    /// but pay hands for at the labourer's going wage, keeping
    /// what their good fetches less that pay and the materials. Before the
    /// mills, spinning was the by-employment of women and children, paid
    /// by the weaver or the putter-out, and a handloom weaver's earnings
    /// were the cloth's price less the yarn's (Bythell 1969, The Handloom
    /// Weavers, ch. 2-3; Lyons 1989, "Family response to economic decline",
    /// Research in Economic History 12). A shop's output is then limited by
    /// its own members: a machine that cheapens the hired task lowers the
    /// shop's costs without letting it make more, so the members keep the
    /// saving until entrants crowd into the trade. A fact about the
    /// industry's organization, not an outcome. None: every member of a
    /// shop does every task and shares its earnings.
    #[serde(default)]
    pub hired_task: Option<String>,
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
    /// Year from which the technology is known in its origin region: a
    /// method that exists before the run or whose appearance the scenario
    /// takes as given (a craft, a special tool, and for now the built-in
    /// scenarios' general technologies). A general technology may give
    /// `feasible_from` instead, so that its appearance is an outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub possible_from: Option<f64>,
    /// Year from which a general technology's scientific and engineering
    /// prerequisites exist, with their sources in the scenario. From then
    /// on any region's inventors may develop it, when the market it would
    /// serve makes that pay (docs/ODD.md, "Invention"); none of them has
    /// to, and the year it appears is the model's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feasible_from: Option<f64>,
    /// Region where it first becomes possible; other regions learn it through
    /// diffusion along trade routes. `None`: possible everywhere at once.
    /// A technology that is invented has no origin: wherever it is
    /// invented first is its origin.
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
    /// Annual rate at which its machines wear out or fall out of use
    /// (economic depreciation, obsolescence included). Unset: half the
    /// scenario's `capital_user_cost`, the wear of any machine. A machine
    /// that loses its value faster costs more to hold, and is bought again
    /// sooner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depreciation: Option<f64>,
    /// Whether a worker can take it up on their own, with no set-up by the
    /// firm (a chat assistant, not a mill or an assembly line). Omitted:
    /// no. Such use is counted in `general_worker_use_share` but changes
    /// neither the firm's plan nor its output (docs/ODD.md).
    #[serde(default, skip_serializing_if = "is_false")]
    pub individual_use: bool,
    /// Share of the rest of the economy's labour tasks that this general
    /// technology can do at all (steam in mines, mills and transport; the
    /// PC in offices; the language model in the tasks it can do), with its
    /// source in the scenario. How many of them it takes over is an
    /// outcome: a task is automated once the machine does it more cheaply
    /// than labour at the region's wage and machine price (docs/ODD.md,
    /// "Automation beyond the industry"). Omitted: 0, the technology stays
    /// in the industry. Only general technologies may set it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub economy_reach: f64,
    /// Households that buy the technology's machine for their own use (the
    /// home computer), with its sources in the scenario. Omitted: none do.
    /// Only general technologies may set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_use: Option<HouseholdUse>,
}

impl Technology {
    /// Whether the scenario makes the technology known by `year` (in its
    /// origin). An invented technology never is: its arrival is an outcome.
    pub fn given_by(&self, year: f64) -> bool {
        self.possible_from.is_some_and(|p| p <= year)
    }

    /// Whether its prerequisites exist by `year`, so that inventors may
    /// develop it.
    pub fn feasible_by(&self, year: f64) -> bool {
        self.feasible_from.is_some_and(|p| p <= year)
    }
}

/// What a household's own machine is and what it is worth to it. A
/// household owns one when the machine's yearly cost (its delivered price
/// times the user cost) is at most `value` times its income; incomes are
/// log-logistic across households (`behaviour.income_gini`), so the share
/// that owns one grows as the price falls and incomes rise (docs/ODD.md,
/// "Households' machines").
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HouseholdUse {
    /// Machine capital one household buys, in years of the origin region's
    /// initial unskilled wage (the units of `capital_per_worker`).
    pub unit: f64,
    /// What owning one is worth to a household a year, as a share of its
    /// income.
    pub value: f64,
}

/// For `skip_serializing_if`: a share left at zero is not written.
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// For `skip_serializing_if`: a flag left at its default is not written,
/// so scenarios without it keep their serialized form and hash.
fn is_false(b: &bool) -> bool {
    !*b
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
    /// Annual growth of the labour force from each given year on (births
    /// and immigration less deaths and emigration): a demographic input,
    /// with its source beside it. Before the first entry, and when empty,
    /// the labour force stays the size it started.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub population_growth: Vec<Growth>,
}

/// A demographic rate that holds from `from` until the next entry.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Growth {
    /// First year of the rate.
    pub from: f64,
    /// Annual growth rate (0.01 = 1% a year; negative for a shrinking labour force).
    pub rate: f64,
}

impl Region {
    /// The labour force's annual growth rate in `year`.
    pub fn growth_at(&self, year: f64) -> f64 {
        self.population_growth
            .iter()
            .rev()
            .find(|g| g.from <= year)
            .map_or(0.0, |g| g.rate)
    }

    /// The most worker agents the region can have between `start` and
    /// `end` (rounded up, with one step's growth to spare): the slots a run
    /// reserves for it, so that births never move another region's workers.
    pub fn peak_workers(&self, start: f64, end: f64, steps_per_year: u32) -> u64 {
        let mut log = 0.0f64;
        let mut peak = 0.0f64;
        let mut spare = 0.0f64;
        let mut year = start;
        for (k, g) in self.population_growth.iter().enumerate() {
            let until = self
                .population_growth
                .get(k + 1)
                .map_or(end, |n| n.from)
                .min(end);
            if until <= year {
                continue;
            }
            let from = g.from.max(year);
            log += (until - from) * g.rate.max(-0.99).ln_1p();
            peak = peak.max(log);
            spare = spare.max(g.rate.max(0.0).ln_1p() / f64::from(steps_per_year.max(1)));
            year = until;
        }
        // A float too large for u64 saturates; validation refuses such a run.
        ((f64::from(self.workers) * (peak + spare).exp()).ceil() as u64).saturating_add(1)
    }
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
    /// For `export_embargo` only: the one region the embargo is aimed at,
    /// as export controls name their targets (the American controls on
    /// advanced chips of October 2022 named China); without it the
    /// embargo holds toward every region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toward: Option<String>,
}

parameters! {
    /// The rule that dates the stages from the simulated series (see docs/ODD.md).
    #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, default)]
    pub struct StageRule;

    /// Name, lower bound and upper bound of every threshold of the rule.
    pub(crate) const STAGE_RULE_FIELDS: &[(&str, f64, f64)];

    /// Stage 1 starts when special tools first produce this share of the industry's output.
    stage1_special_share: f64 = 0.05, [1e-6, 1.0];
    /// Stage 2 starts when the general technology first produces this share.
    stage2_general_share: f64 = 0.02, [1e-6, 1.0];
    /// Stage 3 starts when the general technology produces this share ...
    stage3_general_share: f64 = 0.5, [1e-6, 1.0];
    /// ... and reorganized firms produce this share.
    stage3_reorganized_share: f64 = 0.25, [0.0, 1.0];
}

impl Scenario {
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
    /// (the first region when it has none, as for a technology invented in
    /// the run: the scenarios list first the region where history had the
    /// transition first).
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
/// An optional field may be written with or without `Some(...)`.
///
/// A leading UTF-8 byte-order mark, which some editors write and which
/// says nothing about the content, is skipped rather than refused at 1:1.
pub fn parse_ron<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A year written bare where a field is optional (`possible_from: 1785.0`)
    // reads as given: the files stay as people write them.
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
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
    validate::accept(&source, validate(&scenario))?;
    check_memory(&scenario, &source)?;
    Ok(Loaded { scenario, source })
}

/// The RON text of a built-in scenario or a file, and a name for messages.
pub fn read_source(name_or_path: &str) -> Result<(String, String)> {
    builtin::read_file_or_builtin(name_or_path, BUILTIN, "built-in")
}
