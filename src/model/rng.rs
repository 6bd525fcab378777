//! Random streams derived from stable ids, never from thread identity, so a
//! run is identical at any thread count. Each (seed, step, phase, id) names
//! its own ChaCha8 stream; `id` is an agent, a chunk of agents, a region or
//! a route, depending on the phase.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The phases that draw random numbers; each has its own streams.
#[derive(Clone, Copy, Debug)]
#[repr(u64)]
pub enum Phase {
    Init = 1,
    Innovation = 2,
    Technology = 3,
    Labour = 4,
    Politics = 5,
    Diffusion = 6,
    Reorganization = 7,
    Hiring = 8,
    Careers = 9,
    Births = 10,
    Emigration = 11,
}

/// SplitMix64: a bijective mixer that spreads nearby ids far apart.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn stream(seed: u64, step: usize, phase: Phase, id: u64) -> ChaCha8Rng {
    let key = mix(mix(mix(seed) ^ step as u64) ^ (phase as u64)) ^ mix(id);
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&mix(key.wrapping_add(i as u64)).to_le_bytes());
    }
    ChaCha8Rng::from_seed(bytes)
}

/// A uniform number in [0, 1) fixed for one agent and one purpose, for
/// traits that must not change from step to step (relief eligibility).
pub fn fixed_uniform(seed: u64, purpose: u64, id: u64) -> f64 {
    (mix(mix(seed ^ purpose.rotate_left(32)) ^ id) >> 11) as f64 / (1u64 << 53) as f64
}

/// A stream read by position: `uniform_at(i)` is the `i`-th of the uniform
/// numbers in [0, 1) that `random::<f64>()` would draw from the stream in
/// turn, but draws that are never asked for are skipped rather than
/// generated. A phase that needs a number for only a few of its agents
/// (those over a protest threshold, say) then pays for those few, while each
/// agent keeps the number that sequential drawing would give it.
pub struct Positioned {
    rng: ChaCha8Rng,
    /// The index of the number the stream would give next.
    next: u64,
}

impl Positioned {
    pub fn new(rng: ChaCha8Rng) -> Self {
        Positioned { rng, next: 0 }
    }

    /// The `i`-th uniform number of the stream; `i` must not decrease
    /// from call to call.
    pub fn uniform_at(&mut self, i: u64) -> f64 {
        use rand::{Rng, RngCore};
        debug_assert!(i >= self.next, "positions are read in order");
        let gap = i - self.next;
        // ChaCha8Rng buffers 64 words, 32 numbers: a gap that long lies
        // past the buffer, so seeking costs no more than drawing through it.
        if gap >= 32 {
            // Each number is one 64-bit draw, two 32-bit words.
            self.rng.set_word_pos(2 * u128::from(i));
        } else {
            for _ in 0..gap {
                self.rng.next_u64();
            }
        }
        self.next = i + 1;
        self.rng.random()
    }
}

#[cfg(test)]
mod tests {
    use super::{stream, Phase, Positioned};
    use rand::{Rng, SeedableRng};

    /// Reading by position gives each index the number that drawing in
    /// turn gives it, for sparse, dense and mixed patterns of reads.
    #[test]
    fn positioned_reads_match_sequential_draws() {
        let mut pattern = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for density in [0.001, 0.02, 0.3, 0.9, 1.0] {
            let sequential: Vec<f64> = {
                let mut rng = stream(3, 11, Phase::Politics, 5);
                (0..5000).map(|_| rng.random()).collect()
            };
            let mut positioned = Positioned::new(stream(3, 11, Phase::Politics, 5));
            for (i, &expected) in sequential.iter().enumerate() {
                if pattern.random::<f64>() < density {
                    assert_eq!(
                        positioned.uniform_at(i as u64).to_bits(),
                        expected.to_bits()
                    );
                }
            }
        }
    }
}
