// SPDX-License-Identifier: Apache-2.0

import LossdSync

/// The jobs of an engine that have not ended, by id.
///
/// A job leaves the directory when it ends, so that a long-running engine holds only live
/// jobs: a finished job's tensors, optimizer state and history are freed as soon as its last
/// handle is dropped (the daemon drops it once the result and history are written). Removal is
/// a hash lookup on the worker that ends the job; the submission order is kept as a counter and
/// only sorted when the list is asked for.
final class JobDirectory: Sendable {
    private struct Entry {
        var handle: JobHandle
        var sequence: Int
    }

    private let jobs = Locked<(byID: [String: Entry], submitted: Int)>(([:], 0))

    /// Adds a job unless a live job has its id; returns whether it was added.
    func add(_ handle: JobHandle) -> Bool {
        jobs.withLock { jobs in
            guard jobs.byID[handle.id] == nil else { return false }
            jobs.submitted += 1
            jobs.byID[handle.id] = Entry(handle: handle, sequence: jobs.submitted)
            return true
        }
    }

    /// Removes a job that ended (called by the job, under its own lock: see JobHandle.finish).
    func remove(_ handle: JobHandle) {
        jobs.withLock { jobs in
            if jobs.byID[handle.id]?.handle === handle { jobs.byID[handle.id] = nil }
        }
    }

    /// The live jobs in submission order.
    var live: [JobHandle] {
        jobs.withLock { jobs in jobs.byID.values.sorted { $0.sequence < $1.sequence }.map(\.handle) }
    }

    func job(_ id: String) -> JobHandle? { jobs.withLock { $0.byID[id]?.handle } }
}
