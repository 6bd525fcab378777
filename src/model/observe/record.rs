//! What a run records each step: the series by region, the groups, the
//! technologies and the trade between regions. (Events are recorded by the
//! phases as they happen, in `World::events`.) Pure computation on the
//! state; the tables are written elsewhere.
//!
//! Reads:
//! - workers: `workers.group`, `workers.employer`, `workers.class`,
//!   `workers.income`, `workers.savings`, `workers.grievance`.
//! - firms: `firms.alive`, `firms.choice`, `firms.output`, `firms.org`
//!   (through `output_shares`), `firms.labour`, `firms.price`,
//!   `firms.quits`, `firms.sales` (units sold, for real output).
//! - inventors: `inventors.region`, `inventors.income`, `inventors.savings`.
//! - knowledge: `knowledge.productivity`, `knowledge.experience` (notional
//!   unit costs, through `costs::task_cost`).
//! - regions: `regions[r].workers`, `regions[r].firms`, `regions[r].wage`,
//!   `regions[r].general_users`,
//!   `regions[r].cpi`, `regions[r].cpi0`, `regions[r].rest_price`,
//!   `regions[r].rest_employed`, `regions[r].rest_productivity`,
//!   `regions[r].rest_capital`, `regions[r].rest_alpha` (the rest of the
//!   economy's output, through `rest_output`), `regions[r].industry_units`
//!   (the materials made into the industry's good), `regions[r].protest`, `regions[r].owners_income`,
//!   `regions[r].owners_wealth`, `regions[r].stage` (as the stages phase
//!   left it this step), and through the cost
//!   formulas `regions[r].risk`, `regions[r].institutions.general_tech_tax`,
//!   `regions[r].infrastructure`.
//! - routes: which pairs of regions a route joins (through
//!   `costs::transport`).
//! - flows: every `flows[r].*` field.
//! - `trade_matrix`.
//! - scenario: `scenario.people_per_agent`, `scenario.projection_from`,
//!   `scenario.industry.materials_share`,
//!   `scenario.behaviour.owner_share` (owner households per worker);
//!   through the cost formulas `scenario.technologies[j]`
//!   (`capital_per_worker`, `learning_exponent`, `scale_gain`,
//!   `depreciation`) and `scenario.behaviour.capital_user_cost`.
//!
//! Writes: nothing in the world. Appends this step's rows to `rec.series`,
//! `rec.groups`, `rec.technologies` and `rec.trade`, and links this step to
//! the chained index of real output in `rec.output_chains` (see `index`);
//! `rec.incomes` is working memory only (see `gini`).
//!
//! Real output chains two goods per region with Fisher's index: the
//! industry's good (units its firms sold this step, at their average
//! factory price, revenue over units, so that its value is the industry's
//! revenue) and the rest of the economy's (its output, `rest_output`, less
//! the materials the industry made into its good, at `rest_price`), so
//! that each good counts once. The world's index chains all the
//! regions' goods, each region's good a good of its own, at the regions'
//! own prices: it is not the sum of the regions' indexes.

use super::index::Chain;
use super::rows::{GroupRow, Records, SeriesRow, TechRow, TradeRow, GROUPS};
use crate::model::costs::{task_cost, transport};
use crate::model::world::{
    output_share, RegionFlows, World, CLASSES, CRAFT, GENERAL, REST, UNEMPLOYED,
};
use crate::scenario::TechKind;
use rayon::prelude::*;

/// Additive sums over a region's workers.
#[derive(Clone, Copy, Default)]
struct WorkerSums {
    people: [f64; CLASSES],
    employed: [f64; CLASSES],
    wage: [f64; CLASSES],
    income: [f64; CLASSES],
    wealth: [f64; CLASSES],
    unemployed: f64,
    general_jobs: f64,
    grievance: f64,
}

impl WorkerSums {
    fn add(&mut self, o: &WorkerSums) {
        for k in 0..CLASSES {
            self.people[k] += o.people[k];
            self.employed[k] += o.employed[k];
            self.wage[k] += o.wage[k];
            self.income[k] += o.income[k];
            self.wealth[k] += o.wealth[k];
        }
        self.unemployed += o.unemployed;
        self.general_jobs += o.general_jobs;
        self.grievance += o.grievance;
    }
}

