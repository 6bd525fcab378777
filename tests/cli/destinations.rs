//! Destinations: one writer per destination (two real processes, the
//! first held at a moment when it holds the lock), `--force` only over what
//! ludd wrote, nothing written onto an input, names that fit and stay under
//! `runs/`, duplicate axes refused before any run, SIGINT, SIGTERM and
//! SIGHUP that leave nothing unfinished, what killed writers left removed
//! by the next, and a property over random pairs of commands started at
//! once on one destination.

use crate::command::{ludd, scratch, text, walk};
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str], dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ludd binary starts")
}

fn signal(child: &Child, signal: libc::c_int) {
    // SAFETY: a signal sent to a child this test started and has not reaped.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0, "signal {signal} to {}", child.id());
}

/// Waits (up to a minute) until `ready` holds, failing with `what` if the
/// child exits first.
fn wait_for(child: &mut Child, what: &str, ready: impl Fn() -> bool) {
    let start = Instant::now();
    while !ready() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("ludd ended ({status}) before {what}");
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Whether process `pid` holds a flock, read from /proc/locks (lines such
/// as `1: FLOCK  ADVISORY  WRITE 3033 00:2d:1234 0 EOF`).
fn holds_lock(pid: u32) -> bool {
    std::fs::read_to_string("/proc/locks").is_ok_and(|locks| {
        locks.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.get(1) == Some(&"FLOCK") && f.get(4) == Some(&pid.to_string().as_str())
        })
    })
}

/// Starts `args` and stops it (SIGSTOP) once it holds its destination's
/// lock, so that what runs next meets the lock whatever the timing.
fn start_holding(args: &[&str], dir: &Path) -> Child {
    let mut child = spawn(args, dir);
    let pid = child.id();
    wait_for(&mut child, "the lock is taken", || holds_lock(pid));
    signal(&child, libc::SIGSTOP);
    child
}

/// Lets a stopped child go on and waits for it.
fn resume(child: Child) -> Output {
    signal(&child, libc::SIGCONT);
    child.wait_with_output().unwrap()
}

/// Entries of `dir` that ludd keeps beside a destination `name` (staging,
/// old copies, temporaries, lock files): none may be left once its
/// commands have ended.
fn hidden_beside(dir: &Path, name: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{name}")))
        .collect()
}

/// A ten-year loom run into `dir/out`, which must succeed: an input for the
/// commands under test.
fn short_run(dir: &Path, out: &str) {
    let run = ludd(
        &["run", "loom", "--set", "end_year=1740", "--out", out],
        dir,
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
}

fn seed_of(run: &Path) -> u64 {
    ludd::analysis::output::read_manifest(run).unwrap()["seed"]
        .as_u64()
        .unwrap()
}

const BUSY: &str = "another ludd process is writing it";

#[test]
fn two_runs_into_one_out_one_is_refused_never_both_written() {
    let dir = scratch("dest-two-runs");
    let first = start_holding(
        &[
            "run",
            "loom",
            "--seed",
            "1",
            "--threads",
            "1",
            "--out",
            "out",
        ],
        &dir,
    );
    let second_run = [
        "run",
        "loom",
        "--seed",
        "2",
        "--set",
        "end_year=1735",
        "--out",
        "out",
    ];
    let second = ludd(&second_run, &dir);
    let first = resume(first);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(second.status.code(), Some(1));
    let err = text(&second.stderr);
    assert!(err.contains("out: ") && err.contains(BUSY), "{err}");
    assert!(!text(&second.stdout).contains("tables written"));
    assert_eq!(seed_of(&dir.join("out")), 1, "the first run's result stays");
    // Once the first is done the second is still refused: the place is taken.
    let third = ludd(&second_run, &dir);
    assert!(text(&third.stderr).contains("already exists"));
    assert_eq!(seed_of(&dir.join("out")), 1);
    assert_eq!(hidden_beside(&dir, "out"), Vec::<String>::new());
    eprintln!("second run refused: {}", err.trim());
}

#[test]
fn two_comparisons_into_one_out_one_is_refused() {
    let dir = scratch("dest-two-compares");
    let compare = |values: &str| {
        vec![
            "compare".to_string(),
            "loom".into(),
            "--vary".into(),
            format!("end_year={values}"),
            "--seeds".into(),
            "1".into(),
            "--threads".into(),
            "1".into(),
            "--out".into(),
            "cmp".into(),
        ]
    };
    let args = compare("1740,1745");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let first = start_holding(&args, &dir);
    let other = compare("1736,1737");
    let other: Vec<&str> = other.iter().map(String::as_str).collect();
    let second = ludd(&other, &dir);
    let first = resume(first);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&second.stderr).contains(BUSY),
        "{}",
        text(&second.stderr)
    );
    let experiment = std::fs::read_to_string(dir.join("cmp/experiment.ron")).unwrap();
    assert!(experiment.contains("1745"), "the first comparison stays");
    // The lock is a file beside the destination: a process holding it
    // (here the test itself) refuses every ludd writer, at once.
    let held = std::fs::File::create(dir.join(".cmp.lock")).unwrap();
    // SAFETY: flock on a descriptor this test owns.
    assert_eq!(
        unsafe { libc::flock(std::os::unix::io::AsRawFd::as_raw_fd(&held), libc::LOCK_EX,) },
        0
    );
    let forced = [&other[..], &["--force"]].concat();
    let third = ludd(&forced, &dir);
    assert!(
        text(&third.stderr).contains(BUSY),
        "{}",
        text(&third.stderr)
    );
    drop(held);
    let fourth = ludd(&forced, &dir);
    assert!(fourth.status.success(), "{}", text(&fourth.stderr));
    let experiment = std::fs::read_to_string(dir.join("cmp/experiment.ron")).unwrap();
    assert!(
        experiment.contains("1737"),
        "--force replaced ludd's comparison"
    );
}

