//! Every notebook in analysis/ runs headless against fresh ludd outputs, in
//! a virtual environment built from analysis/requirements.txt (created in
//! analysis/.venv when missing). A failing cell fails the test. Without
//! python3's venv or PyPI the test says that it was not run (see `system`).

use crate::command::{ludd, scratch, text};
use crate::system::{self, PYTHON_VENV};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The virtual environment's python with analysis/requirements.txt
/// installed, or none when python3 cannot make one or pip cannot install
/// from PyPI here (the test then says it was not run).
fn venv_python() -> Option<PathBuf> {
    let analysis = Path::new(env!("CARGO_MANIFEST_DIR")).join("analysis");
    let venv = analysis.join(".venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        if !system::have(&PYTHON_VENV, None) {
            return None;
        }
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 starts");
        if !made.success() {
            // A half-made environment would stop the next attempt from
            // making a whole one.
            let _ = std::fs::remove_dir_all(&venv);
            system::not_run(
                None,
                &format!(
                    "needs a virtual environment (python3 -m venv {} failed)",
                    venv.display()
                ),
            );
            return None;
        }
    }
    let pip = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(analysis.join("requirements.txt"))
        .status()
        .expect("pip starts");
    if !pip.success() {
        system::not_run(
            None,
            "needs PyPI (pip could not install analysis/requirements.txt; see its message above)",
        );
        return None;
    }
    Some(python)
}

/// Executes a notebook with nbclient; prints the failing cell's error.
const DRIVER: &str = r#"
import sys, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
path, out = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[3]}})
try:
    client.execute()
finally:
    nbformat.write(nb, out)
"#;

/// Asserts the ludd.* key-value metadata of every parquet file under a directory.
const METADATA: &str = r#"
import sys, re, pathlib, polars as pl
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.parquet"))
assert files, "no parquet files"
for f in files:
    meta = pl.read_parquet_metadata(f)
    for key in ["ludd.scenario", "ludd.scenario_hash", "ludd.seed", "ludd.version", "ludd.overrides"]:
        assert key in meta, f"{f}: {key} missing"
    assert meta["ludd.scenario"], f"{f}: empty scenario"
    assert re.fullmatch(r"[0-9a-f]{16}", meta["ludd.scenario_hash"]), f"{f}: hash {meta['ludd.scenario_hash']!r}"
    assert re.fullmatch(r"[0-9,\-]+|master=[0-9]+", meta["ludd.seed"]), f"{f}: seed {meta['ludd.seed']!r}"
print(f"{len(files)} parquet files carry ludd.scenario, ludd.scenario_hash, ludd.seed, ludd.version, ludd.overrides")
"#;

#[test]
fn every_notebook_runs_on_fresh_outputs() {
    let Some(python) = venv_python() else {
        return;
    };
    let dir = scratch("notebooks");
    let run = ludd(&["run", "loom", "--out", "run"], &dir);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let cmp = ludd(
        &[
            "compare",
            "luddites",
            "--seeds",
            "2",
            "--set",
            "end_year=1840",
            "--out",
            "cmp",
        ],
        &dir,
    );
    assert!(cmp.status.success(), "{}", text(&cmp.stderr));
    // A small Saltelli sweep for the sensitivity notebook: 8 x (3 + 2) runs.
    std::fs::write(
        dir.join("saltelli.ron"),
        "Sweep(\n    name: \"saltelli\",\n    base: \"loom\",\n    set: [\"end_year=1820\"],\n    design: Saltelli(base: 8, ranges: [\n        Range(path: \"behaviour.threshold_mean\", low: 1.0, high: 2.5),\n        Range(path: \"behaviour.destruction_rate\", low: 0.0, high: 1.0),\n        Range(path: \"technologies.power_loom.learning_exponent\", low: 0.05, high: 0.35),\n    ]),\n)\n",
    )
    .unwrap();
    let sweep = ludd(&["sweep", "saltelli.ron", "--out", "sweep"], &dir);
    assert!(sweep.status.success(), "{}", text(&sweep.stderr));
    for target in ["run", "cmp", "sweep"] {
        let sum = ludd(&["summarize", target], &dir);
        assert!(sum.status.success(), "{}", text(&sum.stderr));
    }

    // Every parquet file ludd wrote carries its provenance, read from Python.
    let check = Command::new(&python)
        .args(["-c", METADATA])
        .arg(&dir)
        .output()
        .expect("python starts");
    assert!(
        check.status.success(),
        "parquet metadata:\n{}",
        text(&check.stderr)
    );
    eprintln!("{}", text(&check.stdout).trim());

    let analysis = Path::new(env!("CARGO_MANIFEST_DIR")).join("analysis");
    let mut notebooks: Vec<PathBuf> = std::fs::read_dir(&analysis)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ipynb"))
        .collect();
    notebooks.sort();
    assert!(
        !notebooks.is_empty(),
        "analysis/ holds at least one notebook"
    );
    for nb in notebooks {
        let executed = dir.join(nb.file_name().unwrap());
        let out = Command::new(&python)
            .args(["-c", DRIVER])
            .arg(&nb)
            .arg(&executed)
            .arg(&analysis)
            .env("LUDD_RUN", dir.join("run"))
            .env("LUDD_COMPARE", dir.join("cmp"))
            .env("LUDD_SWEEP", dir.join("sweep"))
            .env("MPLBACKEND", "Agg")
            .output()
            .expect("the notebook driver starts");
        assert!(
            out.status.success(),
            "{} failed:\n{}",
            nb.display(),
            text(&out.stderr)
        );
        eprintln!("executed: {}", executed.display());
    }
}
