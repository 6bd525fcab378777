//! The HTTP routes of `ludd serve`. Every answer is JSON (errors as
//! `{"errors": [{"field", "message"}]}`) except the page, its script and
//! style, the event stream and the downloads. Every request passes
//! `guard::check` first (the server's own Host and Origin only, JSON
//! writes, the body within its time and size).
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the page (`setting.js`, `app.js` and `style.css` beside it) |
//! | `GET /api/catalog` | built-in scenarios and experiments, the institution table, limits, the jobs started and the most runs alive at once |
//! | `GET /api/scenarios/{name}` | a built-in scenario's regions, institutions, policies |
//! | `POST /api/scenarios` | the same for uploaded RON text (`{"ron": text}`), or its errors |
//! | `GET /api/experiments/{name}` | a built-in experiment's base and settings |
//! | `POST /api/jobs` | run a setting (`setting::Setting`); answers the job's id and cancel token |
//! | `GET /api/jobs/{id}` | the ensemble so far: bands, targets, measures |
//! | `GET /api/jobs/{id}/events` | server-sent progress events until settled |
//! | `DELETE /api/jobs/{id}` | cancel, with the job's token in `X-Ludd-Token` |
//! | `GET /api/jobs/{id}/scenario.ron` | the setting as a scenario file |
//! | `GET /api/jobs/{id}/tables.zip` | every finished run's tables (one zip at a time) |
//! | `GET /api/compare/{baseline}/{current}` | paired differences of the measures |

use super::digest::ensemble_json;
use super::guard::{check, Guard};
use super::jobs::{Engine, Job, Refusal};
use super::setting::{located, prepare, FieldError, Setting, UPLOAD};
use crate::analysis::compare::{paired_differences, RunMetrics};
use crate::analysis::output::run_tables;
use crate::scenario::experiment::{Experiment, BUILTIN_EXPERIMENTS};
use crate::scenario::{builtin, validate, Scenario, BUILTIN, INSTITUTION_FIELDS};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::stream;
use serde::Deserialize;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// What the routes share: the engine, and the one zip that may be built
/// at a time (a zip holds every run's tables in memory).
#[derive(Clone)]
pub struct Shared {
    engine: Arc<Engine>,
    zip: Arc<Semaphore>,
}

impl std::ops::Deref for Shared {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        &self.engine
    }
}

/// The header that carries a job's cancel token.
const TOKEN_HEADER: &str = "x-ludd-token";

