//! `ludd serve`: its HTTP API and every kind of bad request, runs, cache,
//! cancellation and disconnection; twenty clients at once with the server's
//! memory bounded; and the page driven in a real browser (Debian's Chromium
//! through chromium-driver's WebDriver): pick the loom, set Britain's relief
//! high, run, see the protest chart and the comparison change against the
//! baseline, reload the shared link and see the same figures.

use crate::command::{ludd, scratch, text};
use crate::debian::apt_install;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `ludd serve` on a free port, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ludd"))
            .args(["serve", "--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("ludd serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("ludd serve prints its address");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "listens on 127.0.0.1 by default: {url}"
        );
        Server { child, url }
    }

    fn get(&self, path: &str) -> (u16, String) {
        call("GET", &format!("{}{path}", self.url), None)
    }

    fn post(&self, path: &str, body: &str) -> (u16, String) {
        call("POST", &format!("{}{path}", self.url), Some(body))
    }

    fn json(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let body = body.map(|b| b.to_string());
        let (status, answer) = call(method, &format!("{}{path}", self.url), body.as_deref());
        let value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {answer}"));
        (status, value)
    }

    /// Submits a setting and waits, through the event stream, until every
    /// run has settled; the job's final state.
    fn run(&self, setting: &Value) -> Value {
        let (status, job) = self.json("POST", "/api/jobs", Some(setting));
        assert_eq!(status, 202, "{job}");
        let id = job["id"].as_u64().expect("an id");
        let events = ureq::get(&format!("{}/api/jobs/{id}/events", self.url))
            .call()
            .expect("the event stream opens");
        let mut last = String::new();
        for line in BufReader::new(events.into_reader()).lines() {
            let line = line.expect("the stream reads");
            if line.starts_with("event: ") {
                last.clone_from(&line);
            }
            if last == "event: settled" && line.starts_with("data: ") {
                break;
            }
        }
        assert_eq!(last, "event: settled", "the stream ends with settled");
        let (status, state) = self.json("GET", &format!("/api/jobs/{id}"), None);
        assert_eq!(status, 200);
        state
    }

    /// Peak resident memory of the server (VmHWM), in bytes.
    fn peak_memory(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .expect("VmHWM");
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
            * 1024
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP request; the status and body whatever the status.
fn call(method: &str, url: &str, body: Option<&str>) -> (u16, String) {
    let request = ureq::request(method, url).timeout(Duration::from_secs(300));
    let result = match body {
        Some(b) => request
            .set("content-type", "application/json")
            .send_string(b),
        None => request.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = response.status();
    let mut bytes = Vec::new();
    response
        .into_reader()
        .read_to_end(&mut bytes)
        .expect("the body reads");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The first error's field and message of a refused request.
fn refusal(answer: &Value) -> (String, String) {
    let e = &answer["errors"][0];
    (
        e["field"].as_str().unwrap_or_default().to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// A short loom: few seeds, few years.
fn short(seeds: u64, end: f64, set: &[&str]) -> Value {
    json!({"scenario": "loom", "seeds": seeds, "end_year": end, "set": set})
}

#[test]
fn the_api_answers_runs_caches_cancels_and_refuses_bad_requests() {
    let dir = scratch("serve_api");
    let server = Server::start(&["--threads", "2"], &[("LUDD_MEMORY_LIMIT", "3G")]);

    // The page and its parts, with no third-party code.
    let (status, html) = server.get("/");
    assert_eq!(status, 200);
    assert!(html.contains("<script src=\"/app.js\">"), "{html}");
    for (path, needle) in [("/app.js", "EventSource"), ("/style.css", "#charts")] {
        let (status, body) = server.get(path);
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(needle), "{path}");
        assert!(
            !body.contains("https://"),
            "{path} fetches nothing from the network"
        );
    }

    // The catalog: every built-in, and the one institution table.
    let (status, catalog) = server.json("GET", "/api/catalog", None);
    assert_eq!(status, 200);
    assert_eq!(
        catalog["scenarios"].as_array().unwrap().len(),
        ludd::scenario::BUILTIN.len()
    );
    assert_eq!(
        catalog["institutions"].as_array().unwrap().len(),
        ludd::scenario::INSTITUTION_FIELDS.len()
    );
    assert_eq!(catalog["default_seeds"], 8);
    let (status, loom) = server.json("GET", "/api/scenarios/loom", None);
    assert_eq!(status, 200);
    assert_eq!(loom["regions"][0]["name"], "britain");
    assert_eq!(
        loom["regions"][0]["institutions"]["relief_replacement"],
        0.35
    );
    let (status, exp) = server.json("GET", "/api/experiments/poor_law", None);
    assert_eq!(status, 200);
    assert_eq!(exp["base"], "loom");
    assert!(exp["settings"].as_array().unwrap().len() >= 2);

    // A path from the client is never opened: a scenario is a built-in name.
    std::fs::write(
        dir.join("mine.ron"),
        ludd::scenario::builtin("loom").unwrap(),
    )
    .unwrap();
    for name in [
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "Cargo.toml",
        "%2Fetc%2Fpasswd",
    ] {
        let (status, body) = server.get(&format!("/api/scenarios/{name}"));
        assert_eq!(status, 404, "{name}: {body}");
        assert!(!body.contains("root:"), "{body}");
    }
    let path = dir.join("mine.ron").display().to_string();
    let (status, answer) = server.json("POST", "/api/jobs", Some(&json!({"scenario": path})));
    assert_eq!(status, 400);
    assert_eq!(refusal(&answer).0, "scenario");

    // Bad requests: each refused with its field and the command line's message.
    let check = ludd(
        &[
            "check",
            "loom",
            "--set",
            "regions.britain.institutions.relief_replacement=7",
        ],
        &dir,
    );
    assert!(!check.status.success());
    let cli_message = text(&check.stderr);
    let bad: Vec<(Value, u16, &str)> = vec![
        (json!({"scenario": "atlantis"}), 400, "scenario"),
        (
            json!({"scenario": "loom", "ron": "Scenario()"}),
            400,
            "scenario",
        ),
        (json!({}), 400, "scenario"),
        (json!({"scenario": "loom", "seeds": 0}), 400, "seeds"),
        (json!({"scenario": "loom", "seeds": 100000}), 400, "seeds"),
        (json!({"scenario": "loom", "sedes": 2}), 400, "body"),
        (json!({"scenario": "loom", "seeds": "many"}), 400, "body"),
        (
            json!({"scenario": "loom", "set": ["regions.britain.institutions.relief_replacement=7"]}),
            400,
            "regions.britain.institutions.relief_replacement",
        ),
        (
            json!({"scenario": "loom", "set": ["regions.britain.institutions.nonsense=1"]}),
            400,
            "set:regions.britain.institutions.nonsense",
        ),
        (
            json!({"scenario": "loom", "set": ["no equals sign"]}),
            400,
            "set:no equals sign",
        ),
        (
            json!({"scenario": "loom", "end_year": 1700}),
            400,
            "end_year",
        ),
        (
            json!({"scenario": "loom", "policies": [{"year": 1800, "region": "mars", "field": "tariff", "value": 1}]}),
            400,
            "policies",
        ),
        (json!({"ron": "Scenario(\n  name: 3,"}), 400, "ron"),
        // Memory: 2 runs of 30 million workers at once do not fit in 3 GiB.
        (
            json!({"scenario": "loom", "seeds": 2, "set": ["regions.britain.workers=30000000"]}),
            507,
            "seeds",
        ),
    ];
    for (body, want_status, want_field) in &bad {
        let (status, answer) = server.json("POST", "/api/jobs", Some(body));
        assert_eq!(status, *want_status, "{body}: {answer}");
        let (field, message) = refusal(&answer);
        assert!(
            field.starts_with(want_field),
            "{body}: field {field}, wanted {want_field}: {message}"
        );
        assert!(!message.is_empty());
    }
    let (_, answer) = server.json("POST", "/api/jobs", Some(&bad[7].0));
    let message = refusal(&answer).1;
    assert!(
        cli_message.contains(&message),
        "{message} is what `ludd check` says: {cli_message}"
    );
    let (_, answer) = server.json(
        "POST",
        "/api/jobs",
        Some(&json!({"ron": "Scenario(\n  name: 3,"})),
    );
    assert!(refusal(&answer).1.starts_with("upload.ron:2:"), "{answer}");
    let (status, body) = server.post("/api/jobs", "{\"scenario\": ");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("line 1 column"), "{body}");
    // A body over the limit is refused. The server reads a body until it
    // passes the limit, then answers and closes; a body only a little over
    // the limit is read whole, so the answer never races the rest of it
    // (the request is written by hand to control that).
    let address = server.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let body = "x".repeat((1 << 20) + 1024);
    write!(
        stream,
        "POST /api/jobs HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // The status line is all that is needed; the server may keep the
    // connection open, so read only until it has come.
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut answer = String::new();
    let mut buffer = [0u8; 256];
    while !answer.contains("\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.push_str(&String::from_utf8_lossy(&buffer[..n])),
        }
    }
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "a body over the limit is refused: {answer}"
    );
    let (status, answer) = server.json("POST", "/api/scenarios", None);
    assert_eq!(status, 400, "{answer}");
    for path in [
        "/api/jobs/999999",
        "/api/jobs/abc",
        "/api/jobs/1/nothing",
        "/nowhere",
    ] {
        let (status, _) = server.get(path);
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = call("DELETE", &format!("{}/api/catalog", server.url), None);
    assert_eq!(status, 405);
    let (status, _) = server.get("/api/compare/1/999999");
    assert_eq!(status, 404);

    // An uploaded scenario is checked like a file, and runs.
    let mut uploaded = ludd::scenario::builtin("loom").unwrap().to_string();
    let (status, body) = server.post("/api/scenarios", &uploaded);
    assert_eq!(status, 200, "{body}");
    uploaded = uploaded.replacen("workers: 6000,", "workers: 0,", 1);
    let (status, body) = server.post("/api/scenarios", &uploaded);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("upload.ron"), "{body}");

    // A run: charts, targets and measures; the RON and the tables download.
    let setting = short(
        2,
        1760.0,
        &["regions.britain.institutions.relief_replacement=0.8"],
    );
    let first = server.run(&setting);
    assert_eq!(first["finished"], 2, "{first}");
    assert_eq!(first["error"], Value::Null);
    assert_eq!(first["years"].as_array().unwrap().len(), 30);
    let charts = first["charts"].as_array().unwrap();
    assert_eq!(charts.len(), 4);
    for c in charts {
        for s in c["series"].as_array().unwrap() {
            assert_eq!(s["mean"].as_array().unwrap().len(), 30, "{}", c["name"]);
        }
    }
    assert!(!first["targets"].as_array().unwrap().is_empty());
    let id = first["id"].as_u64().unwrap();
    let (status, ron) = server.get(&format!("/api/jobs/{id}/scenario.ron"));
    assert_eq!(status, 200);
    let s = ludd::Scenario::from_ron(&ron, "download.ron").expect("the RON parses");
    assert_eq!(s.regions[0].institutions.relief_replacement, 0.8);
    assert_eq!(s.end_year, 1760.0);
    let zip = ureq::get(&format!("{}/api/jobs/{id}/tables.zip", server.url))
        .call()
        .unwrap();
    let mut bytes = Vec::new();
    zip.into_reader().read_to_end(&mut bytes).unwrap();
    let zip_path = dir.join("tables.zip");
    std::fs::write(&zip_path, &bytes).unwrap();
    let listing = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))",
        ])
        .arg(&zip_path)
        .output()
        .expect("python3 lists the zip");
    let names = text(&listing.stdout);
    for name in [
        "scenario.ron",
        "seed-1/series.parquet",
        "seed-2/groups.parquet",
        "seed-2/manifest.json",
    ] {
        assert!(
            names.lines().any(|l| l == name),
            "{name} in the zip: {names}"
        );
    }

    // The same setting again comes from the cache: settled at once, same figures.
    let (status, again) = server.json("POST", "/api/jobs", Some(&setting));
    assert_eq!(status, 202);
    let (_, again) = server.json("GET", &format!("/api/jobs/{}", again["id"]), None);
    assert_eq!(again["settled"], 2, "cached runs settle at once");
    assert_eq!(again["charts"], first["charts"]);

    // A comparison on the same seeds: every measure, paired.
    let baseline = server.run(&short(2, 1760.0, &[]));
    let (status, cmp) = server.json(
        "GET",
        &format!("/api/compare/{}/{id}", baseline["id"]),
        None,
    );
    assert_eq!(status, 200);
    let rows = cmp["rows"].as_array().unwrap();
    assert_eq!(rows.len(), ludd::analysis::compare::METRICS.len());
    for r in rows {
        let defined = !r["setting"].is_null() && !r["baseline"].is_null();
        assert_eq!(r["pairs"], if defined { 2 } else { 0 }, "{r}");
    }
    let protest = rows
        .iter()
        .find(|r| r["measure"] == "protest_years")
        .unwrap();
    let d = protest["difference"].as_f64().unwrap();
    let (lo, hi) = (
        protest["low"].as_f64().unwrap(),
        protest["high"].as_f64().unwrap(),
    );
    assert!(lo <= d && d <= hi, "{protest}");

    // Cancel: the queued runs are dropped and the job settles early.
    let (status, big) = server.json("POST", "/api/jobs", Some(&short(24, 1800.0, &[])));
    assert_eq!(status, 202);
    let big_id = big["id"].as_u64().unwrap();
    let (status, _) = call("DELETE", &format!("{}/api/jobs/{big_id}", server.url), None);
    assert_eq!(status, 200);
    let started = Instant::now();
    let state = loop {
        let (_, state) = server.json("GET", &format!("/api/jobs/{big_id}"), None);
        if state["settled"] == 24 || started.elapsed() > Duration::from_secs(120) {
            break state;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(state["settled"], 24, "{state}");
    assert_eq!(state["cancelled"], true);
    assert!(
        state["finished"].as_u64().unwrap() < 24,
        "runs were dropped"
    );

    // The first figures come before the last run finishes.
    let (_, job) = server.json(
        "POST",
        "/api/jobs",
        Some(&short(
            6,
            1800.0,
            &["regions.britain.institutions.union_strength=0.6"],
        )),
    );
    let events = ureq::get(&format!("{}/api/jobs/{}/events", server.url, job["id"]))
        .call()
        .unwrap();
    let mut lines = BufReader::new(events.into_reader()).lines();
    let early = loop {
        let line = lines.next().expect("an event").unwrap();
        if let Some(data) = line.strip_prefix("data: ") {
            let v: Value = serde_json::from_str(data).unwrap();
            if v["settled"].as_u64().unwrap() >= 1 {
                break v;
            }
        }
    };
    assert!(early["settled"].as_u64().unwrap() < 6, "{early}");
    let (_, partial) = server.json("GET", &format!("/api/jobs/{}", job["id"]), None);
    let finished = partial["finished"].as_u64().unwrap();
    assert!((1..6).contains(&finished), "partly finished: {finished}");
    assert!(!partial["charts"][0]["series"]
        .as_array()
        .unwrap()
        .is_empty());
    drop(lines);

    // A client that goes away mid-run leaves the server healthy.
    let (_, job) = server.json(
        "POST",
        "/api/jobs",
        Some(&short(
            4,
            1790.0,
            &["regions.britain.institutions.repression=0.9"],
        )),
    );
    {
        let events = ureq::get(&format!("{}/api/jobs/{}/events", server.url, job["id"]))
            .call()
            .unwrap();
        let mut reader = BufReader::new(events.into_reader());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
    }
    let (status, _) = server.get("/api/catalog");
    assert_eq!(status, 200);
    let done = server.run(&short(
        4,
        1790.0,
        &["regions.britain.institutions.repression=0.9"],
    ));
    assert_eq!(done["finished"], 4);

    // The number of ensembles queued or running is bounded.
    let small = Server::start(
        &["--threads", "1", "--max-jobs", "1", "--cache-mb", "0"],
        &[],
    );
    let (status, long) = small.json("POST", "/api/jobs", Some(&short(8, 1800.0, &[])));
    assert_eq!(status, 202);
    let (status, answer) = small.json("POST", "/api/jobs", Some(&short(8, 1801.0, &[])));
    assert_eq!(status, 503, "{answer}");
    assert_eq!(refusal(&answer).0, "jobs");
    let (status, _) = call(
        "DELETE",
        &format!("{}/api/jobs/{}", small.url, long["id"]),
        None,
    );
    assert_eq!(status, 200);

    // With no cache the runs are made again for their tables, the same.
    let started = Instant::now();
    let tiny = loop {
        let (status, job) = small.json("POST", "/api/jobs", Some(&setting));
        if status == 202 {
            break job;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{job}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let done = loop {
        let (_, state) = small.json("GET", &format!("/api/jobs/{}", tiny["id"]), None);
        if state["settled"] == 2 {
            break state;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{state}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        done["charts"], first["charts"],
        "the same figures without a cache"
    );
    let (status, remade) = call(
        "GET",
        &format!("{}/api/jobs/{}/tables.zip", small.url, tiny["id"]),
        None,
    );
    assert_eq!(status, 200);
    assert!(
        remade.contains("seed-2/series.parquet"),
        "the zip names its tables"
    );
}

#[test]
fn twenty_clients_run_ensembles_at_once_with_memory_bounded() {
    let server = Server::start(&["--threads", "2", "--cache-mb", "64"], &[]);
    let url = server.url.clone();
    let started = Instant::now();
    let results: Vec<(f64, Value)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|client| {
                let server = &server;
                scope.spawn(move || {
                    let relief = 0.2 + 0.03 * client as f64;
                    let set = format!("regions.britain.institutions.relief_replacement={relief}");
                    (relief, server.run(&short(2, 1780.0, &[&set])))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a client"))
            .collect()
    });
    let elapsed = started.elapsed();
    for (relief, state) in &results {
        assert_eq!(state["finished"], 2, "{state}");
        assert_eq!(state["error"], Value::Null);
        let (status, ron) = call(
            "GET",
            &format!("{url}/api/jobs/{}/scenario.ron", state["id"]),
            None,
        );
        assert_eq!(status, 200);
        let s = ludd::Scenario::from_ron(&ron, "download.ron").unwrap();
        assert!((s.regions[0].institutions.relief_replacement - relief).abs() < 1e-12);
    }
    // The same setting gives the same figures, whichever client ran it.
    let again = server.run(&short(
        2,
        1780.0,
        &["regions.britain.institutions.relief_replacement=0.2"],
    ));
    assert_eq!(again["charts"], results[0].1["charts"]);
    let peak = server.peak_memory();
    eprintln!(
        "20 clients x 2 runs in {:.1} s; server peak memory {:.0} MiB",
        elapsed.as_secs_f64(),
        peak as f64 / (1 << 20) as f64
    );
    // Two runs alive at once, a 64 MiB cache and the kept jobs' digests.
    assert!(peak < 1 << 30, "peak memory {peak} bytes");
}

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";

/// A WebDriver session with headless Chromium, ended when dropped.
struct Browser {
    driver: Child,
    base: String,
}

impl Browser {
    fn start(profile: &Path) -> Browser {
        if !Path::new(CHROMIUM).exists() || !Path::new(DRIVER).exists() {
            assert!(
                apt_install(&["chromium", "chromium-driver"]),
                "could not install chromium and chromium-driver with apt-get"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(DRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let root = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(&format!("{root}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver answers"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,2200", "--no-first-run", "--disable-background-networking",
                format!("--user-data-dir={}", profile.display()),
            ]},
        }}});
        let (status, session) = call(
            "POST",
            &format!("{root}/session"),
            Some(&capabilities.to_string()),
        );
        assert_eq!(status, 200, "{session}");
        let session: Value = serde_json::from_str(&session).unwrap();
        let id = session["value"]["sessionId"].as_str().unwrap().to_string();
        Browser {
            driver,
            base: format!("{root}/session/{id}"),
        }
    }

    fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let body = (method == "POST").then(|| body.to_string());
        let (status, answer) = call(method, &format!("{}{path}", self.base), body.as_deref());
        assert_eq!(status, 200, "{method} {path}: {answer}");
        serde_json::from_str::<Value>(&answer).unwrap()["value"].clone()
    }

    fn go(&self, url: &str) {
        self.command("POST", "/url", json!({ "url": url }));
    }

    fn script(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    fn element(&self, css: &str) -> String {
        let found = self.command(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        found["element-6066-11e4-a52e-4a6f4a6f4a6f"]
            .as_str()
            .or_else(|| {
                found
                    .as_object()
                    .and_then(|o| o.values().next())
                    .and_then(Value::as_str)
            })
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    /// Waits until the page's state is `want` (ready, running, done).
    fn wait_for(&self, want: &str) {
        let started = Instant::now();
        loop {
            let state = self.script("return document.body.dataset.state;");
            if state == want {
                return;
            }
            assert!(state != "error" || want == "error", "the page shows an error: {}", self.script("return document.getElementById('field-errors').textContent + document.getElementById('message').textContent;"));
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "the page reaches {want} (now {state})"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// What the page shows: each chart's checksum of its means, the protest
    /// chart's current and baseline lines, and the comparison table.
    fn figures(&self) -> Value {
        self.script(
            "const charts = {};
             document.querySelectorAll('.chart').forEach((c) => { charts[c.id] = c.dataset.sum; });
             const lines = (cls) => Array.from(document.querySelectorAll('#chart-protest path.' + cls)).map((p) => p.getAttribute('d'));
             const rows = Array.from(document.querySelectorAll('#compare-table tbody tr')).map((tr) =>
               Array.from(tr.children).map((td) => td.textContent));
             return {charts, current: lines('mean'), baseline: lines('baseline'), rows};",
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = call("DELETE", &self.base, None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Decodes standard base64 (the screenshot WebDriver sends).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|&c| value(c) as u32).collect();
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | x << (18 - 6 * i));
        out.extend(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn the_page_runs_compares_and_reloads_in_a_real_browser() {
    let dir = scratch("serve_browser");
    let server = Server::start(&["--threads", "2"], &[]);
    let browser = Browser::start(&dir.join("profile"));
    browser.go(&format!("{}/", server.url));
    browser.wait_for("ready");
    assert_eq!(
        browser.script("return document.getElementById('scenario').value;"),
        "loom"
    );

    // An invalid value is refused with the command line's message, beside its field.
    let set_number = |field: &str, value: &str| {
        let input = browser.element(&format!("#num-inst-britain-{field}"));
        browser.command("POST", &format!("/element/{input}/clear"), json!({}));
        browser.command(
            "POST",
            &format!("/element/{input}/value"),
            json!({"text": format!("{value}\u{E004}")}),
        );
    };
    let run = browser.element("#run");
    set_number("relief_replacement", "7");
    browser.command("POST", &format!("/element/{run}/click"), json!({}));
    browser.wait_for("error");
    let beside = browser.script(
        "return document.querySelector('.error[data-for=\"regions.britain.institutions.relief_replacement\"]').textContent;",
    );
    assert!(
        beside
            .as_str()
            .unwrap()
            .contains("must lie in [0, 1], found 7"),
        "the message sits beside the field: {beside}"
    );

    // Britain's relief high: the number beside the slider, then away from it.
    set_number("relief_replacement", "0.9");
    set_number("relief_eligibility", "0.95");
    let started = Instant::now();
    browser.command("POST", &format!("/element/{run}/click"), json!({}));
    browser.wait_for("done");
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("loom, 8 seeds and its baseline, drawn in {seconds:.1} s");

    let figures = browser.figures();
    let current = figures["current"].as_array().unwrap();
    let baseline = figures["baseline"].as_array().unwrap();
    assert_eq!(current.len(), 4, "one protest line per region: {figures}");
    assert_eq!(baseline.len(), 4, "and one baseline line per region");
    assert_ne!(
        current[0], baseline[0],
        "Britain's protest changed against the baseline"
    );
    let rows = figures["rows"].as_array().unwrap();
    assert_eq!(rows.len(), ludd::analysis::compare::METRICS.len());
    let protest = rows
        .iter()
        .find(|r| r[0].as_str().unwrap().starts_with("total protest"))
        .expect("the total protest row");
    assert_ne!(
        protest[1], protest[2],
        "total protest differs from the baseline: {protest}"
    );
    assert!(protest[3].as_str().unwrap().contains('['), "{protest}");

    // The shared link: reloaded, it reproduces the same figures.
    let link = browser.command("GET", "/url", json!({}));
    let link = link.as_str().unwrap().to_string();
    assert!(
        link.contains("relief_replacement%3D0.9") || link.contains("relief_replacement=0.9"),
        "{link}"
    );
    browser.go("about:blank");
    browser.go(&link);
    browser.wait_for("done");
    assert_eq!(
        browser.figures(),
        figures,
        "the shared link shows the same figures"
    );

    let shot = browser.command("GET", "/screenshot", json!({}));
    let png = base64(shot.as_str().unwrap());
    assert_eq!(&png[1..4], b"PNG");
    let path: PathBuf = dir.join("serve.png");
    std::fs::write(&path, &png).unwrap();
    assert!(png.len() > 50_000, "a real picture ({} bytes)", png.len());
    eprintln!("screenshot: {}", path.display());
}
