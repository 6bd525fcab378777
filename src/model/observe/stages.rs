//! Stage detection from the simulated series (the rule is in docs/ODD.md).
//!
//! Reads:
//! - records: this step's rows of `rec.series` (`special_output_share`,
//!   `general_output_share`, `reorganized_output_share`).
//! - regions: `regions[r].stage`, `regions[r].stage_year`, and when stage 2
//!   begins `regions[r].workers`, `regions[r].cpi`, `regions[r].cpi0`.
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
//! - records: the `stage` of this step's `rec.series` rows, the regions'
//!   and the world's.
//!
//! Stage 1 (local automation) starts the first step special tools make at
//! least `stage1_special_share` of a region's industry output. Stage 2
//! (general technology) starts the first step the general technology makes
//! at least `stage2_general_share`. Stage 3 (reorganization) starts, once in
//! stage 2, the first step the general technology makes at least
//! `stage3_general_share` and reorganized firms at least
//! `stage3_reorganized_share`. Stages never go back.

use crate::model::observe::Records;
use crate::model::world::{EventKind, World, CRAFT, OPERATOR, REST};

/// Updates the regions' stages from the rows just recorded for this step,
/// marks the craft cohort when stage 2 begins, and stamps the rows.
pub fn update(w: &mut World, rec: &mut Records) {
    let nr = w.regions.len();
    let first = rec.series.len() - (nr + 1);
    let rule = w.scenario.stages.clone();
    for r in 0..nr {
        let row = &rec.series[first + r];
        let (special, general, reorganized) = (
            row.special_output_share,
            row.general_output_share,
            row.reorganized_output_share,
        );
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
        rec.series[first + r].stage = w.regions[r].stage;
    }
    let world_stage = w.regions.iter().map(|x| x.stage).max().unwrap_or(1);
    rec.series[first + nr].stage = world_stage;
}
