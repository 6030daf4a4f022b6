// SPDX-License-Identifier: Apache-2.0

import LossdSync
import Synchronization

/// Which slice of steps (or chunk phase) a worker is in, since when, and for which job.
///
/// The mark goes up by one when the worker takes work and by one when it is done, so it is odd
/// while the worker is busy and a given odd value names one slice. The start time (the monotonic
/// clock, in nanoseconds) is stored just before the mark turns odd: a reader that sees an odd mark
/// reads the start of that slice or of a later one, never an older one. Both are relaxed atomics:
/// a slice costs one clock read (vDSO) and two stores more, against milliseconds of work.
final class WorkerActivity: Sendable {
    private let value = Atomic<UInt64>(0)
    private let started = Atomic<UInt64>(0)
    /// The id of the job whose slice runs (nil in a chunk phase, where the coordinator names it).
    private let job = Locked<String?>(nil)

    var mark: UInt64 { value.load(ordering: .acquiring) }

    /// When the current (or latest) slice began.
    var start: UInt64 { started.load(ordering: .relaxed) }

    /// The job of the current (or latest) slice.
    var jobID: String? { job.withLock { $0 } }

    func begin(job id: String? = nil, at now: UInt64 = WorkerThread.now()) {
        job.withLock { $0 = id }
        started.store(now, ordering: .relaxed)
        value.add(1, ordering: .releasing)
    }

    func end() { value.add(1, ordering: .relaxed) }
}

/// What every worker of an engine was doing at one moment (``TrainingEngine/workerSnapshot()``).
///
/// Health rule: a worker is healthy if it is idle, or if its current slice (or chunk phase)
/// began less than a window ago; a worker that finished a slice within the window is in a newer
/// one (or idle), so it passes too. Only a worker that has been inside one slice for the whole
/// window is stuck. Slices last milliseconds (``EngineConfiguration/sliceDuration``, at least one
/// step), so any window of a second or more tells a hang from a busy worker, whatever the load.
public struct WorkerSnapshot: Sendable, Equatable {
    struct Worker: Sendable, Equatable {
        var mark: UInt64
        var start: UInt64
        var job: String?

        var isBusy: Bool { mark % 2 == 1 }
    }

    let workers: [Worker]
    /// When the snapshot was taken (monotonic nanoseconds).
    let taken: UInt64

    /// How many workers have been inside one slice (or chunk phase) for at least `window`, judged
    /// `elapsed` after the snapshot was taken.
    public func stuckWorkers(window: Duration, after elapsed: Duration = .zero) -> Int {
        stuck(window: window, after: elapsed).count
    }

    /// The jobs whose slice has lasted at least `window` (judged `elapsed` after the snapshot), with
    /// how long it has lasted so far.
    public func stuckJobs(window: Duration, after elapsed: Duration = .zero) -> [(job: String, duration: Duration)] {
        stuck(window: window, after: elapsed).compactMap { worker, age in worker.job.map { ($0, age) } }
    }

    private func stuck(window: Duration, after elapsed: Duration) -> [(Worker, Duration)] {
        let now = taken &+ WorkerThread.nanoseconds(elapsed)
        return workers.compactMap { worker in
            guard worker.isBusy, now > worker.start else { return nil }
            let age = Duration.nanoseconds(Int64(clamping: now &- worker.start))
            return age >= window ? (worker, age) : nil
        }
    }
}
