//! Stages: the dates of the transition's stages (the rule is in
//! docs/ODD.md) and the craft cohort that stage 2 displaces. The labour
//! market reads the date stage 2 began, and incomes and careers follow the
//! cohort, so they are the model's own state, computed here as a phase;
//! observation only reads them.
//!
//! Reads:
//! - firms (through `output_shares`): `firms.alive`, `firms.output`,
//!   `firms.choice`, `firms.org`.
//! - regions: `regions[r].firms`, `regions[r].stage`,
//!   `regions[r].stage_year`, and when stage 2 begins `regions[r].workers`,
//!   `regions[r].cpi`, `regions[r].cpi0`.
//! - workers (when stage 2 begins in their region): `workers.employer`,
//!   `workers.class`, `workers.reference`.
//! - scenario: `scenario.stages` (`stage1_special_share`,
//!   `stage2_general_share`, `stage3_general_share`,
//!   `stage3_reorganized_share`).
//!
//! Writes:
//! - regions: `regions[r].stage`, `regions[r].stage_year`,
//!   `regions[r].cohort_baseline`.
//! - workers (when stage 2 begins in their region): `workers.cohort`,
//!   `workers.lifetime` (reset to 0 for every worker of the region).
//! - events: `Stage`.
//!
//! Stage 1 (local automation) starts the first step special tools make at
//! least `stage1_special_share` of a region's industry output. Stage 2
//! (general technology) starts the first step the general technology makes
//! at least `stage2_general_share`. Stage 3 (reorganization) starts, once in
//! stage 2, the first step the general technology makes at least
//! `stage3_general_share` and reorganized firms at least
//! `stage3_reorganized_share`. The shares are those the series table
//! records for the step (`output_share`). Stages never go back.

use crate::model::world::{output_share, EventKind, World, CRAFT, OPERATOR, REST};
use crate::scenario::TechKind;

/// Advances each region's stage from this step's output shares, and marks
/// the craft cohort when stage 2 begins.
pub fn stages(w: &mut World) {
    let rule = w.scenario.stages.clone();
    for r in 0..w.regions.len() {
        let (by_kind, reorganized, total) = w.output_shares(r);
        let special = output_share(by_kind[TechKind::Special as usize], total);
        let general = output_share(by_kind[TechKind::General as usize], total);
        let reorganized = output_share(reorganized, total);
        let year = w.year;
        let reg = &mut w.regions[r];
        let mut began = None;
        if reg.stage_year[0].is_nan() && special >= rule.stage1_special_share {
            reg.stage_year[0] = year;
            began = Some(1);
        }
        if reg.stage < 2 && general >= rule.stage2_general_share {
            reg.stage = 2;
            reg.stage_year[1] = year;
            began = Some(2);
            // The cohort whose fate the summary follows: the hand trades the
            // general technology displaces (craft workers and special-tool
            // operators in the industry now), with their usual real income
            // as the baseline. Lifetime income counts from here, for everyone
            // in the region, so the cohort and its neighbours share one window.
            let price = reg.cpi / reg.cpi0;
            let (mut members, mut baseline) = (0.0, 0.0);
            for i in reg.workers.clone() {
                let e = w.workers.employer[i];
                let class = w.workers.class[i] as usize;
                if e < REST && (class == CRAFT || class == OPERATOR) {
                    w.workers.cohort[i] = 1;
                    members += 1.0;
                    baseline += f64::from(w.workers.reference[i]) / price;
                }
                w.workers.lifetime[i] = 0.0;
            }
            let reg = &mut w.regions[r];
            reg.cohort_baseline = if members > 0.0 {
                baseline / members
            } else {
                0.0
            };
        }
        let reg = &mut w.regions[r];
        if reg.stage == 2
            && general >= rule.stage3_general_share
            && reorganized >= rule.stage3_reorganized_share
        {
            reg.stage = 3;
            reg.stage_year[2] = year;
            began = Some(3);
        }
        if let Some(s) = began {
            let detail = format!("stage {s} begins in {}", reg.name);
            w.event(r, EventKind::Stage, s as f64, &detail);
        }
    }
}
