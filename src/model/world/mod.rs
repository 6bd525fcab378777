//! The simulation state: agents in structure-of-arrays form, regions with
//! their markets and governments, and the trade network.
//!
//! Units: money is counted in units of the reference region's initial
//! unskilled wage for one worker-quarter; goods in units a craft worker
//! makes in a quarter. One worker agent is one model worker; the outputs
//! scale head counts by `people_per_agent`.

mod agents;
mod builders;
mod chunks;
mod events;
mod machines;
mod region;
mod setup;
mod workers;

pub use agents::*;
pub use builders::{Builders, MachineMarket};
pub use chunks::for_each_chunk;
pub use events::{Event, EventKind, Events, EVENT_KINDS, EVENT_KIND_NAMES};
pub use machines::{Machines, Purchase, VINTAGES};
pub use region::{Economy, Flows, Government, Leavers, Politics, RegionFlows, RouteState, Stages};
pub use workers::{
    chunk_layout, Worker, WorkerChunk, WorkerScratch, Workers, CHUNK, NO_SEARCH, REST, SEEK_REST,
    UNEMPLOYED,
};

use crate::model::ledger::{Ledger, Sector, SECTORS};
use crate::scenario::{Behaviour, Scenario, TechKind};
use petgraph::graph::{NodeIndex, UnGraph};

/// The whole simulated world: the run's parameters, which no phase
/// changes, and its state, grouped by who owns it. Each phase borrows the
/// groups it reads and writes through its contract (`model::contracts`),
/// never the whole world.
#[derive(Clone)]
pub struct World {
    pub params: Parameters,
    pub clock: Clock,
    pub workers: Workers,
    /// The chunks of workers for the parallel phases (see `CHUNK`),
    /// rebuilt by the labour phase as the labour force grows.
    pub layout: Layout,
    pub firms: Firms,
    pub inventors: Inventors,
    pub knowledge: Knowledge,
    /// The machine builders of every region (see `Builders`).
    pub builders: Builders,
    pub economy: Vec<Economy>,
    pub politics: Vec<Politics>,
    pub government: Vec<Government>,
    pub stages: Vec<Stages>,
    pub ledger: Ledger,
    pub events: Events,
    pub flows: Flows,
}

/// The chunks of workers, each a region and a range of worker slots.
pub type Layout = Vec<(usize, std::ops::Range<usize>)>;

/// What a run is given and never changes once it starts: the scenario,
/// the seed, the trade network and the technologies' metadata resolved
/// from the scenario's names.
#[derive(Clone)]
pub struct Parameters {
    pub scenario: Scenario,
    pub seed: u64,
    pub network: UnGraph<usize, RouteState>,
    pub nodes: Vec<NodeIndex>,
    pub tech_kind: Vec<TechKind>,
    pub tech_class: Vec<usize>,
    /// Bit t set: technology j performs task t.
    pub tech_tasks: Vec<u32>,
    pub task_labour: Vec<f64>,
    /// The task hand shops pay hands for (`industry.hired_task`), if any.
    pub hired_task: Option<usize>,
    /// Minimum education per job class.
    pub class_education: [f32; CLASSES],
}

/// The run's calendar: the step, its year, and the next of the scenario's
/// dated policies to come due.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    pub step: usize,
    pub year: f64,
    pub next_policy: usize,
}

/// First step number of the settling steps' random streams (see
/// `phases::settle`): far beyond any run's own steps, so the two never
/// share a stream.
pub const SETTLING_STEPS: usize = 1 << 40;

impl Clock {
    /// Whether this is one of the settling steps before the clock starts.
    pub fn settling(&self) -> bool {
        self.step >= SETTLING_STEPS
    }
}

/// Skilled hand workers' earnings at the start, over the unskilled wage.
pub const CRAFT_PREMIUM: f64 = 1.2;

/// Materials per unit of the industry's good, in units of the rest of the
/// economy's good: the scenario's `materials_share` of the price of a
/// hand-made unit at the start where productivity is 1.0 (a unit is a
/// quarter of a skilled hand worker's labour, paid `CRAFT_PREMIUM`).
pub fn materials_per_unit(s: &Scenario) -> f64 {
    let m = s.industry.materials_share;
    m / (1.0 - m) * CRAFT_PREMIUM
}

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

/// Empties `v` and fills it with `n` copies of `value`, keeping its memory,
/// so that buffers reused from step to step allocate only on the first step.
pub fn refill<T: Clone>(v: &mut Vec<T>, n: usize, value: T) {
    v.clear();
    v.resize(n, value);
}

impl World {
    /// Agents of every kind: workers in the labour force, firms (alive or
    /// not), inventors and the regions' governments.
    pub fn agents(&self) -> usize {
        self.labour_force() + self.firms.len() + self.inventors.region.len() + self.economy.len()
    }

    /// Workers in the labour force now, in every region.
    pub fn labour_force(&self) -> usize {
        self.economy.iter().map(|r| r.workers.len()).sum()
    }
}

