//! The simulation state: agents in structure-of-arrays form, regions with
//! their markets and governments, and the trade network.
//!
//! Units: money is counted in units of the reference region's initial
//! unskilled wage for one worker-quarter; goods in units a craft worker
//! makes in a quarter. One worker agent is one model worker; the outputs
//! scale head counts by `people_per_agent`.

use crate::model::ledger::Ledger;
use crate::model::rng;
use crate::scenario::{Institutions, Scenario, TechKind};
use petgraph::graph::{NodeIndex, UnGraph};
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal};

/// Employer value of a worker without a job.
pub const UNEMPLOYED: u32 = u32::MAX;
/// Employer value of a worker in the rest of the economy.
pub const REST: u32 = u32::MAX - 1;

/// Job classes, which are also the worker groups of the outputs.
pub const CRAFT: usize = 0;
pub const OPERATOR: usize = 1;
pub const GENERAL: usize = 2;
pub const UNSKILLED: usize = 3;
pub const CLASSES: usize = 4;
pub const CLASS_NAMES: [&str; CLASSES] = ["craft", "operator", "general", "unskilled"];

/// The job class that works with a technology of this kind.
pub fn class_of(kind: TechKind) -> usize {
    match kind {
        TechKind::Craft => CRAFT,
        TechKind::Special => OPERATOR,
        TechKind::General => GENERAL,
    }
}

/// Firm organization: the third stage shows up as firms moving to `REORGANIZED`.
pub const CRAFT_SHOP: u8 = 0;
pub const FACTORY: u8 = 1;
pub const REORGANIZED: u8 = 2;

/// Workers, one entry per agent, sorted by region.
#[derive(Clone, Default)]
pub struct Workers {
    pub region: Vec<u16>,
    pub employer: Vec<u32>,
    /// Class of the current job, or of the last one for the unemployed.
    pub class: Vec<u8>,
    /// Group the worker belongs to in the outputs: the class of the last job.
    pub group: Vec<u8>,
    pub education: Vec<f32>,
    pub threshold: Vec<f32>,
    pub grievance: Vec<f32>,
    /// Disposable income last quarter.
    pub income: Vec<f32>,
    /// Reference income: a slow average of past income, against which losses are felt.
    pub reference: Vec<f32>,
    pub savings: Vec<f64>,
    /// Quarters since the worker was laid off (0 when employed).
    pub fired: Vec<u8>,
    pub protesting: Vec<u8>,
    /// 1 if the worker held a craft job when stage 2 began in the region.
    pub cohort: Vec<u8>,
    /// Cumulative real income since the start of the run.
    pub lifetime: Vec<f64>,
}

impl Workers {
    pub fn len(&self) -> usize {
        self.region.len()
    }
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }
}

/// Firms of the industry. Per-task and per-technology values are stored
/// flat: `choice[f * tasks + t]`, `efficiency[f * techs + j]`.
#[derive(Clone, Default)]
pub struct Firms {
    pub region: Vec<u16>,
    pub alive: Vec<bool>,
    pub choice: Vec<u8>,
    pub efficiency: Vec<f32>,
    /// Bit j set: the fixed set-up cost of technology j has been paid.
    pub fixed_paid: Vec<u64>,
    pub org: Vec<u8>,
    /// Year the firm reorganized (NaN if never).
    pub reorganized_at: Vec<f64>,
    pub capital: Vec<f64>,
    pub cash: Vec<f64>,
    pub price: Vec<f64>,
    pub expected: Vec<f64>,
    pub inventory: Vec<f64>,
    pub output: Vec<f64>,
    pub sales: Vec<f64>,
    pub revenue: Vec<f64>,
    /// Labour per unit of output, by class.
    pub req: Vec<[f64; CLASSES]>,
    /// Machine capital per unit of output.
    pub capital_req: Vec<f64>,
    pub unit_cost: Vec<f64>,
    pub labour: Vec<[u32; CLASSES]>,
    pub target: Vec<[u32; CLASSES]>,
    pub fired: Vec<[u32; CLASSES]>,
    pub quits: Vec<u32>,
    pub hires: Vec<u32>,
    /// Whether the firm follows the scenario's wage policy.
    pub sharing: Vec<bool>,
    pub loss_quarters: Vec<u32>,
}

