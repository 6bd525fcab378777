//! The world's starting state: every region in the steady state of a hand
//! trade beside the rest of the economy, before any machine.
//!
//! `World::new` follows these steps: the technologies and tasks resolved
//! from the scenario; what each region knows; then, region by region, the
//! region's opening terms (wages, the hand trade's price, head counts),
//! its workers and the empty slots population growth will fill, its hand
//! shops and the empty places where factories may enter, its inventors,
//! and the region's steady state (the rest of the economy, owners' wealth,
//! households' budget share and the price indices); then the firms' head
//! counts, the trade network, and the chunk layout and the ledger's
//! opening balances.

use super::{
    chunk_layout, class_of, Builders, Clock, Economy, Events, Firms, Flows, Government, Holdings,
    Inventors, Knowledge, Machines, Parameters, Politics, RouteState, Stages, Worker, Workers,
    World, CHUNK, CLASSES, CRAFT, CRAFT_PREMIUM, CRAFT_SHOP, GENERAL, HIRED, REST, UNEMPLOYED,
    UNSKILLED,
};
use crate::model::ledger::Ledger;
use crate::model::rng;
use crate::scenario::{Behaviour, Region, Scenario, TechKind};
use petgraph::graph::{NodeIndex, UnGraph};
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal};

impl World {
    /// Builds the initial state of a validated scenario.
    pub fn new(scenario: &Scenario, seed: u64) -> World {
        let mut s = scenario.clone();
        // Dated policies take effect in order of year, whatever their order in the file.
        s.policies.sort_by(|a, b| a.year.total_cmp(&b.year));
        let tables = TechnologyTables::of(&s);
        let knowledge = initial_knowledge(&s);
        let region_count = s.regions.len();

        let mut workers = Workers::default();
        let mut firms = Firms::default();
        let mut inventors = Inventors::default();
        let mut economy = Vec::with_capacity(region_count);
        let mut politics = Vec::with_capacity(region_count);
        let craft_tech = tables.craft_tech();
        for (r, spec) in s.regions.iter().enumerate() {
            let mut rng = rng::stream(seed, 0, rng::Phase::Init, r as u64);
            let opening = Opening::of(&s, spec, &tables);
            let (worker_start, first_firm) = (workers.len(), firms.len());
            seat_workers(
                &mut workers,
                r,
                spec,
                &opening,
                first_firm,
                &s.behaviour,
                &mut rng,
            );
            // Slots for the workers population growth will add: not in the
            // labour force (outside the region's range) until they enter.
            let peak = spec.peak_workers(s.start_year, s.end_year, s.steps_per_year) as usize;
            for _ in opening.labour_force..peak.max(opening.labour_force) {
                workers.push(Worker {
                    region: r as u16,
                    ..Worker::default()
                });
            }
            let techs = s.technologies.len();
            open_shops(
                &mut firms,
                r,
                &opening,
                &craft_tech,
                techs,
                &s.behaviour,
                &mut rng,
            );
            for _ in 0..spec.inventors {
                inventors.region.push(r as u16);
                inventors.savings.push(2.0 * opening.wage[GENERAL]);
                inventors.income.push(0.0);
            }
            let mut region = steady_state(&s, spec, &opening);
            region.workers = worker_start..worker_start + opening.labour_force;
            region.slots_end = workers.len();
            region.firms = first_firm..firms.len();
            region.machine_source.fill(r as u16);
            economy.push(region);
            politics.push(calm_politics(spec, s.steps_per_year, s.regions.len()));
        }
        count_labour(&mut firms, &workers);
        firms.machines = Machines::for_firms(tables.task_labour.len(), firms.len());
        let (network, nodes) = trade_network(&s);

        let stages = Stages {
            stage: 1,
            stage_year: [f64::NAN; 3],
            ..Stages::default()
        };
        let builders = first_builders(&s, &economy);
        let mut world = World {
            clock: Clock {
                step: 0,
                year: s.start_year,
                next_policy: 0,
            },
            params: tables.parameters(s, seed, network, nodes),
            workers,
            layout: Vec::new(),
            firms,
            inventors,
            knowledge,
            builders,
            economy,
            politics,
            government: vec![Government::default(); region_count],
            stages: vec![stages; region_count],
            ledger: Ledger::default(),
            events: Events::default(),
            flows: Flows::new(region_count),
        };
        world.lay_out_and_open_books();
        world
    }

