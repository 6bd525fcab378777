//! Readers: `summarize` and `report` read each run under a shared lock,
//! whole, and check every table and the recorded scenario against the
//! run's manifest. Runs of two scenarios mixed in one directory, a
//! manifest copied from another run, a run replaced while it is read, a
//! read-only mount, a FIFO in place of a table and a partial sweep each
//! end in a clear refusal or a correct result.

use crate::command::{ludd, scratch, text};
use crate::system;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A short run of `scenario` (its first `years`) into `out`.
fn short_run(dir: &Path, scenario: &str, end_year: u32, out: &str) {
    let end = format!("end_year={end_year}");
    let run = ludd(&["run", scenario, "--set", &end, "--out", out], dir);
    assert!(
        run.status.success(),
        "run {scenario}: {}",
        text(&run.stderr)
    );
}

/// A copy of the run directory `from` as `to`.
fn copy_run(dir: &Path, from: &str, to: &str) {
    std::fs::create_dir_all(dir.join(to)).unwrap();
    for e in std::fs::read_dir(dir.join(from)).unwrap().flatten() {
        std::fs::copy(e.path(), dir.join(to).join(e.file_name())).unwrap();
    }
}

/// Runs `ludd args` expecting a refusal naming each of `names`, in one
/// line, without a panic.
fn refused(args: &[&str], dir: &Path, names: &[&str]) -> String {
    let out = ludd(args, dir);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "ludd {args:?}: {err}");
    for name in names {
        assert!(err.contains(name), "ludd {args:?}: no {name} in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

fn edit_manifest(run: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let path = run.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut m);
    std::fs::write(&path, m.to_string()).unwrap();
}

/// The regions of each scenario in a redistribution table.
fn regions_by_scenario(table: &Path) -> Vec<(String, String)> {
    let df = ludd::analysis::output::read_parquet(table).unwrap();
    let scenario = df.column("scenario").unwrap().str().unwrap().clone();
    let region = df.column("region").unwrap().str().unwrap().clone();
    scenario
        .into_iter()
        .zip(&region)
        .map(|(s, r)| (s.unwrap().to_string(), r.unwrap().to_string()))
        .collect()
}

#[test]
fn a_table_of_another_run_or_a_copied_manifest_is_refused() {
    let dir = scratch("readers_mixed");
    short_run(&dir, "loom", 1735, "loom");
    short_run(&dir, "pc", 1964, "pc");
    // A loom run holding one table of the pc run.
    copy_run(&dir, "loom", "mixed/r");
    std::fs::copy(
        dir.join("pc/groups.parquet"),
        dir.join("mixed/r/groups.parquet"),
    )
    .unwrap();
    for command in ["summarize", "report"] {
        let err = refused(
            &[command, "mixed"],
            &dir,
            &[
                "mixed/r/groups.parquet",
                "made by scenario pc",
                "records scenario loom",
            ],
        );
        eprintln!("{command} of a mixed run: {}", err.trim());
    }
    assert!(!dir.join("mixed/redistribution.parquet").exists());
    assert!(!dir.join("mixed/report.html").exists());
    // The seed counts too: a table of another seed of the same scenario.
    let reseeded = ludd(
        &[
            "run",
            "loom",
            "--set",
            "end_year=1735",
            "--seed",
            "9",
            "--out",
            "seed9",
        ],
        &dir,
    );
    assert!(reseeded.status.success(), "{}", text(&reseeded.stderr));
    copy_run(&dir, "loom", "reseeded");
    std::fs::copy(
        dir.join("seed9/trade.parquet"),
        dir.join("reseeded/trade.parquet"),
    )
    .unwrap();
    refused(
        &["summarize", "reseeded"],
        &dir,
        &["reseeded/trade.parquet", "seed 9"],
    );

    // A pc run whose manifest took loom's name and hash: the scenario it
    // records is pc's, and says so.
    let loom_hash =
        ludd::analysis::output::read_manifest(&dir.join("loom")).unwrap()["scenario_hash"].clone();
    copy_run(&dir, "pc", "named");
    edit_manifest(&dir.join("named"), |m| {
        m["scenario_name"] = "loom".into();
        m["scenario_hash"] = loom_hash.clone();
    });
    refused(
        &["summarize", "named"],
        &dir,
        &["named/manifest.json", "the scenario it records is 'pc'"],
    );
    // The same with the recorded scenario renamed too: only hashing the
    // recorded scenario again tells.
    copy_run(&dir, "pc", "copied");
    edit_manifest(&dir.join("copied"), |m| {
        m["scenario_name"] = "loom".into();
        m["scenario_hash"] = loom_hash.clone();
        m["scenario"]["name"] = "loom".into();
    });
    for command in ["summarize", "report"] {
        refused(
            &[command, "copied"],
            &dir,
            &[
                "copied/manifest.json",
                "not to its scenario_hash",
                "copied from another run",
            ],
        );
    }
    // The runs as written are read, each as its own scenario.
    std::fs::create_dir(dir.join("both")).unwrap();
    std::fs::rename(dir.join("loom"), dir.join("both/loom")).unwrap();
    std::fs::rename(dir.join("pc"), dir.join("both/pc")).unwrap();
    let out = ludd(&["summarize", "both"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 scenarios (loom, pc)"));
}

#[test]
fn a_run_whose_scenario_holds_seventeen_digit_numbers_is_read_back_exactly() {
    let dir = scratch("readers-digits");
    // Numbers of seventeen significant digits, as a sweep's Latin
    // hypercube writes them, which a JSON parser that misses the last digit
    // would read back as other numbers: the recorded scenario would then
    // not hash to itself and an honest run would be refused.
    let shown = ludd(&["show", "loom"], &dir);
    assert!(shown.status.success());
    let scenario = text(&shown.stdout)
        .replace(
            "threshold_mean: 1.05,",
            "threshold_mean: 0.19653912804932894,",
        )
        .replace("end_year: 1900.0,", "end_year: 1733.0,");
    assert!(scenario.contains("0.19653912804932894"));
    std::fs::write(dir.join("digits.ron"), scenario).unwrap();
    let run = ludd(
        &[
            "run",
            "digits.ron",
            "--set",
            "behaviour.consumption_income=0.9300843865388735",
            "--out",
            "r",
        ],
        &dir,
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    for args in [&["summarize", "r"][..], &["report", "r"][..]] {
        let out = ludd(args, &dir);
        assert!(
            out.status.success(),
            "ludd {args:?} reads the run: {}",
            text(&out.stderr)
        );
    }
}

/// The regions of each scenario, from a run of it.
fn regions_of(run: &Path) -> Vec<String> {
    let df = ludd::analysis::output::read_parquet(&run.join("summary.parquet")).unwrap();
    let regions = df.column("region").unwrap().str().unwrap().clone();
    regions
        .into_iter()
        .map(|r| r.unwrap().to_string())
        .collect()
}

#[test]
fn summarize_and_report_beside_a_writer_replacing_a_run_never_mix_scenarios() {
    let dir = scratch("readers_race");
    for k in 1..=6 {
        short_run(&dir, "loom", 1735, &format!("nat/r{k}"));
    }
    short_run(&dir, "loom", 1735, "loom-alone");
    short_run(&dir, "pc", 1962, "pc-alone");
    let loom = regions_of(&dir.join("loom-alone"));
    let pc = regions_of(&dir.join("pc-alone"));
    // A writer replaces nat/r3 again and again, by a pc run and a loom run
    // in turn, while summarize and report read nat.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (dir, stop) = (dir.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut k = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (scenario, end) = if k % 2 == 0 {
                    ("pc", "end_year=1962")
                } else {
                    ("loom", "end_year=1735")
                };
                let _ = ludd(
                    &["run", scenario, "--set", end, "--out", "nat/r3", "--force"],
                    &dir,
                );
                k += 1;
                // A pause between writers, so that on a slow machine too
                // some reads find the run free.
                std::thread::sleep(Duration::from_millis(100));
            }
            k
        })
    };
    let (mut whole, mut refusals) = (0, Vec::new());
    for k in 0..30 {
        let command = if k % 3 == 2 { "report" } else { "summarize" };
        let page = format!("page{k}.html");
        let args: Vec<&str> = if command == "report" {
            vec!["report", "nat", "-o", &page]
        } else {
            vec!["summarize", "nat"]
        };
        let out = ludd(&args, &dir);
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{err}");
        if !out.status.success() {
            assert_eq!(out.status.code(), Some(1), "{err}");
            assert!(err.contains("nat/"), "the refusal names the run: {err}");
            refusals.push(err.trim().to_string());
            continue;
        }
        whole += 1;
        if command == "summarize" {
            // Every row of a scenario holds that scenario's regions.
            for (scenario, region) in
                regions_by_scenario(&dir.join("nat/redistribution_regions.parquet"))
            {
                let own = if scenario == "pc" { &pc } else { &loom };
                assert!(
                    own.contains(&region),
                    "a {scenario} row holds the region {region}"
                );
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let writes = writer.join().unwrap();
    eprintln!(
        "30 reads beside {writes} replacements: {whole} whole, {} refused; for example: {:?}",
        refusals.len(),
        refusals.first()
    );
    assert!(whole > 0, "some reads succeed: {refusals:?}");
}

/// A small file system mounted for the test (as root), unmounted on drop.
struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(at: &Path, options: &str) -> Option<Mount> {
        std::fs::create_dir_all(at).unwrap();
        Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success())
            .then(|| Mount(at.to_path_buf()))
    }

    fn read_only(&self) {
        let done = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(done.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn runs_on_read_only_storage_are_reported_elsewhere() {
    let dir = scratch("readers_read_only");
    // Mounting needs root, as in CI; elsewhere the test says so and stops.
    if !system::root(None, "mount a tmpfs and make it read-only") {
        return;
    }
    let Some(mount) = Mount::tmpfs(&dir.join("ro"), "size=8m") else {
        system::not_run(None, system::MOUNT_FAILED);
        return;
    };
    short_run(&dir, "loom", 1735, "ro/runs/a");
    short_run(&dir, "pc", 1962, "ro/runs/b");
    mount.read_only();
    std::fs::create_dir(dir.join("elsewhere")).unwrap();
    // One run, and a directory of runs: read without a lock, and said once.
    for (input, page) in [
        ("ro/runs/a", "elsewhere/a.html"),
        ("ro/runs", "elsewhere/all.html"),
    ] {
        let out = ludd(&["report", input, "-o", page], &dir);
        let err = text(&out.stderr);
        assert!(out.status.success(), "report {input}: {err}");
        assert!(dir.join(page).is_file());
        assert_eq!(
            err.matches("reading without a lock").count(),
            1,
            "said once: {err}"
        );
        assert!(err.contains("Read-only"), "{err}");
    }
    // summarize writes beside the runs, which a read-only mount refuses,
    // naming the file.
    let out = ludd(&["summarize", "ro/runs"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("ro/runs/redistribution.parquet") && err.contains("Read-only"),
        "{err}"
    );
    drop(mount);
}

/// Runs `ludd args`, failing the test if it has not ended within 30 s.
fn ended_within_30_s(args: &[&str], dir: &Path) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ludd {args:?} still running after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_fifo_in_place_of_a_table_manifest_or_record_is_refused_not_waited_on() {
    let dir = scratch("readers_fifo");
    short_run(&dir, "loom", 1735, "run");
    for (name, file) in [("groups", "groups.parquet"), ("manifest", "manifest.json")] {
        copy_run(&dir, "run", name);
        let path = dir.join(name).join(file);
        std::fs::remove_file(&path).unwrap();
        let made = Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(made.success());
        for command in ["summarize", "report"] {
            let out = ended_within_30_s(&[command, name], &dir);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{err}");
            assert!(
                err.contains(&format!("{name}/{file}")) && err.contains("FIFO"),
                "{err}"
            );
        }
    }
    // A sweep's record too.
    std::fs::create_dir(dir.join("sweep")).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.join("sweep/sweep.ron"))
        .status()
        .unwrap();
    assert!(made.success());
    let out = ended_within_30_s(&["sweep", "status", "sweep"], &dir);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("sweep/sweep.ron") && err.contains("FIFO"),
        "{err}"
    );
}

/// A sweep of six short loom runs (two points, three replicates), keeping
/// `keep` of each.
fn six_run_sweep(keep: &str) -> String {
    format!(
        "Sweep(\n    name: \"grid\",\n    base: \"loom\",\n    set: [\"end_year=1740\"],\n    design: Grid([\n        Axis(path: \"behaviour.threshold_mean\", values: [\"1.2\", \"1.5\"]),\n    ]),\n    replicates: 3,\n    keep: {keep},\n)\n"
    )
}

#[test]
fn summarize_of_a_partial_sweep_says_how_many_runs_are_complete() {
    let dir = scratch("readers_partial_sweep");
    std::fs::write(dir.join("grid.ron"), six_run_sweep("Summary")).unwrap();
    let sweep = ludd(&["sweep", "grid.ron", "--out", "sw"], &dir);
    assert!(sweep.status.success(), "{}", text(&sweep.stderr));
    let out = ludd(&["summarize", "sw"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stdout).contains("partial"),
        "{}",
        text(&out.stdout)
    );
    // Two runs' part files go, as if the sweep had been stopped.
    let mut removed = 0;
    for part in crate::command::walk(&dir.join("sw/metrics")) {
        if removed < 2 && part.ends_with("part.parquet") {
            std::fs::remove_file(part).unwrap();
            removed += 1;
        }
    }
    let out = ludd(&["summarize", "sw"], &dir);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        said.contains("partial sweep: 4 of 6 runs of the design are complete"),
        "{said}"
    );
    eprintln!("{}", said.lines().nth(1).unwrap_or_default());
}

#[test]
fn summarize_of_a_partial_sweep_that_kept_its_runs_says_so_too() {
    let dir = scratch("readers_partial_full_sweep");
    std::fs::write(dir.join("grid.ron"), six_run_sweep("Full")).unwrap();
    let sweep = ludd(&["sweep", "grid.ron", "--out", "sw"], &dir);
    assert!(sweep.status.success(), "{}", text(&sweep.stderr));
    // One run goes whole, its row and its tables, as if never made.
    let part = crate::command::walk(&dir.join("sw/metrics"))
        .into_iter()
        .find(|p| p.ends_with("part.parquet"))
        .unwrap();
    let partition = part
        .parent()
        .unwrap()
        .strip_prefix(dir.join("sw/metrics"))
        .unwrap();
    std::fs::remove_dir_all(dir.join("sw/runs").join(partition)).unwrap();
    std::fs::remove_file(&part).unwrap();
    let out = ludd(&["summarize", "sw"], &dir);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(said.contains("5 run(s)"), "{said}");
    assert!(
        said.contains("partial sweep: 5 of 6 runs of the design are complete"),
        "{said}"
    );
}
