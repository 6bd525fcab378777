//! The industry's machines, by vintage: each firm holds, for each task, a
//! few lots of identical machines, each of one technology, with the
//! best-practice productivity of the year it was built. Improvements are
//! embodied in new lots, so a firm's old machines keep their old
//! productivity until it scraps them (Salter 1960), and a firm runs lots of
//! different technologies on one task side by side.
//!
//! Hand methods need no machines and hold no lot: on a task where a firm
//! may work by hand, hand work does what the machines cannot.

/// Lots per firm and task. A fixed number keeps the arrays contiguous and
/// the step free of allocation; a purchase that finds every lot taken is
/// merged into a lot of the same technology, or takes the place of the
/// lot that costs most to run.
pub const VINTAGES: usize = 4;

/// Machine lots, flat `[(firm * tasks + task) * VINTAGES + k]`, and the
/// output made by hand, flat `[firm * tasks + task]`.
#[derive(Clone, Default)]
pub struct Machines {
    /// Tasks per firm: the stride of the flat arrays.
    pub tasks: usize,
    /// Technology of the lot (meaningless while the lot is empty).
    pub tech: Vec<u8>,
    /// Machine capital in the lot, in the units the scenario's
    /// `capital_per_worker` counts; 0 for an empty lot.
    pub capital: Vec<f64>,
    /// Best-practice productivity of the technology in the firm's region
    /// when the lot was bought: the improvements it embodies.
    pub productivity: Vec<f32>,
    /// Year the lot was bought (the capital-weighted mean of the purchases
    /// merged into it): its vintage.
    pub year: Vec<f32>,
    /// Output made with the lot this quarter, units of the good.
    pub used: Vec<f64>,
    /// Output made by hand on the task this quarter, with the firm's hand
    /// method for it (its `choice`).
    pub hand: Vec<f64>,
}

/// Machines bought together: of one technology, with the best-practice
/// productivity of the year they were bought.
#[derive(Clone, Copy, Debug)]
pub struct Purchase {
    pub tech: u8,
    pub capital: f64,
    pub productivity: f32,
    pub year: f32,
}

impl Machines {
    /// Empty lots and hand records for `firms` firms of `tasks` tasks,
    /// allocated once at their exact size.
    pub fn for_firms(tasks: usize, firms: usize) -> Machines {
        let lots = firms * tasks * VINTAGES;
        Machines {
            tasks,
            tech: vec![0; lots],
            capital: vec![0.0; lots],
            productivity: vec![0.0; lots],
            year: vec![0.0; lots],
            used: vec![0.0; lots],
            hand: vec![0.0; firms * tasks],
        }
    }

    /// The indices of the lots of firm `f` on task `t`.
    pub fn lots(&self, f: usize, t: usize) -> std::ops::Range<usize> {
        let first = (f * self.tasks + t) * VINTAGES;
        first..first + VINTAGES
    }

    /// The indices of every lot of firm `f`, all tasks.
    pub fn firm_lots(&self, f: usize) -> std::ops::Range<usize> {
        f * self.tasks * VINTAGES..(f + 1) * self.tasks * VINTAGES
    }

    /// Empties every lot of firm `f` (it exits, or a new firm takes its place).
    pub fn clear_firm(&mut self, f: usize) {
        let lots = self.firm_lots(f);
        self.capital[lots.clone()].fill(0.0);
        self.used[lots].fill(0.0);
        self.hand[f * self.tasks..(f + 1) * self.tasks].fill(0.0);
    }

    /// Puts a purchase among the lots of firm `f` on task `t`: into an
    /// empty lot, else merged into the lot of the same technology whose
    /// productivity is nearest (productivity and year weighted by capital),
    /// else in place of the lot `worst` names (the one that costs most to
    /// run), whose machines are scrapped. Returns the capital scrapped.
    pub fn add(&mut self, f: usize, t: usize, purchase: Purchase, worst: usize) -> f64 {
        let Purchase {
            tech: j,
            capital,
            productivity,
            year,
        } = purchase;
        let lots = self.lots(f, t);
        let empty = lots.clone().find(|&k| self.capital[k] <= 0.0);
        let same = lots
            .clone()
            .filter(|&k| self.tech[k] == j && self.capital[k] > 0.0)
            .min_by(|&a, &b| {
                (self.productivity[a] - productivity)
                    .abs()
                    .total_cmp(&(self.productivity[b] - productivity).abs())
            });
        let (k, scrapped) = match (empty, same) {
            (Some(k), _) => (k, 0.0),
            (None, Some(k)) => {
                let total = self.capital[k] + capital;
                let merged = |old: f32, new: f32| {
                    ((old as f64 * self.capital[k] + new as f64 * capital) / total) as f32
                };
                self.productivity[k] = merged(self.productivity[k], productivity);
                self.year[k] = merged(self.year[k], year);
                self.capital[k] = total;
                return 0.0;
            }
            (None, None) => (worst, self.capital[worst]),
        };
        self.tech[k] = j;
        self.capital[k] = capital;
        self.productivity[k] = productivity;
        self.year[k] = year;
        self.used[k] = 0.0;
        scrapped
    }
}