    /// The chunk layout, with room for the layout of every slot so that
    /// rebuilding it as the labour force grows never allocates; and the
    /// ledger's opening balances.
    fn lay_out_and_open_books(&mut self) {
        let most_chunks: usize = (self.economy.iter())
            .map(|r| (r.slots_end - r.workers.start).div_ceil(CHUNK))
            .sum();
        self.layout.reserve(most_chunks);
        chunk_layout(&self.economy, &mut self.layout);
        let stocks = Holdings {
            workers: &self.workers,
            inventors: &self.inventors,
            firms: &self.firms,
            builders: &self.builders,
            economy: &self.economy,
            government: &self.government,
        }
        .money_stocks(&mut Vec::new());
        self.ledger.open(&stocks);
    }
}

/// Builders that have built nothing, each asking its first price: the
/// price of the rest of the economy's good (1 at the start), in which the
/// scenarios count machine capital. A technology in use when the run
/// starts was designed long before: its builders have paid their design
/// cost and ask only their markup on their cost. A new technology's price
/// carries the whole design cost spread over a first fleet. Each
/// technology's unit of experience is its first fleet: the machine capital
/// that equips every initial industry worker of its origin (or, for a
/// technology with no origin, of the scenario's first region), where its
/// first machines are built. A region that learns an established
/// technology later copies a design already paid for.
fn first_builders(s: &Scenario, economy: &[Economy]) -> Builders {
    let regions = economy.len();
    let mut builders = Builders::new(regions, s.technologies.len());
    let behaviour = &s.behaviour;
    builders.price.fill(1.0);
    for (j, t) in s.technologies.iter().enumerate() {
        let established = t.given_by(s.start_year);
        let (first_cost, charge) = if established {
            (1.0 / (1.0 + behaviour.builder_markup), 0.0)
        } else {
            let first = 1.0 + behaviour.builder_markup + behaviour.design_cost;
            (1.0 / first, behaviour.design_cost / first)
        };
        builders.first_cost[j] = first_cost;
        for r in 0..regions {
            let b = builders.of(r, j);
            builders.charge[b] = charge;
            builders.designed[b] = established;
        }
        let origin = (t.origin.as_deref())
            .and_then(|name| s.region_index(name))
            .unwrap_or(0);
        // The first fleet equips the technology's first market at the
        // start: every industry worker of its origin (the first region for
        // a technology invented in the run: a unit of measure, the same
        // wherever it is invented), and for a general
        // technology the part of the origin's rest of the economy whose
        // tasks it can do (at its capital then, in the same money units).
        let industry = t.capital_per_worker * economy[origin].experience_unit;
        let rest = t.economy_reach * economy[origin].rest_capital;
        builders.unit[j] = (industry + rest).max(1e-9);
    }
    builders
}

/// A region's politics before anything has happened: its institutions as
/// the scenario gives them, no protest, no risk, no ban, and no embargo
/// aimed at any one of the `regions`.
fn calm_politics(spec: &Region, steps_per_year: u32, regions: usize) -> Politics {
    Politics {
        institutions: spec.institutions.clone(),
        embargo_toward: vec![false; regions],
        protest: 0.0,
        risk: 0.0,
        ban_until: f64::NEG_INFINITY,
        accommodation_relief: 0.0,
        mechanized_history: vec![0.0; steps_per_year as usize],
        adoption_rate: 0.0,
    }
}

/// The technologies and tasks resolved from the scenario's names.
struct TechnologyTables {
    /// Each task's share of a unit's labour.
    task_labour: Vec<f64>,
    /// The task hand shops pay hands for, if any.
    hired_task: Option<usize>,
    tech_kind: Vec<TechKind>,
    tech_class: Vec<usize>,
    /// Bit t set: technology j performs task t.
    tech_tasks: Vec<u32>,
    /// Minimum education per job class.
    class_education: [f32; CLASSES],
}

impl TechnologyTables {
    fn of(s: &Scenario) -> TechnologyTables {
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
        TechnologyTables {
            task_labour,
            hired_task,
            tech_kind,
            tech_class,
            tech_tasks,
            class_education,
        }
    }

    /// The run's parameters: the scenario with these tables resolved from
    /// it, the seed and the trade network.
    fn parameters(
        self,
        scenario: Scenario,
        seed: u64,
        network: UnGraph<usize, RouteState>,
        nodes: Vec<NodeIndex>,
    ) -> Parameters {
        Parameters {
            scenario,
            seed,
            network,
            nodes,
            tech_kind: self.tech_kind,
            tech_class: self.tech_class,
            tech_tasks: self.tech_tasks,
            task_labour: self.task_labour,
            hired_task: self.hired_task,
            class_education: self.class_education,
        }
    }

