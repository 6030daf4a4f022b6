// SPDX-License-Identifier: Apache-2.0

import LossdSync
import Dispatch
import DequeModule
import Foundation

/// The engine's worker threads, its run queue and its chunk-phase board.
///
/// Workers are real threads (Foundation `Thread`), never the Swift concurrency pool. A worker
/// takes, in order: a chunk phase with unclaimed chunks (helping a wide job), else the job at the
/// head of the run queue (one time slice, after which the job goes to the tail: round robin),
/// else it parks on its own semaphore until work arrives. Parking registers the worker as idle
/// under the same lock that guards the queue, so a wake-up is never lost.
final class WorkerPool: ChunkExecutor, Sendable {
    private struct State: ~Copyable {
        /// Jobs waiting for a slice, in order. A job leaves it when taken, so a job that ended is
        /// not kept alive here (an entry of a job paused or cancelled while waiting is dropped
        /// when it comes up).
        var queue = Deque<JobHandle>()
        var idle: [Int] = []
        var phases: [ChunkPhase] = []
        var stopping = false
    }

    /// What a worker does next.
    private enum Assignment {
        case help(ChunkPhase)
        case run(JobHandle)
        case park
        case exit
    }

    let workerCount: Int
    /// Per worker: which job slice or chunk phase it is in (see ``WorkerActivity``).
    private let activity: [WorkerActivity]
    private let state = Locked(State())
    private let parking: [DispatchSemaphore]
    private let exited = DispatchSemaphore(value: 0)

    init(workers: Int) {
        workerCount = Swift.max(1, workers)
        parking = (0..<workerCount).map { _ in DispatchSemaphore(value: 0) }
        activity = (0..<workerCount).map { _ in WorkerActivity() }
        for index in 0..<workerCount {
            let thread = Thread { [self] in self.work(index) }
            thread.name = "lossd-worker-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    // MARK: - Run queue

    /// Appends a job to the run queue and wakes an idle worker.
    func enqueue(_ job: JobHandle) {
        let wake: Int? = state.withLock { state in
            state.queue.append(job)
            return state.idle.popLast()
        }
        if let wake { parking[wake].signal() }
    }

    private func next(_ worker: Int) -> Assignment {
        state.withLock { state in
            if state.stopping { return .exit }
            if let phase = state.phases.first(where: \.hasUnclaimed) { return .help(phase) }
            if let job = state.queue.popFirst() { return .run(job) }
            state.idle.append(worker)
            return .park
        }
    }

    private func work(_ worker: Int) {
        while true {
            switch next(worker) {
            case .help(let phase):
                activity[worker].begin()
                phase.help()
                activity[worker].end()
            case .run(let job):
                activity[worker].begin(job: job.id)
                TestHooks.freezeIfRequested(job)
                WorkerContext.setJob(job.id)
                job.runSlice(pool: self)
                WorkerContext.setJob("")
                activity[worker].end()
            case .park: parking[worker].wait()
            case .exit:
                exited.signal()
                return
            }
        }
    }

    // MARK: - Chunk phases

    /// Runs a wide job's phase with the help of idle workers; the caller takes part.
    func execute(_ phase: ChunkPhase) {
        phase.reset()
        let wake: [Int] = state.withLock { state in
            state.phases.append(phase)
            let count = Swift.min(state.idle.count, phase.claims - 1)
            let woken = Array(state.idle.suffix(count))
            state.idle.removeLast(count)
            return woken
        }
        for worker in wake { parking[worker].signal() }
        phase.help()
        state.withLock { state in state.phases.removeAll { $0 === phase } }
        phase.waitUntilDone()
    }

    // MARK: - Health

    /// What every worker is doing now, and since when (see ``WorkerSnapshot``).
    func snapshot() -> WorkerSnapshot {
        let workers = activity.map { WorkerSnapshot.Worker(mark: $0.mark, start: $0.start, job: $0.jobID) }
        return WorkerSnapshot(workers: workers, taken: WorkerThread.now())
    }

    // MARK: - Shutdown

    /// Whether ``stop()`` was called.
    var isStopped: Bool { state.withLock { $0.stopping } }

    /// Stops every worker after its current slice and waits for them to exit (the first call),
    /// for at most `bound` (nil: for as long as it takes); returns how many workers had not exited
    /// by then (a worker stuck inside a step never does).
    @discardableResult
    func stop(waitingAtMost bound: Duration? = nil) -> Int {
        let wake: [Int]? = state.withLock { state in
            guard !state.stopping else { return nil }
            state.stopping = true
            defer { state.idle.removeAll() }
            return state.idle
        }
        guard let wake else { return 0 }
        for worker in wake { parking[worker].signal() }
        let deadline = bound.map { DispatchTime.now() + .nanoseconds(Int(clamping: WorkerThread.nanoseconds($0))) } ?? .distantFuture
        for exitedSoFar in 0..<workerCount where exited.wait(timeout: deadline) == .timedOut {
            return workerCount - exitedSoFar
        }
        return 0
    }
}
