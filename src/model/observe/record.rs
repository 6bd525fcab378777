//! What a run records each step: the series by region, the groups, the
//! technologies and the trade between regions. (Events are recorded by the
//! phases as they happen, in `World::events`.) Pure computation on the
//! state; the tables are written elsewhere.
//!
//! Reads the whole world by shared reference (`&World`), and through the
//! cost formulas (`Costing::of`) the notional unit costs and the routes.
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

mod sums;

use super::index::Chain;
use super::rows::{GroupRow, Records, SeriesRow, TechRow, TradeRow, GROUPS, VINTAGES_BY_AGE};
use crate::model::costs::{machine_price, machine_user_cost, method_cost, task_cost, Costing};
use crate::model::world::{
    output_share, Economy, World, CLASSES, CRAFT, GENERAL, REST, UNEMPLOYED, VINTAGES,
};
use crate::scenario::TechKind;
use rayon::prelude::*;
use sums::{Agg, WorkerSums};

/// Appends this step's rows to `rec`: the trade between regions, each
/// region's sums (its workers', its hand trade's, its goods', its firms',
/// its owners' and inventors') and income inequality, real output, the
/// series and group rows, and the technology rows.
pub fn record(world: &World, rec: &mut Records) {
    let region_count = world.params.region_count();
    trade_rows(world, rec);
    let mut aggs = worker_sums(world);

    rec.incomes.clear();
    let mut region_gini = vec![0.0; region_count];
    // Prices and quantities of the goods of real output: per region the
    // industry's good, then the rest of the economy's.
    let mut prices = vec![f64::NAN; 2 * region_count];
    let mut quantities = vec![0.0; 2 * region_count];
    for r in 0..region_count {
        let agg = &mut aggs[r];
        hand_trade(world, r, agg);
        let (good_prices, good_quantities) = goods(world, r, agg);
        prices[2 * r..2 * r + 2].copy_from_slice(&good_prices);
        quantities[2 * r..2 * r + 2].copy_from_slice(&good_quantities);
        firms_and_leader(world, r, agg);
        general_cost(world, r, agg);
        owners_and_inventors(world, r, agg);
        region_gini[r] = income_inequality(world, r, agg, rec);
    }
    let world_gini = rec.incomes.world();

    rec.output_chains
        .resize_with(region_count + 1, Chain::default);
    for (r, agg) in aggs.iter_mut().enumerate() {
        let goods = 2 * r..2 * r + 2;
        agg.real_output = rec.output_chains[r].next(&prices[goods.clone()], &quantities[goods]);
    }
    let mut whole = Agg::default();
    for agg in &aggs {
        whole.add(agg);
    }
    whole.real_output = rec.output_chains[region_count].next(&prices, &quantities);
    for r in 0..=region_count {
        let (agg, name, gini, stage) = if r < region_count {
            (
                &aggs[r],
                world.params.region_name(r).to_string(),
                region_gini[r],
                world.stages[r].stage,
            )
        } else {
            let stage = world.stages.iter().map(|x| x.stage).max().unwrap_or(1);
            (&whole, "world".to_string(), world_gini, stage)
        };
        let people_per_agent = world.params.scenario.people_per_agent;
        let (step, year) = (world.clock.step as u32, world.clock.year);
        let mut row = series_row(agg, step, year, name.clone(), stage, gini, people_per_agent);
        row.projection = world
            .params
            .scenario
            .projection_from
            .is_some_and(|p| year >= p);
        rec.series.push(row);
        group_rows(world, agg, name, rec);
    }
    technology_rows(world, &aggs, rec);
}

/// The region's price level, its consumer price index over the starting
/// one, which turns its money amounts into real ones.
fn price_level(region: &Economy) -> f64 {
    region.cpi / region.cpi0
}