    /// The hand technology of each task, which every shop starts with.
    fn craft_tech(&self) -> Vec<u8> {
        let techs = self.tech_kind.len();
        (0..self.task_labour.len())
            .map(|t| {
                (0..techs)
                    .find(|&j| {
                        self.tech_kind[j] == TechKind::Craft && self.tech_tasks[j] & (1 << t) != 0
                    })
                    .expect("validated craft tech") as u8
            })
            .collect()
    }
}

/// Knowledge: technologies possible everywhere from the start are known
/// everywhere (or in their region of origin).
fn initial_knowledge(s: &Scenario) -> Knowledge {
    let (region_count, techs) = (s.regions.len(), s.technologies.len());
    let mut knowledge = Knowledge {
        techs,
        productivity: vec![0.0; region_count * techs],
        improvements: vec![0; region_count * techs],
        experience: vec![0.0; region_count * techs],
        experience_unit: vec![0.0; region_count * techs],
        adopted: vec![false; region_count * techs],
    };
    for (j, t) in s.technologies.iter().enumerate() {
        if t.given_by(s.start_year) {
            for r in 0..region_count {
                if t.origin.as_deref().is_none_or(|o| o == s.regions[r].name) {
                    knowledge.productivity[r * techs + j] = t.productivity;
                }
            }
        }
    }
    knowledge
}

/// A region's opening terms: its wages, the hand trade's price, and how
/// its workers divide between the hand trade, the rest of the economy and
/// unemployment.
struct Opening {
    /// Capital's share in the rest of the economy.
    alpha: f64,
    unskilled_wage: f64,
    /// The rest of the economy's output per worker.
    output_per_worker: f64,
    wage: [f64; CLASSES],
    /// The hired task's share of a unit's labour (zero without one).
    hired_share: f64,
    /// The labour cost of a unit of hand-made cloth.
    hand_labour_cost: f64,
    craft_price: f64,
    /// Workers in the labour force, in the industry, in the rest of the
    /// economy, and the shops' own members among the industry's.
    labour_force: usize,
    industry_workers: usize,
    rest_workers: usize,
    members: usize,
    /// Hand shops open at the start.
    shops: usize,
}

impl Opening {
    fn of(s: &Scenario, spec: &Region, tables: &TechnologyTables) -> Opening {
        // The rest of the economy starts in its steady state at a price
        // of 1: capital where its marginal product pays the user cost, and
        // the unskilled wage equal to labour's marginal product there.
        // The region's `productivity` is that wage, so that money is
        // counted in the reference region's initial unskilled wage (the
        // unit of machine prices); output per worker is the wage over
        // labour's share.
        let alpha = s.behaviour.capital_elasticity;
        let unskilled_wage = spec.productivity;
        let output_per_worker = unskilled_wage / (1.0 - alpha);
        // Skilled hand workers earn a premium; machine work starts at the unskilled wage.
        let wage = [
            unskilled_wage * CRAFT_PREMIUM,
            unskilled_wage,
            unskilled_wage,
            unskilled_wage,
        ];
        // Hand workers are self-employed and sell at the price that
        // pays their going earnings and their materials (no markup:
        // there is no employer).
        // Where the shops pay hands for a task, that task's labour is
        // paid the labourer's wage and the members do the rest.
        let hired_share = tables.hired_task.map_or(0.0, |h| tables.task_labour[h]);
        let hand_labour_cost = (1.0 - hired_share) * wage[CRAFT] + hired_share * wage[HIRED];
        let craft_price = hand_labour_cost + super::materials_per_unit(s);

        let labour_force = spec.workers as usize;
        let industry_workers = ((spec.industry_employment * labour_force as f64).round() as usize)
            .max(spec.firms as usize);
        let rest_workers = ((labour_force - industry_workers) as f64 * 0.95).round() as usize;
        // The shops' own members come first, then the hands they hire.
        let members = industry_workers - (hired_share * industry_workers as f64).round() as usize;
        Opening {
            alpha,
            unskilled_wage,
            output_per_worker,
            wage,
            hired_share,
            hand_labour_cost,
            craft_price,
            labour_force,
            industry_workers,
            rest_workers,
            members,
            shops: spec.firms as usize,
        }
    }
}

