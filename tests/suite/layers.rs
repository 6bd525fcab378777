//! The layers of `src/`, checked under `cargo test` the way rust-analyzer's
//! tidy tests check its sources. Every file belongs to a layer and names
//! only its own layer and the layers below it (through `crate::`, `ludd::`,
//! `super::` or a name the crate root re-exports), uses only the crates its
//! layer may use, and touches files only where its layer may. Inside the
//! model, observation (`src/model/observe/`) only reads: no function there
//! takes a mutable reference to anything but its own output. Comments,
//! strings and characters are skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A layer: the top-level modules of `src/` it holds (a folder or a file
/// each), the reserved crates it may use, and whether it may touch files.
struct Layer {
    name: &'static str,
    modules: &'static [&'static str],
    crates: &'static [&'static str],
    files: bool,
}

/// The layers, bottom first: a file may name its own layer and the ones
/// before it. The model runs scenarios, so the scenario types lie below it.
const LAYERS: [Layer; 7] = [
    // The one error type.
    Layer {
        name: "error",
        modules: &["error"],
        crates: &[],
        files: true,
    },
    // Scenario and experiment types, built-ins, overrides, validation.
    Layer {
        name: "scenario",
        modules: &["scenario"],
        crates: &[],
        files: true,
    },
    // The simulation: state, phases, ledger, observation, run. No file I/O.
    Layer {
        name: "model",
        modules: &["model"],
        crates: &[],
        files: false,
    },
    // Tables and files, comparisons, sweeps, validation, calibration.
    Layer {
        name: "analysis",
        modules: &["analysis"],
        crates: &["polars"],
        files: true,
    },
    // The HTML report and its charts.
    Layer {
        name: "report",
        modules: &["report"],
        crates: &["polars", "plotters"],
        files: true,
    },
    // The local web server and its page: it reuses the analysis and the
    // report, and never opens a file (a client's path least of all).
    Layer {
        name: "serve",
        modules: &["serve"],
        crates: &[
            "axum",
            "hyper",
            "hyper_util",
            "tokio",
            "futures_util",
            "zip",
        ],
        files: false,
    },
    // The binary: src/main.rs and src/cli/.
    Layer {
        name: "cli",
        modules: &["cli", "main"],
        crates: &["clap", "indicatif", "anyhow"],
        files: true,
    },
];

/// Crates only the layers that list them may use.
const RESERVED: [&str; 11] = [
    "polars",
    "plotters",
    "clap",
    "indicatif",
    "anyhow",
    "axum",
    "hyper",
    "hyper_util",
    "tokio",
    "futures_util",
    "zip",
];

#[test]
fn no_layer_names_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let roots = root_names(&std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs"));
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut per_layer = [0; LAYERS.len()];
    let mut violations = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&src).unwrap();
        let shown = Path::new("src").join(relative).display().to_string();
        if relative == Path::new("lib.rs") {
            continue; // The crate root declares and re-exports every library layer.
        }
        let Some(layer) = layer_of_file(relative) else {
            violations.push(format!(
                "{shown}: belongs to no layer (add its module to LAYERS in tests/suite/layers.rs)"
            ));
            continue;
        };
        per_layer[layer] += 1;
        let source = std::fs::read_to_string(path).unwrap();
        violations.extend(check(
            &shown,
            layer,
            &module_path(relative),
            &source,
            &roots,
        ));
    }
    for (layer, count) in LAYERS.iter().zip(per_layer) {
        assert!(count > 0, "no file of the {} layer found", layer.name);
    }
    for v in &violations {
        eprintln!("{v}");
    }
    let order: Vec<&str> = LAYERS.iter().map(|l| l.name).collect();
    assert!(
        violations.is_empty(),
        "{} layering violation(s) in src/ (layers bottom first: {}):\n{}",
        violations.len(),
        order.join(" < "),
        violations.join("\n")
    );
}

