//! `ludd serve`: its HTTP API and every kind of bad request, runs, cache,
//! cancellation and disconnection; twenty clients at once with the server's
//! memory bounded; the server's threat model (docs/RELIABILITY.md): another
//! site's requests, rebinding Hosts, cancel tokens, slow and idle
//! connections, zips through the run queue and the memory check; and the
//! page driven in a real browser (Debian's Chromium through chromium-driver's
//! WebDriver, installed when missing as root; for anyone else those tests
//! say that they were not run): pick the loom, set Britain's relief high,
//! run, see the protest chart and the comparison change against the
//! baseline, reload the shared link and see the same figures, cancel; and
//! crafted links and scenario names that leave the page whole.

use crate::command::{ludd, scratch, text};
use crate::system::{self, CHROMEDRIVER};
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

    /// Cancels `job` (the answer to its POST) with its token.
    fn cancel(&self, job: &Value) -> (u16, String) {
        let url = format!("{}/api/jobs/{}", self.url, job_id(job));
        let token = job["token"].as_str().expect("a token");
        call_with("DELETE", &url, None, &[("x-ludd-token", token)])
    }

    /// The address, `127.0.0.1:PORT`.
    fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Submits a setting and waits, through the event stream, until every
    /// run has settled; the job's final state.
    fn run(&self, setting: &Value) -> Value {
        let (status, job) = self.json("POST", "/api/jobs", Some(setting));
        assert_eq!(status, 202, "{job}");
        let id = job_id(&job);
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

/// A job's id, from the answer to its POST or its state.
fn job_id(job: &Value) -> &str {
    job["id"].as_str().expect("a job id")
}

/// One HTTP request; the status and body whatever the status. A write
/// (POST, DELETE) is sent as JSON, as the server requires.
fn call(method: &str, url: &str, body: Option<&str>) -> (u16, String) {
    call_with(method, url, body, &[])
}

/// `call` with more headers.
fn call_with(
    method: &str,
    url: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut request = ureq::request(method, url).timeout(Duration::from_secs(300));
    if method == "POST" || method == "DELETE" {
        request = request.set("content-type", "application/json");
    }
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let result = match body {
        Some(b) => request.send_string(b),
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
    assert!(html.contains("<script src=\"/setting.js\">"), "{html}");
    for (path, needle) in [
        ("/app.js", "EventSource"),
        ("/setting.js", "linkPolicies"),
        ("/style.css", "#charts"),
    ] {
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
    assert_eq!(refusal(&answer).0, "body", "{answer}");
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
    let (status, body) = server.post("/api/scenarios", &json!({"ron": uploaded}).to_string());
    assert_eq!(status, 200, "{body}");
    uploaded = uploaded.replacen("workers: 6000,", "workers: 0,", 1);
    let (status, body) = server.post("/api/scenarios", &json!({"ron": uploaded}).to_string());
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
    assert_eq!(charts.len(), ludd::serve::digest::CHARTS.len());
    assert!(
        charts.iter().any(|c| c["name"] == "vintages"),
        "capacity by vintage is drawn"
    );
    for c in charts {
        for s in c["series"].as_array().unwrap() {
            assert_eq!(s["mean"].as_array().unwrap().len(), 30, "{}", c["name"]);
        }
    }
    assert!(!first["targets"].as_array().unwrap().is_empty());
    let id = job_id(&first);
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
    let (_, again) = server.json("GET", &format!("/api/jobs/{}", job_id(&again)), None);
    assert_eq!(again["settled"], 2, "cached runs settle at once");
    assert_eq!(again["charts"], first["charts"]);

    // A comparison on the same seeds: every measure, paired.
    let baseline = server.run(&short(2, 1760.0, &[]));
    let (status, cmp) = server.json(
        "GET",
        &format!("/api/compare/{}/{id}", job_id(&baseline)),
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
    let big_id = job_id(&big);
    let (status, _) = server.cancel(&big);
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
    let events = ureq::get(&format!("{}/api/jobs/{}/events", server.url, job_id(&job)))
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
    let (_, partial) = server.json("GET", &format!("/api/jobs/{}", job_id(&job)), None);
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
        let events = ureq::get(&format!("{}/api/jobs/{}/events", server.url, job_id(&job)))
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
    let (status, _) = small.cancel(&long);
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
        let (_, state) = small.json("GET", &format!("/api/jobs/{}", job_id(&tiny)), None);
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
        &format!("{}/api/jobs/{}/tables.zip", small.url, job_id(&tiny)),
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
            &format!("{url}/api/jobs/{}/scenario.ron", job_id(state)),
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

/// One request written by hand, for headers a client library sets itself
/// (`Host`), on a connection closed after the answer: the status and the
/// whole answer, headers included.
fn raw(address: &str, head: &str, body: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

/// Seconds until the server closes `stream` (reads return nothing), at
/// most `limit`; `write` is called each second meanwhile.
fn seconds_until_closed(
    stream: &mut std::net::TcpStream,
    limit: u64,
    mut write: impl FnMut(&mut std::net::TcpStream, u64),
) -> f64 {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let mut buffer = [0u8; 4096];
    for second in 0.. {
        if started.elapsed() > Duration::from_secs(limit) {
            break;
        }
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
        write(stream, second);
    }
    started.elapsed().as_secs_f64()
}

#[test]
fn the_server_answers_only_its_own_page() {
    let server = Server::start(&["--threads", "1"], &[]);
    let address = server.address().to_string();
    let port = address.rsplit_once(':').unwrap().1.to_string();
    let job = json!({"scenario": "loom", "seeds": 1, "end_year": 1745}).to_string();
    let (_, catalog) = server.json("GET", "/api/catalog", None);
    let started = catalog["jobs_started"].as_u64().unwrap();

    // Another site's page cannot start a job, by a simple request (text/plain,
    // no preflight) or any other, nor read an answer.
    let post = |headers: &str| {
        raw(
            &address,
            &format!("POST /api/jobs HTTP/1.1\r\nHost: {address}\r\n{headers}"),
            &job,
        )
    };
    let (status, answer) = post("Origin: http://evil.example\r\nContent-Type: text/plain\r\n");
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer.contains("Origin header 'http://evil.example'"),
        "{answer}"
    );
    let (status, answer) =
        post("Origin: http://evil.example\r\nContent-Type: application/json\r\n");
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = post("Origin: null\r\nContent-Type: application/json\r\n");
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = post(&format!(
        "Origin: http://localhost:{}\r\nContent-Type: application/json\r\n",
        port.parse::<u16>().unwrap() + 1
    ));
    assert_eq!(status, 403, "another port is another site: {answer}");
    let (status, answer) = post("Content-Type: text/plain\r\n");
    assert_eq!(status, 415, "a write must be JSON: {answer}");
    assert!(answer.contains("application/json"), "{answer}");
    let (status, answer) = post("Sec-Fetch-Site: cross-site\r\nContent-Type: application/json\r\n");
    assert_eq!(status, 403, "{answer}");
    let (_, catalog) = server.json("GET", "/api/catalog", None);
    assert_eq!(catalog["jobs_started"], started, "no job started");
    let (status, answer) = post(&format!(
        "Origin: http://localhost:{port}\r\nContent-Type: application/json; charset=utf-8\r\n"
    ));
    assert_eq!(status, 202, "the page's own origin: {answer}");
    // An uploaded scenario is JSON too.
    let (status, answer) = raw(
        &address,
        &format!("POST /api/scenarios HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\n"),
        "Scenario()",
    );
    assert_eq!(status, 415, "{answer}");

    // A rebinding site's name in Host is refused; this machine's names are not.
    let get = |host: &str, more: &str| {
        raw(
            &address,
            &format!("GET /api/catalog HTTP/1.1\r\nHost: {host}\r\n{more}"),
            "",
        )
    };
    for host in [
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        "127.0.0.1:1".to_string(),
        "localhost".to_string(),
        format!("192.0.2.1:{port}"),
    ] {
        let (status, answer) = get(&host, "");
        assert_eq!(status, 403, "{host}: {answer}");
        assert!(answer.contains("\"field\":\"host\""), "{answer}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, answer) = get(&host, "");
        assert_eq!(status, 200, "{host}: {answer}");
    }
    let (status, answer) = get(&address, "Origin: http://evil.example\r\n");
    assert_eq!(status, 403, "a cross-site read: {answer}");
    let (status, answer) = get(&address, "Sec-Fetch-Site: same-site\r\n");
    assert_eq!(status, 403, "another port of localhost: {answer}");
    // A shared link clicked on another site opens the page, and only the page.
    let (status, answer) = raw(
        &address,
        &format!("GET /?s=loom HTTP/1.1\r\nHost: {address}\r\nSec-Fetch-Site: cross-site\r\n"),
        "",
    );
    assert_eq!(status, 200, "{answer}");

    // Every answer forbids inline script and sniffing, refusals included.
    for (status, answer) in [get(&address, ""), get("evil.example", "")] {
        let headers = answer.to_ascii_lowercase();
        assert!(
            headers.contains("content-security-policy: default-src 'self'; script-src 'self'"),
            "{status}: {answer}"
        );
        assert!(headers.contains("x-content-type-options: nosniff"));
        assert!(headers.contains("referrer-policy: no-referrer"));
    }

    // Ids are random 128-bit numbers; a job is cancelled only with its token.
    let (status, a) = server.json("POST", "/api/jobs", Some(&short(2, 1750.0, &[])));
    assert_eq!(status, 202, "{a}");
    let (_, b) = server.json("POST", "/api/jobs", Some(&short(1, 1745.0, &[])));
    for j in [&a, &b] {
        let id = job_id(j);
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|c| c.is_ascii_hexdigit()), "{id}");
        assert_eq!(j["token"].as_str().unwrap().len(), 32);
        assert_ne!(j["token"], j["id"]);
    }
    assert_ne!(a["id"], b["id"]);
    let url = format!("{}/api/jobs/{}", server.url, job_id(&a));
    let (status, answer) = call("DELETE", &url, None);
    assert_eq!(status, 403, "no token: {answer}");
    let (status, answer) = call_with("DELETE", &url, None, &[("x-ludd-token", job_id(&b))]);
    assert_eq!(status, 403, "a wrong token: {answer}");
    let wrong = b["token"].as_str().unwrap();
    let (status, _) = call_with("DELETE", &url, None, &[("x-ludd-token", wrong)]);
    assert_eq!(status, 403, "another job's token");
    let token = a["token"].as_str().unwrap();
    let (status, answer) = raw(
        &address,
        &format!(
            "DELETE /api/jobs/{} HTTP/1.1\r\nHost: {address}\r\nX-Ludd-Token: {token}\r\nContent-Type: text/plain\r\n",
            job_id(&a)
        ),
        "",
    );
    assert_eq!(status, 415, "{answer}");
    let started = Instant::now();
    let state = loop {
        let (_, state) = server.json("GET", &format!("/api/jobs/{}", job_id(&a)), None);
        if state["settled"] == 2 {
            break state;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{state}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(state["cancelled"], false, "the refused cancels did nothing");
    assert_eq!(state["finished"], 2);
    let (status, answer) = server.cancel(&a);
    assert_eq!(status, 409, "a settled job is not cancelled: {answer}");
    assert!(answer.contains("settled already"), "{answer}");
    let (_, state) = server.json("GET", &format!("/api/jobs/{}", job_id(&a)), None);
    assert_eq!(state["cancelled"], false);
    for guess in ["1", "2", "3", "00000000000000000000000000000001"] {
        let (status, _) = server.get(&format!("/api/jobs/{guess}"));
        assert_eq!(status, 404, "{guess}");
    }
}

#[test]
fn slow_and_idle_connections_are_closed_and_leave_room() {
    let server = Server::start(&["--threads", "1"], &[]);
    let address = server.address().to_string();

    // An event stream with nothing to say for longer than the timeouts
    // stays open: a job queued behind sixteen whole loom runs on one worker.
    let (status, ahead) = server.json(
        "POST",
        "/api/jobs",
        Some(&json!({"scenario": "loom", "seeds": 16})),
    );
    assert_eq!(status, 202, "{ahead}");

    // Three slow clients at once: a head sent one line a second, nothing
    // at all, and a body that stops short.
    let (slow, idle, body, quiet) = std::thread::scope(|scope| {
        let quiet = scope.spawn(|| {
            let started = Instant::now();
            let state = server.run(&json!({"scenario": "loom", "seeds": 1, "set": ["regions.britain.institutions.repression=0.4"]}));
            (started.elapsed().as_secs_f64(), state)
        });
        let slow = scope.spawn(|| {
            let mut stream = std::net::TcpStream::connect(&address).unwrap();
            write!(stream, "GET /api/catalog HTTP/1.1\r\nHost: {address}\r\n").unwrap();
            seconds_until_closed(&mut stream, 60, |s, n| {
                let _ = write!(s, "X-Slow-{n}: 1\r\n");
            })
        });
        let idle = scope.spawn(|| {
            let mut stream = std::net::TcpStream::connect(&address).unwrap();
            seconds_until_closed(&mut stream, 60, |_, _| {})
        });
        let body = scope.spawn(|| {
            let mut stream = std::net::TcpStream::connect(&address).unwrap();
            write!(
                stream,
                "POST /api/jobs HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
                 Content-Length: 100\r\n\r\n{{\"scenario\""
            )
            .unwrap();
            let started = Instant::now();
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .unwrap();
            let mut answer = vec![0u8; 512];
            let n = stream.read(&mut answer).unwrap_or(0);
            (
                started.elapsed().as_secs_f64(),
                String::from_utf8_lossy(&answer[..n]).into_owned(),
            )
        });
        (
            slow.join().unwrap(),
            idle.join().unwrap(),
            body.join().unwrap(),
            quiet.join().unwrap(),
        )
    });
    eprintln!("an event stream waited {:.1} s for its one event", quiet.0);
    assert_eq!(quiet.1["finished"], 1, "{}", quiet.1);
    assert!(
        quiet.0 > 10.0,
        "the stream outlived the timeouts: {}",
        quiet.0
    );
    eprintln!(
        "a head one line a second closed after {slow:.1} s, an idle connection after {idle:.1} s, \
         a body cut short answered after {:.1} s",
        body.0
    );
    assert!((8.0..15.0).contains(&slow), "{slow}");
    assert!((8.0..15.0).contains(&idle), "{idle}");
    assert!((8.0..15.0).contains(&body.0), "{body:?}");
    assert!(body.1.starts_with("HTTP/1.1 408"), "{body:?}");

    // Many idle connections (more than the server keeps open) do not shut
    // out a real client: the oldest idle ones are closed to make room.
    let held: Vec<_> = (0..600)
        .map(|_| std::net::TcpStream::connect(&address).unwrap())
        .collect();
    let started = Instant::now();
    let (status, _) = server.get("/api/catalog");
    let waited = started.elapsed().as_secs_f64();
    eprintln!("600 idle connections held: the catalog answered in {waited:.2} s");
    assert_eq!(status, 200);
    assert!(waited < 5.0, "{waited}");
    // The server kept no more than its bound of them open.
    let fds = std::fs::read_dir(format!("/proc/{}/fd", server.child.id()))
        .unwrap()
        .count();
    eprintln!("the server's open files with 600 idle connections: {fds}");
    assert!(fds < 300, "{fds} open files");
    drop(held);
}

#[test]
fn zips_are_made_by_the_run_queue_within_the_memory_check() {
    // No cache: every zip makes its runs again. One worker: at most one run
    // alive, whatever the zips and jobs asked at once.
    let server = Server::start(
        &["--threads", "1", "--cache-mb", "0"],
        &[("LUDD_MEMORY_LIMIT", "200M")],
    );
    let done = server.run(&short(3, 1760.0, &[]));
    assert_eq!(done["finished"], 3);
    let zip = format!("{}/api/jobs/{}/tables.zip", server.url, job_id(&done));
    let answers: Vec<(u16, String)> = std::thread::scope(|scope| {
        let zips: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| call("GET", &zip, None)))
            .collect();
        // A job asked meanwhile shares the one worker.
        let job = scope.spawn(|| server.run(&short(2, 1750.0, &[])));
        assert_eq!(job.join().unwrap()["finished"], 2);
        zips.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let built = answers.iter().filter(|(s, _)| *s == 200).count();
    let busy = answers.iter().filter(|(s, _)| *s == 503).count();
    eprintln!("6 zips asked at once: {built} built, {busy} refused as busy");
    assert!(built >= 1);
    assert_eq!(built + busy, 6, "{answers:?}");
    for (status, body) in &answers {
        if *status == 200 {
            for seed in 1..=3 {
                assert!(body.contains(&format!("seed-{seed}/series.parquet")));
            }
        } else {
            assert!(body.contains("another zip"), "{body}");
        }
    }
    let (_, catalog) = server.json("GET", "/api/catalog", None);
    assert_eq!(catalog["runs_alive_peak"], 1, "{catalog}");
    let peak = server.peak_memory();
    eprintln!(
        "server peak memory {:.0} MiB",
        peak as f64 / (1 << 20) as f64
    );
    assert!(peak < 400 << 20, "peak memory {peak} bytes");

    // A zip that would not fit is refused with the estimate, before any run:
    // a limit the job fits but not the job and the runs the zip holds.
    let mut loom =
        ludd::Scenario::from_ron(ludd::scenario::builtin("loom").unwrap(), "loom").unwrap();
    loom.end_year = 1760.0;
    let kept = loom.records_estimate();
    let limit = loom.ensemble_estimate(1, 3, kept) + kept / 2;
    let tight = Server::start(
        &["--threads", "1", "--cache-mb", "0"],
        &[("LUDD_MEMORY_LIMIT", &limit.to_string())],
    );
    let done = tight.run(&short(3, 1760.0, &[]));
    assert_eq!(done["finished"], 3, "{done}");
    let (status, answer) = tight.json(
        "GET",
        &format!("/api/jobs/{}/tables.zip", job_id(&done)),
        None,
    );
    assert_eq!(status, 507, "{answer}");
    let (field, message) = refusal(&answer);
    assert_eq!(field, "tables");
    assert!(
        message.contains("a zip of 3 runs' tables (3 to make again, 1 at once) would need about"),
        "{message}"
    );
    let (_, catalog) = tight.json("GET", "/api/catalog", None);
    assert_eq!(catalog["runs_alive_peak"], 1, "no run beyond the job's");
}

#[test]
fn another_address_than_loopback_is_warned_about() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args(["serve", "--port", "0", "--host", "0.0.0.0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ludd serve starts");
    let mut warning = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut warning)
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split_whitespace()
        .find(|w| w.starts_with("http://0.0.0.0:"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_start_matches("http://0.0.0.0:")
        .trim_end_matches('/')
        .to_string();
    for needle in [
        "warning",
        "0.0.0.0",
        "run ensembles",
        "read every job",
        "download its tables",
        "no authentication",
    ] {
        assert!(warning.contains(needle), "{needle}: {warning}");
    }
    // Listening on every address, it accepts any address of the machine
    // (an IP literal) and still refuses a name that is not its own.
    let address = format!("127.0.0.1:{port}");
    let head = |host: &str| format!("GET /api/catalog HTTP/1.1\r\nHost: {host}\r\n");
    assert_eq!(
        raw(&address, &head(&format!("192.0.2.1:{port}")), "").0,
        200
    );
    assert_eq!(
        raw(&address, &head(&format!("evil.example:{port}")), "").0,
        403
    );
    let _ = child.kill();
    let _ = child.wait();
}

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";

/// A WebDriver session with headless Chromium, ended when dropped.
struct Browser {
    driver: Child,
    base: String,
}

impl Browser {
    /// A session, or none when Chromium and its driver are missing and
    /// cannot be installed here (the test then says it was not run).
    fn start(profile: &Path) -> Option<Browser> {
        if !system::have(&CHROMEDRIVER, None) {
            return None;
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
        Some(Browser {
            driver,
            base: format!("{root}/session/{id}"),
        })
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

    /// Runs `script` with `args` (`arguments[0]`, ...).
    fn script_with(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
    }

    /// Waits until the page's state is one of `states`; the state.
    fn settle_in(&self, states: &[&str]) -> String {
        let started = Instant::now();
        loop {
            let state = self.script("return document.body.dataset.state;");
            if let Some(state) = state.as_str().filter(|s| states.contains(s)) {
                return state.to_string();
            }
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "the page reaches one of {states:?} (now {state})"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
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
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
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

    // Cancel: the page cancels its own jobs with their tokens.
    let end = browser.element("#end-year");
    browser.command("POST", &format!("/element/{end}/clear"), json!({}));
    browser.command(
        "POST",
        &format!("/element/{end}/value"),
        json!({"text": "1899"}),
    );
    let run = browser.element("#run");
    let previous = browser.script("return page.jobs.current;");
    browser.command("POST", &format!("/element/{run}/click"), json!({}));
    let cancel = browser.element("#cancel");
    let started = Instant::now();
    // The new jobs have started once the page holds their ids.
    while browser.script("return page.jobs.current;") == previous {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the jobs start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    browser.command("POST", &format!("/element/{cancel}/click"), json!({}));
    browser.wait_for("cancelled");
    let current = browser.script("return page.jobs.current;");
    let (status, state) = server.json(
        "GET",
        &format!("/api/jobs/{}", current.as_str().unwrap()),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(state["cancelled"], true, "the page's cancel was accepted");
}

/// Script that would mark the page and start a job if it ever ran, in
/// markup that would run it if the page made markup of the text around it.
const PAYLOAD: &str = r#""><img src=x onerror="document.title='pwned';fetch('/api/jobs',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({scenario:'loom',seeds:1,end_year:1745})})">"#;

#[test]
fn a_crafted_link_or_scenario_name_never_runs_in_the_page() {
    let dir = scratch("serve_crafted");
    let server = Server::start(&["--threads", "2"], &[]);
    let Some(browser) = Browser::start(&dir.join("profile")) else {
        return;
    };
    let started = || {
        server.json("GET", "/api/catalog", None).1["jobs_started"]
            .as_u64()
            .unwrap()
    };
    // The page is whole: its title, no element it did not make itself.
    let intact = |what: &str| {
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(
            browser.script("return document.title;"),
            "ludd: explore",
            "{what}"
        );
        assert_eq!(
            browser.script("return document.querySelectorAll('img').length;"),
            0,
            "{what}: no element injected"
        );
    };
    let link = |query: &str| format!("{}/?{query}", server.url);
    let encoded = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };

    // A link whose policy year and value are markup: refused, nothing runs.
    let before = started();
    let policies = json!([{"year": PAYLOAD, "region": "britain", "field": "repression",
                           "value": PAYLOAD, "note": PAYLOAD}]);
    browser.go(&link(&format!(
        "s=loom&seeds=1&policies={}",
        encoded(&policies.to_string())
    )));
    browser.wait_for("error");
    intact("markup as a policy's year");
    let shown = browser.script("return document.getElementById('field-errors').textContent;");
    assert!(
        shown.as_str().unwrap().contains("that is not a number"),
        "{shown}"
    );
    assert_eq!(started(), before, "the refused link started no job");

    // Numbers that are not numbers, and policies that are not a list of policies.
    for query in [
        "s=loom&seeds=1%3Balert(1)".to_string(),
        "s=loom&seeds=1&end=1e999".to_string(),
        format!("s=loom&seeds=1&policies={}", encoded("{\"year\": 1800}")),
        format!(
            "s=loom&seeds=1&policies={}",
            encoded("[{\"year\": 1800, \"region\": \"britain\", \"field\": \"repression\", \"value\": 1, \"onerror\": \"x\"}]")
        ),
    ] {
        browser.go("about:blank");
        browser.go(&link(&query));
        browser.wait_for("error");
        intact(&query);
        let shown = browser.script("return document.getElementById('field-errors').textContent;");
        assert!(shown.as_str().unwrap().contains("The link's"), "{query}: {shown}");
    }
    assert_eq!(started(), before, "no refused link started a job");

    // Markup as a policy's note, a valid field: it runs, shown as text, and
    // only the page's own two jobs (current and baseline) start.
    let policies = json!([{"year": 1750, "region": "britain", "field": "repression",
                           "value": 0.5, "note": PAYLOAD}]);
    browser.go("about:blank");
    browser.go(&link(&format!(
        "s=loom&seeds=1&end=1760&policies={}",
        encoded(&policies.to_string())
    )));
    browser.wait_for("done");
    intact("markup as a policy's note");
    assert_eq!(
        browser.script("return document.querySelector('#policies input.note').value;"),
        PAYLOAD
    );
    assert_eq!(
        browser.script(
            "return document.querySelector('#chart-protest line.policy title').textContent;"
        ),
        format!("1750 britain: repression = 0.5 ({PAYLOAD})")
    );
    assert_eq!(started(), before + 2, "the page's own two jobs only");

    // Scenarios in a shared link (`?ron=`, as an upload is read): opened
    // through the page's own upload, then checked.
    let open_ron = |ron: &str| -> String {
        browser.go("about:blank");
        browser.go(&format!("{}/", server.url));
        browser.wait_for("ready");
        browser.script_with(
            "const bytes = new TextEncoder().encode(arguments[0]);
             location.href = '/?seeds=1&end=1760&ron=' + encodeURIComponent(btoa(String.fromCharCode(...bytes)));",
            json!([ron]),
        );
        std::thread::sleep(Duration::from_millis(500));
        browser.settle_in(&["done", "error"])
    };
    let quoted = |text: &str| text.replace('\\', "\\\\").replace('"', "\\\"");
    let loom = ludd::scenario::builtin("loom").unwrap();

    // A region named with markup: refused by validation (names are
    // identifiers), the refusal shown as text, nothing run.
    let before = started();
    let named = loom.replace("\"india\"", &format!("\"a{}\"", quoted(PAYLOAD)));
    let state = open_ron(&named);
    intact("markup as a region's name");
    assert_eq!(state, "error");
    let shown = browser.script(
        "return document.getElementById('field-errors').textContent + document.querySelector('.error[data-for=\"ron\"]').textContent;",
    );
    assert!(
        shown.as_str().unwrap().contains("regions"),
        "the refusal is shown: {shown}"
    );
    assert_eq!(started(), before, "a refused scenario runs nothing");

    // Free text that validation accepts, the description and a policy's
    // note, with markup: shown as text, and only the page's two jobs run.
    let before = started();
    let described = loom
        .replacen(
            "description: \"",
            &format!("description: \"{} ", quoted(PAYLOAD)),
            1,
        )
        .replacen("note: \"", &format!("note: \"{} ", quoted(PAYLOAD)), 1);
    assert_ne!(described, loom);
    let state = open_ron(&described);
    intact("markup in a scenario's description and a policy's note");
    assert_eq!(state, "done");
    let description = browser.script("return document.getElementById('description').textContent;");
    assert!(
        description.as_str().unwrap().starts_with(PAYLOAD),
        "{description}"
    );
    let note = browser.script("return document.querySelector('#policies input.note').value;");
    assert!(note.as_str().unwrap().starts_with(PAYLOAD), "{note}");
    assert_eq!(started(), before + 2, "the page's own two jobs only");
}
