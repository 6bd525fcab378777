//! Structure-aware fuzzing of every kind of file ludd reads: the built-in
//! scenarios, the sweep files and the experiments, mutated by byte flips,
//! truncation, deleted, duplicated and swapped lines (fields), numbers
//! replaced by extremes (0, negative, 1e308, NaN and infinity written as
//! text, integers past their type), deep nesting and huge lists.
//!
//! Every input must be either refused with a located error (line and column
//! for text that does not parse, a field path for every rule broken) or
//! accepted; nothing may panic. Accepted scenarios must also run: the first
//! of them run 20 steps each, and no table may hold a NaN or an infinity.
//!
//! `LUDD_FUZZ_INPUTS` sets the number of inputs (default 20,000) and
//! `LUDD_FUZZ_RUNS` the number of accepted scenarios run (default 150); the
//! figures in docs/RELIABILITY.md come from larger settings. Inputs are
//! derived from their index alone, so a failure names the index that
//! reproduces it.

use crate::env_count;
use ludd::analysis::sweep::SweepFile;
use ludd::error::LuddError;
use ludd::scenario::experiment::Experiment;
use ludd::Scenario;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

/// Accepted scenarios run for 20 steps, at most this many of them unless
/// `LUDD_FUZZ_RUNS` says otherwise.
const RUN_CAP: usize = 150;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Scenario,
    Sweep,
    Experiment,
}

fn corpus() -> Vec<(Kind, String, String)> {
    let mut files = Vec::new();
    for name in ["loom", "assembly_line", "pc", "llm"] {
        let (text, _) = ludd::scenario::read_source(name).unwrap();
        files.push((Kind::Scenario, name.to_string(), text));
    }
    for (dir, kind) in [
        ("scenarios/sweeps", Kind::Sweep),
        ("scenarios/experiments", Kind::Experiment),
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ron"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap();
            files.push((kind, p.display().to_string(), text));
        }
    }
    files
}

const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "-0.5",
    "1e308",
    "-1e308",
    "1e-308",
    "NaN",
    "inf",
    "-inf",
    "4294967296",
    "18446744073709551616",
    "99999999999",
    "0.0",
    "1e9",
];

/// One mutation of `text`, chosen by `rng`.
fn mutate(text: &str, rng: &mut ChaCha8Rng) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let pick_line = |rng: &mut ChaCha8Rng| rng.random_range(0..lines.len().max(1));
    match rng.random_range(0..9) {
        // A random byte somewhere.
        0 => {
            let mut bytes = text.as_bytes().to_vec();
            if !bytes.is_empty() {
                let i = rng.random_range(0..bytes.len());
                bytes[i] = rng.random();
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        // Truncated.
        1 => {
            let mut end = rng.random_range(0..=text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_string()
        }
        // A line (usually a field) deleted.
        2 => {
            let k = pick_line(rng);
            join(
                lines
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != k)
                    .map(|(_, l)| *l),
            )
        }
        // A line duplicated.
        3 => {
            let k = pick_line(rng);
            let mut out: Vec<&str> = lines.clone();
            if k < out.len() {
                out.insert(k, lines[k]);
            }
            join(out.into_iter())
        }
        // Two lines swapped.
        4 => {
            let (a, b) = (pick_line(rng), pick_line(rng));
            let mut out = lines.clone();
            if a < out.len() && b < out.len() {
                out.swap(a, b);
            }
            join(out.into_iter())
        }
        // A number replaced by an extreme value.
        5 | 6 => replace_number(text, rng),
        // Deep nesting in place of a value.
        7 => {
            let depth = rng.random_range(100..5_000);
            let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            replace_value(text, rng, &nested)
        }
        // A huge list in place of a value.
        _ => {
            let n = rng.random_range(1_000..50_000);
            let list = format!("[{}]", vec!["1.0"; n].join(","));
            replace_value(text, rng, &list)
        }
    }
}

fn join<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    lines.collect::<Vec<_>>().join("\n")
}

