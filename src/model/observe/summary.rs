//! The end-of-run summary: stage dates and who gained and who lost, per
//! region. Computed from the recorded tables and the final worker state.

use crate::model::observe::{Records, GROUPS};
use crate::model::world::{World, PROTEST_WAVE};

/// Real income of one group around the transition. Annual means leave out
/// the quarters with nobody in the group; a year with nobody in it has no
/// mean, and counts as 0 in `before`, `trough` and `end`.
#[derive(Clone, Debug, Default)]
pub struct GroupOutcome {
    /// Mean real income in the year before stage 2 began (the first year if it never did).
    pub before: f64,
    /// Lowest annual mean after that.
    pub trough: f64,
    /// Mean in the last year.
    pub end: f64,
    /// `end / before - 1`; `None` when the group had nobody in either year
    /// (an emptied group has no income to compare, not a loss of all of it).
    pub change: Option<f64>,
    /// The group had members at some point but nobody in the last year.
    pub emptied: bool,
    /// Years after stage 2 began in which the annual mean stayed below `before`.
    pub years_below: f64,
}

#[derive(Clone, Debug, Default)]
pub struct SummaryRow {
    pub region: String,
    pub stage1_year: Option<f64>,
    pub stage2_year: Option<f64>,
    pub stage3_year: Option<f64>,
    pub general_share_end: f64,
    pub protest_waves: u32,
    pub peak_protest: f64,
    /// Protest intensity summed over years (share of workers times years).
    pub protest_years: f64,
    pub craft_cohort_size: f64,
    /// Mean real income of the stage-2 craft cohort from stage 2 to the end,
    /// relative to all workers of the region over the same years.
    pub craft_cohort_relative_lifetime_income: Option<f64>,
    /// The cohort's real income from stage 2 to the end relative to what it
    /// would have earned at its own usual real income when stage 2 began,
    /// minus one (negative: a loss).
    pub craft_cohort_lifetime_change: Option<f64>,
    pub groups: Vec<GroupOutcome>,
}

fn opt(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

pub fn summarize(world: &World, records: &Records) -> Vec<SummaryRow> {
    let steps_per_year = world.params.scenario.steps_per_year as usize;
    let mut rows = Vec::with_capacity(world.economy.len());
    for (r, (economy, stages)) in world.economy.iter().zip(&world.stages).enumerate() {
        let name = world.params.region_name(r);
        let series: Vec<_> = records.series.iter().filter(|s| s.region == name).collect();
        let stage2_step = series.iter().position(|s| s.stage >= 2);
        let mut waves = 0;
        let mut peak: f64 = 0.0;
        let mut protest_years = 0.0;
        let mut was_above = false;
        for s in &series {
            let above = s.protest_intensity >= PROTEST_WAVE;
            if above && !was_above {
                waves += 1;
            }
            was_above = above;
            peak = peak.max(s.protest_intensity);
            protest_years += s.protest_intensity / steps_per_year as f64;
        }
        let mut groups = Vec::with_capacity(GROUPS.len());
        for group in GROUPS {
            let income: Vec<(f64, f64)> = records
                .groups
                .iter()
                .filter(|g| g.region == name && g.group == group)
                .map(|g| (g.people, g.real_income))
                .collect();
            // Annual means over the quarters with someone in the group.
            let annual: Vec<Option<f64>> = income
                .chunks(steps_per_year)
                .map(|c| {
                    let (n, sum) = c
                        .iter()
                        .filter(|(people, _)| *people > 0.0)
                        .fold((0usize, 0.0), |(n, sum), (_, x)| (n + 1, sum + x));
                    (n > 0).then(|| sum / n as f64)
                })
                .collect();
            let pivot = stage2_step.map_or(0, |s| s / steps_per_year);
            let before = if pivot > 0 {
                annual[pivot - 1]
            } else {
                annual.first().copied().flatten()
            };
            let after = &annual[pivot.min(annual.len())..];
            let trough = after
                .iter()
                .flatten()
                .copied()
                .fold(f64::INFINITY, f64::min);
            let end = annual.last().copied().flatten();
            let emptied = end.is_none() && annual.iter().any(Option::is_some);
            groups.push(GroupOutcome {
                before: before.unwrap_or(0.0),
                trough: if trough.is_finite() {
                    trough
                } else {
                    end.unwrap_or(0.0)
                },
                end: end.unwrap_or(0.0),
                change: match (before, end) {
                    (Some(b), Some(e)) if b > 0.0 => Some(e / b - 1.0),
                    _ => None,
                },
                emptied,
                years_below: match (stage2_step, before) {
                    (Some(_), Some(b)) => after.iter().flatten().filter(|&&x| x < b).count() as f64,
                    _ => 0.0,
                },
            });
        }
        // Real income per quarter present since stage 2, for the cohort and
        // for everyone, counting those who have since left the labour force
        // (their records are kept in `leavers`) and, for entrants, only the
        // quarters since they entered.
        let l = &stages.leavers;
        let (mut cohort, mut cohort_income, mut cohort_steps) =
            (l.cohort, l.cohort_income, l.cohort_steps);
        let (mut all_income, mut all_steps) = (l.all_income, l.all_steps);
        // Lifetime income restarts after the step in which stage 2 began.
        let now = series.len().saturating_sub(1) as u32;
        if let Some(s2) = stage2_step {
            for i in economy.workers.clone() {
                let steps = now.saturating_sub((s2 as u32).max(world.workers.entered[i])) as f64;
                all_income += world.workers.lifetime[i];
                all_steps += steps;
                if world.workers.cohort[i] == 1 {
                    cohort += 1.0;
                    cohort_income += world.workers.lifetime[i];
                    cohort_steps += steps;
                }
            }
        }
        let baseline = stages.cohort_baseline;
        let lifetime_change = (cohort > 0.0 && baseline > 0.0 && cohort_steps > 0.0)
            .then(|| cohort_income / cohort_steps / baseline - 1.0);
        rows.push(SummaryRow {
            region: name.to_string(),
            stage1_year: opt(stages.stage_year[0]),
            stage2_year: opt(stages.stage_year[1]),
            stage3_year: opt(stages.stage_year[2]),
            general_share_end: series.last().map_or(0.0, |s| s.general_output_share),
            protest_waves: waves,
            peak_protest: peak,
            protest_years,
            craft_cohort_size: cohort * world.params.scenario.people_per_agent,
            craft_cohort_relative_lifetime_income: (cohort_steps > 0.0 && all_income > 0.0)
                .then(|| (cohort_income / cohort_steps) / (all_income / all_steps)),
            craft_cohort_lifetime_change: lifetime_change,
            groups,
        });
    }
    rows
}
