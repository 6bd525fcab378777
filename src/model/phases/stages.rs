//! Stages: the dates of the transition's stages (the rule is in
//! docs/ODD.md) and the craft cohort that stage 2 displaces. The labour
//! market reads the date stage 2 began, and incomes and careers follow the
//! cohort, so they are the model's own state, computed here as a phase;
//! observation only reads them.
//!
//! Its contract is `contracts::StagesPhase`.
//!
//! Stage 1 (local automation) starts the first step special tools make at
//! least `stage1_special_share` of a region's industry output. Stage 2
//! (general technology) starts the first step the general technology makes
//! at least `stage2_general_share`. Stage 3 (reorganization) starts, once in
//! stage 2, the first step the general technology makes at least
//! `stage3_general_share` and reorganized firms at least
//! `stage3_reorganized_share`. The shares are those the series table
//! records for the step (`output_share`). Stages never go back.

use crate::model::contracts::StagesPhase;
use crate::model::world::{output_share, EventKind, Workers, CRAFT, OPERATOR, REST};
use crate::scenario::TechKind;

/// Advances each region's stage from this step's output shares, and marks
/// the craft cohort when stage 2 begins.
pub fn stages(view: StagesPhase<'_>) {
    let rule = &view.params.scenario.stages;
    let year = view.clock.year;
    for (r, (economy, stages)) in view.economy.iter().zip(view.stages.iter_mut()).enumerate() {
        let (by_kind, reorganized, total) = view.params.output_shares(view.firms, economy);
        let special = output_share(by_kind[TechKind::Special as usize], total);
        let general = output_share(by_kind[TechKind::General as usize], total);
        let reorganized = output_share(reorganized, total);
        let mut began = None;
        if stages.stage_year[0].is_nan() && special >= rule.stage1_special_share {
            stages.stage_year[0] = year;
            began = Some(1);
        }
        if stages.stage < 2 && general >= rule.stage2_general_share {
            stages.stage = 2;
            stages.stage_year[1] = year;
            began = Some(2);
            stages.cohort_baseline = mark_cohort(view.workers, economy, economy.cpi / economy.cpi0);
        }
        if stages.stage == 2
            && general >= rule.stage3_general_share
            && reorganized >= rule.stage3_reorganized_share
        {
            stages.stage = 3;
            stages.stage_year[2] = year;
            began = Some(3);
        }
        if let Some(s) = began {
            let detail = format!("stage {s} begins in {}", view.params.region_name(r));
            view.events.record(
                view.params,
                view.clock,
                r,
                EventKind::Stage,
                s as f64,
                &detail,
            );
        }
    }
}

/// The cohort whose fate the summary follows, marked when stage 2 begins:
/// the hand trades the general technology displaces (craft workers and
/// special-tool operators in the industry now), with their mean usual real
/// income at the region's price level `price` as the baseline, returned.
/// Lifetime income counts from here, for everyone in the region, so the
/// cohort and its neighbours share one window.
fn mark_cohort(workers: &mut Workers, economy: &crate::model::world::Economy, price: f64) -> f64 {
    let (mut members, mut baseline) = (0.0, 0.0);
    for i in economy.workers.clone() {
        let e = workers.employer[i];
        let class = workers.class[i] as usize;
        if e < REST && (class == CRAFT || class == OPERATOR) {
            workers.cohort[i] = 1;
            members += 1.0;
            baseline += f64::from(workers.reference[i]) / price;
        }
        workers.lifetime[i] = 0.0;
    }
    if members > 0.0 {
        baseline / members
    } else {
        0.0
    }
}