impl Firms {
    pub fn len(&self) -> usize {
        self.region.len()
    }
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }
}

#[derive(Clone, Default)]
pub struct Inventors {
    pub region: Vec<u16>,
    pub savings: Vec<f64>,
    pub income: Vec<f64>,
}

/// What each region knows of each technology, flat `[region * techs + j]`.
#[derive(Clone, Default)]
pub struct Knowledge {
    /// Best-practice productivity known (0: not known yet).
    pub productivity: Vec<f64>,
    /// Successful improvements so far (drives diminishing returns).
    pub improvements: Vec<u32>,
    /// Installed machine capital of this technology, cumulated (Wright's law experience).
    pub experience: Vec<f64>,
    /// Whether any firm of the region has used the technology yet.
    pub adopted: Vec<bool>,
}

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

/// The whole simulated world.
#[derive(Clone)]
pub struct World {
    pub scenario: Scenario,
    pub seed: u64,
    pub step: usize,
    pub year: f64,
    pub workers: Workers,
    pub firms: Firms,
    pub inventors: Inventors,
    pub knowledge: Knowledge,
    pub regions: Vec<RegionState>,
    pub network: UnGraph<usize, RouteState>,
    pub nodes: Vec<NodeIndex>,
    /// Technology metadata resolved from the scenario.
    pub tech_kind: Vec<TechKind>,
    pub tech_class: Vec<usize>,
    /// Bit t set: technology j performs task t.
    pub tech_tasks: Vec<u32>,
    pub task_labour: Vec<f64>,
    /// Minimum education per job class.
    pub class_education: [f32; CLASSES],
    pub ledger: Ledger,
    pub scratch: Scratch,
    pub events: Vec<crate::model::observe::record::Event>,
    pub next_policy: usize,
    /// Chunks of workers for the parallel phases (see `phases::CHUNK`).
    pub layout: Vec<(usize, std::ops::Range<usize>)>,
    /// Per-step region flows gathered for the outputs.
    pub flows: Vec<crate::model::observe::record::RegionFlows>,
    /// Sales of the industry's good this step at factory prices, from region
    /// s to region r at `s * regions + r` (home sales on the diagonal).
    pub trade_matrix: Vec<f64>,
    /// Largest relative imbalance the accounting phase has seen.
    pub worst_imbalance: f64,
}

/// Per-worker scratch space reused every step, so the step allocates nothing.
#[derive(Clone, Default)]
pub struct Scratch {
    pub option: Vec<u8>,
    pub previous_employer: Vec<u32>,
    pub gini: Vec<f64>,
    pub labour: crate::model::phases::labour::Buffers,
    /// Firms' plans costed at the start of the technology phase.
    pub reviews: Vec<crate::model::phases::technology::Review>,
    pub politics: crate::model::phases::politics::Buffers,
    pub incomes: crate::model::phases::incomes::Buffers,
    pub trade: crate::model::phases::trade::Buffers,
    pub innovation: crate::model::phases::innovation::Buffers,
    pub diffusion: crate::model::phases::diffusion::Buffers,
    /// Households' savings summed per chunk of workers (accounting phase).
    pub savings_sums: Vec<f64>,
}

/// Empties `v` and fills it with `n` copies of `value`, keeping its memory,
/// so that buffers reused from step to step allocate only on the first step.
pub fn refill<T: Clone>(v: &mut Vec<T>, n: usize, value: T) {
    v.clear();
    v.resize(n, value);
}

/// Worker search options in the labour market.
pub const NO_SEARCH: u8 = u8::MAX;
pub const SEEK_REST: u8 = CLASSES as u8;

impl World {
    pub fn tasks(&self) -> usize {
        self.task_labour.len()
    }
    pub fn techs(&self) -> usize {
        self.tech_kind.len()
    }

