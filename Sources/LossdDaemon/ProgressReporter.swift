// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdEngine
import LossdJSON
public import LossdState
import LossdSync

extension Supervisor {
    /// Counts and the best loss of the jobs, for `STATUS=`, `status.json` and the terminal.
    public struct Summary: Sendable, Hashable {
        public var running = 0
        public var queued = 0
        public var done = 0
        public var converged = 0
        /// Jobs their study pruned (counted in `done`: a normal end).
        public var pruned = 0
        public var failed = 0
        /// The job with the lowest loss, when every job shown has the same loss function and
        /// options (raw values of different losses are not comparable) and they share no metric.
        public var bestJob: String?
        public var bestLoss = Double.infinity
        /// The best value of the first metric every measured job shares (in the order the first
        /// of them lists its metrics; lowest, or highest for accuracy): running jobs as last
        /// measured, ended ones at their end; failed jobs and jobs not measured yet take no
        /// part. Shown instead of the best loss whenever there is one.
        public var bestMetric: (name: String, job: String, value: Double)?
        /// How many different losses (function and options) the jobs use.
        public var lossKinds = 0
        public var totalSteps = 0
        /// Ended jobs whose result is not on disk, unfinished ones whose checkpoint is not.
        public var unsavedResults = 0
        public var unsavedCheckpoints = 0
        /// The latest reason a write failed, while any is unsaved.
        public var unsavedProblem: StateWriteProblem?
        /// Jobs whose worker is stuck inside a step, as "name 12s" (see ``Supervisor/stuckJobs()``).
        public var stuck: [String] = []

        public static func == (lhs: Summary, rhs: Summary) -> Bool {
            lhs.statusLine == rhs.statusLine && lhs.stuck == rhs.stuck
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(statusLine) }

        /// The summary of `rows`: paused jobs count as running, diverged and cancelled as failed.
        public init(_ rows: [JobRecord]) {
            var losses = Set<String>()
            var measured: [(job: String, names: [String], values: [String: Double])] = []
            for row in rows {
                losses.insert(row.lossFunction + " " + JobRecord.json(row.lossOptions).serialized())
                if case .object(let values)? = row.metrics, !values.isEmpty, row.status.code == nil {
                    measured.append((row.name, values.map(\.0),
                                     Dictionary(values.map { ($0.0, $0.1.doubleValue ?? .nan) }, uniquingKeysWith: { first, _ in first })))
                }
                totalSteps += row.steps
                if let problem = row.unsaved {
                    if row.status.isFinal { unsavedResults += 1 } else { unsavedCheckpoints += 1 }
                    unsavedProblem = problem
                }
                switch row.status {
                case .running, .paused: running += 1
                case .queued: queued += 1
                case .converged: done += 1; converged += 1
                case .maxSteps: done += 1
                case .pruned: done += 1; pruned += 1
                case .diverged, .failed, .cancelled: failed += 1
                }
                if row.loss.isFinite, row.loss < bestLoss, row.status.code == nil {
                    bestLoss = row.loss
                    bestJob = row.name
                }
            }
            lossKinds = losses.count
            let shared = measured.first?.names.compactMap(Metric.init(rawValue:)).first { metric in
                measured.allSatisfy { $0.values[metric.name] != nil }
            }
            if lossKinds > 1 || shared != nil {
                bestJob = nil
                bestLoss = .infinity
            }
            if let shared {
                for job in measured {
                    let value = job.values[shared.name]!
                    guard value.isFinite else { continue }
                    if let best = bestMetric, !shared.isBetter(value, than: best.value) { continue }
                    bestMetric = (shared.name, job.job, value)
                }
            }
        }

        /// One line for `systemctl status`.
        public var statusLine: String {
            var line = "\(running) running, \(done) done (\(converged) converged\(pruned > 0 ? ", \(pruned) pruned" : "")), \(failed) failed"
            if queued > 0 { line = "\(queued) queued, " + line }
            if !stuck.isEmpty { line += "; \(stuck.count) stuck: \(stuck.joined(separator: ", "))" }
            if let bestJob { line += "; best \(bestJob) loss \(NumberText.short(bestLoss))" }
            if let bestMetric { line += "; best \(bestMetric.name) \(NumberText.short(bestMetric.value)) (\(bestMetric.job))" }
            line += "; \(Self.count(totalSteps)) steps"
            if let unsavedNote { line += "; " + unsavedNote }
            return line
        }

        /// `3 results not saved: state directory full`, `1 result and 2 checkpoints not saved: ...`.
        public var unsavedNote: String? {
            guard let unsavedProblem else { return nil }
            let parts = [(unsavedResults, "result"), (unsavedCheckpoints, "checkpoint")].filter { $0.0 > 0 }
                .map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }
            return parts.joined(separator: " and ") + " not saved: \(unsavedProblem)"
        }

        /// 950, 12.3k, 4.56M: three significant digits.
        static func count(_ value: Int) -> String {
            switch value {
            case ..<1000: String(value)
            case ..<1_000_000: String(format: "%.3gk", Double(value) / 1e3)
            case ..<1_000_000_000: String(format: "%.3gM", Double(value) / 1e6)
            default: String(format: "%.3gG", Double(value) / 1e9)
            }
        }
    }
}

/// Per-job progress entries in the journal, bounded: at most `budget` running jobs per report,
/// rotating through them so that every job is reported in turn.
final class ProgressReporter: Sendable {
    let log: JobEventLog
    private let cursor = Locked(0)

    init(log: JobEventLog) {
        self.log = log
    }

    /// Logs one progress entry for up to `budget` of `running` (fewer when the journal budget of
    /// this second is spent, see ``JournalBudget``); returns how many were running.
    func report(_ running: [JobRecord], budget: Int) -> Int {
        let (granted, ended) = log.budget.takeProgress(min(budget, running.count))
        if let ended { log.summary(ended) }
        guard !running.isEmpty else { return 0 }
        let count = granted
        let start = cursor.withLock { position in
            let start = position % running.count
            position = start + count
            return start
        }
        for offset in 0..<count { log.progress(running[(start + offset) % running.count]) }
        return running.count
    }
}