/// Additive sums for one region, from which a series row is derived; the
/// world row is derived from the sum over regions.
#[derive(Clone, Copy, Default)]
struct Agg {
    w: WorkerSums,
    price_weighted: f64,
    craft_wage_weighted: f64,
    craft_weight: f64,
    shop_hands: f64,
    real_output: f64,
    nominal_output: f64,
    industry_output: f64,
    by_kind: [f64; 3],
    reorganized: f64,
    firms_alive: f64,
    firms_general: f64,
    general_users: f64,
    top: f64,
    leader: Option<(f64, f64, f64, f64)>,
    general_cost: f64,
    general_cost_weight: f64,
    protesters: f64,
    owners_people: f64,
    owners_income: f64,
    owners_wealth: f64,
    inventors: f64,
    inventors_income: f64,
    inventors_wealth: f64,
    flows: RegionFlows,
    workers: f64,
}

impl Agg {
    fn add(&mut self, o: &Agg) {
        self.w.add(&o.w);
        self.price_weighted += o.price_weighted;
        self.craft_wage_weighted += o.craft_wage_weighted;
        self.craft_weight += o.craft_weight;
        self.shop_hands += o.shop_hands;
        self.real_output += o.real_output;
        self.nominal_output += o.nominal_output;
        self.industry_output += o.industry_output;
        for k in 0..3 {
            self.by_kind[k] += o.by_kind[k];
        }
        self.reorganized += o.reorganized;
        self.firms_alive += o.firms_alive;
        self.firms_general += o.firms_general;
        self.general_users += o.general_users;
        self.top = self.top.max(o.top);
        if o.leader.map(|l| l.0) > self.leader.map(|l| l.0) {
            self.leader = o.leader;
        }
        self.general_cost += o.general_cost;
        self.general_cost_weight += o.general_cost_weight;
        self.protesters += o.protesters;
        self.owners_people += o.owners_people;
        self.owners_income += o.owners_income;
        self.owners_wealth += o.owners_wealth;
        self.inventors += o.inventors;
        self.inventors_income += o.inventors_income;
        self.inventors_wealth += o.inventors_wealth;
        let (a, b) = (&mut self.flows, &o.flows);
        a.exports += b.exports;
        a.imports += b.imports;
        a.industry_revenue += b.industry_revenue;
        a.materials += b.materials;
        a.general_capital_sales += b.general_capital_sales;
        a.capital_destroyed += b.capital_destroyed;
        a.relief_spending += b.relief_spending;
        a.research_spending += b.research_spending;
        a.education_spending += b.education_spending;
        a.government_revenue += b.government_revenue;
        a.government_spending += b.government_spending;
        a.wage_bill += b.wage_bill;
        a.rest_output += b.rest_output;
        self.workers += o.workers;
    }
}

