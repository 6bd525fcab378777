//! The rest of the economy: every producer outside the modelled industry,
//! as one competitive sector per region with capital and labour.
//!
//! It produces with a Cobb-Douglas technology `Y = A K^a L^(1-a)`, where
//! `a` is capital's share of its tasks (`Behaviour::capital_elasticity` at
//! the start, raised by automation and lowered by new tasks; see
//! `Economy::shift_tasks` and the production phase), `K` its capital
//! and `L` its workers. Its price is not a markup on wages:
//! it moves toward the price at which last quarter's spending buys this
//! quarter's output, so the labour share `wL / pY` equals `1 - a` only when
//! the wage equals labour's marginal revenue product, and moves whenever
//! unemployment, bargaining or demand push the wage away from it. Capital is
//! bought from retained earnings toward the stock at which its marginal
//! product pays the user cost, and depreciates. Part of it is the general
//! technologies' machines, bought from the machine builders, in the share
//! of the tasks they took over (`Economy::capital_price`).
//!
//! These are the formulas; the labour market phase uses them to hire and to
//! set the price, the incomes phase to pay wages, invest and pay dividends.

use crate::model::world::Economy;

impl Economy {
    /// Real output of the rest of the economy with its current workers and capital.
    pub fn rest_output(&self) -> f64 {
        output(
            self.rest_productivity,
            self.rest_capital,
            self.rest_employed as f64,
            self.rest_alpha,
        )
    }

    /// Moves capital's share of the rest of the economy's tasks by
    /// `change`. Automation (a positive change) rescales productivity so
    /// that output with the present workers and capital is unchanged: it
    /// pays through the capital it attracts, not at once. New tasks for
    /// labour (a negative change) are as productive as the ones machines
    /// took (Acemoglu and Restrepo 2019): productivity is rescaled so that
    /// output is unchanged once capital has fallen back to the stock the
    /// smaller capital share wants, which is in proportion to that share.
    /// Without this, handing tasks back would undo the gains of automation
    /// as the capital it attracted wore out.
    pub fn shift_tasks(&mut self, change: f64) {
        let l = (self.rest_employed as f64).max(1.0);
        if self.rest_capital > 0.0 {
            self.rest_productivity *= (self.rest_capital / l).powf(-change);
            self.rest_productivity *= new_task_gain(self.rest_alpha, change);
        }
        self.rest_alpha += change;
    }

    /// Share of the rest of the economy's capital, by value, held as
    /// technology `j`'s machines: capital's share of the tasks beyond
    /// `alpha0`, the share before any general technology, over all of
    /// capital's share, split between the general technologies in
    /// proportion to the tasks each took over.
    pub fn machine_share(&self, alpha0: f64, j: usize) -> f64 {
        let automated: f64 = self.rest_automated.iter().sum();
        if automated <= 0.0 || self.rest_alpha <= 0.0 {
            return 0.0;
        }
        (self.rest_alpha - alpha0).max(0.0) / self.rest_alpha * self.rest_automated[j] / automated
    }

    /// Price of a unit of the rest of the economy's capital: a
    /// Cobb-Douglas composite of its own good and the general technologies'
    /// machines, each weighted by its share of capital's value, so that
    /// spending on capital splits in those shares and a machine that gets
    /// cheaper makes capital cheaper in proportion to the tasks it does.
    pub fn capital_price(&self, alpha0: f64) -> f64 {
        let own = self.rest_price.ln();
        let mut log_price = own;
        for (j, &price) in self.machine_price.iter().enumerate() {
            let share = self.machine_share(alpha0, j);
            if share > 0.0 && price > 0.0 {
                log_price += share * (price.ln() - own);
            }
        }
        log_price.exp()
    }
}

/// The productivity factor by which new tasks (a negative `change` in
/// capital's share `alpha`) keep output at the smaller capital stock they
/// want, on top of keeping it at the present one (see
/// `Economy::shift_tasks`); 1 for automation.
fn new_task_gain(alpha: f64, change: f64) -> f64 {
    if change < 0.0 {
        let after = alpha + change;
        (alpha / after).powf(after)
    } else {
        1.0
    }
}

