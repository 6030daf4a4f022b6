// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
public import LossdEngine
public import LossdSystemd
import Synchronization

/// The daemon's reporting, done as `lossd run` and `lossd serve` do it, on jobs submitted directly
/// to an engine: at start and then every report interval, one sd_notify `STATUS=` line with the
/// job counts and the best loss (every live job's status and progress sampled), one journald
/// progress entry (the daemon's fields) for each of up to 20 running jobs in turn, and a summary
/// entry when more are running. The jobs' history is recorded by the engine (see
/// ``Jobs/daemonHistory(maxSteps:)``) and taken with each result. Results and history files are
/// not written: that is the daemon's durable state, not its reporting.
public final class Reporter: Sendable {
    /// Journald progress entries per tick, as the daemon's default budget.
    public static let progressBudget = 20

    /// The jobs whose results were collected (the engine lists only live ones).
    public final class Counts: Sendable {
        private let done = Atomic<Int>(0)
        private let failed = Atomic<Int>(0)
        public init() {}

        public func add(_ status: JobStatus) {
            switch status {
            case .converged, .maxSteps: done.wrappingAdd(1, ordering: .relaxed)
            default: failed.wrappingAdd(1, ordering: .relaxed)
            }
        }

        var snapshot: (done: Int, failed: Int) { (done.load(ordering: .relaxed), failed.load(ordering: .relaxed)) }
    }

    private let engine: TrainingEngine
    private let collected: Counts
    private let interval: Duration
    private let logger: Logger
    private let notifier: any ServiceNotifier
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let ticks = Atomic<Int>(0)
    private let cursor = Mutex(0)

    public init(engine: TrainingEngine, collected: Counts, interval: Duration, logger: Logger, notifier: any ServiceNotifier) {
        self.engine = engine
        self.collected = collected
        self.interval = interval
        self.logger = logger
        self.notifier = notifier
    }

    /// A logger that writes to journald through lossd's handler.
    public static func journalLogger() -> Logger {
        Logger(label: "lossd-bench") { _ in JournalLogHandler(identifier: "lossd-bench", sink: SystemdJournal()) }
    }

    /// Reports once now, then every interval on a thread of its own, until ``stop()``.
    public func start() {
        tick()
        let thread = Thread { [self] in
            let nanos = interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
            // Sleeps on the semaphore until the next tick, or until stop() signals it.
            while wake.wait(timeout: .now() + .nanoseconds(Int(nanos))) == .timedOut {
                tick()
            }
            done.signal()
        }
        thread.name = "reporter"
        thread.start()
    }

    /// Stops the thread; returns how many reports were made.
    @discardableResult
    public func stop() -> Int {
        wake.signal()
        done.wait()
        return ticks.load(ordering: .relaxed)
    }

    private func tick() {
        ticks.wrappingAdd(1, ordering: .relaxed)
        var running: [(JobHandle, JobProgress)] = []
        var (done, failed) = collected.snapshot
        var queued = 0
        var best = Double.infinity
        var bestJob: String?
        for handle in engine.jobs {
            let status = handle.status
            let progress = handle.progress
            switch status {
            case .running, .paused: running.append((handle, progress))
            case .queued: queued += 1
            case .converged, .maxSteps: done += 1
            default: failed += 1
            }
            if progress.loss.isFinite, progress.loss < best {
                best = progress.loss
                bestJob = handle.id
            }
        }
        var line = "\(running.count) running, \(done) done, \(failed) failed"
        if queued > 0 { line = "\(queued) queued, " + line }
        if let bestJob { line += "; best \(bestJob) loss \(String(format: "%.4g", best))" }
        notifier.send(.status(line))
        guard !running.isEmpty else { return }
        let start = cursor.withLock { position in
            let start = position % running.count
            position = start + min(Self.progressBudget, running.count)
            return start
        }
        for offset in 0..<min(Self.progressBudget, running.count) {
            let (handle, progress) = running[(start + offset) % running.count]
            logger.info("job \(handle.id) step \(progress.step) loss \(String(format: "%.4g", progress.loss))", metadata: [
                "MESSAGE_ID": "\(MessageID.jobProgress.hex)", "LOSSD_JOB": "\(handle.id)",
                "LOSSD_STEP": "\(progress.step)", "LOSSD_LOSS": "\(progress.loss)",
                "LOSSD_GRAD_NORM": "\(progress.gradientNorm)", "LOSSD_LR": "\(progress.learningRate)",
                "LOSSD_LOSS_FUNCTION": "mse", "LOSSD_OPTIMIZER": "sgd", "LOSSD_STATUS": "running",
            ])
        }
        if running.count > Self.progressBudget {
            logger.info("progress: \(line)", metadata: [
                "MESSAGE_ID": "\(MessageID.progressSummary.hex)", "LOSSD_RUNNING": "\(running.count)",
                "LOSSD_DONE": "\(done)", "LOSSD_FAILED": "\(failed)",
            ])
        }
    }
}
