//! The points of a sweep's design, each made from its index alone: a
//! design of millions of points is checked and run without holding them.

use super::design::{Design, Point, Range, SweepFile};
use super::sobol::sobol_point;
use crate::analysis::provenance::scenario_hash;
use crate::model::rng::mix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The points of a design, each made from its index alone, so that a
/// design can be checked point by point without holding its points. Only a
/// Latin hypercube keeps anything: its shuffled columns (one number per
/// point and range), which every point reads.
pub struct Points<'a> {
    sweep: &'a SweepFile,
    count: usize,
    latin_columns: Vec<Vec<f64>>,
}

impl<'a> Points<'a> {
    pub(super) fn new(sweep: &'a SweepFile) -> Points<'a> {
        let count = sweep.point_count().unwrap_or(0) as usize;
        let latin_columns = match &sweep.design {
            Design::LatinHypercube { points, ranges } => {
                let mut rng = ChaCha8Rng::seed_from_u64(mix(sweep.master_seed ^ 0x4c48_5300));
                (0..ranges.len())
                    .map(|_| {
                        let mut slots: Vec<usize> = (0..*points).collect();
                        for i in (1..slots.len()).rev() {
                            let j = rng.random_range(0..=i);
                            slots.swap(i, j);
                        }
                        slots
                            .iter()
                            .map(|&s| (s as f64 + rng.random::<f64>()) / *points as f64)
                            .collect()
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        Points {
            sweep,
            count,
            latin_columns,
        }
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Point `i` (below `len()`), the same whether made alone or with all
    /// the others: grids vary their last axis fastest; Saltelli's design
    /// gives each row its A, B and AB_i points in turn.
    pub fn point(&self, i: usize) -> Point {
        let scaled = |ranges: &[Range], unit: &[f64]| -> Vec<(String, String)> {
            ranges
                .iter()
                .zip(unit)
                .map(|(r, u)| (r.path.clone(), format!("{}", r.low + u * (r.high - r.low))))
                .collect()
        };
        match &self.sweep.design {
            Design::Grid(axes) => {
                let mut rest = i;
                let mut values = vec![(String::new(), String::new()); axes.len()];
                for (k, axis) in axes.iter().enumerate().rev() {
                    let n = axis.values.len();
                    values[k] = (axis.path.clone(), axis.values[rest % n].clone());
                    rest /= n;
                }
                // The id hashes the values, so adding values to an axis
                // leaves the other points' ids (and seeds) alone.
                let mut point = Point {
                    id: String::new(),
                    saltelli: None,
                    values,
                };
                point.id = format!(
                    "g{:012x}",
                    mix(
                        u64::from_str_radix(&scenario_hash(&point.assignments().join(";")), 16)
                            .unwrap_or(0)
                    ) >> 16
                );
                point
            }
            Design::LatinHypercube { points, ranges } => {
                let unit: Vec<f64> = self.latin_columns.iter().map(|c| c[i]).collect();
                Point {
                    id: format!("lhs{points}-{i:06}"),
                    saltelli: None,
                    values: scaled(ranges, &unit),
                }
            }
            Design::Sobol { ranges, .. } => Point {
                id: format!("sobol-{i:06}"),
                saltelli: None,
                values: scaled(ranges, &sobol_point(i as u64 + 1, ranges.len())),
            },
            Design::Saltelli { ranges, .. } => {
                let k = ranges.len();
                let (j, within) = (i / (k + 2), i % (k + 2));
                // Skip the all-zero first point of the sequence.
                let both = sobol_point(j as u64 + 1, 2 * k);
                let (a, b) = both.split_at(k);
                let (block, unit) = match within {
                    0 => ("A".to_string(), a.to_vec()),
                    1 => ("B".to_string(), b.to_vec()),
                    m => {
                        let mut ab = a.to_vec();
                        ab[m - 2] = b[m - 2];
                        (format!("AB{}", m - 2), ab)
                    }
                };
                Point {
                    id: format!("saltelli-{j:06}-{block}"),
                    saltelli: Some((j, block)),
                    values: scaled(ranges, &unit),
                }
            }
        }
    }
}
