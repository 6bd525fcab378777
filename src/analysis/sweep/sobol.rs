//! The Sobol sequence, from Joe and Kuo's direction numbers: the points of
//! the Sobol and Saltelli designs.

/// Number of dimensions of the built-in Sobol direction numbers.
pub const MAX_SOBOL_DIMENSIONS: usize = 16;

/// Primitive polynomials (degree s, coefficients a) and initial direction
/// numbers m of dimensions 2 to 16, from Joe and Kuo (2008), "Constructing
/// Sobol sequences with better two-dimensional projections" (new-joe-kuo-6.21201).
const JOE_KUO: [(u32, u32, &[u32]); MAX_SOBOL_DIMENSIONS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
];

/// Point `index` (from 0) of the Sobol sequence in `dims` dimensions, by
/// the Gray-code-free direct formula: XOR of the direction numbers of the
/// set bits of the index. Cost is 32 x dims per point, fine for designs of
/// thousands of points.
pub fn sobol_point(index: u64, dims: usize) -> Vec<f64> {
    const BITS: usize = 32;
    (0..dims)
        .map(|d| {
            let mut v = [0u32; BITS];
            if d == 0 {
                for (k, x) in v.iter_mut().enumerate() {
                    *x = 1 << (BITS - 1 - k);
                }
            } else {
                let (s, a, m) = JOE_KUO[d - 1];
                let s = s as usize;
                for k in 0..s.min(BITS) {
                    v[k] = m[k] << (BITS - 1 - k);
                }
                for k in s..BITS {
                    let mut x = v[k - s] ^ (v[k - s] >> s);
                    for j in 1..s {
                        if (a >> (s - 1 - j)) & 1 == 1 {
                            x ^= v[k - j];
                        }
                    }
                    v[k] = x;
                }
            }
            let mut x = 0u32;
            for (k, vk) in v.iter().enumerate() {
                if (index >> k) & 1 == 1 {
                    x ^= vk;
                }
            }
            f64::from(x) / 2f64.powi(BITS as i32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // A subtle kernel earns a unit test: every one-dimensional projection of
    // the first 2^m Sobol points puts exactly one point in each of the 2^m
    // equal intervals (the points are a (0, m, 1)-net in every dimension).
    #[test]
    fn sobol_points_stratify_every_dimension() {
        for m in 1..=7 {
            let n = 1usize << m;
            for d in 0..MAX_SOBOL_DIMENSIONS {
                let mut seen = vec![false; n];
                for i in 0..n {
                    let x = sobol_point(i as u64, MAX_SOBOL_DIMENSIONS)[d];
                    let cell = (x * n as f64) as usize;
                    assert!(!seen[cell], "dimension {d}, {n} points: two in cell {cell}");
                    seen[cell] = true;
                }
            }
        }
    }
}