/// The region's workers: the shops' members and hands, spread over the
/// shops in turn from `first_firm`, then the rest of the economy's, then
/// the unemployed, each with their schooling, protest threshold, income and
/// the savings of the steady state.
fn seat_workers(
    workers: &mut Workers,
    r: usize,
    spec: &Region,
    opening: &Opening,
    first_firm: usize,
    behaviour: &Behaviour,
    rng: &mut impl Rng,
) {
    let Opening {
        industry_workers,
        rest_workers,
        members,
        shops,
        ..
    } = *opening;
    let threshold = Normal::new(
        behaviour.threshold_mean,
        behaviour.threshold_spread.max(1e-9),
    )
    .expect("valid normal");
    let education_spread = 0.15;
    for i in 0..opening.labour_force {
        let (employer, class) = if i < members {
            ((first_firm + i % shops) as u32, CRAFT)
        } else if i < industry_workers {
            ((first_firm + i % shops) as u32, HIRED)
        } else if i < industry_workers + rest_workers {
            (REST, UNSKILLED)
        } else {
            (UNEMPLOYED, UNSKILLED)
        };
        let earnings = match employer {
            UNEMPLOYED => opening.unskilled_wage * spec.institutions.relief_replacement,
            _ => opening.wage[class],
        };
        // Education is drawn before the protest threshold: the order of draws is part of the seed's meaning.
        let education = (spec.education + education_spread * (rng.random::<f64>() - 0.5) * 2.0)
            .clamp(0.0, 1.0) as f32;
        let threshold = threshold.sample(rng).max(0.0) as f32;
        workers.push(Worker {
            region: r as u16,
            employer,
            class: class as u8,
            group: class as u8,
            education,
            threshold,
            income: earnings as f32,
            reference: earnings as f32,
            savings: (1.0 - behaviour.consumption_income) / behaviour.consumption_wealth.max(0.01)
                * earnings,
            ..Worker::default()
        });
    }
}

/// The region's hand shops, and as many empty places where factories may
/// enter (the reorganization phase), each with its efficiency with every
/// one of the `techs` technologies and, if open, the steady state of a
/// shop's cash, output and sales.
fn open_shops(
    firms: &mut Firms,
    r: usize,
    opening: &Opening,
    craft_tech: &[u8],
    techs: usize,
    behaviour: &Behaviour,
    rng: &mut impl Rng,
) {
    let Opening {
        hired_share,
        hand_labour_cost,
        craft_price,
        shops,
        ..
    } = *opening;
    let heterogeneity =
        LogNormal::new(0.0, behaviour.firm_heterogeneity.max(1e-9)).expect("valid lognormal");
    let per_firm = opening.industry_workers as f64 / shops as f64;
    for slot in 0..2 * shops {
        let open = slot < shops;
        firms.region.push(r as u16);
        firms.alive.push(open);
        firms.choice.extend_from_slice(craft_tech);
        for _ in 0..techs {
            firms.efficiency.push(heterogeneity.sample(rng) as f32);
            firms.own_experience.push(0.0);
        }
        firms.fixed_paid.push(0);
        firms.organization.push(CRAFT_SHOP);
        firms.reorganized_at.push(f64::NAN);
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
        firms.unit_cost.push(craft_price);
        firms.labour.push([0; CLASSES]);
        firms.target.push([0; CLASSES]);
        firms.fired.push([0; CLASSES]);
        firms.quits.push(0);
        firms.hires.push(0);
        firms.sharing.push(false);
        firms.loss_quarters.push(0);
    }
}

