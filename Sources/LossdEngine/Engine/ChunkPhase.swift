// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Work split into chunks that any thread may run: one step phase of a wide job.
protocol ChunkWork: AnyObject, Sendable {
    /// Runs chunk `index`; chunks of one phase touch disjoint data.
    func runChunk(_ index: Int)
}

/// Runs every chunk of a phase before returning: inline, or spread over a worker pool.
protocol ChunkExecutor: Sendable {
    func execute(_ phase: ChunkPhase)
}

/// One phase of chunks, claimed in runs of ``grain`` consecutive indices with an atomic counter.
///
/// The coordinating thread prepares the phase's data, then calls ``reset()`` (a releasing store);
/// each helper claims a run with an acquiring-and-releasing increment, so it sees that data;
/// ``done`` counts finished chunks, added once per helper as it leaves (releasing), and
/// ``waitUntilDone()`` acquires it, so the coordinator sees every chunk's results. A helper that
/// arrives late claims past the end and leaves; one that arrives after the next reset takes part
/// in the next phase, whose data is ready by then.
///
/// Claiming runs rather than single chunks keeps the threads off the shared counters (a wide job
/// of 10^7 elements has 2,442 chunks of 4,096 per pass: one contended increment per chunk cost
/// more than the chunk) and gives each thread long stretches of memory to stream through. Which
/// thread runs a chunk never changes its result, so results do not depend on the grain.
final class ChunkPhase: Sendable {
    let work: any ChunkWork
    let chunks: Int
    /// Chunks per claim: about 1/128 of the phase, so that the last claims still balance the
    /// threads' loads.
    let grain: Int
    private let next = Atomic<Int>(0)
    private let done = Atomic<Int>(0)

    init(work: any ChunkWork, chunks: Int) {
        self.work = work
        self.chunks = chunks
        grain = Swift.max(1, chunks / 128)
    }

    /// How many claims the phase takes (the most threads that can share it).
    var claims: Int { (chunks + grain - 1) / grain }

    /// Opens the phase for claims (call after preparing its data, before any helper is told).
    func reset() {
        done.store(0, ordering: .relaxed)
        next.store(0, ordering: .releasing)
    }

    /// Whether chunks remain unclaimed.
    var hasUnclaimed: Bool { next.load(ordering: .relaxed) < chunks }

    /// Claims and runs chunks until none is left.
    func help() {
        var finished = 0
        while true {
            let first = next.wrappingAdd(grain, ordering: .acquiringAndReleasing).oldValue
            guard first < chunks else { break }
            let end = Swift.min(first + grain, chunks)
            for index in first..<end { work.runChunk(index) }
            finished += end - first
        }
        if finished > 0 { done.wrappingAdd(finished, ordering: .releasing) }
    }

    /// Waits until every claimed chunk has finished (only after `help()` found none left).
    func waitUntilDone() {
        var spins = 0
        while done.load(ordering: .acquiring) < chunks {
            spins += 1
            if spins > 64 { WorkerThread.yield() }
        }
    }
}