impl Parameters {
    pub fn behaviour(&self) -> &Behaviour {
        &self.scenario.behaviour
    }
    pub fn tasks(&self) -> usize {
        self.task_labour.len()
    }
    pub fn techs(&self) -> usize {
        self.tech_kind.len()
    }
    pub fn region_count(&self) -> usize {
        self.scenario.regions.len()
    }
    pub fn region_name(&self, r: usize) -> &str {
        &self.scenario.regions[r].name
    }
    pub fn steps_per_year(&self) -> f64 {
        self.scenario.steps_per_year as f64
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
    pub fn pay_factor(&self, firms: &Firms, f: usize) -> f64 {
        match (&self.scenario.wage_policy, firms.sharing[f]) {
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
    pub fn task_class(&self, firms: &Firms, f: Option<usize>, t: usize, j: usize) -> usize {
        match (f, self.hired_task) {
            (Some(f), Some(h))
                if firms.organization[f] == CRAFT_SHOP
                    && self.tech_kind[j] != TechKind::General =>
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
    pub fn shop_members(&self, firms: &Firms, f: usize) -> u32 {
        if self.hired_task.is_some() {
            firms.labour[f][CRAFT]
        } else {
            firms.labour[f].iter().sum()
        }
    }

    /// Output per worker of firm `f` relative to a firm without the policy.
    pub fn effort_factor(&self, firms: &Firms, f: usize) -> f64 {
        match (&self.scenario.wage_policy, firms.sharing[f]) {
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
    pub fn quit_rate(&self, firms: &Firms, f: usize) -> f64 {
        if firms.organization[f] == CRAFT_SHOP {
            return 0.0;
        }
        let base = self.scenario.behaviour.base_quit_rate;
        match (&self.scenario.wage_policy, firms.sharing[f]) {
            (Some(p), true) => base * (1.0 - p.quit_reduction),
            _ => base,
        }
    }

    /// Output shares of region `r`'s industry by technology kind and of
    /// reorganized firms, with its total output, from the firms' output
    /// this step.
    pub fn output_shares(&self, firms: &Firms, economy: &Economy) -> ([f64; 3], f64, f64) {
        let tasks = self.tasks();
        let machines = &firms.machines;
        let mut by_kind = [0.0; 3];
        let mut total = 0.0;
        let mut reorganized = 0.0;
        for f in economy.firms.clone() {
            let q = firms.output[f];
            if !firms.alive[f] || q <= 0.0 {
                continue;
            }
            total += q;
            for t in 0..tasks {
                let weight = self.task_labour[t];
                by_kind[TechKind::Craft as usize] += machines.hand[f * tasks + t] * weight;
                for k in machines.lots(f, t) {
                    let kind = self.tech_kind[machines.tech[k] as usize];
                    by_kind[kind as usize] += machines.used[k] * weight;
                }
            }
            if firms.organization[f] == REORGANIZED {
                reorganized += q;
            }
        }
        (by_kind, reorganized, total)
    }
}

/// Money held privately in a region (households, inventors, owners,
/// firms, the rest of the economy and merchants) per worker in its labour
/// force: what the monetary authority gives each new entrant.
pub fn private_money_per_worker(
    workers: &Workers,
    inventors: &Inventors,
    firms: &Firms,
    r: usize,
    economy: &Economy,
) -> f64 {
    let households: f64 = workers.savings[economy.workers.clone()].iter().sum();
    let inventors: f64 = (inventors.region.iter().zip(&inventors.savings))
        .filter(|(&ir, _)| ir as usize == r)
        .map(|(_, s)| s)
        .sum();
    let firms: f64 = firms.cash[economy.firms.clone()].iter().sum();
    let money = households
        + inventors
        + firms
        + economy.owners_wealth
        + economy.rest_cash
        + economy.merchants_cash;
    money.max(0.0) / economy.workers.len().max(1) as f64
}

/// The money each sector holds: the stocks the ledger's books are checked
/// against.
pub struct Holdings<'a> {
    pub workers: &'a Workers,
    pub inventors: &'a Inventors,
    pub firms: &'a Firms,
    pub builders: &'a Builders,
    pub economy: &'a [Economy],
    pub government: &'a [Government],
}

impl Holdings<'_> {
    /// Money held by each sector, summed over its agents in a fixed order.
    /// Households' savings, the one sum over every worker, are summed chunk
    /// by chunk in parallel into `partial` and the chunks' sums then added in
    /// chunk order, so the total is the same at any thread count.
    pub fn money_stocks(&self, partial: &mut Vec<f64>) -> [f64; SECTORS] {
        use rayon::prelude::*;
        let savings = &self.workers.savings;
        let mut s = [0.0; SECTORS];
        partial.resize(savings.len().div_ceil(CHUNK), 0.0);
        partial
            .par_chunks_mut(SIDE_BY_SIDE)
            .zip(savings.par_chunks(SIDE_BY_SIDE * CHUNK))
            .for_each(|(sums, block)| chunk_sums(block, sums));
        s[Sector::Households as usize] = partial.iter().sum();
        s[Sector::Inventors as usize] = self.inventors.savings.iter().sum();
        s[Sector::Firms as usize] = self.firms.cash.iter().sum();
        s[Sector::Builders as usize] = self.builders.cash.iter().sum();
        for (r, g) in self.economy.iter().zip(self.government) {
            s[Sector::Owners as usize] += r.owners_wealth;
            s[Sector::Rest as usize] += r.rest_cash;
            s[Sector::Merchants as usize] += r.merchants_cash;
            s[Sector::Government as usize] += g.cash;
        }
        s
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
        let (a, remaining) = values.split_at(CHUNK);
        let (b, remaining) = remaining.split_at(CHUNK);
        let (c, d) = remaining.split_at(CHUNK);
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
