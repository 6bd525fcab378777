//! The order inside the model, checked the way `layers` checks `src/`:
//! the run's parameters and state (`world`, `ledger`, `rng`, `rest`) at the
//! bottom; above them what phases share (`costs`, `plans`, `contracts`);
//! then each phase, and observation, side by side; then the pipeline
//! (`phases/mod.rs`), then `run`. A file names only its own module and the
//! levels below it, so no phase calls another, a phase never reaches back
//! into the pipeline, and observation never calls a phase. A phase never
//! names `World`: it is lent the view of its contract.

use super::layers::{module_path, paths, rust_files, tokens, Token};
use std::path::Path;

/// The levels inside `src/model`, bottom first, each with its units and
/// whether they may name each other. `phases/*` stands for each phase (a
/// file or folder under `src/model/phases`), `phases` for the pipeline
/// that runs them, `mod` for `src/model/mod.rs`. The phases and
/// observation sit side by side and name none of each other.
const LEVELS: [(&str, &[&str], bool); 5] = [
    (
        "parameters and state",
        &["world", "ledger", "rng", "rest"],
        true,
    ),
    (
        "what phases share",
        &["costs", "plans", "contracts", "mod"],
        true,
    ),
    ("phases and observation", &["phases/*", "observe"], false),
    ("the pipeline", &["phases"], true),
    ("the run", &["run"], true),
];

/// The unit a model path names: its first module below `model`, with a
/// phase's name for `phases::<phase>` (anything else under `phases`, such
/// as `phases::PIPELINE`, is the pipeline's).
fn unit(segments: &[&str], phases: &[String]) -> Option<String> {
    let first = *segments.first()?;
    if first == "phases" {
        if let Some(p) = segments.get(1).filter(|p| phases.iter().any(|x| x == *p)) {
            return Some(format!("phases/{p}"));
        }
    }
    Some(first.to_string())
}

/// The level of a unit (`phases/labour`, `costs`, ...).
fn level(unit: &str) -> Option<usize> {
    let key = if unit.starts_with("phases/") {
        "phases/*"
    } else {
        unit
    };
    LEVELS.iter().position(|(_, units, _)| units.contains(&key))
}

/// The violations in one file of the model, each as `file:line: what is
/// wrong: the line`. `module` is the file's module path below `model`.
fn check(file: &str, module: &[String], source: &str, phases: &[String]) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let shown = |line: usize| lines.get(line - 1).map_or("", |l| l.trim());
    let module: Vec<&str> = module.iter().map(String::as_str).collect();
    let here = unit(&module, phases).unwrap_or_else(|| "mod".into());
    let here_level = level(&here);
    let mut out = Vec::new();
    let toks = tokens(source);
    for p in paths(&toks) {
        let s: Vec<&str> = p.segments.iter().map(String::as_str).collect();
        // The path below `model` it names, where it leaves its own module.
        let target: Option<Vec<&str>> = match s[0] {
            "crate" | "ludd" if s.get(1) == Some(&"model") => Some(s[2..].to_vec()),
            "super" => {
                let up = s.iter().take_while(|x| **x == "super").count();
                (up <= module.len()).then(|| {
                    let mut t = module[..module.len() - up].to_vec();
                    t.extend(&s[up..]);
                    t
                })
            }
            "self" => {
                let mut t = module.clone();
                t.extend(&s[1..]);
                Some(t)
            }
            _ => None,
        };
        let Some(target) = target.and_then(|t| unit(&t, phases)) else {
            continue;
        };
        if target == here {
            continue;
        }
        let why = match (level(&target), here_level) {
            (Some(there), Some(mine)) if there > mine || (there == mine && !LEVELS[mine].2) => {
                format!(
                    "{here} ({}) names {target} ({}), which is not below it",
                    LEVELS[mine].0, LEVELS[there].0
                )
            }
            _ => continue,
        };
        out.push(format!("{file}:{}: {why}: {}", p.line, shown(p.line)));
    }
    if here.starts_with("phases/") {
        for (token, line) in &toks {
            if matches!(token, Token::Ident(name) if name == "World") {
                out.push(format!(
                    "{file}:{line}: the phase {here} names World; it is lent its contract's view: {}",
                    shown(*line)
                ));
            }
        }
    }
    out
}

