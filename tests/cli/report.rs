//! `ludd summarize` and `ludd report` on a run and on a comparison, and the
//! report opened in a real browser: Debian's Chromium, headless, installed
//! here when missing (as root; for anyone else the browser's part of each
//! test is not run, and says so). The page must load with no console
//! message, hold every chart as SVG, fetch nothing from the network, and
//! leave a screenshot.

use crate::command::{ludd, scratch, text};
use crate::system::{self, CHROMIUM};
use std::path::Path;
use std::process::Command;

const CHROMIUM_BINARY: &str = "/usr/bin/chromium";

/// Runs headless Chromium on a local file with the flags this machine needs
/// (no sandbox as root, no background networking on a closed network).
fn headless(page: &Path, extra: &[&str], profile: &Path) -> std::process::Output {
    let url = format!("file://{}", page.display());
    Command::new(CHROMIUM_BINARY)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium starts")
}

fn check_page(html_path: &Path, charts: &[&str], shot: &Path) {
    let html = std::fs::read_to_string(html_path).expect("the report exists");
    for id in charts {
        assert!(
            html.contains(&format!("id=\"chart-{id}\"")),
            "the report has the {id} chart"
        );
    }
    // Self-contained: no scripts, stylesheets, images or fonts from elsewhere.
    for needle in [
        "<script",
        "<link",
        "<img",
        "url(http",
        "src=\"http",
        "href=\"http",
    ] {
        assert!(
            !html.contains(needle),
            "the report must not load anything: found {needle}"
        );
    }
    assert!(
        html.contains("@font-face") && html.contains("data:font/ttf;base64,"),
        "the font is embedded"
    );

    if !system::have(&CHROMIUM, Some("the report in a browser")) {
        return;
    }
    let profile = html_path.with_extension("profile");
    let dom = headless(html_path, &["--dump-dom"], &profile);
    assert!(
        dom.status.success(),
        "chromium --dump-dom failed: {}",
        text(&dom.stderr)
    );
    let dom_text = text(&dom.stdout);
    let log = text(&dom.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "console messages while loading the report:\n{}",
        console.join("\n")
    );
    for id in charts {
        let start = dom_text
            .find(&format!("id=\"chart-{id}\""))
            .unwrap_or_else(|| panic!("the browser's DOM has the {id} chart"));
        let rest = &dom_text[start..];
        let end = rest.find("</figure>").expect("the figure closes");
        assert!(
            rest[..end].contains("<svg"),
            "the {id} chart is an SVG in the browser"
        );
        assert!(
            rest[..end].contains("<text"),
            "the {id} chart has text (titles, labels)"
        );
    }
    let shot_run = headless(
        html_path,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,5200",
        ],
        &profile,
    );
    assert!(
        shot_run.status.success(),
        "screenshot failed: {}",
        text(&shot_run.stderr)
    );
    let size = std::fs::metadata(shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 20_000,
        "the screenshot {} is a real picture ({size} bytes)",
        shot.display()
    );
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn a_run_summarizes_and_reports_in_a_real_browser() {
    let dir = scratch("report_run");
    let run = ludd(&["run", "loom", "--out", "run"], &dir);
    assert!(run.status.success(), "{}", text(&run.stderr));

    let sum = ludd(&["summarize", "run"], &dir);
    assert!(sum.status.success(), "{}", text(&sum.stderr));
    let out = text(&sum.stdout);
    for needle in [
        "britain",
        "operator",
        "income_trough",
        "engels_pause_years",
        "cohort_lifetime_change",
    ] {
        assert!(out.contains(needle), "the summary shows {needle}:\n{out}");
    }
    for file in [
        "redistribution.parquet",
        "redistribution_regions.parquet",
        "redistribution_paths.parquet",
    ] {
        let df =
            ludd::analysis::output::read_parquet(&dir.join("run").join(file)).expect("written");
        assert!(df.height() > 0, "{file} has rows");
    }
    // The group table agrees with the run's own summary: the year before stage 2.
    let regions =
        ludd::analysis::output::read_parquet(&dir.join("run/redistribution_regions.parquet"))
            .unwrap();
    assert_eq!(regions.height(), 4, "one row per region");

    let rep = ludd(&["report", "run", "-o", "report.html"], &dir);
    assert!(rep.status.success(), "{}", text(&rep.stderr));
    check_page(
        &dir.join("report.html"),
        &[
            "adoption",
            "spread",
            "vintages",
            "wages",
            "distribution",
            "protest",
            "network",
            "history",
        ],
        &dir.join("report-run.png"),
    );
}

#[test]
fn a_comparison_summarizes_and_reports_one_line_per_setting() {
    let dir = scratch("report_compare");
    let cmp = ludd(
        &[
            "compare",
            "loom",
            "--vary",
            "regions.britain.institutions.relief_replacement=0.0,0.7",
            "--seeds",
            "2",
            "--set",
            "end_year=1830",
            "--out",
            "cmp",
        ],
        &dir,
    );
    assert!(cmp.status.success(), "{}", text(&cmp.stderr));
    let sum = ludd(&["summarize", "cmp"], &dir);
    assert!(sum.status.success(), "{}", text(&sum.stderr));
    let out = text(&sum.stdout);
    assert!(out.contains("4 run(s) in 2 setting(s)"), "{out}");
    assert!(
        out.contains("relief_replacement=0.7"),
        "settings are named:\n{out}"
    );
    let groups =
        ludd::analysis::output::read_parquet(&dir.join("cmp/redistribution.parquet")).unwrap();
    let runs = groups
        .column("runs")
        .unwrap()
        .u32()
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(runs, 2, "each setting's row summarizes its two runs");

    let rep = ludd(&["report", "cmp"], &dir);
    assert!(rep.status.success(), "{}", text(&rep.stderr));
    check_page(
        &dir.join("cmp/report.html"),
        &ludd::report::CHARTS,
        &dir.join("report-compare.png"),
    );
}
