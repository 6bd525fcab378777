//! Each phase's contract: the parameters and state groups it reads (`&`)
//! and writes (`&mut`), declared once in the table below. From the table
//! come each phase's view of the world (a struct of borrows the pipeline
//! lends it, so that the compiler holds a phase to its contract) and
//! `CONTRACTS`, the same table as data, from which docs/ARCHITECTURE.md's
//! table of phases is checked.
//!
//! The groups are the fields of `World`: `params` (the scenario and what is
//! resolved from it, never written during a run), `clock`, `workers`,
//! `layout` (the chunks of workers), `firms`, `inventors`, `knowledge`,
//! `builders` (the machine builders),
//! `economy`, `politics`, `government` and `stages` (one entry per
//! region), `ledger`, `events` and `flows`.

use crate::model::ledger::Ledger;
use crate::model::world::{
    Builders, Clock, Economy, Events, Firms, Flows, Government, Inventors, Knowledge, Layout,
    Parameters, Politics, Stages, Workers, World,
};

/// What one phase reads and writes, by group.
#[derive(Clone, Copy, Debug)]
pub struct Contract {
    pub phase: &'static str,
    pub reads: &'static [&'static str],
    pub writes: &'static [&'static str],
}

/// Declares every phase's view and `CONTRACTS` from one table: for each
/// phase, its view's name, the groups it reads and the groups it writes,
/// each with the type the view borrows.
macro_rules! contracts {
    ($(
        $(#[$doc:meta])*
        $phase:ident: $view:ident {
            reads { $($read:ident: $read_ty:ty),* $(,)? }
            writes { $($write:ident: $write_ty:ty),* $(,)? }
        }
    )*) => {
        $(
            $(#[$doc])*
            pub struct $view<'a> {
                $(pub $read: &'a $read_ty,)*
                $(pub $write: &'a mut $write_ty,)*
            }

            impl<'a> $view<'a> {
                /// Lends the phase the groups of its contract.
                pub fn lend(world: &'a mut World) -> Self {
                    $view {
                        $($read: &world.$read,)*
                        $($write: &mut world.$write,)*
                    }
                }
            }
        )*

        /// Every phase's contract, in the order the views are declared.
        pub const CONTRACTS: &[Contract] = &[
            $(Contract {
                phase: stringify!($phase),
                reads: &[$(stringify!($read),)*],
                writes: &[$(stringify!($write),)*],
            },)*
        ];
    };
}

contracts! {
    /// Firms and builders fund research; inventors are paid, choose projects,
    /// improve or imitate methods, and move where research is funded best.
    innovation: Innovation {
        reads { params: Parameters, clock: Clock, politics: [Politics], government: [Government] }
        writes { firms: Firms, inventors: Inventors, builders: Builders, economy: [Economy], knowledge: Knowledge, ledger: Ledger, events: Events, flows: Flows }
    }
    /// Machine builders build last quarter's orders, learn, and post this quarter's prices.
    building: Building {
        reads { params: Parameters, knowledge: Knowledge, politics: [Politics], government: [Government] }
        writes { builders: Builders, economy: [Economy], ledger: Ledger }
    }
    /// Firms review their methods, invest, scrap and set their wage policy.
    technology: Technology {
        reads { params: Parameters, clock: Clock, workers: Workers, politics: [Politics] }
        writes { firms: Firms, knowledge: Knowledge, builders: Builders, economy: [Economy], government: [Government], ledger: Ledger, events: Events, flows: Flows }
    }
    /// Firms make what they plan to sell; experience accumulates.
    production: Production {
        reads { params: Parameters, clock: Clock, government: [Government] }
        writes { firms: Firms, knowledge: Knowledge, economy: [Economy], politics: [Politics] }
    }
    /// Merchants buy from the cheapest delivered suppliers.
    trade: Trade {
        reads { params: Parameters, politics: [Politics] }
        writes { firms: Firms, economy: [Economy], government: [Government], ledger: Ledger, flows: Flows }
    }
    /// Careers, search, hiring, wages and the labour force's growth.
    labour: Labour {
        reads { params: Parameters, clock: Clock, inventors: Inventors, politics: [Politics] }
        writes { workers: Workers, layout: Layout, firms: Firms, economy: [Economy], government: [Government], stages: [Stages], ledger: Ledger }
    }
    /// Wages, profits, taxes, relief and spending.
    incomes: Incomes {
        reads { params: Parameters, clock: Clock, layout: Layout, knowledge: Knowledge, politics: [Politics] }
        writes { workers: Workers, firms: Firms, inventors: Inventors, builders: Builders, economy: [Economy], government: [Government], ledger: Ledger, flows: Flows }
    }
    /// Grievance, protest, machine-breaking and the state's response.
    politics: PoliticsPhase {
        reads { params: Parameters, clock: Clock, layout: Layout, economy: [Economy] }
        writes { workers: Workers, firms: Firms, politics: [Politics], events: Events, flows: Flows }
    }
    /// Knowledge spreads along routes and with mechanics who emigrate.
    diffusion: Diffusion {
        reads { params: Parameters, clock: Clock, economy: [Economy], politics: [Politics] }
        writes { knowledge: Knowledge, events: Events }
    }
    /// Firms exit, enter and reorganize around the general technology.
    reorganization: Reorganization {
        reads { params: Parameters, clock: Clock, knowledge: Knowledge, politics: [Politics], government: [Government] }
        writes { firms: Firms, economy: [Economy], ledger: Ledger, events: Events }
    }
    /// The stages of each region dated from the step's output.
    stages: StagesPhase {
        reads { params: Parameters, clock: Clock, firms: Firms, economy: [Economy] }
        writes { workers: Workers, stages: [Stages], events: Events }
    }
    /// The books closed and checked.
    accounting: Accounting {
        reads { clock: Clock, workers: Workers, inventors: Inventors, firms: Firms, builders: Builders, economy: [Economy], government: [Government] }
        writes { ledger: Ledger }
    }
}

/// The cost formulas' view (`costs::Costing`) of a phase's view that holds
/// the groups they read, borrowed for as long as the costing is used.
macro_rules! costing {
    ($view:expr) => {
        $crate::model::costs::Costing {
            params: &*$view.params,
            year: $view.clock.year,
            knowledge: &*$view.knowledge,
            economy: &*$view.economy,
            politics: &*$view.politics,
            government: &*$view.government,
        }
    };
}
pub(crate) use costing;

/// The machine market (`world::MachineMarket`) as a phase's view that
/// holds its groups lends it, for firms' and the rest of the economy's
/// orders.
macro_rules! machine_market {
    ($view:expr) => {
        $crate::model::world::MachineMarket {
            params: &*$view.params,
            builders: &mut *$view.builders,
            economy: &mut *$view.economy,
            government: &mut *$view.government,
            flows: &mut *$view.flows,
            ledger: &mut *$view.ledger,
        }
    };
}
pub(crate) use machine_market;

/// The contracts as the Markdown table docs/ARCHITECTURE.md shows (a test
/// holds the two equal): one row per phase in pipeline order, with the
/// groups it reads and those it writes.
pub fn markdown_table() -> String {
    let mut table = String::from("| phase | reads | writes |\n|---|---|---|\n");
    for c in CONTRACTS {
        let list = |groups: &[&str]| {
            groups
                .iter()
                .map(|g| format!("`{g}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        table.push_str(&format!(
            "| {} | {} | {} |\n",
            c.phase,
            list(c.reads),
            list(c.writes)
        ));
    }
    table
}
