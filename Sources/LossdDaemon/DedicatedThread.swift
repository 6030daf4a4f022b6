// SPDX-License-Identifier: Apache-2.0

import Foundation

/// A thread of its own that runs the tasks preferring it (`Task(executorPreference:)`) and fires
/// sleep timers, so that what runs there never queues behind the Swift concurrency pool, which
/// thousands of job tasks can keep busy for many seconds.
///
/// The daemon's report loop runs on one (`STATUS=` and `status.json` keep flowing under load) and
/// its clock's timers on another (``ThreadClock``). Work here must not block for long: it delays
/// everything else queued on the thread.
final class DedicatedThread: TaskExecutor, @unchecked Sendable {
    private struct Timer {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    // @unchecked Sendable: `jobs`, `timers` and `nextTimer` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var timers: [Int: Timer] = [:]
    private var nextTimer = 0

    init(name: String) {
        let thread = Thread { [self] in self.serve() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Suspends the calling task until `deadline` (the timer fires on this thread); throws
    /// `CancellationError` at once if the task is cancelled.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = locked { () -> Int in
            defer { nextTimer += 1 }
            return nextTimer
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = locked { () -> Bool in
                    guard !Task.isCancelled else { return true }
                    timers[id] = Timer(deadline: deadline, continuation: continuation)
                    condition.signal()
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            locked { timers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    /// The thread's loop: queued jobs first, then due timers, else wait for the earliest timer.
    private func serve() {
        condition.lock()
        while true {
            if !jobs.isEmpty {
                let batch = jobs
                jobs.removeAll(keepingCapacity: true)
                condition.unlock()
                for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
                condition.lock()
                continue
            }
            let now = ContinuousClock.now
            let due = timers.filter { $0.value.deadline <= now }
            if !due.isEmpty {
                for id in due.keys { timers[id] = nil }
                condition.unlock()
                for timer in due.values { timer.continuation.resume() }
                condition.lock()
                continue
            }
            if let earliest = timers.values.map(\.deadline).min() {
                let (seconds, attoseconds) = now.duration(to: earliest).components
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
            } else {
                condition.wait()
            }
        }
    }
}

/// The production clock of the daemon's loops: `ContinuousClock`'s time, with sleeps that a
/// ``DedicatedThread`` wakes (`ContinuousClock.sleep` is woken through the concurrency pool).
struct ThreadClock: Clock {
    typealias Instant = ContinuousClock.Instant
    let timers: DedicatedThread

    init(timers: DedicatedThread = DedicatedThread(name: "lossd-timers")) {
        self.timers = timers
    }

    var now: Instant { ContinuousClock.now }
    var minimumResolution: Duration { ContinuousClock().minimumResolution }

    func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await timers.sleep(until: deadline)
    }
}