    /// Builds the initial state of a validated scenario.
    pub fn new(scenario: &Scenario, seed: u64) -> World {
        let mut s = scenario.clone();
        // Dated policies take effect in order of year, whatever their order in the file.
        s.policies.sort_by(|a, b| a.year.total_cmp(&b.year));
        let techs = s.technologies.len();
        let tasks = s.industry.tasks.len();
        let total_weight: f64 = s.industry.tasks.iter().map(|t| t.weight).sum();
        let task_labour: Vec<f64> = s
            .industry
            .tasks
            .iter()
            .map(|t| t.weight / total_weight)
            .collect();
        let tech_kind: Vec<TechKind> = s.technologies.iter().map(|t| t.kind).collect();
        let tech_class: Vec<usize> = tech_kind.iter().map(|k| class_of(*k)).collect();
        let tech_tasks: Vec<u32> = s
            .technologies
            .iter()
            .map(|t| {
                t.tasks
                    .iter()
                    .map(|name| 1u32 << s.task_index(name).expect("validated task"))
                    .fold(0, |a, b| a | b)
            })
            .collect();
        let mut class_education = [0.0f32; CLASSES];
        for kind in [TechKind::Special, TechKind::General] {
            let min = s
                .technologies
                .iter()
                .filter(|t| t.kind == kind)
                .map(|t| t.education_required)
                .fold(f64::INFINITY, f64::min);
            if min.is_finite() {
                class_education[class_of(kind)] = min as f32;
            }
        }

        // Knowledge: techs possible everywhere from the start are known everywhere.
        let nr = s.regions.len();
        let mut knowledge = Knowledge {
            productivity: vec![0.0; nr * techs],
            improvements: vec![0; nr * techs],
            experience: vec![0.0; nr * techs],
            adopted: vec![false; nr * techs],
        };
        for (j, t) in s.technologies.iter().enumerate() {
            if t.possible_from <= s.start_year {
                for r in 0..nr {
                    if t.origin.as_deref().is_none_or(|o| o == s.regions[r].name) {
                        knowledge.productivity[r * techs + j] = t.productivity;
                    }
                }
            }
        }

        let mut workers = Workers::default();
        let mut firms = Firms::default();
        let mut inventors = Inventors::default();
        let mut regions = Vec::with_capacity(nr);
        let craft_tech: Vec<u8> = (0..tasks)
            .map(|t| {
                (0..techs)
                    .find(|&j| tech_kind[j] == TechKind::Craft && tech_tasks[j] & (1 << t) != 0)
                    .expect("validated craft tech") as u8
            })
            .collect();
        let markup = s.industry.markup;
        let b = &s.behaviour;

        for (r, reg) in s.regions.iter().enumerate() {
            let mut rng = rng::stream(seed, 0, rng::Phase::Init, r as u64);
            // The unskilled wage is the rest of the economy's labour cost at a
            // rest-of-economy price of 1.
            let w_u = reg.productivity / (1.0 + b.rest_markup);
            // Skilled hand workers earn a premium; machine work starts at the unskilled wage.
            let wage = [w_u * 1.2, w_u, w_u, w_u];
            let craft_price = (1.0 + markup) * wage[CRAFT];

            let n = reg.workers as usize;
            let n_ind =
                ((reg.industry_employment * n as f64).round() as usize).max(reg.firms as usize);
            let n_rest = ((n - n_ind) as f64 * 0.95).round() as usize;
            let first_firm = firms.len();
            let nf = reg.firms as usize;
            let worker_start = workers.len();
            let threshold =
                Normal::new(b.threshold_mean, b.threshold_spread.max(1e-9)).expect("valid normal");
            let edu_spread = 0.15;
            for i in 0..n {
                let (employer, class) = if i < n_ind {
                    ((first_firm + i % nf) as u32, CRAFT)
                } else if i < n_ind + n_rest {
                    (REST, UNSKILLED)
                } else {
                    (UNEMPLOYED, UNSKILLED)
                };
                let w = match employer {
                    UNEMPLOYED => w_u * reg.institutions.relief_replacement,
                    _ => wage[class],
                };
                workers.region.push(r as u16);
                workers.employer.push(employer);
                workers.class.push(class as u8);
                workers.group.push(class as u8);
                let e = (reg.education + edu_spread * (rng.random::<f64>() - 0.5) * 2.0)
                    .clamp(0.0, 1.0);
                workers.education.push(e as f32);
                workers
                    .threshold
                    .push(threshold.sample(&mut rng).max(0.0) as f32);
                workers.grievance.push(0.0);
                workers.income.push(w as f32);
                workers.reference.push(w as f32);
                workers
                    .savings
                    .push((1.0 - b.consumption_income) / b.consumption_wealth.max(0.01) * w);
                workers.fired.push(0);
                workers.protesting.push(0);
                workers.cohort.push(0);
                workers.lifetime.push(0.0);
            }

            let heterogeneity =
                LogNormal::new(0.0, b.firm_heterogeneity.max(1e-9)).expect("valid lognormal");
            let per_firm = n_ind as f64 / nf as f64;
            for _ in 0..nf {
                firms.region.push(r as u16);
                firms.alive.push(true);
                firms.choice.extend_from_slice(&craft_tech);
                for _ in 0..techs {
                    firms.efficiency.push(heterogeneity.sample(&mut rng) as f32);
                }
                firms.fixed_paid.push(0);
                firms.org.push(CRAFT_SHOP);
                firms.reorganized_at.push(f64::NAN);
                firms.capital.push(0.0);
                firms.cash.push(4.0 * per_firm * wage[CRAFT]);
                firms.price.push(craft_price);
                firms.expected.push(per_firm);
                firms.inventory.push(0.0);
                firms.output.push(per_firm);
                firms.sales.push(per_firm);
                firms.revenue.push(per_firm * craft_price);
                let mut req = [0.0; CLASSES];
                req[CRAFT] = 1.0;
                firms.req.push(req);
                firms.capital_req.push(0.0);
                firms.unit_cost.push(wage[CRAFT]);
                firms.labour.push([0; CLASSES]);
                firms.target.push([0; CLASSES]);
                firms.fired.push([0; CLASSES]);
                firms.quits.push(0);
                firms.hires.push(0);
                firms.sharing.push(false);
                firms.loss_quarters.push(0);
            }
            for _ in 0..reg.inventors {
                inventors.region.push(r as u16);
                inventors.savings.push(2.0 * wage[GENERAL]);
                inventors.income.push(0.0);
            }

            // Household spending: the industry's share is what makes the
            // initial craft output sell at the initial price.
            // Home buyers pay the internal transport on top of the factory price.
            let internal = s
                .routes
                .iter()
                .find(|route| route.from == reg.name && route.to == reg.name)
                .map_or(0.0, |route| route.transport_cost);
            let income = n_ind as f64 * wage[CRAFT] + n_rest as f64 * w_u;
            let industry_value = n_ind as f64 * craft_price * (1.0 + internal);
            let budget_share = (industry_value / income).min(0.5);
            let cpi0 = budget_share * craft_price * (1.0 + internal) + (1.0 - budget_share);
            regions.push(RegionState {
                name: reg.name.clone(),
                institutions: reg.institutions.clone(),
                workers: worker_start..workers.len(),
                firms: first_firm..firms.len(),
                wage,
                rest_productivity: reg.productivity,
                rest_productivity_growth: reg.productivity_growth,
                rest_price: 1.0,
                rest_jobs: n_rest as f64,
                rest_employed: n_rest as u32,
                rest_cash: 2.0 * n_rest as f64 * w_u,
                rest_sales: n_rest as f64 * reg.productivity,
                rest_sales_last: n_rest as f64 * reg.productivity,
                owners_wealth: 8.0 * income,
                owners_income: 0.0,
                merchants_cash: industry_value,
                government: 0.0,
                budget_share,
                price_index0: craft_price * (1.0 + internal),
                price_index: craft_price * (1.0 + internal),
                cpi0,
                cpi: cpi0,
                protest: 0.0,
                risk: 0.0,
                ban_until: f64::NEG_INFINITY,
                accommodation_relief: 0.0,
                infrastructure: 0.0,
                mechanized_history: vec![0.0; s.steps_per_year as usize],
                adoption_rate: 0.0,
                market_units: n_ind as f64,
                firms_alive: nf,
                supplier_weight: 0.0,
                experience_unit: (n_ind as f64 * s.steps_per_year as f64).max(1.0),
                stage: 1,
                stage_year: [f64::NAN; 3],
                cohort_baseline: 0.0,
                milestones: Vec::new(),
            });
        }
        for f in 0..firms.len() {
            firms.labour[f] = [0; CLASSES];
        }
        for i in 0..workers.len() {
            let e = workers.employer[i];
            if e < REST {
                firms.labour[e as usize][workers.class[i] as usize] += 1;
            }
        }

        let mut network = UnGraph::<usize, RouteState>::new_undirected();
        let nodes: Vec<NodeIndex> = (0..nr).map(|r| network.add_node(r)).collect();
        for route in &s.routes {
            let a = s.region_index(&route.from).expect("validated route");
            let c = s.region_index(&route.to).expect("validated route");
            network.add_edge(
                nodes[a],
                nodes[c],
                RouteState {
                    transport_cost: route.transport_cost,
                    knowledge_flow: route.knowledge_flow,
                    tariff: route.tariff,
                },
            );
        }

        let n = workers.len();
        let mut world = World {
            year: s.start_year,
            scenario: s,
            seed,
            step: 0,
            workers,
            firms,
            inventors,
            knowledge,
            regions,
            network,
            nodes,
            tech_kind,
            tech_class,
            tech_tasks,
            task_labour,
            class_education,
            ledger: Ledger::default(),
            scratch: Scratch {
                option: vec![NO_SEARCH; n],
                previous_employer: vec![UNEMPLOYED; n],
                gini: Vec::with_capacity(n),
                labour: Default::default(),
                reviews: Vec::new(),
                politics: Default::default(),
                incomes: Default::default(),
                trade: Default::default(),
                innovation: Default::default(),
                diffusion: Default::default(),
                savings_sums: Vec::new(),
            },
            events: Vec::new(),
            next_policy: 0,
            layout: Vec::new(),
            flows: vec![crate::model::observe::record::RegionFlows::default(); nr],
            trade_matrix: vec![0.0; nr * nr],
            worst_imbalance: 0.0,
        };
        world.layout = crate::model::phases::chunk_layout(&world.regions);
        world
            .ledger
            .open(&crate::model::ledger::stocks(&world, &mut Vec::new()));
        world
    }

