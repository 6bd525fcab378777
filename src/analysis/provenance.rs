//! Provenance: what every parquet file carries as key-value metadata, so
//! that a table says which scenario, seeds, overrides and build made it.

use crate::model::run::RunOutput;
use polars::prelude::KeyValueMetadata;

/// Provenance attached to every parquet file as key-value metadata.
#[derive(Clone, Debug)]
pub struct Provenance {
    pub scenario: String,
    pub scenario_hash: String,
    /// The seed, or for a table over many runs their seeds (`seeds_text`).
    pub seed: String,
    pub version: String,
    pub overrides: Vec<String>,
}

impl Provenance {
    /// The provenance of a table made by this build: what made it (a
    /// scenario, experiment or sweep, or a list of them), the text its
    /// hash is taken of (the resolved scenarios), its seed or seeds, and
    /// the overrides applied.
    pub fn new(
        scenario: impl Into<String>,
        hashed: &str,
        seed: impl Into<String>,
        overrides: Vec<String>,
    ) -> Provenance {
        Provenance {
            scenario: scenario.into(),
            scenario_hash: scenario_hash(hashed),
            seed: seed.into(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            overrides,
        }
    }

    /// The provenance of one run's tables.
    pub fn of_run(out: &RunOutput, overrides: &[String]) -> Provenance {
        Provenance::new(
            out.scenario.name.as_str(),
            &out.scenario.to_ron(),
            out.seed.to_string(),
            overrides.to_vec(),
        )
    }

    pub(crate) fn metadata(&self) -> KeyValueMetadata {
        KeyValueMetadata::from_static(vec![
            ("ludd.scenario".into(), self.scenario.clone()),
            ("ludd.scenario_hash".into(), self.scenario_hash.clone()),
            ("ludd.seed".into(), self.seed.clone()),
            ("ludd.version".into(), self.version.clone()),
            ("ludd.overrides".into(), self.overrides.join(" ")),
        ])
    }
}

/// Seeds as compact text: `1-40`, or `1-3,7` for gaps.
pub fn seeds_text(seeds: &[u64]) -> String {
    let mut s: Vec<u64> = seeds.to_vec();
    s.sort_unstable();
    s.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let mut j = i;
        while j + 1 < s.len() && s[j + 1] == s[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            s[i].to_string()
        } else {
            format!("{}-{}", s[i], s[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// FNV-1a hash of the resolved scenario text, as 16 hex digits.
pub fn scenario_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
