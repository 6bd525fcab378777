//! Regions as they stand during the run, grouped by who writes them: the
//! economy, politics, government and stages of each region; the trade
//! routes; the money flows of each step gathered for the outputs.

use super::CLASSES;
use crate::scenario::Institutions;

/// A region's economy: its labour force and firms, markets, the rest of
/// the economy and households' aggregates. Written by the market phases
/// (production, trade, labour, incomes), read by nearly every phase.
#[derive(Clone)]
pub struct Economy {
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
    /// The rest of the economy's capital, in units of a composite of its
    /// own good and the general technologies' machines, one unit of each at
    /// the start (see `Economy::capital_price`).
    pub rest_capital: f64,
    /// Capital's share of the rest of the economy's tasks (its output
    /// elasticity): raised as the general technology automates tasks, lowered
    /// as new tasks for labour arrive (see the production phase).
    pub rest_alpha: f64,
    /// For each technology, the share of the rest of the economy's tasks it
    /// has automated so far (only general technologies automate any; it
    /// never falls, as new tasks act on `rest_alpha` instead; see the
    /// production phase), and what its machine saved per unit of price
    /// (the unskilled wage times its productivity, over its delivered
    /// price) when the region could first buy it (0 before), against which
    /// automation measures how far that saving has grown.
    pub rest_automated: Vec<f64>,
    pub automation_reference: Vec<f64>,
    /// For each technology households buy for their own use: the machine
    /// capital they hold, and the share of households that own one (see
    /// the incomes phase).
    pub household_machines: Vec<f64>,
    pub household_owners: Vec<f64>,
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
    /// Share of household spending on the industry's good at start prices.
    pub budget_share: f64,
    pub price_index0: f64,
    pub price_index: f64,
    pub cpi0: f64,
    pub cpi: f64,
    /// The consumer price index a quarter earlier, for wage indexation.
    pub cpi_last: f64,
    /// What the region's hand trades are remembered to pay, over the
    /// labourer's wage: the young choose their occupation by it
    /// (`trade_memory_years`).
    pub craft_reputation: f64,
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
    /// Price of one unit of each technology's machine capital delivered to
    /// the region's buyers, the freight in it, and the region whose builder
    /// they order from, posted by the building phase for the quarter.
    pub machine_price: Vec<f64>,
    pub machine_freight: Vec<f64>,
    pub machine_source: Vec<u16>,
    /// Profit (or, negative, loss) the region's machine builders passed to
    /// its owners this quarter, taxed with the owners' other income.
    pub builder_profit: f64,
}

impl Economy {
    /// The least unit of experience with a technology that arrives now: a
    /// year of the region's industry output, and never less than a year of
    /// its initial output.
    pub fn first_unit(&self, steps_per_year: f64) -> f64 {
        self.experience_unit
            .max(self.industry_units * steps_per_year)
    }
}

/// A region's politics: its institutions (changed by dated policies), the
/// embargoes it aims at single regions, the protest and the risk firms see
/// in it, and the rate of mechanization that drives grievance. Written by
/// politics (protest, risk, bans, accommodation), production (the rate of
/// adoption) and the dated policies at the start of a step.
#[derive(Clone)]
pub struct Politics {
    pub institutions: Institutions,
    /// For each region, whether an export embargo is aimed at it (a dated
    /// policy with `toward`); `institutions.export_embargo` holds toward all.
    pub embargo_toward: Vec<bool>,
    pub protest: f64,
    /// Firms' perceived risk of machine-breaking.
    pub risk: f64,
    pub ban_until: f64,
    pub accommodation_relief: f64,
    /// Machine share of the industry's output over the last year of steps, for the adoption rate.
    pub mechanized_history: Vec<f64>,
    /// Share of the industry's output made with machines now, and its change over the last year.
    pub adoption_rate: f64,
}

impl Politics {
    /// Whether the region's export embargo holds toward region `to`: one
    /// toward every region, or one aimed at `to`.
    pub fn embargoes(&self, to: usize) -> bool {
        self.institutions.export_embargo >= 0.5 || self.embargo_toward[to]
    }

    /// Share of the normal flow of knowledge that leaves the region for
    /// region `to`: 1 without an embargo toward it, the embargo's leak with one.
    pub fn knowledge_leak(&self, to: usize) -> f64 {
        if self.embargoes(to) {
            self.institutions.embargo_leak
        } else {
            1.0
        }
    }

    /// Share of would-be emigrants with skills who may leave the region: 1
    /// without an emigration ban, the ban's leak with one.
    pub fn emigration_allowed(&self) -> f64 {
        if self.institutions.emigration_ban >= 0.5 {
            self.institutions.emigration_leak
        } else {
            1.0
        }
    }
}

/// A region's government: its money and the public capital it has built.
#[derive(Clone, Copy, Debug, Default)]
pub struct Government {
    /// The government's money.
    pub cash: f64,
    /// Money the region's monetary authority has issued to entrants as the
    /// labour force grew (see the labour phase): a liability the fiscal
    /// rule does not pay down, so the money stock keeps pace with the people.
    pub issued: f64,
    pub infrastructure: f64,
}

/// Where a region stands in the three-stage cycle, dated by the stages
/// phase, and the displaced cohort it follows from stage 2 on. The model
/// reads the stage dates (careers look back to stage 2); the rest is kept
/// for the outputs.
#[derive(Clone, Default)]
pub struct Stages {
    pub stage: u8,
    pub stage_year: [f64; 3],
    /// Mean usual real income per step of the stage-2 craft cohort when it was formed.
    pub cohort_baseline: f64,
    /// Workers who left the labour force since stage 2 began, with their
    /// income record, so the displaced cohort is followed to the end of
    /// working life (written by the labour phase as careers end).
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
    /// General machines bought (set-ups apart), in units of machine capital.
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

/// The step's money flows, gathered by the phases for the outputs: each
/// region's, and the industry's trade between regions. Indexing by region
/// gives that region's flows.
#[derive(Clone, Debug, Default)]
pub struct Flows {
    pub regions: Vec<RegionFlows>,
    /// Sales of the industry's good this step at factory prices, from region
    /// s to region r at `s * regions + r` (home sales on the diagonal).
    pub trade: Vec<f64>,
}

impl Flows {
    /// Empty flows for `regions` regions.
    pub fn new(regions: usize) -> Flows {
        Flows {
            regions: vec![RegionFlows::default(); regions],
            trade: vec![0.0; regions * regions],
        }
    }

    /// Every region's flows cleared for a new step. The trade matrix is
    /// the trade phase's to clear, as it fills it.
    pub fn clear(&mut self) {
        self.regions
            .iter_mut()
            .for_each(|f| *f = Default::default());
    }
}

impl std::ops::Index<usize> for Flows {
    type Output = RegionFlows;
    fn index(&self, r: usize) -> &RegionFlows {
        &self.regions[r]
    }
}

impl std::ops::IndexMut<usize> for Flows {
    fn index_mut(&mut self, r: usize) -> &mut RegionFlows {
        &mut self.regions[r]
    }
}
