//! The server's runs: jobs (one ensemble a page asked for), the queue of
//! their runs, the threads that run them and the cache of finished runs.
//!
//! Every run of every job goes through one first-in, first-out queue taken
//! by `threads` workers, each running one run at a time on its own
//! one-thread rayon pool (as `model::run::bounded_parallel` does): at most
//! `threads` runs are alive whatever the number of tabs, so memory is
//! bounded, and the tabs share the cores in the order they asked. A run's
//! result does not depend on the thread that ran it.
//!
//! A finished run is cached under its scenario's hash and its seed, so a
//! reloaded link, a baseline or a second tab with the same setting draws at
//! once. The cache and the table of jobs are bounded; the oldest entries go
//! first. A client that disconnects leaves its job to finish into the
//! cache; a cancelled job's queued runs are dropped.
//!
//! A zip of a job's tables needs the runs themselves; one the cache has
//! let go is made again by the same queue and workers (`Engine::output`),
//! never beside them, so a download cannot raise the number of runs alive.
//!
//! A job is named by a random 128-bit id and can be cancelled only with
//! the token given to the client that started it: ids cannot be guessed
//! from another page, and one page cannot stop another's job.

use super::digest::{digest, output_bytes, RunDigest};
use super::setting::Prepared;
use crate::analysis::validation::{targets_of, Target};
use crate::model::run::RunOutput;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use tokio::sync::{oneshot, watch};

/// What the server accepts, all bounded.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Runs alive at once (worker threads).
    pub threads: usize,
    /// Seeds one job may ask for.
    pub max_seeds: u64,
    /// Jobs queued or running at once; more are refused as busy.
    pub max_active_jobs: usize,
    /// Jobs kept for their pages to read, finished ones included; a job
    /// holds its runs' digests (about a tenth of a megabyte each for the
    /// loom), not the runs.
    pub max_kept_jobs: usize,
    /// Bytes of finished runs (digests and the runs themselves, for their
    /// tables) kept in the cache.
    pub cache_bytes: usize,
    /// Bytes of a request body (an uploaded scenario included).
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_seeds: 64,
            max_active_jobs: 32,
            max_kept_jobs: 32,
            cache_bytes: 512 << 20,
            max_body: 1 << 20,
        }
    }
}

/// One ensemble a page asked for.
pub struct Job {
    /// 32 hexadecimal digits from the operating system's random source.
    pub id: String,
    /// What a client must show to cancel the job; only the client that
    /// started it is told.
    token: String,
    pub prepared: Prepared,
    state: Mutex<JobState>,
    cancelled: AtomicBool,
    /// Runs settled (finished, failed or dropped), for the event stream.
    pub progress: watch::Sender<u64>,
}

#[derive(Default)]
struct JobState {
    /// Per seed (seed `i + 1` at `i`), its digest once finished.
    digests: Vec<Option<Arc<RunDigest>>>,
    settled: u64,
    error: Option<String>,
}

/// A job's state as the page reads it.
pub struct Snapshot {
    pub digests: Vec<Arc<RunDigest>>,
    pub settled: u64,
    pub total: u64,
    pub cancelled: bool,
    pub error: Option<String>,
}

impl Job {
    pub fn snapshot(&self) -> Snapshot {
        let state = self.state.lock().expect("not poisoned");
        Snapshot {
            digests: state.digests.iter().flatten().cloned().collect(),
            settled: state.settled,
            total: self.prepared.seeds,
            cancelled: self.cancelled.load(Ordering::Relaxed),
            error: state.error.clone(),
        }
    }

