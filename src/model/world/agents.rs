//! The industry's firms, the inventors and what each region knows: the
//! agents other than workers, in structure-of-arrays form.

use super::Machines;
use crate::scenario::TechKind;

/// Job classes, which are also the worker groups of the outputs.
pub const CRAFT: usize = 0;
pub const OPERATOR: usize = 1;
pub const GENERAL: usize = 2;
pub const UNSKILLED: usize = 3;
pub const CLASSES: usize = 4;
/// The class of the hands a hand shop pays for its hired task
/// (`industry.hired_task`): by-employment that needs no apprenticeship,
/// paid the labourer's wage, whose hands go back to other work when a
/// machine makes them idle rather than hold out for a trade.
pub const HIRED: usize = UNSKILLED;
pub const CLASS_NAMES: [&str; CLASSES] = ["craft", "operator", "general", "unskilled"];

/// The job class that works with a technology of this kind.
pub fn class_of(kind: TechKind) -> usize {
    match kind {
        TechKind::Craft => CRAFT,
        TechKind::Special => OPERATOR,
        TechKind::General => GENERAL,
    }
}

/// Firm organization: the third stage shows up as firms moving to `REORGANIZED`.
pub const CRAFT_SHOP: u8 = 0;
pub const FACTORY: u8 = 1;
pub const REORGANIZED: u8 = 2;

/// Firms of the industry. Per-task and per-technology values are stored
/// flat: `choice[f * tasks + t]`, `efficiency[f * techs + j]`. `choice`
/// is the method a firm buys new capacity of on each task (the method of
/// its plan); the machines it runs, of that method and older ones, are its
/// lots (`machines`).
#[derive(Clone, Default)]
pub struct Firms {
    pub region: Vec<u16>,
    pub alive: Vec<bool>,
    pub choice: Vec<u8>,
    pub efficiency: Vec<f32>,
    /// What the firm has made itself with each technology, in the units of
    /// its region's experience (`Knowledge::experience`), flat
    /// `[f * techs + j]`: the part of learning by doing that stays with
    /// the firm (`costs::firm_experience`).
    pub own_experience: Vec<f64>,
    /// Bit j set: the fixed set-up cost of technology j has been paid.
    pub fixed_paid: Vec<u64>,
    pub organization: Vec<u8>,
    /// Year the firm reorganized (NaN if never).
    pub reorganized_at: Vec<f64>,
    /// Machine lots by task and vintage, and the output made by hand.
    pub machines: Machines,
    pub cash: Vec<f64>,
    pub price: Vec<f64>,
    pub expected: Vec<f64>,
    pub inventory: Vec<f64>,
    pub output: Vec<f64>,
    pub sales: Vec<f64>,
    pub revenue: Vec<f64>,
    /// Labour per unit of output, by class.
    pub req: Vec<[f64; CLASSES]>,
    pub unit_cost: Vec<f64>,
    pub labour: Vec<[u32; CLASSES]>,
    pub target: Vec<[u32; CLASSES]>,
    pub fired: Vec<[u32; CLASSES]>,
    pub quits: Vec<u32>,
    pub hires: Vec<u32>,
    /// Whether the firm follows the scenario's wage policy.
    pub sharing: Vec<bool>,
    pub loss_quarters: Vec<u32>,
}

impl Firms {
    pub fn len(&self) -> usize {
        self.region.len()
    }
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }
}

#[derive(Clone, Default)]
pub struct Inventors {
    pub region: Vec<u16>,
    pub savings: Vec<f64>,
    /// This quarter's pay: a skilled worker's wage, from research and trade.
    pub income: Vec<f64>,
}

/// The share of the best practice at home that a person who moves carries
/// in their head to a region that knows the technology less well: an
/// inventor who moves, or a mechanic who emigrates. Set by hand; a
/// route's first copy, from drawings and machines, is poorer (0.8).
pub const CARRIED: f64 = 0.9;

/// What each region knows of each technology, flat `[region * techs + j]`.
#[derive(Clone, Default)]
pub struct Knowledge {
    /// Technologies per region: the stride of the flat arrays.
    pub techs: usize,
    /// Best-practice productivity known (0: not known yet).
    pub productivity: Vec<f64>,
    /// Successful improvements so far (drives diminishing returns).
    pub improvements: Vec<u32>,
    /// Installed machine capital of this technology, cumulated (Wright's law experience).
    pub experience: Vec<f64>,
    /// One unit of that experience: a year of the region's industry output
    /// when a firm of the region first used the technology (0 until then),
    /// so that learning runs at the same pace whatever year a scenario
    /// starts in, and a technology that arrives in a large industry needs
    /// as much more output to double its experience.
    pub experience_unit: Vec<f64>,
    /// Whether any firm of the region has used the technology yet.
    pub adopted: Vec<bool>,
}

impl Knowledge {
    /// Best-practice productivity of technology `j` known in region `r`.
    pub fn know(&self, r: usize, j: usize) -> f64 {
        self.productivity[r * self.techs + j]
    }
}
