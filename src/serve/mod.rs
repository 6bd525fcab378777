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
//! - `page/`: the page, its script and style (no third-party code).
//!
//! Safe by default: it listens on 127.0.0.1 unless told otherwise, never
//! opens a path a client names (scenarios are built-ins or uploaded text),
//! and bounds request bodies, seeds, active jobs, kept jobs and cached
//! runs; the memory estimate refuses an ensemble that would not fit.

mod api;
pub mod digest;
pub mod jobs;
pub mod setting;

pub use jobs::Limits;

use crate::error::{LuddError, Result};
use std::net::{IpAddr, SocketAddr};

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
        announce(listener.local_addr().map_err(failed)?);
        axum::serve(listener, api::router(engine))
            .await
            .map_err(failed)
    })
}
