// SPDX-License-Identifier: Apache-2.0

import Dispatch
import LossdEngine
import LossdPlot
import LossdState

/// Writes what a job leaves in the state directory when it ends, on one serial writer thread of
/// its own: results are written one at a time with blocking `fsync`s, which must not occupy
/// Swift's cooperative threads (with thousands of jobs ending together they would starve the
/// daemon's status and watchdog loops).
///
/// A job's commit, in this order: `history/<job>.csv`, `charts/<job>.svg`, `results/<job>.json`
/// (each fsync'd, renamed into place, its directory fsync'd), and only then the removal of
/// `checkpoints/<job>.ckpt`. The first write that fails stops the commit and is returned: the
/// job's checkpoint stays, and the caller keeps the ``PendingResult`` to write again.
final class ResultWriter: Sendable {
    let store: StateStore
    private let queue = DispatchQueue(label: "lossd.result-writer")

    init(store: StateStore) {
        self.store = store
    }

    /// Runs `body` on the writer thread and returns its value.
    func onWriterThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    /// Writes the files of a job that ended, then drops its checkpoint; returns the first write
    /// that failed (the checkpoint is then kept), nil when everything is on disk.
    func commit(_ job: PendingResult) -> AtomicFile.WriteError? {
        let name = job.record.name
        do throws(AtomicFile.WriteError) {
            if let rows = job.history {
                try store.writeHistory(name, rows)
                try store.writeChart(name, svg: JobChart.chart(for: job.record, history: rows).svg())
            }
            try store.writeResult(job.record)
        } catch {
            return error
        }
        store.removeCheckpoint(name)
        return nil
    }

    /// The engine's recorded points plus the latest progress (the last step is always a row).
    static func rows(_ history: [HistoryRow], final: JobProgress) -> [HistoryRow] {
        var rows = history
        if final.step > 0, rows.last?.step != final.step {
            rows.append(HistoryRow(step: final.step, loss: final.loss, gradientNorm: final.gradientNorm, learningRate: final.learningRate))
        }
        return rows
    }
}

/// What a job that ended leaves on disk, kept in memory until it is written.
struct PendingResult: Sendable {
    var record: JobRecord
    /// Its loss curve (history and chart); nil for a job that never ran (result only).
    var history: [HistoryRow]?
}
