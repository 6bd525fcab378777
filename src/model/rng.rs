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
