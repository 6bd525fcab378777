//! Workers as structure-of-arrays, declared once.
//!
//! `worker_arrays!` below lists every per-worker array a single time; from
//! that list come the `Workers` state, one `Worker` row for building it, the
//! step pipeline's per-worker working arrays (`WorkerScratch`), and the
//! mutable views of all of them over one chunk of workers (`WorkerChunk`)
//! that the parallel phases use. Adding a per-worker array is one line.

use super::Economy;
use std::ops::Range;

/// Employer value of a worker without a job.
pub const UNEMPLOYED: u32 = u32::MAX;
/// Employer value of a worker in the rest of the economy.
pub const REST: u32 = u32::MAX - 1;

/// Workers per chunk in the parallel per-worker phases. Chunks never
/// straddle two regions and their boundaries depend only on the scenario,
/// so every chunk's random stream and partial sums are the same at any
/// thread count; partial sums are then folded in chunk order.
pub const CHUNK: usize = 4096;

macro_rules! worker_arrays {
    (
        state { $($(#[$doc:meta])* $field:ident: $ty:ty = $default:expr,)* }
        scratch { $($(#[$sdoc:meta])* $sfield:ident: $sty:ty = $sdefault:expr,)* }
    ) => {
        /// Workers, one entry per agent, sorted by region.
        #[derive(Clone, Default)]
        pub struct Workers {
            pub region: Vec<u16>,
            $($(#[$doc])* pub $field: Vec<$ty>,)*
        }

        /// One worker's values, for building the arrays.
        #[derive(Clone, Copy)]
        pub struct Worker {
            pub region: u16,
            $($(#[$doc])* pub $field: $ty,)*
        }

        impl Default for Worker {
            fn default() -> Self {
                Worker { region: 0, $($field: $default,)* }
            }
        }

        impl Workers {
            pub fn push(&mut self, w: Worker) {
                self.region.push(w.region);
                $(self.$field.push(w.$field);)*
            }
        }

        /// Per-worker working arrays of the step pipeline (the labour
        /// market's search), kept between steps so the step allocates nothing.
        #[derive(Clone, Default)]
        pub struct WorkerScratch {
            $($(#[$sdoc])* pub $sfield: Vec<$sty>,)*
        }

        impl WorkerScratch {
            pub fn new(workers: usize) -> Self {
                WorkerScratch { $($sfield: vec![$sdefault; workers],)* }
            }
        }

        /// Mutable views of every worker array over one chunk.
        pub struct WorkerChunk<'a> {
            /// The chunk's place in the layout.
            pub index: usize,
            pub region: usize,
            /// Index of the chunk's first worker.
            pub start: usize,
            $(pub $field: &'a mut [$ty],)*
            $(pub $sfield: &'a mut [$sty],)*
        }

        impl<'a> WorkerChunk<'a> {
            /// Views of all the workers, as one span.
            pub fn whole(ws: &'a mut Workers, sc: &'a mut WorkerScratch) -> WorkerChunk<'a> {
                WorkerChunk {
                    index: 0,
                    region: 0,
                    start: 0,
                    $($field: &mut ws.$field,)*
                    $($sfield: &mut sc.$sfield,)*
                }
            }

            /// The first `n` workers and the rest, as two views.
            pub fn split_at(self, n: usize) -> (WorkerChunk<'a>, WorkerChunk<'a>) {
                $(let $field = self.$field.split_at_mut(n);)*
                $(let $sfield = self.$sfield.split_at_mut(n);)*
                (
                    WorkerChunk {
                        index: self.index,
                        region: self.region,
                        start: self.start,
                        $($field: $field.0,)*
                        $($sfield: $sfield.0,)*
                    },
                    WorkerChunk {
                        index: self.index,
                        region: self.region,
                        start: self.start + n,
                        $($field: $field.1,)*
                        $($sfield: $sfield.1,)*
                    },
                )
            }
        }
    };
}

worker_arrays! {
    state {
        employer: u32 = UNEMPLOYED,
        /// Class of the current job, or of the last one for the unemployed.
        class: u8 = 0,
        /// Group the worker belongs to in the outputs: the class of the last job.
        group: u8 = 0,
        education: f32 = 0.0,
        threshold: f32 = 0.0,
        grievance: f32 = 0.0,
        /// Disposable income last quarter.
        income: f32 = 0.0,
        /// Reference income: a slow average of past income, against which losses are felt.
        reference: f32 = 0.0,
        savings: f64 = 0.0,
        /// Quarters since the worker was laid off (0 when employed).
        fired: u8 = 0,
        protesting: u8 = 0,
        /// 1 if the worker held a craft job when stage 2 began in the region.
        cohort: u8 = 0,
        /// Cumulative real income since the start of the run (since stage 2
        /// once it begins in the region, or since entry if later).
        lifetime: f64 = 0.0,
        /// Step at which the worker entered the labour force (0 for those at work at the start).
        entered: u32 = 0,
    }
    scratch {
        /// The job class a worker searches in this quarter (`NO_SEARCH`, a class, or `SEEK_REST`).
        option: u8 = NO_SEARCH,
        /// Employer at the start of the labour market, to count moves.
        previous_employer: u32 = UNEMPLOYED,
    }
}

/// Worker search options in the labour market.
pub const NO_SEARCH: u8 = u8::MAX;
pub const SEEK_REST: u8 = super::CLASSES as u8;

impl Workers {
    pub fn len(&self) -> usize {
        self.region.len()
    }
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }
}

impl WorkerChunk<'_> {
    pub fn len(&self) -> usize {
        self.employer.len()
    }
    pub fn is_empty(&self) -> bool {
        self.employer.is_empty()
    }
}

/// The chunk layout: (region, worker range) pairs in worker order, over
/// the workers in the labour force, written into `layout` (whose memory is
/// kept, so that rebuilding it as the labour force grows allocates only
/// when it holds more chunks than ever before).
pub fn chunk_layout(regions: &[Economy], layout: &mut Vec<(usize, Range<usize>)>) {
    layout.clear();
    for (r, reg) in regions.iter().enumerate() {
        let mut start = reg.workers.start;
        while start < reg.workers.end {
            let end = (start + CHUNK).min(reg.workers.end);
            layout.push((r, start..end));
            start = end;
        }
    }
}