#[test]
fn force_replaces_only_a_directory_ludd_wrote() {
    let dir = scratch("dest-force-foreign");
    let run = forced_run;
    // A directory of the user's, with a file deeper inside.
    std::fs::create_dir_all(dir.join("precious/sub")).unwrap();
    std::fs::write(dir.join("precious/sub/thesis.txt"), "years of work").unwrap();
    let out = run("precious", &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("precious: not written") && err.contains("ludd wrote"),
        "{err}"
    );
    // A run of ludd's with a file of the user's added: still refused, naming it.
    assert!(run("mine", &dir).status.success());
    std::fs::write(dir.join("mine/notes.txt"), "my notes").unwrap();
    let err = text(&run("mine", &dir).stderr);
    assert!(err.contains("notes.txt, which ludd did not write"), "{err}");
    // The working directory, by name and as ".", and a directory holding it.
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("data.csv"), "1,2").unwrap();
    for out in [work.to_str().unwrap(), ".", ".."] {
        let err = text(&run(out, &work).stderr);
        assert!(err.contains("not written"), "--out {out}: {err}");
    }
    // A run's parent (`runs` of run directories) carries no record of its own.
    std::fs::create_dir_all(dir.join("runs")).unwrap();
    std::fs::rename(dir.join("mine"), dir.join("runs/mine")).unwrap();
    assert!(text(&run("runs", &dir).stderr).contains("not written"));
    // Nothing was touched or hidden.
    assert_eq!(
        std::fs::read_to_string(dir.join("precious/sub/thesis.txt")).unwrap(),
        "years of work"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("runs/mine/notes.txt")).unwrap(),
        "my notes"
    );
    assert_eq!(
        std::fs::read_to_string(work.join("data.csv")).unwrap(),
        "1,2"
    );
    for d in [&dir, &work] {
        let hidden: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.file_name())
            .collect();
        assert!(hidden.is_empty(), "{hidden:?} left in {}", d.display());
    }
    // A run ludd wrote is replaced.
    assert!(run("again", &dir).status.success());
    let out = run("again", &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn force_onto_a_file_is_refused_and_nothing_is_hidden() {
    let dir = scratch("dest-force-file");
    std::fs::write(dir.join("afile"), "the user's file").unwrap();
    let out = ludd(
        &[
            "run",
            "loom",
            "--set",
            "end_year=1735",
            "--out",
            "afile",
            "--force",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("afile: not written: it is a file"), "{err}");
    assert!(
        !text(&out.stdout).contains("tables written"),
        "refused before the run"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("afile")).unwrap(),
        "the user's file"
    );
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(entries.len(), 1, "nothing hidden beside afile");
}

#[test]
fn report_never_writes_onto_its_input_or_a_directory() {
    let dir = scratch("dest-report");
    short_run(&dir, "r");
    let series = std::fs::read(dir.join("r/series.parquet")).unwrap();
    std::fs::write(dir.join("notes.html"), "<p>mine</p>").unwrap();
    for (out, want) in [
        ("r/series.parquet", "one of this command's inputs"),
        ("r", "it is a directory"),
        ("notes.html", "not a report written by ludd"),
        ("nowhere/page.html", "does not exist"),
    ] {
        let o = ludd(&["report", "r", "-o", out], &dir);
        assert_eq!(o.status.code(), Some(1), "-o {out}");
        let err = text(&o.stderr);
        assert!(err.contains(want), "-o {out}: {err}");
    }
    assert_eq!(std::fs::read(dir.join("r/series.parquet")).unwrap(), series);
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.html")).unwrap(),
        "<p>mine</p>"
    );
    assert!(!dir.join("nowhere").exists());
    // A report replaces a report, beside the run or inside it.
    for out in ["page.html", "page.html", "r/report.html"] {
        let o = ludd(&["report", "r", "-o", out], &dir);
        assert!(o.status.success(), "-o {out}: {}", text(&o.stderr));
    }
    let mut left: Vec<String> = walk(&dir)
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
        .filter(|p| p.contains("tmp") || p.contains(".lock") || p.starts_with('.'))
        .collect();
    left.sort();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn calibrate_out_keeps_other_files_and_its_input() {
    let dir = scratch("dest-calibrate");
    std::fs::write(dir.join("best.tmp"), "keep me").unwrap();
    let calibrate = |out: &str, scenario: &str| {
        ludd(
            &[
                "calibrate",
                scenario,
                "--param",
                "behaviour.threshold_mean=1..2",
                "--budget",
                "3",
                "--seeds",
                "1",
                "--set",
                "end_year=1740",
                "--out",
                out,
            ],
            &dir,
        )
    };
    let out = calibrate("best.ron", "loom");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.join("best.tmp")).unwrap(),
        "keep me"
    );
    // The runs end before any target's years, so no candidate can beat the
    // scenario's values: the fragment is the search's record.
    let fragment = std::fs::read_to_string(dir.join("best.ron")).unwrap();
    assert!(
        fragment.starts_with("// Calibrated") && fragment.contains("No candidate beat"),
        "{fragment}"
    );
    // Its own fragment is replaced; the scenario it reads never is.
    assert!(calibrate("best.ron", "loom").status.success());
    std::fs::write(
        dir.join("mine.ron"),
        text(&ludd(&["show", "loom"], &dir).stdout),
    )
    .unwrap();
    let before = std::fs::read(dir.join("mine.ron")).unwrap();
    let out = calibrate("mine.ron", "mine.ron");
    let err = text(&out.stderr);
    assert!(err.contains("one of this command's inputs"), "{err}");
    assert!(
        !text(&out.stdout).contains("before"),
        "refused before calibrating"
    );
    assert_eq!(std::fs::read(dir.join("mine.ron")).unwrap(), before);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["best.ron", "best.tmp", "mine.ron"]);
}

