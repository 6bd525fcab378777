//! `ludd serve`: a local web server and one page, embedded in the binary,
//! on which a user changes a scenario's institutions and dated policies,
//! runs an ensemble and compares it with a baseline.
//!
//! The layer sits above `analysis` and `report` and below the command
//! line: runs are the model's, measures, targets and tables are the
//! analysis layer's, so the page shows what the commands would.
//!
//! - `setting.rs`: what a page asks to run, validated into a scenario.
//! - `jobs.rs`: jobs, the run queue and its workers, the cache, the limits.
//! - `digest.rs`: a run reduced to what the page draws; ensemble bands.
//! - `api.rs`: the HTTP routes.
//! - `guard.rs`: what every request must show first (its own Host and
//!   Origin, JSON writes) and the security headers of every answer.
//! - `page/`: the page, its script and style (no third-party code).
//!
//! Safe by default: it listens on 127.0.0.1 unless told otherwise, answers
//! only its own page (`guard.rs`), never opens a path a client names
//! (scenarios are built-ins or uploaded text), and bounds request bodies,
//! seeds, active jobs, kept jobs and cached runs; the memory estimate
//! refuses an ensemble, or a zip of tables, that would not fit. The
//! connections are bounded here: at most `MAX_CONNECTIONS` open, a request
//! head must arrive within `HEADER_TIMEOUT` (which also closes a
//! keep-alive connection left idle that long), a body within
//! `guard::BODY_TIMEOUT`.

mod api;
pub mod digest;
mod guard;
pub mod jobs;
pub mod setting;

pub use jobs::Limits;

use crate::error::{LuddError, Result};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// Connections open at once: well below the usual limit of 1,024 open
/// files, so the server never runs out of them.
pub const MAX_CONNECTIONS: usize = 256;

/// Time a client has to send a request's head (its line and headers),
/// counted from the connection or from the previous answer.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Where to listen and what to accept.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub host: IpAddr,
    pub port: u16,
    pub limits: Limits,
}

/// Serves until the process ends. `announce` is called with the address
/// once the server listens (the port is chosen by the system when 0).
pub fn serve(options: ServeOptions, announce: impl FnOnce(SocketAddr)) -> Result<()> {
    let address = format!("{}:{}", options.host, options.port);
    let failed = |e: std::io::Error| LuddError::Serve {
        address: address.clone(),
        message: e.to_string(),
    };
    let targets = crate::analysis::validation::targets()?;
    let engine = jobs::Engine::start(options.limits.clone(), targets);
    // Two threads answer requests; the runs have their own workers.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(failed)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((options.host, options.port))
            .await
            .map_err(failed)?;
        let local = listener.local_addr().map_err(failed)?;
        let guard = guard::Guard {
            host: options.host,
            port: local.port(),
            max_body: engine.limits.max_body,
        };
        let router = api::router(engine, guard);
        announce(local);
        accept(listener, router).await;
        Ok(())
    })
}

/// Serves each connection on its own task, at most `MAX_CONNECTIONS` at
/// once. When a client comes and every place is taken, the oldest
/// connection is asked to close: at once if it is idle between requests,
/// after its answer otherwise. Idle connections held open by one client
/// cannot shut out another.
async fn accept(listener: tokio::net::TcpListener, router: axum::Router) {
    let places = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    // The open connections' close signals, oldest first.
    let open: Arc<Mutex<VecDeque<Arc<Notify>>>> = Arc::default();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of files or a connection reset before it was taken:
                // wait a little rather than spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let place = loop {
            if let Ok(place) = Arc::clone(&places).try_acquire_owned() {
                break place;
            }
            let oldest = open.lock().expect("not poisoned").pop_front();
            if let Some(oldest) = oldest {
                oldest.notify_one();
            }
            let wait = Arc::clone(&places).acquire_owned();
            if let Ok(Ok(place)) = tokio::time::timeout(Duration::from_millis(100), wait).await {
                break place;
            }
        };
        let close = Arc::new(Notify::new());
        open.lock()
            .expect("not poisoned")
            .push_back(Arc::clone(&close));
        let connection = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let open = Arc::clone(&open);
        tokio::spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = close.notified() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            open.lock()
                .expect("not poisoned")
                .retain(|c| !Arc::ptr_eq(c, &close));
            drop(place);
        });
    }
}