/// The rows of trade between every pair of regions a route joins.
fn trade_rows(world: &World, rec: &mut Records) {
    let region_count = world.params.region_count();
    let delivery = Costing::of(world).delivery();
    for s in 0..region_count {
        for r in 0..region_count {
            if s != r && delivery.transport(s, r).is_some() {
                rec.trade.push(TradeRow {
                    step: world.clock.step as u32,
                    year: world.clock.year,
                    from: world.params.region_name(s).to_string(),
                    to: world.params.region_name(r).to_string(),
                    value: world.flows.trade[s * region_count + r],
                });
            }
        }
    }
}

/// Sums over each region's workers: per chunk in parallel, folded in chunk
/// order into one `Agg` per region.
fn worker_sums(world: &World) -> Vec<Agg> {
    let partial: Vec<WorkerSums> = world
        .layout
        .par_iter()
        .map(|(r, range)| {
            let ws = &world.workers;
            let price = price_level(&world.economy[*r]);
            // Real wages by class, divided once rather than per worker.
            let real_wage = world.economy[*r].wage.map(|x| x / price);
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
    let mut aggs = vec![Agg::default(); world.params.region_count()];
    for ((r, _), s) in world.layout.iter().zip(&partial) {
        aggs[*r].by_group.add(s);
    }
    aggs
}

/// The region's head count and price level, and the hand trade's members,
/// the hands its shops hire and its real piece earnings.
fn hand_trade(world: &World, r: usize, agg: &mut Agg) {
    let region = &world.economy[r];
    let price = price_level(region);
    agg.workers = region.workers.len() as f64;
    agg.general_users = f64::from(region.general_users);
    agg.price_weighted = price * agg.workers;
    // The trades the general technology displaces: hand work with and
    // without special tools (the handloom weaver with a flying shuttle),
    // in the hand shops, where every member earns the shop's piece
    // earnings per head, the hand trade's going rate. Operators of
    // special tools in factories (mule spinners in a mill) are not
    // among them, nor the hands a shop pays a wage for its hired task.
    let (mut hand, mut hands) = (0.0, 0.0);
    for f in region.firms.clone() {
        if world.firms.alive[f] && world.firms.organization[f] == crate::model::world::CRAFT_SHOP {
            hand += f64::from(world.params.shop_members(&world.firms, f));
            if world.params.hired_task.is_some() {
                hands += f64::from(world.firms.labour[f][crate::model::world::HIRED]);
            }
        }
    }
    agg.shop_hands = hands;
    agg.craft_weight = hand.max(1e-9);
    agg.craft_wage_weighted = region.wage[CRAFT] / price * hand.max(1e-9);
}

/// The industry's output by kind of technology, the region's flows and
/// value added; and the prices and quantities of its two goods, the
/// industry's (no price if it sold nothing) and the rest of the economy's.
fn goods(world: &World, r: usize, agg: &mut Agg) -> ([f64; 2], [f64; 2]) {
    let region = &world.economy[r];
    let (by_kind, reorganized, total) = world.params.output_shares(&world.firms, &world.economy[r]);
    agg.by_kind = by_kind;
    agg.reorganized = reorganized;
    agg.industry_output = total;
    agg.flows = world.flows[r];
    // The share of the rest of the economy's tasks that general
    // technologies do now: capital's share beyond its share before any.
    let automated = (region.rest_alpha - world.params.behaviour().capital_elasticity).max(0.0);
    agg.rest_workers = f64::from(region.rest_employed);
    agg.rest_automated = automated * agg.rest_workers;
    let owning = (0..world.params.techs())
        .filter(|&j| world.params.tech_kind[j] == crate::scenario::TechKind::General)
        .map(|j| region.household_owners[j])
        .fold(0.0, f64::max);
    agg.household_owners = owning * region.workers.len() as f64;
    // Value added: the materials the industry bought are part of the
    // rest of the economy's output and of the industry's revenue.
    agg.nominal_output = agg.flows.industry_revenue - agg.flows.materials + agg.flows.rest_output;
    let sold: f64 = region.firms.clone().map(|f| world.firms.sales[f]).sum();
    let industry_price = if sold > 0.0 {
        agg.flows.industry_revenue / sold
    } else {
        f64::NAN
    };
    // The rest of the economy's good counts once: what it made less
    // the materials that went into the industry's good.
    let into_industry =
        region.industry_units * crate::model::world::materials_per_unit(&world.params.scenario);
    let rest_quantity = (region.rest_output() - into_industry).max(0.0);
    ([industry_price, region.rest_price], [sold, rest_quantity])
}

/// The region's firms alive, those using the general technology, and the
/// leading firm's output, real price, labour per unit and quit rate.
fn firms_and_leader(world: &World, r: usize, agg: &mut Agg) {
    let region = &world.economy[r];
    let price = price_level(region);
    let mut leader: Option<usize> = None;
    for f in region.firms.clone() {
        if !world.firms.alive[f] {
            continue;
        }
        agg.firms_alive += 1.0;
        let machines = &world.firms.machines;
        let uses_general = machines.firm_lots(f).any(|k| {
            machines.capital[k] > 0.0
                && world.params.tech_kind[machines.tech[k] as usize] == TechKind::General
        });
        if uses_general {
            agg.firms_general += 1.0;
        }
        if leader.is_none_or(|l| world.firms.output[f] > world.firms.output[l]) {
            leader = Some(f);
        }
    }
    if let Some(l) = leader.filter(|&l| world.firms.output[l] > 0.0) {
        let q = world.firms.output[l];
        let staff: u32 = world.firms.labour[l].iter().sum();
        agg.top = q;
        agg.leader = Some((
            q,
            world.firms.price[l] / price,
            staff as f64 / q,
            world.firms.quits[l] as f64 / staff.max(1) as f64,
        ));
    }
}

/// The price of the best general technology's service per unit of the
/// good it helps make, in real terms, weighted by the industry's output:
/// what its machines (for the LLM, access to a model) cost a typical firm
/// per unit, at the delivered price and the machines' user cost, without
/// the labour that works with them. The historical series it is compared
/// with (M1) is a price per unit of a fixed capability (dollars per
/// million tokens of the cheapest model above a benchmark score), so a
/// gain in the technology's productivity lowers it as a fall in the price
/// of its machines does.
fn general_cost(world: &World, r: usize, agg: &mut Agg) {
    let price = price_level(&world.economy[r]);
    let tasks = world.params.tasks();
    let costing = Costing::of(world);
    let mut best: Option<f64> = None;
    for j in 0..world.params.techs() {
        if world.params.tech_kind[j] != TechKind::General || world.knowledge.know(r, j) <= 0.0 {
            continue;
        }
        let per_unit_capital: f64 = (0..tasks)
            .filter(|&t| world.params.tech_tasks[j] & (1 << t) != 0)
            .map(|t| task_cost(&costing, &world.firms, None, r, t, j).capital)
            .sum();
        let c =
            per_unit_capital * machine_price(&costing, r, j) * machine_user_cost(&world.params, j)
                / price;
        best = Some(best.map_or(c, |b: f64| b.min(c)));
    }
    if let Some(c) = best {
        let weight = agg.industry_output.max(1e-9);
        agg.general_cost = c * weight;
        agg.general_cost_weight = weight;
    }
}

/// Protesters, owner households and inventors, with their real income and
/// wealth.
fn owners_and_inventors(world: &World, r: usize, agg: &mut Agg) {
    let region = &world.economy[r];
    let price = price_level(region);
    agg.protesters = world.politics[r].protest * agg.workers;
    // Owner households: a fixed share of the region's people, who hold
    // the firms' shares between them whichever firms are alive.
    agg.owners_people = (world.params.behaviour().owner_share * agg.workers)
        .round()
        .max(1.0);
    agg.owners_income = region.owners_income / price;
    agg.owners_wealth = region.owners_wealth / price;
    for i in 0..world.inventors.region.len() {
        if world.inventors.region[i] as usize == r {
            agg.inventors += 1.0;
            agg.inventors_income += world.inventors.income[i] / price;
            agg.inventors_wealth += world.inventors.savings[i] / price;
        }
    }
}

/// Income inequality among the region's workers, inventors and owner
/// households, added to the world's; the region's Gini coefficient.
fn income_inequality(world: &World, r: usize, agg: &Agg, rec: &mut Records) -> f64 {
    let region = &world.economy[r];
    let price = price_level(region);
    rec.incomes
        .add_each(&world.workers.income[region.workers.clone()], price);
    for i in 0..world.inventors.region.len() {
        if world.inventors.region[i] as usize == r {
            rec.incomes.add(world.inventors.income[i] / price, 1);
        }
    }
    let owners = agg.owners_people;
    rec.incomes
        .add(agg.owners_income.max(0.0) / owners, owners as u64);
    rec.incomes.close_region()
}

/// The group rows of a region (or of the world): people, employment, real
/// wage, real income and wealth of each class, owners and inventors.
fn group_rows(world: &World, agg: &Agg, name: String, rec: &mut Records) {
    let people_per_agent = world.params.scenario.people_per_agent;
    let (step, year) = (world.clock.step as u32, world.clock.year);
    for (k, group) in GROUPS.iter().enumerate() {
        let (people, employed, wage, income, wealth) = if k < CLASSES {
            (
                agg.by_group.people[k],
                agg.by_group.employed[k],
                agg.by_group.wage[k],
                agg.by_group.income[k],
                agg.by_group.wealth[k],
            )
        } else if k == CLASSES {
            (
                agg.owners_people,
                agg.owners_people,
                0.0,
                agg.owners_income,
                agg.owners_wealth,
            )
        } else {
            (
                agg.inventors,
                agg.inventors,
                agg.inventors_income,
                agg.inventors_income,
                agg.inventors_wealth,
            )
        };
        rec.groups.push(GroupRow {
            step,
            year,
            region: name.clone(),
            group,
            people: people * people_per_agent,
            employed: employed * people_per_agent,
            real_wage: if employed > 0.0 { wage / employed } else { 0.0 },
            real_income: if people > 0.0 { income / people } else { 0.0 },
            wealth: if people > 0.0 { wealth / people } else { 0.0 },
        });
    }
}

/// The technology rows: each technology's output share in each region,
/// its firms, its notional real unit cost per unit of labour, and its
/// productivity where known.
fn technology_rows(world: &World, aggs: &[Agg], rec: &mut Records) {
    let (step, year) = (world.clock.step as u32, world.clock.year);
    let tasks = world.params.tasks();
    let costing = Costing::of(world);
    for r in 0..world.params.region_count() {
        let total = aggs[r].industry_output;
        // Each firm's lots are costed once, for every technology's row: the
        // output and capacity of each technology, the firms using it, and
        // the capacity of all the region's firms.
        let techs = world.params.techs();
        let (mut made, mut capacity, mut users) = ([0.0; 64], [0.0; 64], [0u32; 64]);
        let mut by_age = [[0.0; VINTAGES_BY_AGE.len()]; 64];
        let mut all_capacity = 0.0;
        let machines = &world.firms.machines;
        for f in world.economy[r].firms.clone() {
            if !world.firms.alive[f] {
                continue;
            }
            let lots = lot_capacities(world, f, &costing);
            let mut uses = 0u64;
            for t in 0..tasks {
                let weight = world.params.task_labour[t];
                let hand = machines.hand[f * tasks + t];
                if hand > 0.0 {
                    let j = world.firms.choice[f * tasks + t] as usize;
                    made[j] += hand * weight;
                    capacity[j] += hand * weight;
                    uses |= 1 << j;
                }
                all_capacity += hand * weight;
                for (k, units) in machines.lots(f, t).zip(&lots[t]) {
                    if *units > 0.0 {
                        let j = machines.tech[k] as usize;
                        made[j] += machines.used[k] * weight;
                        capacity[j] += units * weight;
                        all_capacity += units * weight;
                        let age = year - f64::from(machines.year[k]);
                        let class = (VINTAGES_BY_AGE.iter())
                            .take_while(|(_, from)| age >= *from)
                            .count()
                            .max(1)
                            - 1;
                        by_age[j][class] += units * weight;
                        uses |= 1 << j;
                    }
                }
            }
            for (j, count) in users.iter_mut().enumerate().take(techs) {
                *count += u32::from(uses & (1 << j) != 0);
            }
        }
        for j in 0..techs {
            let (share, users) = (made[j], users[j]);
            let known = world.knowledge.know(r, j) > 0.0;
            let price = price_level(&world.economy[r]);
            let (economy, builders) = (&world.economy[r], &world.builders);
            let b = builders.of(r, j);
            let machines = world.params.scenario.technologies[j].capital_per_worker > 0.0;
            let cost = known.then(|| {
                (0..tasks)
                    .filter(|&t| world.params.tech_tasks[j] & (1 << t) != 0)
                    .map(|t| {
                        task_cost(&costing, &world.firms, None, r, t, j).unit_cost
                            / world.params.task_labour[t]
                    })
                    .sum::<f64>()
                    / (world.params.tech_tasks[j].count_ones() as f64)
                    / price
            });
            rec.technologies.push(TechRow {
                step,
                year,
                region: world.params.region_name(r).to_string(),
                technology: world.params.scenario.technologies[j].name.clone(),
                kind: world.params.tech_kind[j].name(),
                output_share: output_share(share, total),
                unit_cost: cost,
                productivity: world.knowledge.know(r, j),
                firms_using: users,
                firm_share: f64::from(users) / aggs[r].firms_alive.max(1.0),
                capacity_share: output_share(capacity[j], all_capacity),
                machine_price: machines.then(|| economy.machine_price[j] / economy.rest_price),
                builder_price: machines.then(|| builders.price[b] / economy.rest_price),
                machines_built: machines.then_some(builders.built[b]),
                capacity_by_age: by_age[j].map(|c| output_share(c, all_capacity)),
            });
        }
    }
}

/// The output a quarter each of firm `f`'s lots can make, by task
/// (0 for an empty lot).
fn lot_capacities(world: &World, f: usize, costing: &Costing) -> [[f64; VINTAGES]; 16] {
    let machines = &world.firms.machines;
    let r = world.firms.region[f] as usize;
    let mut units = [[0.0; VINTAGES]; 16];
    for (t, row) in units.iter_mut().enumerate().take(world.params.tasks()) {
        for (slot, k) in machines.lots(f, t).enumerate() {
            if machines.capital[k] > 0.0 {
                let j = machines.tech[k] as usize;
                let embodied = machines.productivity[k] as f64;
                let lot = method_cost(costing, &world.firms, Some(f), r, t, j, embodied);
                row[slot] = machines.capital[k] / lot.capital.max(1e-12);
            }
        }
    }
    units
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
    let employed: f64 = a.by_group.employed.iter().sum();
    let labour_force = employed + a.by_group.unemployed;
    let wage_sum: f64 = a.by_group.wage.iter().sum();
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
            a.by_group.unemployed / labour_force
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
        automated_share: a.rest_automated / a.rest_workers.max(1e-9),
        general_household_share: a.household_owners / a.workers.max(1e-9),
        // Workers in general-technology jobs, and those who use it on
        // their own where the technology allows (the technology phase).
        general_worker_use_share: if employed > 0.0 {
            ((a.by_group.general_jobs + a.general_users) / employed).min(1.0)
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
        grievance_mean: a.by_group.grievance / a.workers.max(1e-9),
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
