//! The simulation state: agents in structure-of-arrays form, regions with
//! their markets and governments, and the trade network.
//!
//! Units: money is counted in units of the reference region's initial
//! unskilled wage for one worker-quarter; goods in units a craft worker
//! makes in a quarter. One worker agent is one model worker; the outputs
//! scale head counts by `people_per_agent`.

mod agents;
mod events;
mod region;
mod workers;

pub use agents::*;
pub use events::{Event, EventKind, EVENT_KINDS, EVENT_KIND_NAMES};
pub use region::{Leavers, RegionFlows, RegionState, RouteState};
pub use workers::{
    chunk_layout, Worker, WorkerChunk, WorkerScratch, Workers, CHUNK, NO_SEARCH, REST, SEEK_REST,
    UNEMPLOYED,
};

use crate::model::ledger::{Ledger, Sector, SECTORS};
use crate::model::rng;
use crate::scenario::{Scenario, TechKind};
use petgraph::graph::{NodeIndex, UnGraph};
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal};

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
    /// The task hand shops pay hands for (`industry.hired_task`), if any.
    pub hired_task: Option<usize>,
    /// Minimum education per job class.
    pub class_education: [f32; CLASSES],
    pub ledger: Ledger,
    pub events: Vec<Event>,
    pub next_policy: usize,
    /// Chunks of workers for the parallel phases (see `phases::CHUNK`).
    pub layout: Vec<(usize, std::ops::Range<usize>)>,
    /// Per-step region flows gathered for the outputs.
    pub flows: Vec<RegionFlows>,
    /// Sales of the industry's good this step at factory prices, from region
    /// s to region r at `s * regions + r` (home sales on the diagonal).
    pub trade_matrix: Vec<f64>,
    /// Largest relative imbalance the accounting phase has seen.
    pub worst_imbalance: f64,
}

/// Empties `v` and fills it with `n` copies of `value`, keeping its memory,
/// so that buffers reused from step to step allocate only on the first step.
/// Skilled hand workers' earnings at the start, over the unskilled wage.
pub const CRAFT_PREMIUM: f64 = 1.2;

/// The share of a region's workers protesting at which a protest wave
/// begins: the politics phase records the wave's start as an event, and
/// the summary counts the waves a run saw.
pub const PROTEST_WAVE: f64 = 0.01;