    /// Whether `given` is this job's cancel token. The comparison takes
    /// the same time wherever the first difference lies, so the answer's
    /// timing tells nothing about the token.
    pub fn token_matches(&self, given: &str) -> bool {
        let (a, b) = (self.token.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The token, for the answer to the client that started the job.
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn is_settled(&self) -> bool {
        self.state.lock().expect("not poisoned").settled >= self.prepared.seeds
    }

    fn settle(&self, seed_index: usize, result: Option<Arc<RunDigest>>, error: Option<String>) {
        let settled = {
            let mut state = self.state.lock().expect("not poisoned");
            if let Some(d) = result {
                state.digests[seed_index] = Some(d);
            }
            if let Some(e) = error {
                state.error.get_or_insert(e);
            }
            state.settled += 1;
            state.settled
        };
        self.progress.send_replace(settled);
    }
}

/// Why a job was not accepted.
pub enum Refusal {
    /// Too many jobs queued or running.
    Busy(usize),
    /// The memory estimate says the runs will not fit.
    TooLarge(String),
}

/// A run the queue holds: one seed of a job, or a run made again for a
/// zip of a job's tables, answered on `reply`. A zip that stopped on an
/// error has dropped its receivers, and the runs it asked for are not made.
enum Task {
    Run(Arc<Job>, usize),
    Remake {
        job: Arc<Job>,
        seed: u64,
        reply: oneshot::Sender<Made>,
    },
}

/// A run made again for its tables, or why it could not be.
pub type Made = Result<Arc<RunOutput>, String>;

/// The jobs, their queue, the workers and the cache.
pub struct Engine {
    pub limits: Limits,
    targets: Vec<Target>,
    queue: Mutex<VecDeque<Task>>,
    ready: Condvar,
    /// The kept jobs, oldest first.
    jobs: Mutex<Vec<Arc<Job>>>,
    cache: Mutex<Cache>,
    /// Jobs accepted since the server started.
    started: AtomicU64,
    /// Runs being made now, and the most there have been at once: the
    /// worker bound made visible (`/api/catalog`), for tests and readers.
    alive: AtomicUsize,
    peak_alive: AtomicUsize,
}

/// A random 128-bit number as 32 hexadecimal digits, from the operating
/// system (never the model's seeded generators).
fn random_hex() -> String {
    use rand::TryRngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random source answers");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Default)]
struct Cache {
    runs: HashMap<(String, u64), Cached>,
    order: VecDeque<(String, u64)>,
    bytes: usize,
}

/// A finished run: its digest for the page and the run itself for its
/// tables. Jobs hold only digests, so the runs' memory is the cache's.
struct Cached {
    digest: Arc<RunDigest>,
    output: Arc<RunOutput>,
    bytes: usize,
}

impl Engine {
    /// Starts the workers; they live as long as the process.
    pub fn start(limits: Limits, targets: Vec<Target>) -> Arc<Engine> {
        let engine = Arc::new(Engine {
            limits,
            targets,
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            jobs: Mutex::new(Vec::new()),
            cache: Mutex::new(Cache::default()),
            started: AtomicU64::new(0),
            alive: AtomicUsize::new(0),
            peak_alive: AtomicUsize::new(0),
        });
        for _ in 0..engine.limits.threads.max(1) {
            let e = Arc::clone(&engine);
            std::thread::spawn(move || e.work());
        }
        engine
    }

    /// The historical targets of a scenario.
    pub fn targets(&self, scenario: &str) -> Vec<&Target> {
        targets_of(&self.targets, scenario)
    }

    /// Accepts a job: its cached runs are filled in at once, the others
    /// queued. Refused when too many jobs are active or the runs' memory
    /// estimate exceeds what the machine has.
    pub fn submit(&self, prepared: Prepared) -> Result<Arc<Job>, Refusal> {
        let active = self
            .jobs
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|j| !j.is_settled())
            .count();
        if active >= self.limits.max_active_jobs {
            return Err(Refusal::Busy(self.limits.max_active_jobs));
        }
        let kept = prepared.scenario.records_estimate();
        crate::scenario::check_ensemble_memory(
            &prepared.scenario,
            &prepared.source,
            self.limits.threads as u64,
            prepared.seeds,
            kept,
        )
        .map_err(|e| Refusal::TooLarge(e.to_string()))?;

        let seeds = prepared.seeds as usize;
        let job = Arc::new(Job {
            id: random_hex(),
            token: random_hex(),
            state: Mutex::new(JobState {
                digests: vec![None; seeds],
                ..JobState::default()
            }),
            cancelled: AtomicBool::new(false),
            progress: watch::Sender::new(0),
            prepared,
        });
        self.keep(&job);
        self.started.fetch_add(1, Ordering::Relaxed);
        let mut missing = Vec::new();
        for i in 0..seeds {
            match self.cached(&job.prepared.hash, i as u64 + 1) {
                Some(d) => job.settle(i, Some(d), None),
                None => missing.push(i),
            }
        }
        let mut queue = self.queue.lock().expect("not poisoned");
        queue.extend(missing.into_iter().map(|i| Task::Run(Arc::clone(&job), i)));
        self.ready.notify_all();
        Ok(job)
    }

    pub fn job(&self, id: &str) -> Option<Arc<Job>> {
        let jobs = self.jobs.lock().expect("not poisoned");
        jobs.iter().find(|j| j.id == id).cloned()
    }

    /// Jobs accepted since the server started.
    pub fn jobs_started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// The most runs there have been alive at once.
    pub fn peak_alive(&self) -> usize {
        self.peak_alive.load(Ordering::Relaxed)
    }

    /// Cancels a job: its queued runs are dropped, a run in progress
    /// finishes into the cache. False when the job had settled already,
    /// so nothing was cancelled.
    pub fn cancel(&self, job: &Arc<Job>) -> bool {
        let dropped: Vec<usize> = {
            let mut queue = self.queue.lock().expect("not poisoned");
            // Checked under the queue's lock: a worker settles a job's last
            // run after taking it from the queue, so a job with nothing
            // queued and everything settled stays settled.
            if job.is_settled() {
                return false;
            }
            job.cancelled.store(true, Ordering::Relaxed);
            let mut dropped = Vec::new();
            queue.retain(|task| match task {
                Task::Run(j, i) if Arc::ptr_eq(j, job) => {
                    dropped.push(*i);
                    false
                }
                _ => true,
            });
            dropped
        };
        for i in dropped {
            job.settle(i, None, None);
        }
        true
    }

    /// Keeps `job` in the table, dropping the oldest settled jobs beyond
    /// the limit.
    fn keep(&self, job: &Arc<Job>) {
        let mut jobs = self.jobs.lock().expect("not poisoned");
        jobs.push(Arc::clone(job));
        while jobs.len() > self.limits.max_kept_jobs {
            let Some(oldest) = jobs.iter().position(|j| j.is_settled()) else {
                break;
            };
            jobs.remove(oldest);
        }
    }

    fn cached(&self, hash: &str, seed: u64) -> Option<Arc<RunDigest>> {
        let cache = self.cache.lock().expect("not poisoned");
        cache
            .runs
            .get(&(hash.to_string(), seed))
            .map(|c| Arc::clone(&c.digest))
    }

    /// A job's run of `seed` for its tables: from the cache, or made again
    /// by the workers when the cache has let it go (a run is the same
    /// whenever it is made). The answer comes on the receiver; a run made
    /// again waits its turn in the queue like any other.
    pub fn output(&self, job: &Arc<Job>, seed: u64) -> oneshot::Receiver<Made> {
        let (reply, answer) = oneshot::channel();
        match self.cached_output(&job.prepared.hash, seed) {
            Some(out) => {
                let _ = reply.send(Ok(out));
            }
            None => {
                let mut queue = self.queue.lock().expect("not poisoned");
                queue.push_back(Task::Remake {
                    job: Arc::clone(job),
                    seed,
                    reply,
                });
                self.ready.notify_all();
            }
        }
        answer
    }

    /// Refuses a zip of `seeds` runs of `job`, `missing` of them to be
    /// made again, that would not fit: the estimate of a job of as many
    /// runs (at most `threads` alive, the tables of every run kept, here
    /// in the zip) plus the finished runs the zip may hold while it
    /// encodes them (one per worker).
    pub fn check_tables_memory(&self, job: &Job, seeds: u64, missing: u64) -> Result<(), String> {
        let s = &job.prepared.scenario;
        let at_once = (self.limits.threads as u64).min(missing).max(1);
        let kept = s.records_estimate();
        let needed = s
            .ensemble_estimate(at_once, seeds, kept)
            .saturating_add(at_once.saturating_mul(kept));
        let what =
            format!("a zip of {seeds} runs' tables ({missing} to make again, {at_once} at once)");
        crate::scenario::check_needed(needed, &what, &job.prepared.source)
            .map_err(|e| e.to_string())
    }

    /// The seeds of `job` whose runs the cache no longer holds.
    pub fn uncached(&self, job: &Job, seeds: &[u64]) -> Vec<u64> {
        let cache = self.cache.lock().expect("not poisoned");
        seeds
            .iter()
            .copied()
            .filter(|&seed| !cache.runs.contains_key(&(job.prepared.hash.clone(), seed)))
            .collect()
    }

    fn cached_output(&self, hash: &str, seed: u64) -> Option<Arc<RunOutput>> {
        let cache = self.cache.lock().expect("not poisoned");
        cache
            .runs
            .get(&(hash.to_string(), seed))
            .map(|c| Arc::clone(&c.output))
    }

    fn store(&self, hash: &str, seed: u64, digest: &Arc<RunDigest>, output: &Arc<RunOutput>) {
        let mut cache = self.cache.lock().expect("not poisoned");
        let key = (hash.to_string(), seed);
        let entry = Cached {
            digest: Arc::clone(digest),
            bytes: digest.bytes() + output_bytes(output),
            output: Arc::clone(output),
        };
        let bytes = entry.bytes;
        if cache.runs.insert(key.clone(), entry).is_none() {
            cache.bytes += bytes;
            cache.order.push_back(key);
        }
        while cache.bytes > self.limits.cache_bytes {
            let Some(old) = cache.order.pop_front() else {
                break;
            };
            if let Some(gone) = cache.runs.remove(&old) {
                cache.bytes -= gone.bytes;
            }
        }
    }

    /// A worker: takes the next task from the queue, makes its run (or
    /// finds it in the cache, when another task made it meanwhile) and
    /// settles it or answers it.
    fn work(&self) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool starts");
        loop {
            let task = {
                let mut queue = self.queue.lock().expect("not poisoned");
                loop {
                    if let Some(task) = queue.pop_front() {
                        break task;
                    }
                    queue = self.ready.wait(queue).expect("not poisoned");
                }
            };
            match task {
                Task::Run(job, i) => {
                    let seed = i as u64 + 1;
                    if let Some(d) = self.cached(&job.prepared.hash, seed) {
                        job.settle(i, Some(d), None);
                        continue;
                    }
                    match self.make(&pool, &job.prepared, seed) {
                        Ok((d, _)) => job.settle(i, Some(d), None),
                        Err(e) => job.settle(i, None, Some(e)),
                    }
                }
                Task::Remake { job, seed, reply } => {
                    // The zip that asked has stopped: nothing to make.
                    if reply.is_closed() {
                        continue;
                    }
                    let made = match self.cached_output(&job.prepared.hash, seed) {
                        Some(out) => Ok(out),
                        None => self.make(&pool, &job.prepared, seed).map(|(_, out)| out),
                    };
                    let _ = reply.send(made);
                }
            }
        }
    }

    /// Makes the run of `seed` on this worker's pool and caches it; the
    /// error names the seed.
    fn make(
        &self,
        pool: &rayon::ThreadPool,
        p: &Prepared,
        seed: u64,
    ) -> Result<(Arc<RunDigest>, Arc<RunOutput>), String> {
        let targets = self.targets(&p.scenario.name);
        let alive = self.alive.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_alive.fetch_max(alive, Ordering::Relaxed);
        // A panic in a run must not take the worker with it: the job
        // would never settle and the server would lose a thread.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| {
                let out = crate::run(&p.scenario, seed)?;
                digest(&out, &targets).map(|d| (d, out))
            })
        }));
        self.alive.fetch_sub(1, Ordering::Relaxed);
        match result {
            Ok(Ok((d, out))) => {
                let (d, out) = (Arc::new(d), Arc::new(out));
                self.store(&p.hash, seed, &d, &out);
                Ok((d, out))
            }
            Ok(Err(e)) => Err(format!("seed {seed}: {e}")),
            Err(_) => Err(format!("seed {seed}: the run panicked")),
        }
    }
}