pub fn router(engine: Arc<Engine>, guard: Guard) -> Router {
    let max_body = engine.limits.max_body;
    let shared = Shared {
        engine,
        zip: Arc::new(Semaphore::new(1)),
    };
    Router::new()
        .route(
            "/",
            get(|| async { page("text/html; charset=utf-8", PAGE) }),
        )
        .route(
            "/setting.js",
            get(|| async { page("text/javascript; charset=utf-8", SETTING) }),
        )
        .route(
            "/app.js",
            get(|| async { page("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/style.css",
            get(|| async { page("text/css; charset=utf-8", STYLE) }),
        )
        .route("/api/catalog", get(catalog))
        .route("/api/scenarios", axum::routing::post(upload))
        .route("/api/scenarios/{name}", get(scenario))
        .route("/api/experiments/{name}", get(experiment))
        .route("/api/jobs", axum::routing::post(submit))
        .route("/api/jobs/{id}", get(job).delete(cancel))
        .route("/api/jobs/{id}/events", get(events))
        .route("/api/jobs/{id}/scenario.ron", get(ron))
        .route("/api/jobs/{id}/tables.zip", get(tables))
        .route("/api/compare/{baseline}/{current}", get(compare))
        .fallback(|| async { refuse(StatusCode::NOT_FOUND, "path", "no such page or route") })
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(guard, check))
        .with_state(shared)
}

const PAGE: &str = include_str!("page/index.html");
const SETTING: &str = include_str!("page/setting.js");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/style.css");

fn page(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

fn errors(status: StatusCode, errors: Vec<FieldError>) -> Response {
    (status, Json(json!({ "errors": errors }))).into_response()
}

pub fn refuse(status: StatusCode, field: &str, message: impl Into<String>) -> Response {
    errors(
        status,
        vec![FieldError {
            field: field.into(),
            message: message.into(),
        }],
    )
}

async fn catalog(State(engine): State<Shared>) -> Response {
    let scenarios: Vec<Value> = BUILTIN
        .iter()
        .filter_map(|(name, text)| {
            let s = Scenario::from_ron(text, name).ok()?;
            Some(json!({"name": name, "description": s.description}))
        })
        .collect();
    let experiments: Vec<Value> = BUILTIN_EXPERIMENTS
        .iter()
        .filter_map(|(name, text)| {
            let e = Experiment::from_ron(text, name).ok()?;
            Some(json!({"name": name, "question": e.question, "base": e.base}))
        })
        .collect();
    let institutions: Vec<Value> = INSTITUTION_FIELDS
        .iter()
        .map(|(name, low, high, meaning)| {
            json!({"name": name, "low": low, "high": high, "meaning": meaning})
        })
        .collect();
    Json(json!({
        "scenarios": scenarios,
        "experiments": experiments,
        "institutions": institutions,
        "default_seeds": super::setting::DEFAULT_SEEDS,
        "max_seeds": engine.limits.max_seeds,
        "threads": engine.limits.threads,
        "jobs_started": engine.jobs_started(),
        "runs_alive_peak": engine.peak_alive(),
    }))
    .into_response()
}

/// What the page needs of a scenario to build its controls.
fn describe(s: &Scenario) -> Value {
    json!({
        "name": s.name,
        "description": s.description,
        "start_year": s.start_year,
        "end_year": s.end_year,
        "leading": s.regions[s.leading_region()].name,
        "regions": s.regions.iter().map(|r| json!({
            "name": r.name,
            "institutions": r.institutions,
        })).collect::<Vec<_>>(),
        "policies": s.policies,
    })
}

async fn scenario(Path(name): Path<String>) -> Response {
    match builtin(&name).map(|text| Scenario::from_ron(text, &name)) {
        Some(Ok(s)) => Json(describe(&s)).into_response(),
        Some(Err(e)) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "scenario", e.to_string()),
        None => refuse(
            StatusCode::NOT_FOUND,
            "scenario",
            format!("unknown built-in scenario '{name}'"),
        ),
    }
}

/// An uploaded scenario's text, sent as JSON like every write.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Upload {
    ron: String,
}

/// An uploaded scenario: parsed and validated, never written anywhere.
async fn upload(body: Bytes) -> Response {
    let text = match serde_json::from_slice::<Upload>(&body) {
        Ok(upload) => upload.ron,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "body", e.to_string()),
    };
    let s = match Scenario::from_ron(&text, UPLOAD) {
        Ok(s) => s,
        Err(e) => return errors(StatusCode::BAD_REQUEST, vec![located("ron", &e)]),
    };
    let problems = validate(&s);
    if !problems.is_empty() {
        let list = problems
            .into_iter()
            .map(|p| FieldError {
                field: p.path.clone(),
                message: format!("{UPLOAD}: {p}"),
            })
            .collect();
        return errors(StatusCode::BAD_REQUEST, list);
    }
    Json(describe(&s)).into_response()
}

async fn experiment(Path(name): Path<String>) -> Response {
    let Some(text) = crate::scenario::builtin_experiment(&name) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "experiment",
            format!("unknown built-in experiment '{name}'"),
        );
    };
    let resolved = Experiment::from_ron(text, &name).and_then(|e| Ok((e.resolve(&name)?, e)));
    match resolved {
        Ok((settings, e)) => Json(json!({
            "name": e.name,
            "question": e.question,
            "base": e.base,
            "seeds": e.seeds,
            "settings": settings.iter().map(|s| json!({
                "label": s.label,
                "set": s.overrides,
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "experiment",
            e.to_string(),
        ),
    }
}

async fn submit(State(engine): State<Shared>, body: Bytes) -> Response {
    let setting: Setting = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "body", e.to_string()),
    };
    let prepared = match prepare(&setting, engine.limits.max_seeds) {
        Ok(p) => p,
        Err(list) => return errors(StatusCode::BAD_REQUEST, list),
    };
    // Preparing and queueing touch only memory, but a cache hit may fill a
    // large job at once: off the request threads.
    let e = Arc::clone(&engine.engine);
    match tokio::task::spawn_blocking(move || e.submit(prepared)).await {
        Ok(Ok(job)) => (
            StatusCode::ACCEPTED,
            Json(json!({
                "id": job.id,
                "token": job.token(),
                "total": job.prepared.seeds,
                "hash": job.prepared.hash,
            })),
        )
            .into_response(),
        Ok(Err(Refusal::Busy(n))) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "jobs",
            format!("{n} ensembles are already queued or running; wait for one to finish"),
        ),
        Ok(Err(Refusal::TooLarge(message))) => {
            refuse(StatusCode::INSUFFICIENT_STORAGE, "seeds", message)
        }
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "jobs",
            "the job could not start",
        ),
    }
}

