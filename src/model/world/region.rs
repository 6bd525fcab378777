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
    /// The region's workers in the labour force. Its slots run on to
    /// `slots_end`; those past `workers.end` are not yet born.
    pub workers: std::ops::Range<usize>,
    pub slots_end: usize,
    /// Labour force the scenario's demographic rates give by now, in agents
    /// (fractional; the head count follows its whole part).
    pub population: f64,
    pub firms: std::ops::Range<usize>,
    /// Nominal wage per worker-quarter by class.
    pub wage: [f64; CLASSES],
    /// Total factor productivity `A` of the rest of the economy (see `model::rest`).
    pub rest_productivity: f64,
    /// Annual growth of output per worker the scenario gives for the rest of
    /// the economy in its steady state; `A` grows at its `1 - a` power.
    pub rest_productivity_growth: f64,
    /// The rest of the economy's capital, in units of its own good.
    pub rest_capital: f64,
    /// Capital's share of the rest of the economy's tasks (its output
    /// elasticity): raised as the general technology automates tasks, lowered
    /// as new tasks for labour arrive (see the production phase).
    pub rest_alpha: f64,
    /// Highest output share the general technology has reached in the
    /// region's industry, the measure of how far it has spread.
    pub general_reach: f64,
    /// Workers who use the general technology on their own, in firms that
    /// have not set it up for their tasks (see the technology phase).
    pub general_users: u32,
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
    /// Money the region's monetary authority has issued to entrants as the
    /// labour force grew (see the labour phase): a liability the fiscal
    /// rule does not pay down, so the money stock keeps pace with the people.
    pub issued: f64,
    /// Share of household spending on the industry's good at start prices.
    pub budget_share: f64,
    pub price_index0: f64,
    pub price_index: f64,
    pub cpi0: f64,
    pub cpi: f64,
    /// The consumer price index a quarter earlier, for wage indexation.
    pub cpi_last: f64,
    pub protest: f64,
    /// Firms' perceived risk of machine-breaking.
    pub risk: f64,
    pub ban_until: f64,
    pub accommodation_relief: f64,
    pub infrastructure: f64,
    /// What the region's hand trades are remembered to pay, over the
    /// labourer's wage: the young choose their occupation by it
    /// (`trade_memory_years`).
    pub craft_reputation: f64,
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
    /// The least unit of experience with a technology: a year of the
    /// region's initial industry output (see `Knowledge::experience_unit`).
    pub experience_unit: f64,
    /// Units of the good the region's firms made last quarter.
    pub industry_units: f64,
    pub stage: u8,
    pub stage_year: [f64; 3],
    /// Mean usual real income per step of the stage-2 craft cohort when it was formed.
    pub cohort_baseline: f64,
    /// Shares of output the general technology has passed (adoption milestones).
    pub milestones: Vec<f64>,
    /// Workers who left the labour force since stage 2 began, with their
    /// income record, so the displaced cohort is followed to the end of
    /// working life.
    pub leavers: Leavers,
}

/// Workers who left the labour force since stage 2 began in a region: head
/// counts, real income since stage 2 and quarters present since stage 2,
/// for the stage-2 craft cohort and for everyone.
#[derive(Clone, Copy, Debug, Default)]
pub struct Leavers {
    pub cohort: f64,
    pub cohort_income: f64,
    pub cohort_steps: f64,
    pub all: f64,
    pub all_income: f64,
    pub all_steps: f64,
}

impl Leavers {
    pub fn add(&mut self, o: &Leavers) {
        self.cohort += o.cohort;
        self.cohort_income += o.cohort_income;
        self.cohort_steps += o.cohort_steps;
        self.all += o.all;
        self.all_income += o.all_income;
        self.all_steps += o.all_steps;
    }
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
    /// Materials the industry's firms bought from the rest of the economy.
    pub materials: f64,
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
