//! Demand for labour, the labour market's first step: each firm's
//! head-count target by class, its layoff probabilities and vacancies; the
//! rest of the economy's jobs at the marginal revenue product; and the
//! terms every firm and region offers this quarter, held still for search.

use super::{Buffers, OPTIONS};
use crate::model::contracts::Labour;
use crate::model::rest;
use crate::model::world::{refill, CLASSES, CRAFT, CRAFT_SHOP, HIRED, SEEK_REST, UNSKILLED};

/// Head-count targets, layoff probabilities and vacancies of the firms.
pub(super) fn firm_targets(view: &mut Labour, buf: &mut Buffers) {
    let firm_count = view.firms.len();
    let region_count = view.params.region_count();
    let Buffers {
        fire_p,
        vacancies,
        demanded,
        ..
    } = buf;
    refill(fire_p, firm_count, [0.0; CLASSES]);
    refill(vacancies, region_count, [0.0; OPTIONS]);
    refill(demanded, region_count, [0.0; CLASSES]);
    let firms = &mut view.firms;
    for f in 0..firm_count {
        let r = firms.region[f] as usize;
        if !firms.alive[f] {
            firms.target[f] = [0; CLASSES];
            fire_p[f] = [1.0; CLASSES];
            continue;
        }
        if firms.organization[f] == CRAFT_SHOP {
            // Self-employed hand workers are never laid off and no shop
            // advertises for members: the trade grows by young entrants who
            // choose it and shrinks as its workers leave for better pay or
            // retire.
            firms.target[f] = firms.labour[f];
            if view.params.hired_task.is_some() {
                // A shop that pays hands for a task hires as many as keep
                // its members at work, and lets go those a machine has made
                // idle: the hand spinners the jenny and the mule displaced.
                let (members, req) = (firms.labour[f][CRAFT], firms.req[f]);
                let need = if req[CRAFT] > 1e-12 {
                    (req[HIRED] * f64::from(members) / req[CRAFT]).round() as u32
                } else {
                    0
                };
                firms.target[f][HIRED] = need;
                let have = firms.labour[f][HIRED];
                if have > need {
                    let firing_cost = view.politics[r].institutions.firing_cost;
                    fire_p[f][HIRED] =
                        ((have - need) as f64 / have as f64 / (1.0 + firing_cost)) as f32;
                } else {
                    // Unskilled work is one market: a shop's places for
                    // hands are offered with the rest of the economy's.
                    vacancies[r][SEEK_REST as usize] += (need - have) as f64;
                }
            }
            for k in 0..CLASSES {
                demanded[r][k] += firms.target[f][k] as f64;
            }
            continue;
        }
        // Staff for expected sales, not for this quarter's production net of
        // inventory: firms keep their workers through a short glut.
        let planned = firms.expected[f] * 1.05;
        let firing_cost = view.politics[r].institutions.firing_cost;
        for k in 0..CLASSES {
            let target = (firms.req[f][k] * planned).round() as u32;
            firms.target[f][k] = target;
            demanded[r][k] += target as f64;
            let have = firms.labour[f][k];
            if have > target {
                fire_p[f][k] = ((have - target) as f64 / have as f64 / (1.0 + firing_cost)) as f32;
            } else {
                vacancies[r][k] += (target - have) as f64;
            }
        }
    }
}

/// The rest of the economy moves its jobs toward the workers whose
/// marginal revenue product pays the unskilled wage, laying off the excess
/// or offering the shortfall as vacancies.
pub(super) fn rest_jobs(view: &mut Labour, buf: &mut Buffers) {
    let behaviour = view.params.behaviour();
    let Buffers {
        rest_fire_p,
        vacancies,
        ..
    } = buf;
    refill(rest_fire_p, view.params.region_count(), 0.0);
    for (r, region) in view.economy.iter_mut().enumerate() {
        let wanted = rest::labour_wanted(region, region.wage[UNSKILLED]);
        region.rest_jobs += behaviour.rest_adjustment * (wanted - region.rest_jobs);
        let employed = region.rest_employed as f64;
        if employed > region.rest_jobs {
            rest_fire_p[r] = ((employed - region.rest_jobs) / employed) as f32;
        } else {
            vacancies[r][SEEK_REST as usize] += region.rest_jobs - employed;
        }
    }
}

/// The terms on offer, read by the search: each region's wages, and each
/// firm's pay factor and quit rate.
pub(super) fn offers(view: &Labour, buf: &mut Buffers) {
    let Buffers {
        wages, firm_terms, ..
    } = buf;
    wages.clear();
    wages.extend(view.economy.iter().map(|r| r.wage));
    firm_terms.clear();
    firm_terms.extend((0..view.firms.len()).map(|f| {
        (
            view.params.pay_factor(view.firms, f) as f32,
            view.params.quit_rate(view.firms, f) as f32,
        )
    }));
}