fn no_job(id: &str) -> Response {
    refuse(
        StatusCode::NOT_FOUND,
        "job",
        format!("no job '{id}' (the oldest finished jobs are forgotten; run again)"),
    )
}

/// The ensemble so far as JSON: computed off the request threads.
async fn job(State(engine): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(job) = engine.job(&id) else {
        return no_job(&id);
    };
    let e = Arc::clone(&engine.engine);
    let answer = tokio::task::spawn_blocking(move || {
        let snap = job.snapshot();
        let s = &job.prepared.scenario;
        let digests: Vec<_> = snap.digests.iter().map(|d| d.as_ref()).collect();
        let mut v = ensemble_json(&digests, &e.targets(&s.name), s.start_year);
        v["id"] = json!(job.id);
        v["hash"] = json!(job.prepared.hash);
        v["scenario"] = json!(s.name);
        v["leading"] = json!(s.regions[s.leading_region()].name);
        v["policies"] = json!(s.policies);
        v["settled"] = json!(snap.settled);
        v["total"] = json!(snap.total);
        v["finished"] = json!(snap.digests.len());
        v["cancelled"] = json!(snap.cancelled);
        v["error"] = json!(snap.error);
        v
    })
    .await;
    match answer {
        Ok(v) => Json(v).into_response(),
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "job",
            "could not summarize",
        ),
    }
}

/// Progress as server-sent events: `progress` with `{settled, total}` each
/// time a run settles, then `settled`, and the stream ends.
async fn events(State(engine): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(job) = engine.job(&id) else {
        return no_job(&id);
    };
    let receiver = job.progress.subscribe();
    let total = job.prepared.seeds;
    // The first event reports the present state at once; later ones wait
    // for a change. A client that goes away drops the stream, nothing else.
    let stream = stream::unfold(
        (receiver, true, false),
        move |(mut rx, first, ended)| async move {
            if ended {
                return None;
            }
            if !first && rx.changed().await.is_err() {
                return None;
            }
            let settled = *rx.borrow_and_update();
            let done = settled >= total;
            let event = Event::default()
                .event(if done { "settled" } else { "progress" })
                .data(json!({"settled": settled, "total": total}).to_string());
            Some((Ok::<_, Infallible>(event), (rx, false, done)))
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// Cancels a job for the client that started it: the request must carry
/// the job's token. A job that has settled is left as it is (409).
async fn cancel(
    State(engine): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(job) = engine.job(&id) else {
        return no_job(&id);
    };
    let given = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok());
    if !given.is_some_and(|token| job.token_matches(token)) {
        return refuse(
            StatusCode::FORBIDDEN,
            "token",
            format!("only the page that started job '{id}' can cancel it (header X-Ludd-Token)"),
        );
    }
    if !engine.cancel(&job) {
        return refuse(
            StatusCode::CONFLICT,
            "job",
            format!("job '{id}' has settled already; nothing was cancelled"),
        );
    }
    Json(json!({"id": job.id, "cancelled": true})).into_response()
}

/// A file to save as `name`, made one safe file name of bounded length
/// (`files::safe_file_name`, as `--out` names are): the name holds the
/// scenario's, which an uploaded file chooses, and cannot break the header.
fn download(kind: &'static str, name: String, body: Vec<u8>) -> Response {
    let name = crate::analysis::files::safe_file_name(&name);
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn ron(State(engine): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(job) = engine.job(&id) else {
        return no_job(&id);
    };
    let s = &job.prepared.scenario;
    let text = format!(
        "// {} with the settings of a `ludd serve` page (scenario hash {}).\n\
         // Run it with `ludd run <file>` or compare it with `ludd compare`.\n{}",
        s.name,
        job.prepared.hash,
        s.to_ron()
    );
    download(
        "application/ron; charset=utf-8",
        format!("{}-{}.ron", s.name, job.prepared.hash),
        text.into_bytes(),
    )
}

/// Every finished run's directory under `seed-<n>/`, and the scenario, as
/// one zip built in memory (stored: parquet is compressed already). The
/// tables are encoded now, from the runs in the cache, or from runs the
/// workers make again when the cache has let them go (a run is the same
/// whenever it is made). One zip is built at a time, after the memory
/// check a job passes; another asked meanwhile is refused as busy.
async fn tables(State(engine): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(job) = engine.job(&id) else {
        return no_job(&id);
    };
    let Ok(permit) = Arc::clone(&engine.zip).try_acquire_owned() else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "tables",
            "another zip of tables is being built; try again when it is done",
        );
    };
    let seeds: Vec<u64> = job.snapshot().digests.iter().map(|d| d.seed).collect();
    let missing = engine.uncached(&job, &seeds).len() as u64;
    if let Err(message) = engine.check_tables_memory(&job, seeds.len() as u64, missing) {
        return refuse(StatusCode::INSUFFICIENT_STORAGE, "tables", message);
    }
    let e = Arc::clone(&engine.engine);
    let built = tokio::task::spawn_blocking(move || {
        let _one_at_a_time = permit;
        zip_of(&e, &job, &seeds)
    })
    .await;
    match built {
        Ok(Ok((name, bytes))) => download("application/zip", name, bytes),
        Ok(Err(message)) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "tables", message),
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "tables",
            "could not build the zip",
        ),
    }
}