/// Appends this step's rows to `rec`.
pub fn record(w: &World, rec: &mut Records) {
    let nr = w.regions.len();
    for s in 0..nr {
        for r in 0..nr {
            if s != r && transport(w, s, r).is_some() {
                rec.trade.push(TradeRow {
                    step: w.step as u32,
                    year: w.year,
                    from: w.regions[s].name.clone(),
                    to: w.regions[r].name.clone(),
                    value: w.trade_matrix[s * nr + r],
                });
            }
        }
    }
    let ppa = w.scenario.people_per_agent;
    let step = w.step as u32;
    let year = w.year;
    // Worker sums per chunk in parallel, folded in chunk order.
    let partial: Vec<WorkerSums> = w
        .layout
        .par_iter()
        .map(|(r, range)| {
            let ws = &w.workers;
            let price = w.regions[*r].cpi / w.regions[*r].cpi0;
            // Real wages by class, divided once rather than per worker.
            let real_wage = w.regions[*r].wage.map(|x| x / price);
            let mut s = WorkerSums::default();
            for i in range.clone() {
                let g = ws.group[i] as usize;
                let e = ws.employer[i];
                s.people[g] += 1.0;
                s.income[g] += ws.income[i] as f64 / price;
                s.wealth[g] += ws.savings[i] / price;
                s.grievance += ws.grievance[i] as f64;
                if e == UNEMPLOYED {
                    s.unemployed += 1.0;
                } else {
                    let k = if e == REST {
                        crate::model::world::UNSKILLED
                    } else {
                        ws.class[i] as usize
                    };
                    s.employed[g] += 1.0;
                    s.wage[g] += real_wage[k];
                    if e != REST && k == GENERAL {
                        s.general_jobs += 1.0;
                    }
                }
            }
            s
        })
        .collect();
    let mut aggs = vec![Agg::default(); nr];
    for ((r, _), s) in w.layout.iter().zip(&partial) {
        aggs[*r].w.add(s);
    }

    rec.incomes.clear();
    let mut region_gini = vec![0.0; nr];
    // Prices and quantities of the goods of real output: per region the
    // industry's good, then the rest of the economy's.
    let mut prices = vec![f64::NAN; 2 * nr];
    let mut quantities = vec![0.0; 2 * nr];
    for r in 0..nr {
        let reg = &w.regions[r];
        let a = &mut aggs[r];
        let price = reg.cpi / reg.cpi0;
        a.workers = reg.workers.len() as f64;
        a.general_users = f64::from(reg.general_users);
        a.price_weighted = price * a.workers;
        // The trades the general technology displaces: hand work with and
        // without special tools (the handloom weaver with a flying shuttle),
        // in the hand shops, where every member earns the shop's piece
        // earnings per head, the hand trade's going rate. Operators of
        // special tools in factories (mule spinners in a mill) are not
        // among them, nor the hands a shop pays a wage for its hired task.
        let (mut hand, mut hands) = (0.0, 0.0);
        for f in reg.firms.clone() {
            if w.firms.alive[f] && w.firms.org[f] == crate::model::world::CRAFT_SHOP {
                hand += f64::from(w.shop_members(f));
                if w.hired_task.is_some() {
                    hands += f64::from(w.firms.labour[f][crate::model::world::HIRED]);
                }
            }
        }
        a.shop_hands = hands;
        a.craft_weight = hand.max(1e-9);
        a.craft_wage_weighted = reg.wage[CRAFT] / price * hand.max(1e-9);
        let (by_kind, reorganized, total) = w.output_shares(r);
        a.by_kind = by_kind;
        a.reorganized = reorganized;
        a.industry_output = total;
        a.flows = w.flows[r];
        // Value added: the materials the industry bought are part of the
        // rest of the economy's output and of the industry's revenue.
        a.nominal_output = a.flows.industry_revenue - a.flows.materials + a.flows.rest_output;
        let sold: f64 = reg.firms.clone().map(|f| w.firms.sales[f]).sum();
        quantities[2 * r] = sold;
        if sold > 0.0 {
            prices[2 * r] = a.flows.industry_revenue / sold;
        }
        // The rest of the economy's good counts once: what it made less
        // the materials that went into the industry's good.
        let into_industry =
            reg.industry_units * crate::model::costs::materials_per_unit(&w.scenario);
        quantities[2 * r + 1] = (reg.rest_output() - into_industry).max(0.0);
        prices[2 * r + 1] = reg.rest_price;
        let tasks = w.tasks();
        let mut leader: Option<usize> = None;
        for f in reg.firms.clone() {
            if !w.firms.alive[f] {
                continue;
            }
            a.firms_alive += 1.0;
            let uses_general = (0..tasks)
                .any(|t| w.tech_kind[w.firms.choice[f * tasks + t] as usize] == TechKind::General);
            if uses_general {
                a.firms_general += 1.0;
            }
            if leader.is_none_or(|l| w.firms.output[f] > w.firms.output[l]) {
                leader = Some(f);
            }
        }
        if let Some(l) = leader.filter(|&l| w.firms.output[l] > 0.0) {
            let q = w.firms.output[l];
            let staff: u32 = w.firms.labour[l].iter().sum();
            a.top = q;
            a.leader = Some((
                q,
                w.firms.price[l] / price,
                staff as f64 / q,
                w.firms.quits[l] as f64 / staff.max(1) as f64,
            ));
        }
        // Notional unit cost of the best general technology known here, in real terms.
        let mut best: Option<f64> = None;
        for j in 0..w.techs() {
            if w.tech_kind[j] != TechKind::General || w.know(r, j) <= 0.0 {
                continue;
            }
            let c: f64 = (0..tasks)
                .filter(|&t| w.tech_tasks[j] & (1 << t) != 0)
                .map(|t| task_cost(w, None, r, t, j).unit_cost)
                .sum::<f64>()
                / price;
            best = Some(best.map_or(c, |b: f64| b.min(c)));
        }
        if let Some(c) = best {
            let weight = total.max(1e-9);
            a.general_cost = c * weight;
            a.general_cost_weight = weight;
        }
        a.protesters = reg.protest * a.workers;
        // Owner households: a fixed share of the region's people, who hold
        // the firms' shares between them whichever firms are alive.
        a.owners_people = (w.scenario.behaviour.owner_share * a.workers)
            .round()
            .max(1.0);
        a.owners_income = reg.owners_income / price;
        a.owners_wealth = reg.owners_wealth / price;
        for i in 0..w.inventors.region.len() {
            if w.inventors.region[i] as usize == r {
                a.inventors += 1.0;
                a.inventors_income += w.inventors.income[i] / price;
                a.inventors_wealth += w.inventors.savings[i] / price;
            }
        }

        // Income inequality among workers, inventors and owner households.
        rec.incomes
            .add_each(&w.workers.income[reg.workers.clone()], price);
        for i in 0..w.inventors.region.len() {
            if w.inventors.region[i] as usize == r {
                rec.incomes.add(w.inventors.income[i] / price, 1);
            }
        }
        let owners = a.owners_people;
        rec.incomes
            .add(a.owners_income.max(0.0) / owners, owners as u64);
        region_gini[r] = rec.incomes.close_region();
    }
    let world_gini = rec.incomes.world();

    rec.output_chains.resize_with(nr + 1, Chain::default);
    for (r, a) in aggs.iter_mut().enumerate() {
        let goods = 2 * r..2 * r + 2;
        a.real_output = rec.output_chains[r].next(&prices[goods.clone()], &quantities[goods]);
    }
    let mut world = Agg::default();
    for a in &aggs {
        world.add(a);
    }
    world.real_output = rec.output_chains[nr].next(&prices, &quantities);
    for r in 0..=nr {
        let (a, name, g, stage) = if r < nr {
            (
                &aggs[r],
                w.regions[r].name.clone(),
                region_gini[r],
                w.regions[r].stage,
            )
        } else {
            let stage = w.regions.iter().map(|x| x.stage).max().unwrap_or(1);
            (&world, "world".to_string(), world_gini, stage)
        };
        let mut row = series_row(a, step, year, name.clone(), stage, g, ppa);
        row.projection = w.scenario.projection_from.is_some_and(|p| year >= p);
        rec.series.push(row);
        for (k, group) in GROUPS.iter().enumerate() {
            let (people, employed, wage, income, wealth) = if k < CLASSES {
                (
                    a.w.people[k],
                    a.w.employed[k],
                    a.w.wage[k],
                    a.w.income[k],
                    a.w.wealth[k],
                )
            } else if k == CLASSES {
                (
                    a.owners_people,
                    a.owners_people,
                    0.0,
                    a.owners_income,
                    a.owners_wealth,
                )
            } else {
                (
                    a.inventors,
                    a.inventors,
                    a.inventors_income,
                    a.inventors_income,
                    a.inventors_wealth,
                )
            };
            rec.groups.push(GroupRow {
                step,
                year,
                region: name.clone(),
                group,
                people: people * ppa,
                employed: employed * ppa,
                real_wage: if employed > 0.0 { wage / employed } else { 0.0 },
                real_income: if people > 0.0 { income / people } else { 0.0 },
                wealth: if people > 0.0 { wealth / people } else { 0.0 },
            });
        }
    }

    // Technologies by region.
    let tasks = w.tasks();
    for r in 0..nr {
        let total = aggs[r].industry_output;
        for j in 0..w.techs() {
            let mut share = 0.0;
            let mut users = 0u32;
            for f in w.regions[r].firms.clone() {
                if !w.firms.alive[f] {
                    continue;
                }
                let mut uses = false;
                for t in 0..tasks {
                    if w.firms.choice[f * tasks + t] as usize == j {
                        share += w.firms.output[f] * w.task_labour[t];
                        uses = true;
                    }
                }
                users += u32::from(uses);
            }
            let known = w.know(r, j) > 0.0;
            let price = w.regions[r].cpi / w.regions[r].cpi0;
            let cost = known.then(|| {
                (0..tasks)
                    .filter(|&t| w.tech_tasks[j] & (1 << t) != 0)
                    .map(|t| task_cost(w, None, r, t, j).unit_cost / w.task_labour[t])
                    .sum::<f64>()
                    / (w.tech_tasks[j].count_ones() as f64)
                    / price
            });
            rec.technologies.push(TechRow {
                step,
                year,
                region: w.regions[r].name.clone(),
                technology: w.scenario.technologies[j].name.clone(),
                kind: w.tech_kind[j].name(),
                output_share: output_share(share, total),
                unit_cost: cost,
                productivity: w.know(r, j),
                firms_using: users,
            });
        }
    }
}