#[test]
fn a_long_out_name_that_fits_is_written() {
    let dir = scratch("dest-long-name");
    // 245 bytes: the name fits the 255-byte limit, `.<name>.partial-<pid>` would not.
    let name = "n".repeat(245);
    for force in [false, true] {
        let mut args = vec!["run", "loom", "--set", "end_year=1735", "--out", &name];
        if force {
            args.push("--force");
        }
        let out = ludd(&args, &dir);
        assert!(out.status.success(), "force {force}: {}", text(&out.stderr));
        assert_eq!(seed_of(&dir.join(&name)), 1);
    }
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(entries.len(), 1, "no staging, old copy or lock left");
}

#[test]
fn names_with_dot_dot_stay_under_runs() {
    let dir = scratch("dest-dotdot");
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let shown = text(&ludd(&["show", "loom"], &work).stdout);
    assert!(shown.contains("name: \"loom\""));
    std::fs::write(
        work.join("x.ron"),
        shown.replacen("name: \"loom\"", "name: \"../../x\"", 1),
    )
    .unwrap();
    let out = ludd(&["run", "x.ron", "--set", "end_year=1735"], &work);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(
        work.join("s.ron"),
        "Sweep(\n    name: \"../y\",\n    base: \"loom\",\n    set: [\"end_year=1735\"],\n    design: Grid([\n        Axis(path: \"behaviour.threshold_mean\", values: [\"1.2\"]),\n    ]),\n)\n",
    )
    .unwrap();
    let out = ludd(&["sweep", "s.ron"], &work);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Everything written is under work/runs, in directories that are not hidden.
    let outside: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(outside, ["work"]);
    let mut made: Vec<String> = std::fs::read_dir(work.join("runs"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    made.sort();
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(
        made.iter().all(|n| !n.starts_with('.') && !n.contains('/')),
        "{made:?}"
    );
    eprintln!(
        "'../../x' and '../y' written to runs/{}",
        made.join(", runs/")
    );
}

#[test]
fn a_repeated_axis_or_value_is_refused_before_any_run() {
    let dir = scratch("dest-duplicate-axis");
    for (vary, want) in [
        (&["end_year=1740,1740"][..], "listed twice"),
        (&["end_year=1740,1740.0"][..], "listed twice"),
        (&["end_year=1740", "end_year=1750"][..], "varied twice"),
    ] {
        let mut args = vec!["compare", "loom", "--seeds", "1"];
        for v in vary {
            args.extend(["--vary", v]);
        }
        let out = ludd(&args, &dir);
        assert_eq!(out.status.code(), Some(1), "{vary:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(want) && err.contains("end_year"),
            "{vary:?}: {err}"
        );
        assert!(!err.contains("runs on"), "{vary:?}: no run started: {err}");
    }
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert!(entries.is_empty(), "no output directory, not even runs/");
}

/// Starts a comparison, stops it once its staging directory exists, sends
/// `sig`, and lets it go on: it must exit 128 + `sig` leaving nothing.
fn interrupted_compare(name: &str, sig: libc::c_int) {
    let dir = scratch(name);
    let mut child = spawn(
        &[
            "compare",
            "loom",
            "--vary",
            "end_year=1780,1790",
            "--seeds",
            "4",
            "--threads",
            "2",
            "--out",
            "cmp",
        ],
        &dir,
    );
    let d = dir.clone();
    wait_for(&mut child, "the staging directory exists", move || {
        !hidden_beside(&d, "cmp")
            .iter()
            .all(|n| !n.contains(".partial-"))
    });
    signal(&child, libc::SIGSTOP);
    signal(&child, sig);
    let out = resume(child);
    assert_eq!(out.status.code(), Some(128 + sig), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("stopped by SIG"), "{err}");
    assert!(!dir.join("cmp").exists());
    assert_eq!(hidden_beside(&dir, "cmp"), Vec::<String>::new());
    eprintln!("{}", err.trim());
}

#[test]
fn sigterm_during_a_comparison_removes_its_staging_and_exits_143() {
    interrupted_compare("dest-sigterm-compare", libc::SIGTERM);
}

#[test]
fn sigint_during_a_comparison_removes_its_staging_and_exits_130() {
    interrupted_compare("dest-sigint-compare", libc::SIGINT);
}

#[test]
fn sigterm_during_a_sweep_leaves_it_resumable() {
    let dir = scratch("dest-sigterm-sweep");
    std::fs::write(
        dir.join("grid.ron"),
        "Sweep(\n    name: \"grid\",\n    base: \"loom\",\n    set: [\"end_year=1760\"],\n    design: Grid([\n        Axis(path: \"behaviour.threshold_mean\", values: [\"1.2\", \"1.5\", \"1.8\"]),\n        Axis(path: \"behaviour.contagion_local\", values: [\"0.5\", \"1.5\"]),\n    ]),\n    replicates: 2,\n    keep: Full,\n)\n",
    )
    .unwrap();
    let parts = |d: &Path| {
        walk(&d.join("sw/metrics"))
            .iter()
            .filter(|p| p.ends_with("part.parquet"))
            .count()
    };
    let mut child = spawn(
        &["sweep", "grid.ron", "--out", "sw", "--threads", "1"],
        &dir,
    );
    let d = dir.clone();
    wait_for(&mut child, "a part is written", move || parts(&d) >= 2);
    signal(&child, libc::SIGSTOP);
    signal(&child, libc::SIGTERM);
    let out = resume(child);
    assert_eq!(out.status.code(), Some(143), "{}", text(&out.stderr));
    let kept = parts(&dir);
    assert!((2..12).contains(&kept), "{kept} parts kept");
    for file in walk(&dir) {
        let name = file.to_string_lossy().into_owned();
        assert!(
            !name.ends_with(".tmp") && !name.contains(".partial-") && !name.ends_with(".lock"),
            "{name} left behind"
        );
    }
    let status = text(&ludd(&["sweep", "status", "sw"], &dir).stdout);
    assert!(status.contains(&format!("{kept} complete")), "{status}");
    let resumed = ludd(&["sweep", "grid.ron", "--out", "sw"], &dir);
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert!(
        text(&resumed.stdout).contains(&format!("{kept} already complete")),
        "{}",
        text(&resumed.stdout)
    );
    assert_eq!(parts(&dir), 12);
    eprintln!("SIGTERM after {kept} of 12 runs; resumed to 12");
}

#[test]
fn sigint_or_sighup_during_a_run_and_sigterm_during_a_calibration_leave_nothing() {
    let dir = scratch("dest-signal-run-calibrate");
    for (args, sig, out) in [
        (
            &["run", "loom", "--threads", "1", "--out", "r"][..],
            libc::SIGINT,
            "r",
        ),
        (
            &["run", "loom", "--threads", "1", "--out", "h"][..],
            libc::SIGHUP,
            "h",
        ),
        (
            &[
                "calibrate",
                "loom",
                "--param",
                "behaviour.threshold_mean=1..2",
                "--budget",
                "3",
                "--seeds",
                "1",
                "--out",
                "best.ron",
            ][..],
            libc::SIGTERM,
            "best.ron",
        ),
    ] {
        // Stopped while it holds its destination's lock, then signalled.
        let child = start_holding(args, &dir);
        signal(&child, sig);
        let o = resume(child);
        assert_eq!(o.status.code(), Some(128 + sig), "{}", text(&o.stderr));
        assert!(!dir.join(out).exists());
        assert_eq!(hidden_beside(&dir, out), Vec::<String>::new());
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

/// One command of the property below, writing to the destination `d`.
#[derive(Clone, Copy, Debug)]
enum Writer {
    Run { seed: u64, force: bool },
    Compare { last: u32, force: bool },
    Report,
}

impl Writer {
    fn args(self) -> Vec<String> {
        let mut args: Vec<String> = match self {
            Writer::Run { seed, .. } => {
                vec![
                    "run".into(),
                    "loom".into(),
                    "--seed".into(),
                    seed.to_string(),
                ]
            }
            Writer::Compare { last, .. } => vec![
                "compare".into(),
                "loom".into(),
                "--vary".into(),
                format!("end_year=1736,{last}"),
                "--seeds".into(),
                "1".into(),
            ],
            Writer::Report => {
                return vec!["report".into(), "input".into(), "-o".into(), "d".into()]
            }
        };
        args.extend(["--set", "end_year=1740", "--threads", "1", "--out", "d"].map(String::from));
        if let Writer::Run { force: true, .. } | Writer::Compare { force: true, .. } = self {
            args.push("--force".into());
        }
        args
    }

    fn force(self) -> bool {
        matches!(
            self,
            Writer::Run { force: true, .. } | Writer::Compare { force: true, .. }
        )
    }

    /// Whether `d` holds this command's result, whole.
    fn wrote(self, d: &Path) -> bool {
        match self {
            Writer::Run { seed, .. } => {
                ludd::analysis::output::RUN_FILES
                    .iter()
                    .all(|f| d.join(f).is_file())
                    && seed_of(d) == seed
            }
            Writer::Compare { last, .. } => {
                ["compare.parquet", "runs.parquet"]
                    .iter()
                    .all(|f| d.join(f).is_file())
                    && std::fs::read_to_string(d.join("experiment.ron"))
                        .is_ok_and(|e| e.contains(&format!("\"{last}\"")))
            }
            Writer::Report => std::fs::read_to_string(d).is_ok_and(|page| {
                page.contains("<title>ludd report:") && page.ends_with("</html>\n")
            }),
        }
    }
}

/// What `d` is: absent, a file's bytes, or a directory's files and bytes.
fn snapshot(d: &Path) -> Vec<(String, Vec<u8>)> {
    if d.is_file() {
        return vec![(String::new(), std::fs::read(d).unwrap())];
    }
    let mut files: Vec<_> = walk(d)
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// Any two of run, compare and report started at once (or the second up
/// to a second later) on one destination
/// (with and without --force, onto nothing, a run, a comparison or a
/// report) end in one result and one clear refusal, or two successes of
/// which the later replaced the earlier because it was asked to (--force,
/// or a report over a report of the same input): never a silent loss, never
/// a result half-written or mixed, nothing left beside the destination.
#[test]
fn any_two_writers_on_one_destination_never_lose_a_result_silently() {
    let dir = scratch("dest-property");
    short_run(&dir, "input");
    let d = dir.join("d");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(14);
    let mut next = 1u64;
    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    for trial in 0..16 {
        if rng.random_bool(0.3) {
            let _ = std::fs::remove_dir_all(&d);
            let _ = std::fs::remove_file(&d);
        }
        let mut pick = || {
            next += 1;
            let force = rng.random_bool(0.5);
            match rng.random_range(0..3) {
                0 => Writer::Run { seed: next, force },
                1 => Writer::Compare {
                    last: 1736 + next as u32,
                    force,
                },
                _ => Writer::Report,
            }
        };
        let pair = [pick(), pick()];
        let before = snapshot(&d);
        // At once, or the second a little later (a run takes a fraction of
        // a second), so that both overlapping and sequential pairs occur.
        let stagger = Duration::from_millis([0, 0, 50, 300, 1000][rng.random_range(0..5)]);
        let children: Vec<Child> = pair
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == 1 {
                    std::thread::sleep(stagger);
                }
                let args = w.args();
                spawn(&args.iter().map(String::as_str).collect::<Vec<_>>(), &dir)
            })
            .collect();
        let outputs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let ok: Vec<bool> = outputs.iter().map(|o| o.status.success()).collect();
        let context = format!(
            "trial {trial}: {pair:?}, second {stagger:?} later -> {:?}\n{}\n{}",
            outputs.iter().map(|o| o.status.code()).collect::<Vec<_>>(),
            text(&outputs[0].stderr),
            text(&outputs[1].stderr)
        );
        for o in &outputs {
            assert!(matches!(o.status.code(), Some(0 | 1)), "{context}");
            if !o.status.success() {
                let err = text(&o.stderr);
                assert!(
                    err.contains(BUSY)
                        || err.contains("already exists")
                        || err.contains("not written"),
                    "a clear refusal: {context}"
                );
            }
        }
        let holders: Vec<usize> = (0..2).filter(|&i| pair[i].wrote(&d)).collect();
        match (ok[0], ok[1]) {
            (false, false) => assert_eq!(
                snapshot(&d),
                before,
                "two refusals change nothing: {context}"
            ),
            (true, false) | (false, true) => {
                let winner = if ok[0] { 0 } else { 1 };
                assert!(
                    holders.contains(&winner),
                    "the success is on disk: {context}"
                );
            }
            (true, true) => {
                // The result on disk is one of them; the other was replaced
                // by a command that was asked to replace it.
                assert!(!holders.is_empty(), "one result is on disk: {context}");
                let both_reports = matches!(pair, [Writer::Report, Writer::Report]);
                assert!(
                    both_reports || holders.iter().any(|&i| pair[i].force()),
                    "a success was replaced without --force: {context}"
                );
            }
        }
        assert_eq!(hidden_beside(&dir, "d"), Vec::<String>::new(), "{context}");
        let key = match (ok[0], ok[1]) {
            (true, true) => "both written (the later asked to replace)",
            (false, false) => "both refused",
            _ => "one written, one refused",
        };
        *outcomes.entry(key).or_default() += 1;
    }
    eprintln!("16 pairs of writers on one destination: {outcomes:?}");
}

#[test]
fn sighup_during_a_comparison_removes_its_staging_and_exits_129() {
    interrupted_compare("dest-sighup-compare", libc::SIGHUP);
}

/// A process id that no process has: that of a child already reaped.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn force_needs_ludds_marks_not_its_names() {
    let dir = scratch("dest-force-marks");
    let run = |out: &str| forced_run(out, &dir);
    // The issue's folder: a hand-written sweep.ron, a page of the user's own
    // named report.html, and a hidden draft whose name holds ".old-".
    let study = dir.join("study");
    std::fs::create_dir_all(study.join("drafts")).unwrap();
    std::fs::write(study.join("sweep.ron"), "// my own sweep, by hand\n").unwrap();
    std::fs::write(study.join("report.html"), "<html>my report</html>").unwrap();
    std::fs::write(study.join("drafts/.chapter1.old-version"), "draft").unwrap();
    let out = run("study");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("holds no run"), "{err}");
    // A run ludd wrote, with one foreign entry at a time: each is named,
    // as a path inside the destination, and nothing is touched.
    short_run(&dir, "mine");
    let report = ludd(&["report", "mine"], &dir);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let live = std::process::id();
    let foreign: [(&str, &str); 6] = [
        ("report.html", "<html>my report</html>"),
        ("sweep.ron", "// my own sweep, by hand\n"),
        ("drafts/.chapter1.old-version", "draft"),
        (".notes.partial-12ab", "mine"),
        (".series.parquet.lock.bak", "mine"),
        ("manifest.json", "{\"ludd_version\": \"0\"}"),
    ];
    for (name, content) in foreign {
        let copy = format!("copy-{}", name.replace('/', "_"));
        let out = ludd(
            &["run", "loom", "--set", "end_year=1735", "--out", &copy],
            &dir,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let path = dir.join(&copy).join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        if name == "manifest.json" {
            // A manifest without ludd's fields leaves no record at all.
            let err = text(&run(&copy).stderr);
            assert!(err.contains("holds no run"), "{name}: {err}");
        } else {
            let err = text(&run(&copy).stderr);
            assert!(
                err.contains(&format!("holds {name}, which ludd did not write")),
                "{name}: {err}"
            );
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }
    // ludd's own marks pass: its report page, and staging names with a
    // process id, here of this live process.
    std::fs::create_dir(dir.join(format!("mine/.x.partial-{live}"))).unwrap();
    let out = run("mine");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn what_dead_writers_left_is_removed_by_the_next_and_nothing_else() {
    let dir = scratch("dest-dead-leftovers");
    short_run(&dir, "r");
    let (dead, live) = (dead_pid(), std::process::id());
    // A killed writer's staging directory and old copy, another's still
    // running, and names that only look like ludd's.
    for name in [
        format!(".r.partial-{dead}"),
        format!(".r.old-{dead}"),
        format!(".r.partial-{live}"),
        format!(".r.old-{live}"),
        ".r.old-version".to_string(),
        format!(".other.old-{dead}"),
    ] {
        std::fs::create_dir(dir.join(&name)).unwrap();
        std::fs::write(dir.join(&name).join("kept.txt"), "x").unwrap();
    }
    let out = ludd(
        &[
            "run",
            "loom",
            "--set",
            "end_year=1735",
            "--out",
            "r",
            "--force",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut left = hidden_beside(&dir, "r");
    left.sort();
    let mut expected = vec![
        format!(".r.old-{live}"),
        ".r.old-version".to_string(),
        format!(".r.partial-{live}"),
    ];
    expected.sort();
    assert_eq!(left, expected);
    assert!(dir.join(format!(".other.old-{dead}")).exists());
}

/// A short loom run into `out` with `--force`, started in `cwd`.
fn forced_run(out: &str, cwd: &Path) -> Output {
    ludd(
        &[
            "run",
            "loom",
            "--set",
            "end_year=1735",
            "--out",
            out,
            "--force",
        ],
        cwd,
    )
}
