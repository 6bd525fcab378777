//! The rows a run records: one type per table (`series`, `groups`,
//! `technologies`, `trade`), gathered in `Records`. Plain data, filled by
//! `record` and read by the analysis layer, which writes them as parquet.

use super::index::Chain;

/// One row of `series.parquet`.
#[derive(Clone, Debug, Default)]
pub struct SeriesRow {
    pub step: u32,
    pub year: f64,
    pub region: String,
    pub stage: u8,
    /// True from the scenario's `projection_from` year on.
    pub projection: bool,
    /// Real output: a chained Fisher quantity index of the industry's good
    /// and the rest of the economy's, in the money of the first step.
    pub output: f64,
    /// Industry revenue plus rest-of-economy output at current prices.
    pub nominal_output: f64,
    pub industry_output: f64,
    pub output_per_worker: f64,
    pub employment: f64,
    pub unemployment_rate: f64,
    pub real_wage: f64,
    pub craft_real_wage: f64,
    /// People the hand shops pay a wage for the industry's hired task (the
    /// hand spinners of the loom); zero where the shops hire none.
    pub shop_hands: f64,
    pub labour_share: f64,
    pub gini_income: f64,
    pub price_level: f64,
    pub craft_output_share: f64,
    pub special_output_share: f64,
    pub general_output_share: f64,
    pub reorganized_output_share: f64,
    pub general_unit_cost: Option<f64>,
    pub general_capital_sales: f64,
    /// Share of the rest of the economy's tasks that general technologies
    /// do now (automated and not yet given back to labour by new tasks).
    pub automated_share: f64,
    /// Share of households (one per worker) that own a general
    /// technology's machine for their own use.
    pub general_household_share: f64,
    pub general_worker_use_share: f64,
    pub general_firm_adoption_share: f64,
    pub top_firm_share: f64,
    pub leader_output: Option<f64>,
    pub leader_price: Option<f64>,
    pub leader_unit_labor: Option<f64>,
    pub leader_quit_rate: Option<f64>,
    pub grievance_mean: f64,
    pub protest_intensity: f64,
    pub capital_destroyed: f64,
    pub relief_spending: f64,
    pub research_spending: f64,
    pub education_spending: f64,
    pub government_balance: f64,
    pub exports: f64,
    pub imports: f64,
}

/// One row of `groups.parquet`.
#[derive(Clone, Debug)]
pub struct GroupRow {
    pub step: u32,
    pub year: f64,
    pub region: String,
    pub group: &'static str,
    pub people: f64,
    pub employed: f64,
    pub real_wage: f64,
    pub real_income: f64,
    pub wealth: f64,
}

/// One row of `technologies.parquet`.
#[derive(Clone, Debug)]
pub struct TechRow {
    pub step: u32,
    pub year: f64,
    pub region: String,
    pub technology: String,
    pub kind: &'static str,
    pub output_share: f64,
    pub unit_cost: Option<f64>,
    pub productivity: f64,
    pub firms_using: u32,
    /// Share of the region's live firms using it.
    pub firm_share: f64,
    /// Its share of the capacity of the region's live firms (task-weighted;
    /// a hand method's capacity is the output made by hand).
    pub capacity_share: f64,
    /// For a technology with machines: the price of a unit of its machine
    /// capital delivered to the region's buyers, and at the works of the
    /// region's own builder, both over the price of the rest of the
    /// economy's good; and the machine capital the region's builder has
    /// built so far.
    pub machine_price: Option<f64>,
    pub builder_price: Option<f64>,
    pub machines_built: Option<f64>,
    /// Its machines' share of the region's capacity by age, in the classes
    /// of `VINTAGES_BY_AGE`; for a machine, they sum to `capacity_share`.
    pub capacity_by_age: [f64; VINTAGES_BY_AGE.len()],
}

/// The age classes of machines the technology rows count capacity by:
/// each class's column in `technologies.parquet` and the age, in years
/// since its machines were bought, at which it begins.
pub const VINTAGES_BY_AGE: [(&str, f64); 3] = [
    ("capacity_under_10y", 0.0),
    ("capacity_10_to_19y", 10.0),
    ("capacity_20y_on", 20.0),
];

/// One row of `trade.parquet`: the industry's good sold from one region to
/// another in one step, for every pair joined by a route.
#[derive(Clone, Debug)]
pub struct TradeRow {
    pub step: u32,
    pub year: f64,
    pub from: String,
    pub to: String,
    pub value: f64,
}

#[derive(Default)]
pub struct Records {
    pub series: Vec<SeriesRow>,
    pub groups: Vec<GroupRow>,
    pub technologies: Vec<TechRow>,
    pub trade: Vec<TradeRow>,
    /// Every income of the step counted by value, for the Gini
    /// coefficients; kept between steps so that recording does not
    /// allocate it anew each quarter.
    pub(super) incomes: super::gini::Incomes,
    /// The chained index of real output of each region, then of the world:
    /// last step's prices and quantities and the level reached.
    pub(super) output_chains: Vec<Chain>,
}

pub const GROUPS: [&str; 6] = [
    "craft",
    "operator",
    "general",
    "unskilled",
    "owners",
    "inventors",
];

/// The label of the age class of machines that begins at `from` years, as
/// the vintage charts name it.
pub fn vintage_label(from: f64) -> String {
    let next = VINTAGES_BY_AGE.iter().map(|(_, a)| *a).find(|&a| a > from);
    match next {
        Some(to) if from == 0.0 => format!("bought in the last {to:.0} years"),
        Some(to) => format!("bought {from:.0} to {to:.0} years ago"),
        None => format!("bought {from:.0} or more years ago"),
    }
}