fn series_row(
    a: &Agg,
    step: u32,
    year: f64,
    region: String,
    stage: u8,
    gini: f64,
    ppa: f64,
) -> SeriesRow {
    let employed: f64 = a.w.employed.iter().sum();
    let labour_force = employed + a.w.unemployed;
    let wage_sum: f64 = a.w.wage.iter().sum();
    let share = |x: f64| output_share(x, a.industry_output);
    let price = a.price_weighted / a.workers.max(1e-9);
    SeriesRow {
        step,
        year,
        region,
        stage,
        projection: false,
        output: a.real_output,
        nominal_output: a.nominal_output,
        industry_output: a.industry_output,
        output_per_worker: if employed > 0.0 {
            a.real_output / employed
        } else {
            0.0
        },
        employment: employed * ppa,
        unemployment_rate: if labour_force > 0.0 {
            a.w.unemployed / labour_force
        } else {
            0.0
        },
        real_wage: if employed > 0.0 {
            wage_sum / employed
        } else {
            0.0
        },
        craft_real_wage: a.craft_wage_weighted / a.craft_weight.max(1e-9),
        shop_hands: a.shop_hands * ppa,
        labour_share: if a.nominal_output > 0.0 {
            (a.flows.wage_bill / a.nominal_output).min(1.0)
        } else {
            0.0
        },
        gini_income: gini,
        price_level: price,
        craft_output_share: share(a.by_kind[0]),
        special_output_share: share(a.by_kind[1]),
        general_output_share: share(a.by_kind[2]),
        reorganized_output_share: share(a.reorganized),
        general_unit_cost: (a.general_cost_weight > 0.0)
            .then(|| a.general_cost / a.general_cost_weight),
        general_capital_sales: a.flows.general_capital_sales,
        // Workers in general-technology jobs, and those who use it on
        // their own where the technology allows (the technology phase).
        general_worker_use_share: if employed > 0.0 {
            ((a.w.general_jobs + a.general_users) / employed).min(1.0)
        } else {
            0.0
        },
        general_firm_adoption_share: if a.firms_alive > 0.0 {
            a.firms_general / a.firms_alive
        } else {
            0.0
        },
        top_firm_share: share(a.top),
        leader_output: a.leader.map(|l| l.0),
        leader_price: a.leader.map(|l| l.1),
        leader_unit_labor: a.leader.map(|l| l.2),
        leader_quit_rate: a.leader.map(|l| l.3),
        grievance_mean: a.w.grievance / a.workers.max(1e-9),
        protest_intensity: a.protesters / a.workers.max(1e-9),
        capital_destroyed: a.flows.capital_destroyed,
        relief_spending: a.flows.relief_spending / price,
        research_spending: a.flows.research_spending / price,
        education_spending: a.flows.education_spending / price,
        government_balance: (a.flows.government_revenue - a.flows.government_spending) / price,
        exports: a.flows.exports / price,
        imports: a.flows.imports / price,
    }
}
