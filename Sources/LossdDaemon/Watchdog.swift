// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
public import LossdEngine
public import LossdSystemd
import Synchronization

/// Sends `WATCHDOG=1` from a thread of its own, every half watchdog interval, while no worker is
/// stuck; a worker held inside one slice of steps (a plugin call that never returns) stops the
/// pings, so that the service manager restarts lossd.
///
/// Health rule (see ``WorkerSnapshot``): a worker is stuck once its current slice is older than
/// the window, here the ping period (half of `WatchdogSec=`, 10 s under the shipped unit). Slices
/// last milliseconds, so a busy worker, however loaded the machine, is never mistaken for a stuck
/// one; a hung one is found within a period plus a window, and the manager restarts lossd within
/// `WatchdogSec=` of the last ping. The thread is not part of the Swift concurrency pool, which
/// thousands of finishing jobs can keep busy: the pings do not wait for it.
public final class Watchdog: Sendable {
    public let period: Duration
    private let snapshot: @Sendable () -> WorkerSnapshot
    private let notifier: any ServiceNotifier
    private let logger: Logger
    private let withholding = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    /// A watchdog for `interval` (the manager's `WatchdogSec=`); ``start()`` starts its thread.
    public init(interval: Duration, notifier: any ServiceNotifier, logger: Logger, snapshot: @escaping @Sendable () -> WorkerSnapshot) {
        self.period = interval / 2
        self.notifier = notifier
        self.logger = logger
        self.snapshot = snapshot
    }

    /// How long a worker may stay inside one slice before it counts as stuck.
    public var window: Duration { period }

    func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                let seconds = Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18
                if wake.wait(timeout: .now() + seconds) == .success { break }
                tick(snapshot())
            }
            exited.signal()
        }
        thread.name = "lossd-watchdog"
        thread.stackSize = 1 << 18
        thread.start()
    }

    /// Ends the thread (it is waiting between two ticks, or finishing one) and waits for it.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        wake.signal()
        exited.wait()
    }

    /// One tick, judged `elapsed` after `workers` was taken: pings if no worker is stuck, else
    /// withholds the ping and warns (once per hang); returns whether it pinged.
    @discardableResult
    public func tick(_ workers: WorkerSnapshot, after elapsed: Duration = .zero) -> Bool {
        let stuck = workers.stuckJobs(window: window, after: elapsed)
        let stuckWorkers = workers.stuckWorkers(window: window, after: elapsed)
        guard stuckWorkers > 0 else {
            if withholding.exchange(false, ordering: .relaxed) { logger.notice("every worker progresses again; watchdog pings resume") }
            notifier.send(.watchdog)
            return true
        }
        if !withholding.exchange(true, ordering: .relaxed) {
            let jobs = stuck.map { "\($0.job) (\($0.duration.components.seconds) s)" }.joined(separator: ", ")
            logger.warning("\(stuckWorkers) worker(s) stuck inside one slice of steps for over \(window)\(jobs.isEmpty ? "" : ": " + jobs); withholding the watchdog ping")
        }
        return false
    }
}