/// `part` as a share of the industry's output `total`, as the series table
/// records it and the stages phase dates the stages by it. Parts summed in
/// a different order from the whole can exceed it by a rounding error; a
/// share is clamped to [0, 1] so that it reads as one.
pub fn output_share(part: f64, total: f64) -> f64 {
    if total > 0.0 {
        (part / total).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

pub fn refill<T: Clone>(v: &mut Vec<T>, n: usize, value: T) {
    v.clear();
    v.resize(n, value);
}

impl World {
    /// Agents of every kind: workers in the labour force, firms (alive or
    /// not), inventors and the regions' governments.
    pub fn agents(&self) -> usize {
        self.labour_force() + self.firms.len() + self.inventors.region.len() + self.regions.len()
    }

    /// Workers in the labour force now, in every region.
    pub fn labour_force(&self) -> usize {
        self.regions.iter().map(|r| r.workers.len()).sum()
    }

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
        let hired_task = s
            .industry
            .hired_task
            .as_deref()
            .map(|name| s.task_index(name).expect("validated hired task"));
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
            experience_unit: vec![0.0; nr * techs],
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
        let b = &s.behaviour;

        for (r, reg) in s.regions.iter().enumerate() {
            let mut rng = rng::stream(seed, 0, rng::Phase::Init, r as u64);
            // The rest of the economy starts in its steady state at a price
            // of 1: capital where its marginal product pays the user cost, and
            // the unskilled wage equal to labour's marginal product there.
            // The region's `productivity` is that wage, so that money is
            // counted in the reference region's initial unskilled wage (the
            // unit of machine prices); output per worker is the wage over
            // labour's share.
            let alpha = b.capital_elasticity;
            let w_u = reg.productivity;
            let per_worker = w_u / (1.0 - alpha);
            // Skilled hand workers earn a premium; machine work starts at the unskilled wage.
            let wage = [w_u * CRAFT_PREMIUM, w_u, w_u, w_u];
            // Hand workers are self-employed and sell at the price that
            // pays their going earnings and their materials (no markup:
            // there is no employer).
            // Where the shops pay hands for a task, that task's labour is
            // paid the labourer's wage and the members do the rest.
            let hired_share = hired_task.map_or(0.0, |h| task_labour[h]);
            let hand_labour_cost = (1.0 - hired_share) * wage[CRAFT] + hired_share * wage[HIRED];
            let craft_price = hand_labour_cost + crate::model::costs::materials_per_unit(&s);

            let n = reg.workers as usize;
            let n_ind =
                ((reg.industry_employment * n as f64).round() as usize).max(reg.firms as usize);
            let n_rest = ((n - n_ind) as f64 * 0.95).round() as usize;
            let first_firm = firms.len();
            let nf = reg.firms as usize;
            // The shops' own members come first, then the hands they hire.
            let n_members = n_ind - (hired_share * n_ind as f64).round() as usize;
            let worker_start = workers.len();
            let threshold =
                Normal::new(b.threshold_mean, b.threshold_spread.max(1e-9)).expect("valid normal");
            let edu_spread = 0.15;
            for i in 0..n {
                let (employer, class) = if i < n_members {
                    ((first_firm + i % nf) as u32, CRAFT)
                } else if i < n_ind {
                    ((first_firm + i % nf) as u32, HIRED)
                } else if i < n_ind + n_rest {
                    (REST, UNSKILLED)
                } else {
                    (UNEMPLOYED, UNSKILLED)
                };
                let w = match employer {
                    UNEMPLOYED => w_u * reg.institutions.relief_replacement,
                    _ => wage[class],
                };
                // Education is drawn before the protest threshold: the order of draws is part of the seed's meaning.
                let education = (reg.education + edu_spread * (rng.random::<f64>() - 0.5) * 2.0)
                    .clamp(0.0, 1.0) as f32;
                let threshold = threshold.sample(&mut rng).max(0.0) as f32;
                workers.push(Worker {
                    region: r as u16,
                    employer,
                    class: class as u8,
                    group: class as u8,
                    education,
                    threshold,
                    income: w as f32,
                    reference: w as f32,
                    savings: (1.0 - b.consumption_income) / b.consumption_wealth.max(0.01) * w,
                    ..Worker::default()
                });
            }
            // Slots for the workers population growth will add: not in the
            // labour force (outside the region's range) until they enter.
            let peak = reg.peak_workers(s.start_year, s.end_year, s.steps_per_year) as usize;
            for _ in n..peak.max(n) {
                workers.push(Worker {
                    region: r as u16,
                    ..Worker::default()
                });
            }

            let heterogeneity =
                LogNormal::new(0.0, b.firm_heterogeneity.max(1e-9)).expect("valid lognormal");
            let per_firm = n_ind as f64 / nf as f64;
            // The region's hand shops, and as many empty places where
            // factories may enter (the reorganization phase).
            for slot in 0..2 * nf {
                let open = slot < nf;
                firms.region.push(r as u16);
                firms.alive.push(open);
                firms.choice.extend_from_slice(&craft_tech);
                for _ in 0..techs {
                    firms.efficiency.push(heterogeneity.sample(&mut rng) as f32);
                }
                firms.fixed_paid.push(0);
                firms.org.push(CRAFT_SHOP);
                firms.reorganized_at.push(f64::NAN);
                firms.capital.push(0.0);
                let size = if open { per_firm } else { 0.0 };
                firms.cash.push(4.0 * size * hand_labour_cost);
                firms.price.push(craft_price);
                firms.expected.push(size);
                firms.inventory.push(0.0);
                firms.output.push(size);
                firms.sales.push(size);
                firms.revenue.push(size * craft_price);
                let mut req = [0.0; CLASSES];
                req[CRAFT] = 1.0 - hired_share;
                req[HIRED] = hired_share;
                firms.req.push(req);
                firms.capital_req.push(0.0);
                firms.unit_cost.push(craft_price);
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
            let user_cost = b.capital_user_cost / s.steps_per_year as f64;
            let (rest_capital, rest_tfp) =
                crate::model::rest::steady_state(per_worker, n_rest as f64, alpha, user_cost);
            // Owners hold the wealth whose consumption spends their steady
            // dividends: the rest of the economy's profits less the
            // investment that replaces worn capital (hand workers are
            // self-employed, so the industry pays none at the start).
            let depreciation = b.depreciation / s.steps_per_year as f64;
            let profits = alpha * n_rest as f64 * per_worker * (1.0 - depreciation / user_cost);
            // Steady spending on goods: households' wages and relief and
            // owners' dividends, after income tax.
            let inst = &reg.institutions;
            let unemployed = (n - n_ind - n_rest) as f64;
            let wages = n_members as f64 * wage[CRAFT]
                + (n_ind - n_members) as f64 * wage[HIRED]
                + n_rest as f64 * w_u;
            let relief = unemployed * w_u * inst.relief_replacement * inst.relief_eligibility;
            let spending = (1.0 - inst.income_tax) * (wages + profits) + relief;
            let industry_value = n_ind as f64 * craft_price * (1.0 + internal);
            let budget_share = (industry_value / spending).min(0.5);
            let cpi0 = budget_share * craft_price * (1.0 + internal) + (1.0 - budget_share);
            regions.push(RegionState {
                name: reg.name.clone(),
                institutions: reg.institutions.clone(),
                workers: worker_start..worker_start + n,
                slots_end: workers.len(),
                population: n as f64,
                firms: first_firm..firms.len(),
                wage,
                rest_productivity: rest_tfp,
                rest_capital,
                rest_alpha: alpha,
                general_reach: 0.0,
                general_users: 0,
                rest_productivity_growth: reg.productivity_growth,
                rest_price: 1.0,
                rest_jobs: n_rest as f64,
                rest_employed: n_rest as u32,
                rest_cash: 2.0 * n_rest as f64 * w_u,
                rest_sales: n_rest as f64 * per_worker,
                rest_sales_last: n_rest as f64 * per_worker,
                owners_wealth: profits / b.owners_consumption.max(0.01),
                owners_income: 0.0,
                merchants_cash: industry_value,
                government: 0.0,
                budget_share,
                price_index0: craft_price * (1.0 + internal),
                price_index: craft_price * (1.0 + internal),
                cpi0,
                cpi: cpi0,
                cpi_last: cpi0,
                protest: 0.0,
                risk: 0.0,
                ban_until: f64::NEG_INFINITY,
                accommodation_relief: 0.0,
                infrastructure: 0.0,
                craft_reputation: CRAFT_PREMIUM,
                mechanized_history: vec![0.0; s.steps_per_year as usize],
                adoption_rate: 0.0,
                market_units: n_ind as f64,
                firms_alive: nf,
                supplier_weight: 0.0,
                experience_unit: (n_ind as f64 * s.steps_per_year as f64).max(1.0),
                industry_units: n_ind as f64,
                stage: 1,
                stage_year: [f64::NAN; 3],
                cohort_baseline: 0.0,
                issued: 0.0,
                milestones: Vec::new(),
                leavers: Leavers::default(),
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
            hired_task,
            class_education,
            ledger: Ledger::default(),
            events: Vec::new(),
            next_policy: 0,
            layout: Vec::new(),
            flows: vec![RegionFlows::default(); nr],
            trade_matrix: vec![0.0; nr * nr],
            worst_imbalance: 0.0,
        };
        // Room for the layout of every slot, so that rebuilding it as the
        // labour force grows never allocates.
        let most_chunks: usize = (world.regions.iter())
            .map(|r| (r.slots_end - r.workers.start).div_ceil(CHUNK))
            .sum();
        world.layout.reserve(most_chunks);
        chunk_layout(&world.regions, &mut world.layout);
        world.ledger.open(&world.money_stocks(&mut Vec::new()));
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

    /// Pay of firm `f`'s workers relative to the going wage.
    pub fn pay_factor(&self, f: usize) -> f64 {
        match (&self.scenario.wage_policy, self.firms.sharing[f]) {
            (Some(p), true) => 1.0 + p.premium,
            _ => 1.0,
        }
    }

    /// The job class whose wage pays for task `t` done with technology `j`
    /// by firm `f` (`None`: a typical firm). In hand shops of an industry
    /// with a hired task, the members do every other task themselves at
    /// their trade's going rate (the craft wage) and pay hands for the hired
    /// task at the labourer's wage, with hand methods or special tools;
    /// elsewhere, and for the general technology, the technology's kind
    /// decides.
    pub fn task_class(&self, f: Option<usize>, t: usize, j: usize) -> usize {
        match (f, self.hired_task) {
            (Some(f), Some(h))
                if self.firms.org[f] == CRAFT_SHOP && self.tech_kind[j] != TechKind::General =>
            {
                if t == h {
                    HIRED
                } else {
                    CRAFT
                }
            }
            _ => self.tech_class[j],
        }
    }

    /// The self-employed members of hand shop `f`, who share its earnings:
    /// all its workers, or, where the shops pay hands for a task, those of
    /// the craft class (the hands are unskilled).
    pub fn shop_members(&self, f: usize) -> u32 {
        if self.hired_task.is_some() {
            self.firms.labour[f][CRAFT]
        } else {
            self.firms.labour[f].iter().sum()
        }
    }

    /// Output per worker of firm `f` relative to a firm without the policy.
    pub fn effort_factor(&self, f: usize) -> f64 {
        match (&self.scenario.wage_policy, self.firms.sharing[f]) {
            (Some(p), true) => 1.0 + p.effort_gain,
            _ => 1.0,
        }
    }

    /// Quarterly quit probability at firm `f`. Self-employed hand workers
    /// have no employer to quit: they leave their shop's trade by finding
    /// better work or by retiring, not by turnover. (Counted as quits, a
    /// worker leaving a shop went back to a shop chosen by head count, and
    /// at the assembly line's 250% a year that reshuffle emptied all but a
    /// few shops before the clock started.)
    pub fn quit_rate(&self, f: usize) -> f64 {
        if self.firms.org[f] == CRAFT_SHOP {
            return 0.0;
        }
        let base = self.scenario.behaviour.base_quit_rate;
        match (&self.scenario.wage_policy, self.firms.sharing[f]) {
            (Some(p), true) => base * (1.0 - p.quit_reduction),
            _ => base,
        }
    }

    pub fn know(&self, r: usize, j: usize) -> f64 {
        self.knowledge.productivity[r * self.techs() + j]
    }

    /// Money held privately in region `r` (households, inventors, owners,
    /// firms, the rest of the economy and merchants) per worker in its
    /// labour force: what the monetary authority gives each new entrant.
    pub fn private_money_per_worker(&self, r: usize) -> f64 {
        let reg = &self.regions[r];
        let households: f64 = self.workers.savings[reg.workers.clone()].iter().sum();
        let inventors: f64 = (self.inventors.region.iter().zip(&self.inventors.savings))
            .filter(|(&ir, _)| ir as usize == r)
            .map(|(_, s)| s)
            .sum();
        let firms: f64 = self.firms.cash[reg.firms.clone()].iter().sum();
        let money =
            households + inventors + firms + reg.owners_wealth + reg.rest_cash + reg.merchants_cash;
        money.max(0.0) / reg.workers.len().max(1) as f64
    }

    /// Money held by each sector, summed over its agents in a fixed order.
    /// Households' savings, the one sum over every worker, are summed chunk
    /// by chunk in parallel into `partial` and the chunks' sums then added in
    /// chunk order, so the total is the same at any thread count.
    pub fn money_stocks(&self, partial: &mut Vec<f64>) -> [f64; SECTORS] {
        use rayon::prelude::*;
        let mut s = [0.0; SECTORS];
        partial.resize(self.workers.savings.len().div_ceil(CHUNK), 0.0);
        partial
            .par_chunks_mut(SIDE_BY_SIDE)
            .zip(self.workers.savings.par_chunks(SIDE_BY_SIDE * CHUNK))
            .for_each(|(sums, block)| chunk_sums(block, sums));
        s[Sector::Households as usize] = partial.iter().sum();
        s[Sector::Inventors as usize] = self.inventors.savings.iter().sum();
        s[Sector::Firms as usize] = self.firms.cash.iter().sum();
        for r in &self.regions {
            s[Sector::Owners as usize] += r.owners_wealth;
            s[Sector::Rest as usize] += r.rest_cash;
            s[Sector::Merchants as usize] += r.merchants_cash;
            s[Sector::Government as usize] += r.government;
        }
        s
    }

    /// Output shares of the industry by technology kind and of reorganized
    /// firms in each region, updated by the production phase for the politics
    /// phase (the rate of adoption) and the outputs.
    pub fn output_shares(&self, r: usize) -> ([f64; 3], f64, f64) {
        let tasks = self.tasks();
        let mut by_kind = [0.0; 3];
        let mut total = 0.0;
        let mut reorganized = 0.0;
        for f in self.regions[r].firms.clone() {
            let q = self.firms.output[f];
            if !self.firms.alive[f] || q <= 0.0 {
                continue;
            }
            total += q;
            for t in 0..tasks {
                let kind = self.tech_kind[self.firms.choice[f * tasks + t] as usize];
                by_kind[kind as usize] += q * self.task_labour[t];
            }
            if self.firms.org[f] == REORGANIZED {
                reorganized += q;
            }
        }
        (by_kind, reorganized, total)
    }
}

/// How many chunks' sums `chunk_sums` carries side by side.
const SIDE_BY_SIDE: usize = 4;

/// The sums of `values` taken `CHUNK` at a time, into `sums`, each summed
/// in order from its first value exactly as `Iterator::sum` would. A sum in
/// order is one chain of additions, each waiting for the last; carrying
/// four chunks' chains side by side lets the processor overlap them, while
/// every chunk's sum keeps its order and so its bits.
fn chunk_sums(values: &[f64], sums: &mut [f64]) {
    if values.len() == SIDE_BY_SIDE * CHUNK && sums.len() == SIDE_BY_SIDE {
        // `Iterator::sum` of floats starts from negative zero.
        let mut acc = [-0.0f64; SIDE_BY_SIDE];
        let (a, rest) = values.split_at(CHUNK);
        let (b, rest) = rest.split_at(CHUNK);
        let (c, d) = rest.split_at(CHUNK);
        for j in 0..CHUNK {
            acc[0] += a[j];
            acc[1] += b[j];
            acc[2] += c[j];
            acc[3] += d[j];
        }
        sums.copy_from_slice(&acc);
    } else {
        for (sum, chunk) in sums.iter_mut().zip(values.chunks(CHUNK)) {
            *sum = chunk.iter().sum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{chunk_sums, CHUNK, SIDE_BY_SIDE};

    /// Side-by-side sums keep every chunk's bits, whole blocks or not.
    #[test]
    fn chunk_sums_equal_sums_in_order() {
        for len in [0, 7, CHUNK, SIDE_BY_SIDE * CHUNK, SIDE_BY_SIDE * CHUNK + 3] {
            let values: Vec<f64> = (0..len)
                .map(|i| ((i * 7919) % 1000) as f64 * 0.1 - 33.3)
                .collect();
            let mut sums = vec![0.0; len.div_ceil(CHUNK)];
            chunk_sums(&values, &mut sums);
            for (sum, chunk) in sums.iter().zip(values.chunks(CHUNK)) {
                assert_eq!(sum.to_bits(), chunk.iter().sum::<f64>().to_bits());
            }
        }
    }
}