#[test]
fn the_layer_check_finds_each_kind_of_violation() {
    let source = r##"//! crate::analysis in a comment is allowed.
use crate::error::Result;
use crate::scenario::{Scenario, TechKind};
use crate::{
    analysis::output,
    scenario::Behaviour,
};
use super::super::report::CHARTS;
/* crate::cli in a block comment */
const S: &str = "ludd::analysis in a string \
    that goes on";
const R: (&str, char) = (r#"crate::cli "in" a raw string"#, '"');
fn f() -> polars::prelude::DataFrame { todo!() }
fn g() { let _ = (std::fs::read("x"), File::open("y"), crate::ensemble, super::world::World); }
"##;
    let roots = root_names("pub mod model;\npub use model::run::{ensemble, run};\n");
    let module = module_path(Path::new("model/planted.rs"));
    let found = check("src/model/planted.rs", 2, &module, source, &roots);
    let lines: Vec<&str> = found
        .iter()
        .map(|v| v.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "src/model/planted.rs:5",
            "src/model/planted.rs:8",
            "src/model/planted.rs:13",
            "src/model/planted.rs:14",
            "src/model/planted.rs:14",
        ],
        "{}",
        found.join("\n")
    );
    for (v, path) in found.iter().zip([
        "crate::analysis::output",
        "super::super::report::CHARTS",
        "polars::prelude::DataFrame",
        "std::fs::read",
        "File::open",
    ]) {
        assert!(v.contains(path), "{v} names {path}");
    }
}

/// The types observation may take `&mut` of: what it fills (`Records`, the
/// rows of a run's tables) and its own working memory (`WorkerSums` and
/// `Agg`, the sums a step's rows are made from; `Incomes`, the counts
/// behind the Gini coefficients; `Chain`, a chained index of real output).
/// Everything else, the world and every part of it above all, it takes by
/// shared reference.
const OBSERVATION_OWNS: [&str; 5] = ["Records", "WorkerSums", "Agg", "Incomes", "Chain"];

#[test]
fn observation_takes_no_mutable_reference_to_model_state() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("model/observe"), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no file of src/model/observe found");
    let mut violations = Vec::new();
    for path in &files {
        let shown = Path::new("src")
            .join(path.strip_prefix(&src).unwrap())
            .display()
            .to_string();
        let source = std::fs::read_to_string(path).unwrap();
        violations.extend(mutable_borrows(&shown, &source));
    }
    assert!(
        violations.is_empty(),
        "{} function(s) of src/model/observe take model state mutably; what the model \
         reads back belongs in a phase (observation may take &mut of {} only):\n{}",
        violations.len(),
        OBSERVATION_OWNS.join(", "),
        violations.join("\n")
    );
}

#[test]
fn the_read_only_check_finds_each_mutable_borrow() {
    let source = r##"//! fn f(w: &mut World) in a comment is allowed.
pub fn record(w: &World, rec: &mut Records, s: &str) {}
pub fn update(w: &mut World, rec: &mut Records) {}
fn reset<'a>(lifetime: &'a mut [f64], reg: &mut crate::model::world::Economy) {}
impl Chain { pub fn next(&mut self, prices: &[f64]) -> f64 { 0.0 } }
impl World { fn touch(&mut self) {} }
fn each(job: &impl Fn(&mut Workers)) -> Vec<f64> { let x = &mut 1; vec![] }
struct S { pick: fn(&World) -> f64 }
"##;
    let found = mutable_borrows("src/model/observe/planted.rs", source);
    let lines: Vec<&str> = found
        .iter()
        .map(|v| v.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "src/model/observe/planted.rs:3",
            "src/model/observe/planted.rs:4",
            "src/model/observe/planted.rs:4",
            "src/model/observe/planted.rs:6",
            "src/model/observe/planted.rs:7",
        ],
        "{}",
        found.join("\n")
    );
    for (v, what) in found.iter().zip([
        "&mut World",
        "&mut [",
        "&mut Economy",
        "&mut World",
        "&mut Workers",
    ]) {
        assert!(v.contains(what), "{v} takes {what}");
    }
}

