//! `ludd serve`: the local web server and its page (`ludd::serve`).

use super::options::Threads;
use anyhow::Result;
use clap::Args;
use ludd::serve::{serve, Limits, ServeOptions};
use std::net::IpAddr;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. The default serves this machine only; another
    /// address lets anyone who can reach it run ensembles here, read every
    /// job and download its tables: the server has no authentication.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Open the page in the default browser once the server listens.
    #[arg(long)]
    open: bool,
    #[command(flatten)]
    threads: Threads,
    /// Seeds one ensemble may ask for.
    #[arg(long, default_value_t = Limits::default().max_seeds)]
    max_seeds: u64,
    /// Ensembles queued or running at once; more are refused as busy.
    #[arg(long, default_value_t = Limits::default().max_active_jobs)]
    max_jobs: usize,
    /// Megabytes of finished runs kept in the cache.
    #[arg(long, default_value_t = Limits::default().cache_bytes >> 20)]
    cache_mb: usize,
}

pub fn execute(args: ServeArgs) -> Result<()> {
    let defaults = Limits::default();
    let limits = Limits {
        threads: args.threads.count(),
        max_seeds: args.max_seeds.max(1),
        max_active_jobs: args.max_jobs.max(1),
        cache_bytes: args.cache_mb << 20,
        ..defaults
    };
    let options = ServeOptions {
        host: args.host,
        port: args.port,
        limits,
    };
    if !args.host.is_loopback() {
        eprintln!(
            "ludd serve: warning: listening on {}, not this machine alone: anyone who can reach \
             that address can run ensembles on this machine, read every job's settings and \
             download its tables; the server has no authentication",
            args.host
        );
    }
    let open = args.open;
    serve(options, |address| {
        let url = format!("http://{address}/");
        // Printed whole in one line, so a script can read the port.
        let _ = say!("ludd serve: listening on {url} (Ctrl-C stops)");
        if open {
            if let Err(e) = std::process::Command::new("xdg-open").arg(&url).spawn() {
                eprintln!("ludd serve: could not open a browser ({e}); open {url} yourself");
            }
        }
    })?;
    Ok(())
}