/// `A K^a L^(1-a)`.
pub fn output(productivity: f64, capital: f64, labour: f64, alpha: f64) -> f64 {
    if labour <= 0.0 || capital <= 0.0 {
        return 0.0;
    }
    productivity * capital.powf(alpha) * labour.powf(1.0 - alpha)
}

/// Workers the rest of the economy wants: as many as are worth their wage
/// (marginal revenue product equal to the wage) at the current price. Weak
/// demand reaches hiring through the price, which falls until what is made
/// sells; a wage slow to follow it then leaves workers without jobs.
pub fn labour_wanted(reg: &Economy, wage: f64) -> f64 {
    let alpha = reg.rest_alpha;
    let (a, k, p) = (reg.rest_productivity, reg.rest_capital, reg.rest_price);
    if k <= 0.0 || wage <= 0.0 || p <= 0.0 || a <= 0.0 {
        return 0.0;
    }
    k * ((1.0 - alpha) * p * a / wage).powf(1.0 / alpha)
}

/// Labour's marginal revenue product at the current head count.
pub fn marginal_revenue_product(reg: &Economy) -> f64 {
    let l = reg.rest_employed as f64;
    if l <= 0.0 {
        return 0.0;
    }
    (1.0 - reg.rest_alpha) * reg.rest_price * reg.rest_output() / l
}

/// The capital stock at which capital's marginal revenue product pays its
/// quarterly user cost `user_cost` at the capital price `capital_price`:
/// `a p Y / K = capital price x user cost`.
pub fn capital_wanted(reg: &Economy, user_cost: f64, capital_price: f64) -> f64 {
    reg.rest_alpha * reg.rest_price * reg.rest_output() / (capital_price * user_cost).max(1e-12)
}

/// The steady state of a region's rest of the economy at a price of 1:
/// capital at its wanted level for `workers` workers each making `per_worker`,
/// and the productivity that makes them do so. Returns `(capital, productivity)`.
pub fn steady_state(per_worker: f64, workers: f64, alpha: f64, user_cost: f64) -> (f64, f64) {
    let capital_per_worker = alpha * per_worker / user_cost.max(1e-9);
    let productivity = per_worker / capital_per_worker.powf(alpha);
    (capital_per_worker * workers, productivity)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Handing tasks back to labour keeps output once capital has settled
    /// at its new wanted stock, so automation followed by as many new tasks
    /// leaves output per worker higher than before, by the capital that
    /// automation attracted.
    #[test]
    fn new_tasks_keep_output_at_the_capital_they_want() {
        let (user_cost, alpha, step) = (0.03, 0.35, 0.1);
        let (k0, a0) = steady_state(1.0, 1.0, alpha, user_cost);
        // Automation at the present capital keeps output at 1 at first.
        let a1 = a0 * k0.powf(-step) * new_task_gain(alpha, step);
        assert!((output(a1, k0, 1.0, alpha + step) - 1.0).abs() < 1e-12);
        // Capital then grows to its new wanted stock, a fixed point of
        // `K = a Y / user cost`, and output with it.
        let mut k1 = k0;
        for _ in 0..2000 {
            k1 = (alpha + step) * output(a1, k1, 1.0, alpha + step) / user_cost;
        }
        let y1 = output(a1, k1, 1.0, alpha + step);
        assert!(y1 > 1.2, "automation pays through capital: {y1}");
        // New tasks give the share back; once capital has fallen to the
        // stock the old share wants, output is still y1.
        let a2 = a1 * k1.powf(step) * new_task_gain(alpha + step, -step);
        let k2 = k1 * alpha / (alpha + step);
        let y2 = output(a2, k2, 1.0, alpha);
        assert!((y2 - y1).abs() < 1e-9 * y1, "{y2} against {y1}");
    }
}
