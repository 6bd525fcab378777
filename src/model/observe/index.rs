//! Real output as a chained Fisher quantity index.
//!
//! Real output must not value a good at its price in the first year for
//! ever: the power loom cut the price of cloth by four fifths while its
//! quantity rose many times, and at 1730 prices cloth would weigh in real
//! output as if it were still dear. So each step's growth is measured at
//! the prices of the two steps it joins, with Fisher's ideal index, and the
//! links are multiplied into a level (as national accounts chain their
//! volume measures):
//!
//! ```text
//! L = Σ p0 q1 / Σ p0 q0          (Laspeyres: at last step's prices)
//! P = Σ p1 q1 / Σ p1 q0          (Paasche: at this step's prices)
//! F = sqrt(L P)
//! real_t = real_{t-1} F          real_0 = Σ p q at step 0 (nominal)
//! ```
//!
//! so the level is in the money of the first step. Guards: a good that sells
//! nothing in a step has no price of its own then and keeps the price last
//! observed, so a good that disappears counts as a fall in quantity at that
//! price; a good never priced before (new this step) cannot enter Laspeyres,
//! and the link is then Paasche alone (and Laspeyres alone in the converse
//! case); when the last step's basket was worth nothing neither is defined,
//! and the level restarts from this step's nominal value deflated by the
//! chain's last implicit price level (nominal over real).

/// A price that can value a quantity: positive and finite. Any other price
/// (NaN by convention) means that none was observed.
fn known(p: f64) -> bool {
    p.is_finite() && p > 0.0
}

/// Laspeyres quantity index from step 0 to step 1: this step's quantities
/// over last step's, both at last step's prices. `None` when a good with a
/// quantity now had no price then, or when last step's basket was worth
/// nothing.
pub fn laspeyres(p0: &[f64], q0: &[f64], p1: &[f64], q1: &[f64]) -> Option<f64> {
    debug_assert_eq!(p0.len(), p1.len());
    quantity_ratio(p0, q0, q1)
}

/// Paasche quantity index from step 0 to step 1: both steps' quantities at
/// this step's prices. `None` when a good with a quantity last step has no
/// price now, or when last step's quantities are worth nothing now.
pub fn paasche(p0: &[f64], q0: &[f64], p1: &[f64], q1: &[f64]) -> Option<f64> {
    debug_assert_eq!(p0.len(), p1.len());
    quantity_ratio(p1, q0, q1)
}

/// Σ p q1 / Σ p q0, if every good with a quantity in either step has a price.
fn quantity_ratio(p: &[f64], q0: &[f64], q1: &[f64]) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for ((&p, &a), &b) in p.iter().zip(q0).zip(q1) {
        if known(p) {
            num += p * b;
            den += p * a;
        } else if a > 0.0 || b > 0.0 {
            return None;
        }
    }
    (den > 0.0 && num.is_finite()).then(|| num / den)
}

/// Fisher's ideal quantity index from step 0 to step 1, the geometric mean
/// of Laspeyres and Paasche; whichever of the two is defined when the other
/// is not; `None` when neither is.
pub fn fisher(p0: &[f64], q0: &[f64], p1: &[f64], q1: &[f64]) -> Option<f64> {
    match (laspeyres(p0, q0, p1, q1), paasche(p0, q0, p1, q1)) {
        (Some(l), Some(p)) => Some((l * p).sqrt()),
        (l, p) => l.or(p),
    }
}

/// A chained Fisher index: the prices and quantities of the last step, and
/// the level reached.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    /// Last observed price per good (NaN: none yet).
    prices: Vec<f64>,
    quantities: Vec<f64>,
    level: f64,
    /// Nominal value over level at the last step where both were positive.
    deflator: f64,
    started: bool,
    /// This step's prices and quantities while they are linked (kept to
    /// spare an allocation per step).
    next_prices: Vec<f64>,
    next_quantities: Vec<f64>,
}

impl Chain {
    /// Adds a step with these prices and quantities (a price that is not
    /// positive and finite: none observed this step) and returns the new
    /// level. The first step's level is its nominal value.
    pub fn next(&mut self, prices: &[f64], quantities: &[f64]) -> f64 {
        debug_assert_eq!(prices.len(), quantities.len());
        if self.prices.len() != prices.len() {
            // A different set of goods (never within a run): start afresh.
            *self = Chain {
                prices: vec![f64::NAN; prices.len()],
                ..Chain::default()
            };
        }
        let mut p1 = std::mem::take(&mut self.next_prices);
        let mut q1 = std::mem::take(&mut self.next_quantities);
        p1.clear();
        p1.extend(
            prices
                .iter()
                .zip(&self.prices)
                .map(|(&p, &last)| if known(p) { p } else { last }),
        );
        q1.clear();
        q1.extend(quantities.iter().map(|&q| q.max(0.0)));
        let nominal: f64 = p1
            .iter()
            .zip(&q1)
            .filter(|(p, _)| known(**p))
            .map(|(p, q)| p * q)
            .sum();
        self.level = if !self.started {
            nominal
        } else {
            match fisher(&self.prices, &self.quantities, &p1, &q1) {
                Some(link) => self.level * link,
                None if self.deflator > 0.0 => nominal / self.deflator,
                None => nominal,
            }
        };
        if self.level > 0.0 && nominal > 0.0 {
            self.deflator = nominal / self.level;
        }
        self.started = true;
        self.next_prices = std::mem::replace(&mut self.prices, p1);
        self.next_quantities = std::mem::replace(&mut self.quantities, q1);
        self.level
    }

