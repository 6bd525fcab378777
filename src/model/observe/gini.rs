//! The Gini coefficient of a step's incomes, counted by value.
//!
//! Incomes in the model take few distinct values: a worker's is set by
//! employer, class and relief, and every owner household of a region has
//! the same. So rather than sorting a hundred thousand incomes each step,
//! `Incomes` counts each distinct value in an open-addressing table, sorts
//! the few thousand distinct values, and sums the ranks of a run of equal
//! values in closed form. For sorted values x₍₁₎ ≤ … ≤ x₍ₙ₎,
//!
//! ```text
//! G = 2 Σᵢ i x₍ᵢ₎ / (n Σᵢ x₍ᵢ₎) − (n + 1) / n
//! ```
//!
//! and a value v met c times after a earlier values holds ranks a+1 … a+c,
//! whose sum is c a + c (c + 1) / 2. The cost is linear in the number of
//! incomes, and the memory is kept between steps, so recording allocates
//! nothing once the table has grown to the number of distinct values.

/// A slot of the table: the bits of a value and how often it was met. A
/// count of zero marks an empty slot, so every bit pattern, NaN included,
/// can be a key.
#[derive(Clone, Copy, Default)]
struct Slot {
    bits: u64,
    count: u64,
}

/// Incomes counted by value, region by region; see the module's comment.
#[derive(Default)]
pub struct Incomes {
    table: Vec<Slot>,
    used: usize,
    /// Every region's distinct values and counts so far this step, each
    /// region's run sorted by value.
    counted: Vec<(f64, f64)>,
    /// Where this step's current region begins in `counted`.
    region_start: usize,
}

impl Incomes {
    /// Starts a new step.
    pub fn clear(&mut self) {
        self.counted.clear();
        self.region_start = 0;
    }

    /// Counts `value` `count` times in the current region.
    pub fn add(&mut self, value: f64, count: u64) {
        if count == 0 {
            return;
        }
        if 2 * (self.used + 1) > self.table.len() {
            self.grow();
        }
        let bits = value.to_bits();
        let mask = self.table.len() - 1;
        let mut i = slot_of(bits, mask);
        loop {
            let slot = &mut self.table[i];
            if slot.count == 0 {
                *slot = Slot { bits, count };
                self.used += 1;
                return;
            }
            if slot.bits == bits {
                slot.count += count;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Counts each of `incomes` in the current region at its real value,
    /// divided by `price`. Neighbouring workers often earn the same (a
    /// firm's staff, the relieved), so a run of equal incomes costs one
    /// division and one probe of the table.
    pub fn add_each(&mut self, incomes: &[f32], price: f64) {
        let mut run: Option<(f32, u64)> = None;
        for &x in incomes {
            match &mut run {
                Some((v, count)) if v.to_bits() == x.to_bits() => *count += 1,
                _ => {
                    if let Some((v, count)) = run {
                        self.add(v as f64 / price, count);
                    }
                    run = Some((x, 1));
                }
            }
        }
        if let Some((v, count)) = run {
            self.add(v as f64 / price, count);
        }
    }

    /// Closes the current region and returns its Gini coefficient.
    pub fn close_region(&mut self) -> f64 {
        for slot in &mut self.table {
            if slot.count > 0 {
                self.counted
                    .push((f64::from_bits(slot.bits), slot.count as f64));
                slot.count = 0;
            }
        }
        self.used = 0;
        let start = std::mem::replace(&mut self.region_start, self.counted.len());
        let region = &mut self.counted[start..];
        region.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        gini_of_counted(region)
    }

    /// The Gini coefficient of every region closed this step together.
    pub fn world(&mut self) -> f64 {
        self.counted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        gini_of_counted(&self.counted)
    }

    /// Doubles the table (from 1024 slots) and moves the counts over.
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.table);
        self.table = vec![Slot::default(); (old.len() * 2).max(1024)];
        self.used = 0;
        for slot in old.into_iter().filter(|s| s.count > 0) {
            self.add(f64::from_bits(slot.bits), slot.count);
        }
    }
}

/// Fibonacci hashing: the top bits of the key times the golden ratio, so
/// that values differing only in their low bits spread over the table.
fn slot_of(bits: u64, mask: usize) -> usize {
    let spread = bits.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (spread >> (64 - mask.count_ones())) as usize
}

/// The Gini coefficient of distinct values and their counts, sorted by value.
fn gini_of_counted(counted: &[(f64, f64)]) -> f64 {
    let (mut n, mut total, mut weighted) = (0.0, 0.0, 0.0);
    for &(value, count) in counted {
        weighted += value * (count * n + count * (count + 1.0) / 2.0);
        total += value * count;
        n += count;
    }
    if n < 2.0 || total <= 0.0 {
        return 0.0;
    }
    (2.0 * weighted / (n * total) - (n + 1.0) / n).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::Incomes;
    use rand::{Rng, SeedableRng};

    /// The textbook formula over a sorted copy.
    fn gini_by_sorting(values: &[f64]) -> f64 {
        let mut sorted = values.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        let n = sorted.len() as f64;
        let total: f64 = sorted.iter().sum();
        if sorted.len() < 2 || total <= 0.0 {
            return 0.0;
        }
        let weighted: f64 = sorted
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64 + 1.0) * v)
            .sum();
        (2.0 * weighted / (n * total) - (n + 1.0) / n).clamp(0.0, 1.0)
    }

    /// Counting by value gives the coefficient of sorting, for regions with
    /// few distinct values (the model's case), with all values distinct
    /// (the table grows), with zeros and repeated owners' shares, and for
    /// the regions together.
    #[test]
    fn counting_by_value_gives_the_coefficient_of_sorting() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut incomes = Incomes::default();
        for step in 0..3 {
            incomes.clear();
            let mut everyone = Vec::new();
            for (distinct, n) in [(1, 1), (3, 2), (40, 5000), (100_000, 20_000), (7, 0)] {
                let levels: Vec<f32> = (0..distinct)
                    .map(|d| {
                        if d == 0 {
                            0.0
                        } else {
                            rng.random::<f32>() * 100.0
                        }
                    })
                    .collect();
                // Workers' incomes go through `add_each` (runs of equal
                // neighbours included), an inventor's through `add`.
                let price = 1.3;
                let workers: Vec<f32> = (0..n)
                    .map(|i| {
                        levels[if i % 3 == 0 {
                            0
                        } else {
                            rng.random_range(0..distinct)
                        }]
                    })
                    .collect();
                incomes.add_each(&workers, price);
                let mut region: Vec<f64> = workers.iter().map(|&x| x as f64 / price).collect();
                incomes.add(17.0, 1);
                region.push(17.0);
                let owners = step * 5;
                incomes.add(250.0, owners as u64);
                region.extend(std::iter::repeat_n(250.0, owners));
                let got = incomes.close_region();
                let want = gini_by_sorting(&region);
                assert!(
                    (got - want).abs() < 1e-12,
                    "{distinct} values: {got} against {want}"
                );
                everyone.extend(region);
            }
            let (got, want) = (incomes.world(), gini_by_sorting(&everyone));
            assert!((got - want).abs() < 1e-12, "world: {got} against {want}");
        }
    }
}
