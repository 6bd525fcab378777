//! The statistics used to compare ensembles: means, percentiles, Welch's
//! two-sample t test and a bootstrap interval for a difference of means.
//! Small and dependency-free so that every figure in docs/EXPERIMENTS.md
//! can be traced to one function.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance (n - 1 in the denominator).
pub fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// Percentile `q` in [0, 1] with linear interpolation between order
/// statistics (the same rule as polars' `QuantileMethod::Linear`).
pub fn quantile(x: &[f64], q: f64) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// Result of Welch's unequal-variance t test of mean(a) - mean(b).
#[derive(Clone, Copy, Debug)]
pub struct Welch {
    pub difference: f64,
    pub t: f64,
    pub df: f64,
    /// Two-sided p-value.
    pub p: f64,
}

pub fn welch(a: &[f64], b: &[f64]) -> Welch {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (va, vb) = (variance(a) / na, variance(b) / nb);
    let difference = mean(a) - mean(b);
    let se2 = va + vb;
    if se2 == 0.0 {
        // Identical constant samples: no evidence of a difference unless
        // the constants differ, in which case the difference is certain.
        let p = if difference == 0.0 { 1.0 } else { 0.0 };
        return Welch {
            difference,
            t: if difference == 0.0 {
                0.0
            } else {
                f64::INFINITY
            },
            df: na + nb - 2.0,
            p,
        };
    }
    let t = difference / se2.sqrt();
    let df = se2 * se2 / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    let p = 2.0 * student_t_upper(t.abs(), df);
    Welch {
        difference,
        t,
        df,
        p,
    }
}

/// P(T > t) for Student's t with `df` degrees of freedom, through the
/// regularized incomplete beta function.
pub fn student_t_upper(t: f64, df: f64) -> f64 {
    0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
}

/// Percentile bootstrap interval of the mean of paired differences
/// a[i] - b[i]. Runs with the same seed use the same random streams (common
/// random numbers), so pairing them by seed removes the noise they share.
pub fn bootstrap_paired(a: &[f64], b: &[f64], alpha: f64, seed: u64) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    bootstrap(&d, &d, alpha, seed, |x, _| mean(x))
}

/// Percentile bootstrap interval (level `1 - alpha`) of any statistic of
/// two samples, resampling each independently with a fixed seed so the
/// interval is reproducible.
pub fn bootstrap<T: Clone>(
    a: &[T],
    b: &[T],
    alpha: f64,
    seed: u64,
    statistic: impl Fn(&[T], &[T]) -> f64,
) -> (f64, f64) {
    const REPLICATES: usize = 4000;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ra = a.to_vec();
    let mut rb = b.to_vec();
    let mut stats = Vec::with_capacity(REPLICATES);
    for _ in 0..REPLICATES {
        for x in ra.iter_mut() {
            *x = a[rng.random_range(0..a.len())].clone();
        }
        for x in rb.iter_mut() {
            *x = b[rng.random_range(0..b.len())].clone();
        }
        stats.push(statistic(&ra, &rb));
    }
    (
        quantile(&stats, alpha / 2.0),
        quantile(&stats, 1.0 - alpha / 2.0),
    )
}

/// Least-squares slope of y on x.
pub fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    if sxx > 0.0 {
        sxy / sxx
    } else {
        0.0
    }
}

/// Regularized incomplete beta I_x(a, b) by Lentz's continued fraction
/// (Numerical Recipes, 3rd ed., section 6.4).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-14 {
            break;
        }
    }
    h
}

/// ln Γ(x) by the Lanczos approximation (g = 7, n = 9).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        sum += g / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// Annual means of a (year, value) series: the points of each calendar
/// year (the floor of their year) averaged, leaving out missing values
/// (NaN, infinities), in year order. The report draws these from the
/// tables; a comparison's measures take them from a run in memory.
pub fn annual_means(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut by_year: std::collections::BTreeMap<i64, (f64, f64)> = Default::default();
    for &(y, v) in points {
        if v.is_finite() {
            let e = by_year.entry(y.floor() as i64).or_default();
            e.0 += v;
            e.1 += 1.0;
        }
    }
    by_year
        .into_iter()
        .map(|(y, (s, n))| (y as f64, s / n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from R: pt(2.0, 10, lower.tail = FALSE) and
    // pt(1.0, 3, lower.tail = FALSE); a subtle numerical routine earns a unit test.
    #[test]
    fn student_t_tail_matches_reference_values() {
        assert!((student_t_upper(2.0, 10.0) - 0.036_694_5).abs() < 1e-6);
        assert!((student_t_upper(1.0, 3.0) - 0.195_501_1).abs() < 1e-6);
        assert!((student_t_upper(0.0, 7.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn welch_matches_reference_value() {
        // R: t.test(c(1,2,3,4,5), c(2,4,6,8,10)) gives t = -1.8974, df = 5.882, p = 0.1075.
        let w = welch(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0, 10.0]);
        assert!((w.t + 1.897_367).abs() < 1e-5, "{w:?}");
        assert!((w.df - 5.882_353).abs() < 1e-5, "{w:?}");
        assert!((w.p - 0.107_5).abs() < 1e-3, "{w:?}");
    }
}