/// The phases: the files and folders under `src/model/phases` but the
/// pipeline's own `mod.rs`.
fn phase_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "mod.rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn inside_the_model_each_file_names_only_the_levels_below_it() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let phases = phase_names(&model.join("phases"));
    assert!(phases.len() >= 10, "phases found: {phases:?}");
    let mut files = Vec::new();
    rust_files(&model, &mut files);
    files.sort();
    let mut violations = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&model).unwrap();
        let shown = Path::new("src/model").join(relative).display().to_string();
        let module = module_path(relative);
        let source = std::fs::read_to_string(path).unwrap();
        if level(
            &unit(
                &module.iter().map(String::as_str).collect::<Vec<_>>(),
                &phases,
            )
            .unwrap_or_else(|| "mod".into()),
        )
        .is_none()
        {
            violations.push(format!(
                "{shown}: belongs to no level (add its module to LEVELS in tests/suite/model_order.rs)"
            ));
            continue;
        }
        violations.extend(check(&shown, &module, &source, &phases));
    }
    let order: Vec<&str> = LEVELS.iter().map(|l| l.0).collect();
    assert!(
        violations.is_empty(),
        "{} violation(s) of the order inside src/model ({}):\n{}",
        violations.len(),
        order.join(" < "),
        violations.join("\n")
    );
}

#[test]
fn the_order_check_finds_each_kind_of_violation() {
    let phases: Vec<String> = ["labour", "technology"].map(String::from).to_vec();
    let planted = r##"//! crate::model::phases::technology in a comment is allowed.
use crate::model::contracts::Labour;
use crate::model::phases::technology::best_plan;
use crate::model::phases::{for_each_chunk, SETTLING_STEPS};
use super::technology::Review;
use crate::model::world::for_each_chunk;
use crate::model::costs::task_cost;
fn f(w: &mut crate::model::world::World) {}
"##;
    // A phase may not name another phase, the pipeline or `World`;
    // observation may not call a phase; state may not name what sits above
    // it. Each case: the file, its source, and the lines that break a rule.
    let cases: [(&str, &str, &[usize]); 3] = [
        ("phases/labour.rs", planted, &[3, 4, 4, 5, 8]),
        (
            "observe/record.rs",
            "use crate::model::phases::labour::labour;\nuse crate::model::costs::Costing;\n",
            &[1],
        ),
        (
            "world/setup.rs",
            "use crate::model::costs::Costing;\nuse super::super::contracts::Labour;\n",
            &[1, 2],
        ),
    ];
    for (file, source, expected) in cases {
        let module = module_path(Path::new(file));
        let found = check(file, &module, source, &phases);
        let lines: Vec<usize> = found
            .iter()
            .map(|v| v.split(':').nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(lines, expected, "{file}:\n{}", found.join("\n"));
    }
}

/// The contracts are declared in the order the pipeline runs the phases,
/// and docs/ARCHITECTURE.md shows them as they are.
#[test]
fn the_architecture_shows_each_phase_s_contract() {
    use ludd::model::contracts::{markdown_table, CONTRACTS};
    use ludd::model::phases::PHASES;
    let declared: Vec<&str> = CONTRACTS.iter().map(|c| c.phase).collect();
    assert_eq!(declared, PHASES, "contracts in pipeline order");
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ARCHITECTURE.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let table = markdown_table();
    assert!(
        text.contains(&table),
        "docs/ARCHITECTURE.md does not show the phases' contracts as declared in \
         src/model/contracts.rs; the table should read:\n{table}"
    );
}
