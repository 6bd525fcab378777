//! `ludd list`: the built-in scenarios and experiments, with what each is about.

use anyhow::Result;
use ludd::scenario::{experiment, BUILTIN};

pub fn execute() -> Result<()> {
    println!("scenarios (ludd run <name>):");
    for (name, text) in BUILTIN {
        let s = ludd::Scenario::from_ron(text, name)?;
        println!("  {name:<16} {}", s.description);
    }
    println!("experiments (ludd compare <name>):");
    for (name, _) in experiment::BUILTIN_EXPERIMENTS {
        let (e, _) = experiment::load(name)?;
        println!("  {name:<16} {}", e.question);
    }
    Ok(())
}