/// Byte ranges of the number literals in `text` (outside comments, roughly).
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = (b[i].is_ascii_digit()
            || (b[i] == b'-' && i + 1 < b.len() && b[i + 1].is_ascii_digit()))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'));
        if starts {
            let start = i;
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_digit() || matches!(b[i], b'.' | b'e' | b'E' | b'-' | b'_'))
            {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

fn replace_number(text: &str, rng: &mut ChaCha8Rng) -> String {
    let found = numbers(text);
    if found.is_empty() {
        return text.to_string();
    }
    let (a, b) = found[rng.random_range(0..found.len())];
    let with = EXTREMES[rng.random_range(0..EXTREMES.len())];
    format!("{}{}{}", &text[..a], with, &text[b..])
}

fn replace_value(text: &str, rng: &mut ChaCha8Rng, with: &str) -> String {
    let found = numbers(text);
    if found.is_empty() {
        return text.to_string();
    }
    let (a, b) = found[rng.random_range(0..found.len())];
    format!("{}{}{}", &text[..a], with, &text[b..])
}

/// Whether a refusal says where the problem is.
fn located(e: &LuddError) -> bool {
    match e {
        LuddError::Parse { line, column, .. } => *line >= 1 && *column >= 1,
        LuddError::Invalid { problems, .. } => {
            !problems.is_empty() && problems.iter().all(|p| !p.path.trim().is_empty())
        }
        LuddError::Override { path, .. } => !path.is_empty(),
        LuddError::UnknownScenario { name, .. } => !name.is_empty(),
        _ => false,
    }
}

/// What came of one input.
enum Outcome {
    Refused(LuddError),
    Accepted(Vec<Scenario>),
}

fn check(kind: Kind, file: &str, text: &str) -> Outcome {
    let result = match kind {
        Kind::Scenario => Scenario::from_ron(text, "fuzz").and_then(|s| {
            let problems = ludd::scenario::validate(&s);
            if problems.is_empty() {
                Ok(vec![s])
            } else {
                Err(LuddError::Invalid {
                    file: "fuzz".into(),
                    problems,
                })
            }
        }),
        Kind::Sweep => SweepFile::from_ron(text, file)
            .and_then(|sweep| sweep.validate(file, &|_, _| {}))
            .map(|base| vec![base]),
        Kind::Experiment => Experiment::from_ron(text, file)
            .and_then(|e| e.resolve(file))
            .map(|settings| settings.into_iter().take(1).map(|r| r.scenario).collect()),
    };
    match result {
        Ok(s) => Outcome::Accepted(s),
        Err(e) => Outcome::Refused(e),
    }
}

/// Runs 20 steps of `s` and returns the first non-finite number in a table.
fn run_twenty_steps(s: &Scenario) -> Result<(), String> {
    let mut short = s.clone();
    short.end_year = short.start_year + 20.0 / f64::from(short.steps_per_year);
    short.projection_from = None;
    let out = ludd::run(&short, 1).map_err(|e| e.to_string())?;
    for (name, frame) in [
        ("series", ludd::analysis::output::series_frame(&out)),
        ("groups", ludd::analysis::output::groups_frame(&out)),
        (
            "technologies",
            ludd::analysis::output::technologies_frame(&out),
        ),
        ("trade", ludd::analysis::output::trade_frame(&out)),
    ] {
        let frame = frame.map_err(|e| e.to_string())?;
        for column in frame.get_columns() {
            if let Ok(values) = column.f64() {
                if let Some(v) = values.into_iter().flatten().find(|v| !v.is_finite()) {
                    return Err(format!("{name}.{} holds {v}", column.name()));
                }
            }
        }
    }
    Ok(())
}

thread_local! {
    /// Whether this thread's panics go unreported (they are caught and counted).
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// A pool of the default size whose threads' panics print nothing. The
/// panic hook is the process's: it stays as it was for every other thread.
fn quiet_pool() -> rayon::ThreadPool {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    rayon::ThreadPoolBuilder::new()
        .start_handler(|_| QUIET.with(|q| q.set(true)))
        .build()
        .expect("the fuzzing pool starts")
}

#[test]
fn mutated_inputs_are_refused_with_a_location_or_run_cleanly() {
    let inputs = env_count("LUDD_FUZZ_INPUTS", 20_000);
    let run_cap = env_count("LUDD_FUZZ_RUNS", RUN_CAP);
    let files = corpus();
    // Panics are caught and counted; their messages would only clutter the
    // output. The inputs are checked and run on a pool whose threads alone
    // are silenced: other tests share the process and its panic hook.
    let (refused, accepted, ran, failures) = quiet_pool().install(|| {
        let (mut refused, mut accepted, mut ran) = (0usize, 0usize, 0usize);
        let mut failures = Vec::new();
        for i in 0..inputs {
            let (kind, file, original) = &files[i % files.len()];
            let mut rng = ChaCha8Rng::seed_from_u64(i as u64);
            let mut text = original.clone();
            for _ in 0..rng.random_range(1..=3) {
                text = mutate(&text, &mut rng);
            }
            match catch_unwind(AssertUnwindSafe(|| check(*kind, file, &text))) {
                Err(_) => failures.push(format!("input {i} ({file}): panicked while loading")),
                Ok(Outcome::Refused(e)) => {
                    refused += 1;
                    if !located(&e) {
                        failures.push(format!(
                            "input {i} ({file}): refused without a location: {e}"
                        ));
                    }
                }
                Ok(Outcome::Accepted(scenarios)) => {
                    accepted += 1;
                    for s in scenarios {
                        // Large worlds are valid but too slow for a test;
                        // `check_memory` guards the machine in `ludd` itself.
                        if ran >= run_cap || s.memory_estimate() > 512 << 20 {
                            continue;
                        }
                        ran += 1;
                        match catch_unwind(AssertUnwindSafe(|| run_twenty_steps(&s))) {
                            Err(_) => {
                                failures.push(format!("input {i} ({file}): the run panicked"))
                            }
                            Ok(Err(e)) => failures.push(format!("input {i} ({file}): {e}")),
                            Ok(Ok(())) => {}
                        }
                    }
                }
            }
        }
        (refused, accepted, ran, failures)
    });
    eprintln!(
        "{inputs} inputs from {} files: {refused} refused with a location, {accepted} accepted, \
         {ran} accepted scenarios run 20 steps; {} failures",
        files.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures, the first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The mutations reach both sides: most inputs are refused, some pass.
    assert!(
        refused > inputs / 2 && accepted > 0,
        "{refused} refused, {accepted} accepted"
    );
}