    /// The level reached at the last step (0 before any).
    pub fn level(&self) -> f64 {
        self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn at_constant_prices_the_chain_is_the_value_at_those_prices() {
        let mut ones = Chain::default();
        let mut priced = Chain::default();
        let path = [
            [10.0, 5.0],
            [12.0, 4.0],
            [0.0, 9.0],
            [30.0, 1.0],
            [7.0, 7.0],
        ];
        for q in path {
            assert!(close(ones.next(&[1.0, 1.0], &q), q[0] + q[1]));
            assert!(close(priced.next(&[2.0, 3.0], &q), 2.0 * q[0] + 3.0 * q[1]));
        }
    }

    #[test]
    fn a_cheapening_good_grows_between_laspeyres_and_paasche_far_below_start_prices() {
        // Good 0: price falls 80% while its quantity rises 5-fold, smoothly;
        // good 1 stays put. At the start both are worth 10.
        let steps = 40;
        let (p_start, q_start) = ([1.0, 1.0], [10.0, 10.0]);
        let (p_end, q_end) = ([0.2, 1.0], [50.0, 10.0]);
        let mut chain = Chain::default();
        let first = chain.next(&p_start, &q_start);
        let mut level = first;
        for k in 1..=steps {
            let s = k as f64 / steps as f64;
            let p = [0.2f64.powf(s), 1.0];
            let q = [10.0 * 5.0f64.powf(s), 10.0];
            level = chain.next(&p, &q);
        }
        let growth = level / first;
        let l = laspeyres(&p_start, &q_start, &p_end, &q_end).unwrap();
        let p = paasche(&p_start, &q_start, &p_end, &q_end).unwrap();
        // At start prices output triples; at end prices it grows by 5/3.
        assert!(close(l, 3.0) && close(p, 20.0 / 12.0), "{l} {p}");
        assert!(p < growth && growth < l, "{p} < {growth} < {l}");
        // The good's value share stays a half, so the chain grows by sqrt(5).
        assert!((growth - 5.0f64.sqrt()).abs() < 0.01, "{growth}");
        // Far below what start prices say (the old measure): 2.24 against 3.
        assert!(growth < 0.8 * l, "{growth} against {l}");
        // One link over the whole span lies between its bounds too.
        let one = fisher(&p_start, &q_start, &p_end, &q_end).unwrap();
        assert!(p < one && one < l && close(one, (l * p).sqrt()));
    }

    #[test]
    fn there_and_back_returns_to_the_start() {
        let a = ([1.0, 2.0, 0.5], [10.0, 3.0, 8.0]);
        let b = ([0.3, 2.5, 0.7], [41.0, 2.0, 9.0]);
        let c = ([0.1, 3.0, 0.4], [90.0, 1.0, 12.0]);
        let mut chain = Chain::default();
        let start = chain.next(&a.0, &a.1);
        for (p, q) in [&b, &c, &b, &a] {
            chain.next(p, q);
        }
        assert!(close(chain.level(), start), "{} {start}", chain.level());
        let there = fisher(&a.0, &a.1, &c.0, &c.1).unwrap();
        let back = fisher(&c.0, &c.1, &a.0, &a.1).unwrap();
        assert!(close(there * back, 1.0));
    }

    #[test]
    fn a_good_missing_in_one_step_keeps_the_chain_defined() {
        let mut chain = Chain::default();
        chain.next(&[2.0, 1.0], &[10.0, 10.0]);
        // The first good sells nothing and has no price: valued at its last.
        let dropped = chain.next(&[f64::NAN, 1.0], &[0.0, 10.0]);
        assert!(close(dropped, 10.0), "{dropped}");
        // It comes back at a new price: Fisher with the carried price.
        let back = chain.next(&[1.0, 1.0], &[10.0, 10.0]);
        let link = fisher(&[2.0, 1.0], &[0.0, 10.0], &[1.0, 1.0], &[10.0, 10.0]).unwrap();
        assert!(close(back, dropped * link) && back > dropped);
        // A good never priced before enters through Paasche alone.
        let mut chain = Chain::default();
        chain.next(&[f64::NAN, 1.0], &[0.0, 10.0]);
        assert_eq!(
            laspeyres(&[f64::NAN, 1.0], &[0.0, 10.0], &[1.0, 1.0], &[5.0, 10.0]),
            None
        );
        let new = chain.next(&[1.0, 1.0], &[5.0, 10.0]);
        assert!(close(new, 15.0), "{new}");
        // An empty basket restarts from the nominal value at the chain's price level.
        let mut chain = Chain::default();
        chain.next(&[1.0, 1.0], &[10.0, 10.0]);
        chain.next(&[0.5, 1.0], &[20.0, 10.0]);
        let deflator = 20.0 / chain.level();
        assert_eq!(chain.next(&[0.5, 1.0], &[0.0, 0.0]), 0.0);
        let restarted = chain.next(&[0.5, 1.0], &[20.0, 10.0]);
        assert!(close(restarted, 20.0 / deflator), "{restarted}");
    }
}
