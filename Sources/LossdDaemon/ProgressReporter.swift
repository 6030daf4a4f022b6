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
        public var failed = 0
        public var bestJob: String?
        public var bestLoss = Double.infinity
        public var totalSteps = 0
        /// Jobs whose worker is stuck inside a step, as "name 12s" (see ``Supervisor/stuckJobs()``).
        public var stuck: [String] = []

        /// The summary of `rows`: paused jobs count as running, diverged and cancelled as failed.
        public init(_ rows: [JobRecord]) {
            for row in rows {
                totalSteps += row.steps
                switch row.status {
                case .running, .paused: running += 1
                case .queued: queued += 1
                case .converged: done += 1; converged += 1
                case .maxSteps: done += 1
                case .diverged, .failed, .cancelled: failed += 1
                }
                if row.loss.isFinite, row.loss < bestLoss, row.status.code == nil {
                    bestLoss = row.loss
                    bestJob = row.name
                }
            }
        }

        /// One line for `systemctl status`.
        public var statusLine: String {
            var line = "\(running) running, \(done) done (\(converged) converged), \(failed) failed"
            if queued > 0 { line = "\(queued) queued, " + line }
            if !stuck.isEmpty { line += "; \(stuck.count) stuck: \(stuck.joined(separator: ", "))" }
            if let bestJob { line += "; best \(bestJob) loss \(NumberText.short(bestLoss))" }
            return line + "; \(Self.count(totalSteps)) steps"
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

    /// Logs one progress entry for up to `budget` of `running`; returns how many were running.
    func report(_ running: [JobRecord], budget: Int) -> Int {
        guard !running.isEmpty else { return 0 }
        let count = min(budget, running.count)
        let start = cursor.withLock { position in
            let start = position % running.count
            position = start + count
            return start
        }
        for offset in 0..<count { log.progress(running[(start + offset) % running.count]) }
        return running.count
    }
}