/// The region in its steady state: the rest of the economy's capital and
/// productivity, owners' wealth, households' budget share of cloth and
/// the price indices. Its ranges of workers and firms are the caller's.
fn steady_state(s: &Scenario, spec: &Region, opening: &Opening) -> Economy {
    let behaviour = &s.behaviour;
    let Opening {
        alpha,
        unskilled_wage,
        output_per_worker,
        wage,
        craft_price,
        labour_force,
        industry_workers,
        rest_workers,
        members,
        shops,
        ..
    } = *opening;
    // Household spending: the industry's share is what makes the
    // initial craft output sell at the initial price.
    // Home buyers pay the internal transport on top of the factory price.
    let internal = s
        .routes
        .iter()
        .find(|route| route.from == spec.name && route.to == spec.name)
        .map_or(0.0, |route| route.transport_cost);
    let user_cost = behaviour.capital_user_cost / s.steps_per_year as f64;
    let (rest_capital, rest_tfp) =
        crate::model::rest::steady_state(output_per_worker, rest_workers as f64, alpha, user_cost);
    // Owners hold the wealth whose consumption spends their steady
    // dividends: the rest of the economy's profits less the
    // investment that replaces worn capital (hand workers are
    // self-employed, so the industry pays none at the start).
    let depreciation = behaviour.depreciation / s.steps_per_year as f64;
    let profits =
        alpha * rest_workers as f64 * output_per_worker * (1.0 - depreciation / user_cost);
    // Steady spending on goods: households' wages and relief and
    // owners' dividends, after income tax.
    let institutions = &spec.institutions;
    let unemployed = (labour_force - industry_workers - rest_workers) as f64;
    let wages = members as f64 * wage[CRAFT]
        + (industry_workers - members) as f64 * wage[HIRED]
        + rest_workers as f64 * unskilled_wage;
    let relief = unemployed
        * unskilled_wage
        * institutions.relief_replacement
        * institutions.relief_eligibility;
    let spending = (1.0 - institutions.income_tax) * (wages + profits) + relief;
    let industry_value = industry_workers as f64 * craft_price * (1.0 + internal);
    let budget_share = (industry_value / spending).min(0.5);
    let cpi0 = budget_share * craft_price * (1.0 + internal) + (1.0 - budget_share);
    Economy {
        workers: 0..0,
        slots_end: 0,
        population: labour_force as f64,
        firms: 0..0,
        wage,
        rest_productivity: rest_tfp,
        rest_capital,
        rest_alpha: alpha,
        rest_automated: vec![0.0; s.technologies.len()],
        automation_reference: vec![0.0; s.technologies.len()],
        household_machines: vec![0.0; s.technologies.len()],
        household_owners: vec![0.0; s.technologies.len()],
        general_users: 0,
        rest_productivity_growth: spec.productivity_growth,
        rest_price: 1.0,
        rest_jobs: rest_workers as f64,
        rest_employed: rest_workers as u32,
        rest_cash: 2.0 * rest_workers as f64 * unskilled_wage,
        rest_sales: rest_workers as f64 * output_per_worker,
        rest_sales_last: rest_workers as f64 * output_per_worker,
        owners_wealth: profits / behaviour.owners_consumption.max(0.01),
        owners_income: 0.0,
        merchants_cash: industry_value,
        budget_share,
        price_index0: craft_price * (1.0 + internal),
        price_index: craft_price * (1.0 + internal),
        cpi0,
        cpi: cpi0,
        cpi_last: cpi0,
        craft_reputation: CRAFT_PREMIUM,
        market_units: industry_workers as f64,
        firms_alive: shops,
        supplier_weight: 0.0,
        experience_unit: (industry_workers as f64 * s.steps_per_year as f64).max(1.0),
        industry_units: industry_workers as f64,
        // Until the building phase posts its first offers, each region's
        // own builder's first price: the price of the rest of the economy's
        // good, in which scenarios count machine capital.
        machine_price: vec![1.0; s.technologies.len()],
        machine_freight: vec![0.0; s.technologies.len()],
        machine_source: vec![0; s.technologies.len()],
        builder_profit: 0.0,
    }
}

/// Each firm's head count by class, from where the workers were seated.
fn count_labour(firms: &mut Firms, workers: &Workers) {
    for f in 0..firms.len() {
        firms.labour[f] = [0; CLASSES];
    }
    for i in 0..workers.len() {
        let employer = workers.employer[i];
        if employer < REST {
            firms.labour[employer as usize][workers.class[i] as usize] += 1;
        }
    }
}

/// The trade network: a node per region and an edge per route.
fn trade_network(s: &Scenario) -> (UnGraph<usize, RouteState>, Vec<NodeIndex>) {
    let mut network = UnGraph::<usize, RouteState>::new_undirected();
    let nodes: Vec<NodeIndex> = (0..s.regions.len()).map(|r| network.add_node(r)).collect();
    for route in &s.routes {
        let from = s.region_index(&route.from).expect("validated route");
        let to = s.region_index(&route.to).expect("validated route");
        network.add_edge(
            nodes[from],
            nodes[to],
            RouteState {
                transport_cost: route.transport_cost,
                knowledge_flow: route.knowledge_flow,
                tariff: route.tariff,
            },
        );
    }
    (network, nodes)
}