/// The mutable borrows of anything but `OBSERVATION_OWNS` in the function
/// signatures of one file (`fn` to the start of its body, bounds and
/// function-pointer types included), each as `file:line: what is wrong:
/// the line`. `&mut self` is a borrow of the type of the `impl` block it
/// stands in.
fn mutable_borrows(file: &str, source: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let tokens = tokens(source);
    let at = |i: usize| tokens.get(i).map(|t| &t.0);
    let is = |i: usize, name: &str| matches!(at(i), Some(Token::Ident(s)) if s == name);
    let mut out = Vec::new();
    let mut impl_type = String::new();
    let mut i = 0;
    while i < tokens.len() {
        // An `impl` block opens where an item may start (not `impl Trait`
        // in a signature); the type it is for is the last name outside
        // angle brackets before its body or `where`.
        let item_start = i == 0
            || matches!(
                at(i - 1),
                Some(Token::Open | Token::Close | Token::Other(';' | ']'))
            )
            || is(i - 1, "unsafe");
        if is(i, "impl") && item_start {
            let mut depth = 0;
            i += 1;
            while i < tokens.len() && at(i) != Some(&Token::Open) && !is(i, "where") {
                match at(i) {
                    Some(Token::Other('<')) => depth += 1,
                    Some(Token::Other('>')) => depth -= 1,
                    Some(Token::Ident(name)) if depth == 0 && name != "for" => {
                        impl_type = name.clone();
                    }
                    _ => {}
                }
                i += 1;
            }
            continue;
        }
        if !is(i, "fn") {
            i += 1;
            continue;
        }
        let name = match at(i + 1) {
            Some(Token::Ident(name)) => name.clone(),
            _ => "a function pointer".to_string(),
        };
        // The signature ends at the body, a `;` or the end of what holds it.
        let mut parens = 0;
        i += 1;
        while i < tokens.len() {
            match at(i) {
                Some(Token::Other('(')) => parens += 1,
                Some(Token::Other(')')) => parens -= 1,
                Some(Token::Open | Token::Close | Token::Other(';')) if parens == 0 => break,
                Some(Token::Other('&')) => {
                    // `&mut T` or `&'a mut T`.
                    let mut k = i + 1;
                    if at(k) == Some(&Token::Other('\'')) {
                        k += 2;
                    }
                    if is(k, "mut") {
                        let taken = borrowed_type(&tokens, k + 1, &impl_type);
                        if !OBSERVATION_OWNS.contains(&taken.as_str()) {
                            let line = tokens[i].1;
                            out.push(format!(
                                "{file}:{line}: {name} takes &mut {taken}: {}",
                                lines.get(line - 1).map_or("", |l| l.trim())
                            ));
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// The name of the type a `&mut` borrows, from the tokens after `mut`: the
/// last segment of its path (`World` for `crate::model::world::World`),
/// the `impl` block's type for `self` and `Self`, and the opening bracket
/// for a slice, array or tuple.
fn borrowed_type(tokens: &[(Token, usize)], mut k: usize, impl_type: &str) -> String {
    let ident = |k: usize| match tokens.get(k).map(|t| &t.0) {
        Some(Token::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    match tokens.get(k).map(|t| &t.0) {
        Some(Token::Other(bracket)) => return bracket.to_string(),
        None | Some(Token::Open | Token::Close | Token::PathSep) => return String::new(),
        Some(Token::Ident(_)) => {}
    }
    if matches!(ident(k), Some("dyn" | "impl")) {
        k += 1;
    }
    let mut last = ident(k).unwrap_or_default();
    while tokens.get(k + 1).map(|t| &t.0) == Some(&Token::PathSep) {
        k += 2;
        last = ident(k).unwrap_or(last);
    }
    match last {
        "self" | "Self" => impl_type.to_string(),
        _ => last.to_string(),
    }
}

/// Every `.rs` file below `dir`.
pub(super) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer of a top-level module.
fn layer_of_module(name: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.modules.contains(&name))
}

/// The layer of a file, from its path below `src/`.
fn layer_of_file(relative: &Path) -> Option<usize> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    layer_of_module(first.strip_suffix(".rs").unwrap_or(first))
}

/// The module a file holds, as segments below its crate's root.
pub(super) fn module_path(relative: &Path) -> Vec<String> {
    let mut segments: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if segments.last().is_some_and(|s| s == "mod") || segments == ["main"] {
        segments.pop();
    }
    segments
}

/// The layer of each name the crate root re-exports (`pub use model::run::run`).
fn root_names(lib: &str) -> BTreeMap<String, usize> {
    let mut names = BTreeMap::new();
    for p in paths(&tokens(lib)) {
        let s: Vec<&str> = p
            .segments
            .iter()
            .map(String::as_str)
            .skip_while(|s| matches!(*s, "crate" | "self"))
            .collect();
        let layer = s.first().and_then(|first| layer_of_module(first));
        if let (Some(layer), Some(last)) = (layer, s.last()) {
            if s.len() > 1 && !matches!(*last, "*" | "self") {
                names.insert(last.to_string(), layer);
            }
        }
    }
    names
}

/// The violations in one file of layer `layer`, each as
/// `file:line: what is wrong (the path): the line`.
fn check(
    file: &str,
    layer: usize,
    module: &[String],
    source: &str,
    roots: &BTreeMap<String, usize>,
) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let here = &LAYERS[layer];
    let mut out = Vec::new();
    for p in paths(&tokens(source)) {
        let s: Vec<&str> = p.segments.iter().map(String::as_str).collect();
        // The top-level name the path starts from, when it leaves its own module tree.
        let root = match s[0] {
            "crate" | "ludd" => Some(s[1]),
            "super" => {
                let up = s.iter().take_while(|x| **x == "super").count();
                (up == module.len()).then(|| s.get(up).copied()).flatten()
            }
            _ => None,
        };
        let named = root.and_then(|r| layer_of_module(r).or_else(|| roots.get(r).copied()));
        let why = if let Some(above) = named.filter(|&l| l > layer) {
            Some(format!(
                "the {} layer names the {} layer above it",
                here.name, LAYERS[above].name
            ))
        } else if RESERVED.contains(&s[0]) && !here.crates.contains(&s[0]) {
            let allowed: Vec<&str> = LAYERS
                .iter()
                .filter(|l| l.crates.contains(&s[0]))
                .map(|l| l.name)
                .collect();
            Some(format!(
                "the {} layer uses {}, which only {} may use",
                here.name,
                s[0],
                allowed.join(" and ")
            ))
        } else if !here.files && (s[..2] == ["std", "fs"] || s[0] == "File") {
            Some(format!("the {} layer touches files", here.name))
        } else {
            None
        };
        if let Some(why) = why {
            out.push(format!(
                "{file}:{}: {why} ({}): {}",
                p.line,
                s.join("::"),
                lines.get(p.line - 1).map_or("", |l| l.trim())
            ));
        }
    }
    out
}

#[derive(Debug, PartialEq)]
pub(super) enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Other(char),
}

/// The tokens of Rust source that make up paths, each with its line;
/// comments, strings, characters and numbers are left out.
pub(super) fn tokens(source: &str) -> Vec<(Token, usize)> {
    let c: Vec<char> = source.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    // Skips from `i` to the end of a string closed by `"` and `hashes` #'s.
    let string_end = |mut i: usize, hashes: usize, escapes: bool, line: &mut usize| {
        while i < c.len() {
            match c[i] {
                '\\' if escapes => {
                    // A backslash may end a line (the string continues on the next).
                    *line += usize::from(at(i + 1) == '\n');
                    i += 1;
                }
                '\n' => *line += 1,
                '"' if (1..=hashes).all(|k| at(i + k) == '#') => return i + 1 + hashes,
                _ => {}
            }
            i += 1;
        }
        i
    };
    while i < c.len() {
        match c[i] {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if at(i + 1) == '/' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                loop {
                    if i >= c.len() {
                        break;
                    } else if c[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(c[i] == '\n');
                        i += 1;
                    }
                }
            }
            '"' => i = string_end(i + 1, 0, true, &mut line),
            // A character ('x', '\n'); otherwise a lifetime, whose name follows.
            '\'' if at(i + 1) == '\\' => {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            '\'' if at(i + 2) == '\'' => i += 3,
            ':' if at(i + 1) == ':' => {
                out.push((Token::PathSep, line));
                i += 2;
            }
            '{' => {
                out.push((Token::Open, line));
                i += 1;
            }
            '}' => {
                out.push((Token::Close, line));
                i += 1;
            }
            ch if ch.is_ascii_digit() => {
                while i < c.len() && ident(c[i]) {
                    i += 1;
                }
            }
            ch if ident(ch) => {
                let start = i;
                while i < c.len() && ident(c[i]) {
                    i += 1;
                }
                let word: String = c[start..i].iter().collect();
                let hashes = (i..).take_while(|&k| at(k) == '#').count();
                match word.as_str() {
                    // Raw strings (r"..", br#".."#) and byte or C strings.
                    "r" | "br" | "cr" if at(i + hashes) == '"' => {
                        i = string_end(i + hashes + 1, hashes, false, &mut line);
                    }
                    "b" | "c" if at(i) == '"' => i = string_end(i + 1, 0, true, &mut line),
                    // A raw identifier (r#type).
                    "r" if hashes == 1 => i += 1,
                    _ => out.push((Token::Ident(word), line)),
                }
            }
            ch if ch.is_whitespace() => i += 1,
            ch => {
                out.push((Token::Other(ch), line));
                i += 1;
            }
        }
    }
    out
}

/// A path of two segments or more, with the line of its first segment;
/// a `use` group gives one path per member.
pub(super) struct Named {
    pub(super) segments: Vec<String>,
    pub(super) line: usize,
}

pub(super) fn paths(tokens: &[(Token, usize)]) -> Vec<Named> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        // A path starts at a name not preceded by `a::` or `<T>::`.
        let continues = i >= 2
            && tokens[i - 1].0 == Token::PathSep
            && matches!(tokens[i - 2].0, Token::Ident(_) | Token::Other('>'));
        if matches!(tokens[i].0, Token::Ident(_)) && !continues {
            i = tree(tokens, i, &[], &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// Reads the path (or `use` tree) starting at `i` below `prefix`; returns
/// the index after it.
fn tree(tokens: &[(Token, usize)], mut i: usize, prefix: &[String], out: &mut Vec<Named>) -> usize {
    let line = tokens[i].1;
    let mut segments = prefix.to_vec();
    loop {
        match tokens.get(i).map(|t| &t.0) {
            Some(Token::Ident(s)) => segments.push(s.clone()),
            Some(Token::Other('*')) => segments.push("*".into()),
            Some(Token::Open) => {
                // A group: each member is a tree below the path so far.
                i += 1;
                loop {
                    match tokens.get(i).map(|t| &t.0) {
                        None => return i,
                        Some(Token::Close) => return i + 1,
                        Some(Token::Ident(s)) if s == "as" => i += 2,
                        Some(Token::Ident(_) | Token::Open | Token::Other('*')) => {
                            i = tree(tokens, i, &segments, out)
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            _ => break,
        }
        i += 1;
        if tokens.get(i).map(|t| &t.0) != Some(&Token::PathSep) {
            break;
        }
        i += 1;
    }
    if segments.len() >= 2 {
        out.push(Named { segments, line });
    }
    i
}
