//! Wages and the rest of the economy's price, the labour market's last
//! step: wages move with excess demand for each class, downward more
//! slowly where unions are strong, toward labour's marginal revenue product
//! by bargaining, and with the cost of living by indexation; the rest of
//! the economy's productivity grows and its price moves toward the one
//! that clears its market.

use super::Buffers;
use crate::model::contracts::Labour;
use crate::model::rest;
use crate::model::world::{CLASSES, CRAFT, GENERAL, OPERATOR, UNSKILLED};

/// Moves each region's wages and the rest of the economy's price, from the
/// demand of the first step and the supply counted after hiring.
pub(super) fn adjust(view: &mut Labour, buf: &mut Buffers) {
    let behaviour = view.params.behaviour();
    let steps_per_year = view.params.steps_per_year();
    let Buffers {
        demanded, tallies, ..
    } = buf;
    let sum = &tallies[0];
    for (r, region) in view.economy.iter_mut().enumerate() {
        region.rest_employed = sum.rest_employed[r];
        // Unskilled work: the rest of the economy's jobs and any hands the
        // hand shops hire (counted with the firms above).
        demanded[r][UNSKILLED] += region.rest_jobs;
        let institutions = &view.politics[r].institutions;
        // Bargaining: workers win `wage_passthrough` of the gap between the
        // unskilled wage and labour's marginal revenue product in the rest
        // of the economy each year, and every class's pay moves with it.
        let mrp = rest::marginal_revenue_product(region);
        let gap = if mrp > 0.0 {
            (mrp / region.wage[UNSKILLED] - 1.0).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        let bargained = institutions.wage_passthrough * gap / steps_per_year;
        // Wage setters bargain over real pay: last quarter's change in the
        // cost of living passes into every wage (Blanchard and Katz 1999),
        // so deflation alone neither raises real wages nor costs jobs.
        let indexed = (region.cpi / region.cpi_last).powf(behaviour.wage_indexation);
        for k in 0..CLASSES {
            let (demand, supply) = (demanded[r][k], f64::from(sum.supply[r][k]));
            let excess = if supply > 0.0 {
                ((demand - supply) / supply).clamp(-0.5, 0.5)
            } else if demand > 0.0 {
                0.5
            } else {
                0.0
            };
            let mut change = behaviour.wage_adjustment * excess;
            if change < 0.0 {
                change *= 1.0 - institutions.union_strength;
            }
            region.wage[k] *= (1.0 + change) * (1.0 + bargained) * indexed;
        }
        // Floors. General-technology workers can always take an unskilled
        // job, so their wage never falls below it. Hand workers, with or
        // without special tools, are attached to their trade and can fall to
        // subsistence (a fifth of the unskilled wage) or the legal minimum.
        let unskilled = region.wage[UNSKILLED];
        for k in [CRAFT, OPERATOR] {
            region.wage[k] = region.wage[k].max(unskilled * institutions.minimum_wage.max(0.2));
        }
        region.wage[GENERAL] = region.wage[GENERAL].max(unskilled);
        // Output per worker grows at the scenario's rate in the steady
        // state when total factor productivity grows at its `1 - a` power.
        region.rest_productivity *= (1.0 + region.rest_productivity_growth)
            .powf((1.0 - region.rest_alpha) / steps_per_year);
        // The price moves toward the one at which last quarter's spending
        // buys what the rest of the economy now makes.
        let made = region.rest_output();
        if made > 0.0 && region.rest_sales_last > 0.0 {
            let clearing = region.rest_sales_last / made;
            region.rest_price *= (clearing / region.rest_price).powf(behaviour.price_adjustment);
        }
    }
}
