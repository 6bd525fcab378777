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

use super::digest::{digest, output_bytes, RunDigest};
use super::setting::Prepared;
use crate::analysis::validation::{targets_of, Target};
use crate::model::run::RunOutput;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use tokio::sync::watch;

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
    pub id: u64,
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

/// The jobs, their queue, the workers and the cache.
pub struct Engine {
    pub limits: Limits,
    targets: Vec<Target>,
    queue: Mutex<VecDeque<(Arc<Job>, usize)>>,
    ready: Condvar,
    jobs: Mutex<BTreeMap<u64, Arc<Job>>>,
    cache: Mutex<Cache>,
    next_id: AtomicU64,
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
            jobs: Mutex::new(BTreeMap::new()),
            cache: Mutex::new(Cache::default()),
            next_id: AtomicU64::new(1),
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
            .values()
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
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            state: Mutex::new(JobState {
                digests: vec![None; seeds],
                ..JobState::default()
            }),
            cancelled: AtomicBool::new(false),
            progress: watch::Sender::new(0),
            prepared,
        });
        self.keep(&job);
        let mut missing = Vec::new();
        for i in 0..seeds {
            match self.cached(&job.prepared.hash, i as u64 + 1) {
                Some(d) => job.settle(i, Some(d), None),
                None => missing.push(i),
            }
        }
        let mut queue = self.queue.lock().expect("not poisoned");
        queue.extend(missing.into_iter().map(|i| (Arc::clone(&job), i)));
        self.ready.notify_all();
        Ok(job)
    }

    pub fn job(&self, id: u64) -> Option<Arc<Job>> {
        self.jobs.lock().expect("not poisoned").get(&id).cloned()
    }

    /// Cancels a job: its queued runs are dropped, a run in progress
    /// finishes into the cache.
    pub fn cancel(&self, job: &Arc<Job>) {
        job.cancelled.store(true, Ordering::Relaxed);
        let dropped: Vec<usize> = {
            let mut queue = self.queue.lock().expect("not poisoned");
            let (mine, rest): (VecDeque<_>, VecDeque<_>) =
                queue.drain(..).partition(|(j, _)| j.id == job.id);
            *queue = rest;
            mine.into_iter().map(|(_, i)| i).collect()
        };
        for i in dropped {
            job.settle(i, None, None);
        }
    }

    /// Keeps `job` in the table, dropping the oldest settled jobs beyond
    /// the limit.
    fn keep(&self, job: &Arc<Job>) {
        let mut jobs = self.jobs.lock().expect("not poisoned");
        jobs.insert(job.id, Arc::clone(job));
        while jobs.len() > self.limits.max_kept_jobs {
            let Some(oldest) = jobs.iter().find(|(_, j)| j.is_settled()).map(|(&id, _)| id) else {
                break;
            };
            jobs.remove(&oldest);
        }
    }

    fn cached(&self, hash: &str, seed: u64) -> Option<Arc<RunDigest>> {
        let cache = self.cache.lock().expect("not poisoned");
        cache
            .runs
            .get(&(hash.to_string(), seed))
            .map(|c| Arc::clone(&c.digest))
    }

    /// A job's run of `seed`, from the cache, or run again when the cache
    /// has let it go (a run is the same whenever it is made).
    pub fn output(&self, job: &Job, seed: u64) -> crate::Result<Arc<RunOutput>> {
        let p = &job.prepared;
        let kept = {
            let cache = self.cache.lock().expect("not poisoned");
            cache
                .runs
                .get(&(p.hash.clone(), seed))
                .map(|c| Arc::clone(&c.output))
        };
        match kept {
            Some(out) => Ok(out),
            None => crate::run(&p.scenario, seed).map(Arc::new),
        }
    }

    fn store(&self, hash: &str, seed: u64, digest: &Arc<RunDigest>, output: RunOutput) {
        let mut cache = self.cache.lock().expect("not poisoned");
        let key = (hash.to_string(), seed);
        let entry = Cached {
            digest: Arc::clone(digest),
            bytes: digest.bytes() + output_bytes(&output),
            output: Arc::new(output),
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

    /// A worker: takes the next run from the queue, runs it (or finds it
    /// in the cache, when another job ran it meanwhile) and settles it.
    fn work(&self) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool starts");
        loop {
            let (job, i) = {
                let mut queue = self.queue.lock().expect("not poisoned");
                loop {
                    if let Some(task) = queue.pop_front() {
                        break task;
                    }
                    queue = self.ready.wait(queue).expect("not poisoned");
                }
            };
            let seed = i as u64 + 1;
            let p = &job.prepared;
            if let Some(d) = self.cached(&p.hash, seed) {
                job.settle(i, Some(d), None);
                continue;
            }
            let targets = self.targets(&p.scenario.name);
            // A panic in a run must not take the worker with it: the job
            // would never settle and the server would lose a thread.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    let out = crate::run(&p.scenario, seed)?;
                    digest(&out, &targets).map(|d| (d, out))
                })
            }));
            match result {
                Ok(Ok((d, out))) => {
                    let d = Arc::new(d);
                    self.store(&p.hash, seed, &d, out);
                    job.settle(i, Some(d), None);
                }
                Ok(Err(e)) => job.settle(i, None, Some(format!("seed {seed}: {e}"))),
                Err(_) => job.settle(i, None, Some(format!("seed {seed}: the run panicked"))),
            }
        }
    }
}
