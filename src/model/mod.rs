//! The simulation core: the world's state, the step pipeline of named
//! phases, the ledger, random streams, observation of each step, and
//! `run`. Pure: no I/O and no polars; on a validated scenario it can fail
//! only through its own invariant checks (the books, finite numbers).

/// Declares an enum of named cases once: the enum, the number of cases
/// `$count`, the names in case order `$names`, and `name()`.
macro_rules! named_enum {
    ($(#[$doc:meta])* $enum:ident, $count:ident, $names:ident { $($case:ident => $name:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $enum {
            $($case,)*
        }

        pub const $names: &[&str] = &[$($name,)*];
        pub const $count: usize = $names.len();

        impl $enum {
            /// The name as written in the tables.
            pub fn name(self) -> &'static str {
                $names[self as usize]
            }
        }
    };
}

pub mod contracts;
pub mod costs;
pub mod ledger;
pub mod observe;
pub mod phases;
pub mod plans;
pub mod rest;
pub mod rng;
pub mod run;
pub mod world;
