//! The parallel passes over the workers: chunk by chunk, each chunk with
//! its own random stream and output slot, the same at any thread count.

use super::{WorkerChunk, WorkerScratch, Workers};
use std::ops::Range;

/// Runs `job` on every chunk of workers in parallel, handing it the chunk's
/// views of every worker array and one output slot.
///
/// `out` has one slot per group of chunks: chunk `k` of `layout` belongs to
/// group `k * out.len() / layout.len()`, the chunks of a group run one after
/// another, in order, and each group gets its own slot. With one slot per
/// chunk, every chunk has its own; with fewer, a group's chunks share one
/// (the labour market's tallies). The arrays are split in halves, by
/// groups, with `rayon::join` until each half is one group: no allocation
/// and no `unsafe`, and since chunk boundaries come from the scenario, each
/// chunk sees the same workers and random stream at any thread count.
pub fn for_each_chunk<S: Send>(
    ws: &mut Workers,
    sc: &mut WorkerScratch,
    layout: &[(usize, Range<usize>)],
    out: &mut [S],
    job: &(impl Fn(&mut WorkerChunk<'_>, &mut S) + Sync),
) {
    let whole = WorkerChunk::whole(ws, sc);
    let groups = out.len();
    let chunks = layout.len();
    if chunks == 0 {
        return;
    }
    assert!(
        groups > 0 && groups <= chunks.max(1),
        "one slot per group of chunks"
    );
    split(whole, layout, 0, chunks, 0, groups, out, job);
}

/// The recursive half of `for_each_chunk`: `span` holds the workers of
/// chunks `first..last`, which make up groups `g0..g0 + out.len()`.
#[allow(clippy::too_many_arguments)]
fn split<S: Send>(
    span: WorkerChunk<'_>,
    layout: &[(usize, Range<usize>)],
    first: usize,
    last: usize,
    g0: usize,
    groups: usize,
    out: &mut [S],
    job: &(impl Fn(&mut WorkerChunk<'_>, &mut S) + Sync),
) {
    let chunks = layout.len();
    // First chunk of group g.
    let group_start = |g: usize| g * chunks / groups;
    if out.len() == 1 {
        let mut remaining = span;
        for k in first..last {
            let (r, range) = &layout[k];
            // Slots not yet in the labour force lie between regions' workers.
            let gap = range.start - remaining.start;
            let (_, from) = remaining.split_at(gap);
            let (mut chunk, tail) = from.split_at(range.len());
            chunk.index = k;
            chunk.region = *r;
            chunk.start = range.start;
            job(&mut chunk, &mut out[0]);
            remaining = tail;
        }
        return;
    }
    let half = out.len() / 2;
    let mid = group_start(g0 + half);
    let offset = layout[mid].1.start - span.start;
    let (left, right) = span.split_at(offset);
    let (out_left, out_right) = out.split_at_mut(half);
    rayon::join(
        || split(left, layout, first, mid, g0, groups, out_left, job),
        || split(right, layout, mid, last, g0 + half, groups, out_right, job),
    );
}
