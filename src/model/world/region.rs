//! Regions as they stand during the run: markets, the rest of the economy,
//! households' aggregates, government and politics; the trade routes; the
//! money flows of each step gathered for the outputs.

use super::CLASSES;
use crate::scenario::Institutions;

/// A region's markets, rest of the economy, households' aggregates and government.
#[derive(Clone)]
pub struct RegionState {
    pub name: String,
    pub institutions: Institutions,
    pub workers: std::ops::Range<usize>,
    pub firms: std::ops::Range<usize>,
    /// Nominal wage per worker-quarter by class.
    pub wage: [f64; CLASSES],
    pub rest_productivity: f64,
    pub rest_productivity_growth: f64,
    pub rest_price: f64,
    pub rest_jobs: f64,
    pub rest_employed: u32,
    pub rest_cash: f64,
    /// Rest-of-economy sales this step so far, and in the whole last step.
    pub rest_sales: f64,
    pub rest_sales_last: f64,
    pub owners_wealth: f64,
    pub owners_income: f64,
    pub merchants_cash: f64,
    pub government: f64,
    /// Share of household spending on the industry's good at start prices.
    pub budget_share: f64,
    pub price_index0: f64,
    pub price_index: f64,
    pub cpi0: f64,
    pub cpi: f64,
    pub protest: f64,
    /// Firms' perceived risk of machine-breaking.
    pub risk: f64,
    pub ban_until: f64,
    pub accommodation_relief: f64,
    pub infrastructure: f64,
    /// Machine share of the industry's output over the last year of steps, for the adoption rate.
    pub mechanized_history: Vec<f64>,
    /// Share of the industry's output made with machines now, and its change over the last year.
    pub adoption_rate: f64,
    /// Quantity of the good the region's merchants asked for last quarter.
    pub market_units: f64,
    /// Sum of suppliers' weights in buyers' choice last quarter (see the trade phase).
    pub supplier_weight: f64,
    /// Firms alive at the start of the quarter.
    pub firms_alive: usize,
    /// One unit of experience: a year of the region's initial industry output.
    pub experience_unit: f64,
    pub stage: u8,
    pub stage_year: [f64; 3],
    /// Mean usual real income per step of the stage-2 craft cohort when it was formed.
    pub cohort_baseline: f64,
    /// Shares of output the general technology has passed (adoption milestones).
    pub milestones: Vec<f64>,
}

impl RegionState {
    pub fn milestones_passed(&self, share: f64) -> bool {
        self.milestones.contains(&share)
    }
}

/// A trade route as it stands during the run.
#[derive(Clone, Debug)]
pub struct RouteState {
    pub transport_cost: f64,
    pub knowledge_flow: f64,
    /// The route's own tariff, replacing the importer's general one.
    pub tariff: Option<f64>,
}

/// Money flows of one region in one step, gathered by the phases for the outputs.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegionFlows {
    pub exports: f64,
    pub imports: f64,
    pub industry_revenue: f64,
    /// General machines and set-ups bought, in units at first-installation prices.
    pub general_capital_sales: f64,
    pub capital_destroyed: f64,
    pub relief_spending: f64,
    pub research_spending: f64,
    pub education_spending: f64,
    pub government_revenue: f64,
    pub government_spending: f64,
    pub wage_bill: f64,
    pub rest_output: f64,
}
