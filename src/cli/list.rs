//! `ludd list`: the built-in scenarios and experiments, with what each is about.

use anyhow::Result;
use ludd::scenario::{experiment, BUILTIN};

pub fn execute() -> Result<()> {
    say!("scenarios (ludd run <name>):")?;
    for (name, text) in BUILTIN {
        let s = ludd::Scenario::from_ron(text, name)?;
        say!("  {name:<16} {}", s.description)?;
    }
    say!("experiments (ludd compare <name>):")?;
    for (name, _) in experiment::BUILTIN_EXPERIMENTS {
        let (e, _) = experiment::load(name)?;
        say!("  {name:<16} {}", e.question)?;
    }
    Ok(())
}
