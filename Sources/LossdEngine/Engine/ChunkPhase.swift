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

/// One phase of chunks, claimed by index with an atomic counter.
///
/// The coordinating thread prepares the phase's data, then calls ``reset()`` (a releasing store);
/// each helper claims an index with an acquiring-and-releasing increment, so it sees that data;
/// ``done`` counts finished chunks (releasing) and ``waitUntilDone()`` acquires it, so the
/// coordinator sees every chunk's results. A helper that arrives late claims an index past the
/// end and leaves; one that arrives after the next reset takes part in the next phase, whose
/// data is ready by then.
final class ChunkPhase: Sendable {
    let work: any ChunkWork
    let chunks: Int
    private let next = Atomic<Int>(0)
    private let done = Atomic<Int>(0)

    init(work: any ChunkWork, chunks: Int) {
        self.work = work
        self.chunks = chunks
    }

    /// Opens the phase for claims (call after preparing its data, before any helper is told).
    func reset() {
        done.store(0, ordering: .relaxed)
        next.store(0, ordering: .releasing)
    }

    /// Whether chunks remain unclaimed.
    var hasUnclaimed: Bool { next.load(ordering: .relaxed) < chunks }

    /// Claims and runs chunks until none is left.
    func help() {
        while true {
            let index = next.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
            guard index < chunks else { return }
            work.runChunk(index)
            done.wrappingAdd(1, ordering: .releasing)
        }
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