    /// Other regions joined to region `r` by a route, with the route.
    pub fn neighbours(&self, r: usize) -> impl Iterator<Item = (usize, &RouteState)> + '_ {
        use petgraph::visit::EdgeRef;
        // A route from a region to itself (internal transport) is no neighbour.
        self.network
            .edges(self.nodes[r])
            .filter(|e| e.source() != e.target())
            .map(move |e| {
                let other = if e.source() == self.nodes[r] {
                    e.target()
                } else {
                    e.source()
                };
                (self.network[other], e.weight())
            })
    }

    /// Records an event in region `r` at the current step.
    pub fn event(
        &mut self,
        r: usize,
        kind: crate::model::observe::record::EventKind,
        magnitude: f64,
        detail: impl Into<String>,
    ) {
        let detail = detail.into();
        tracing::debug!(step = self.step, year = self.year, region = %self.regions[r].name, kind = kind.name(), magnitude, "{detail}");
        self.events.push(crate::model::observe::record::Event {
            step: self.step,
            year: self.year,
            region: r,
            kind,
            magnitude,
            detail,
        });
    }

    /// Pay of firm `f`'s workers relative to the going wage.
    pub fn pay_factor(&self, f: usize) -> f64 {
        match (&self.scenario.wage_policy, self.firms.sharing[f]) {
            (Some(p), true) => 1.0 + p.premium,
            _ => 1.0,
        }
    }

    /// Output per worker of firm `f` relative to a firm without the policy.
    pub fn effort_factor(&self, f: usize) -> f64 {
        match (&self.scenario.wage_policy, self.firms.sharing[f]) {
            (Some(p), true) => 1.0 + p.effort_gain,
            _ => 1.0,
        }
    }

    /// Quarterly quit probability at firm `f`.
    pub fn quit_rate(&self, f: usize) -> f64 {
        let base = self.scenario.behaviour.base_quit_rate;
        match (&self.scenario.wage_policy, self.firms.sharing[f]) {
            (Some(p), true) => base * (1.0 - p.quit_reduction),
            _ => base,
        }
    }

    pub fn know(&self, r: usize, j: usize) -> f64 {
        self.knowledge.productivity[r * self.techs() + j]
    }
}
