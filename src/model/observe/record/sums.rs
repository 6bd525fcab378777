//! The additive sums from which the series and group rows are derived:
//! over a region's workers, and over everything a region's rows report.
//! Sums over regions give the world's.

use crate::model::world::{RegionFlows, CLASSES};

/// Additive sums over a region's workers.
#[derive(Clone, Copy, Default)]
pub(super) struct WorkerSums {
    pub(super) people: [f64; CLASSES],
    pub(super) employed: [f64; CLASSES],
    pub(super) wage: [f64; CLASSES],
    pub(super) income: [f64; CLASSES],
    pub(super) wealth: [f64; CLASSES],
    pub(super) unemployed: f64,
    pub(super) general_jobs: f64,
    pub(super) grievance: f64,
}

impl WorkerSums {
    pub(super) fn add(&mut self, o: &WorkerSums) {
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
pub(super) struct Agg {
    /// The workers' sums, by group.
    pub(super) by_group: WorkerSums,
    pub(super) price_weighted: f64,
    pub(super) craft_wage_weighted: f64,
    pub(super) craft_weight: f64,
    pub(super) shop_hands: f64,
    pub(super) real_output: f64,
    pub(super) nominal_output: f64,
    pub(super) industry_output: f64,
    pub(super) by_kind: [f64; 3],
    pub(super) reorganized: f64,
    pub(super) firms_alive: f64,
    pub(super) firms_general: f64,
    pub(super) general_users: f64,
    pub(super) top: f64,
    pub(super) leader: Option<(f64, f64, f64, f64)>,
    pub(super) general_cost: f64,
    pub(super) general_cost_weight: f64,
    pub(super) protesters: f64,
    pub(super) owners_people: f64,
    pub(super) owners_income: f64,
    pub(super) owners_wealth: f64,
    pub(super) inventors: f64,
    pub(super) inventors_income: f64,
    pub(super) inventors_wealth: f64,
    pub(super) flows: RegionFlows,
    pub(super) workers: f64,
    /// Workers of the rest of the economy, and the same weighted by the
    /// share of its tasks that general technologies do now.
    pub(super) rest_workers: f64,
    pub(super) rest_automated: f64,
    /// Households (one per worker) that own a general technology's machine.
    pub(super) household_owners: f64,
}

impl Agg {
    pub(super) fn add(&mut self, o: &Agg) {
        self.by_group.add(&o.by_group);
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
        self.rest_workers += o.rest_workers;
        self.rest_automated += o.rest_automated;
        self.household_owners += o.household_owners;
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