/// The zip of `seeds` of `job`. The runs are asked of the engine a few
/// at a time (one per worker) and encoded in seed order as they come, so
/// the zip holds at most that many runs besides its tables.
fn zip_of(engine: &Engine, job: &Arc<Job>, seeds: &[u64]) -> Result<(String, Vec<u8>), String> {
    use std::io::Write;
    let text = |e: zip::result::ZipError| e.to_string();
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let s = &job.prepared.scenario;
    zip.start_file("scenario.ron", options).map_err(text)?;
    zip.write_all(s.to_ron().as_bytes())
        .map_err(|e| e.to_string())?;
    let mut asked = seeds.iter().map(|&seed| (seed, engine.output(job, seed)));
    let mut waiting: std::collections::VecDeque<_> =
        asked.by_ref().take(engine.limits.threads.max(1)).collect();
    while let Some((seed, answer)) = waiting.pop_front() {
        let out = answer
            .blocking_recv()
            .map_err(|_| format!("seed {seed}: the run was dropped"))??;
        waiting.extend(asked.next());
        let files = run_tables(&out, &job.prepared.overrides, 1).map_err(|e| e.to_string())?;
        drop(out);
        for (name, bytes) in files {
            zip.start_file(format!("seed-{seed}/{name}"), options)
                .map_err(text)?;
            zip.write_all(&bytes).map_err(|e| e.to_string())?;
        }
    }
    let name = format!("{}-{}.zip", s.name, job.prepared.hash);
    Ok((name, zip.finish().map_err(text)?.into_inner()))
}

async fn compare(
    State(engine): State<Shared>,
    Path((baseline, current)): Path<(String, String)>,
) -> Response {
    let Some(a) = engine.job(&baseline) else {
        return no_job(&baseline);
    };
    let Some(b) = engine.job(&current) else {
        return no_job(&current);
    };
    let measured = |j: &Job| -> Vec<(u64, RunMetrics)> {
        j.snapshot()
            .digests
            .iter()
            .map(|d| (d.seed, d.metrics.clone()))
            .collect()
    };
    let rows = paired_differences(&measured(&a), &measured(&b));
    Json(json!({"baseline": a.id, "current": b.id, "rows": rows})).into_response()
}
