// SPDX-License-Identifier: Apache-2.0

import Logging
import LossdEngine
import LossdPlot
import LossdState

/// Writes what a job leaves in the state directory, from the rows in memory: its result, its
/// history and its chart. A failure is logged, never fatal.
struct ResultWriter {
    let store: StateStore
    let logger: Logger

    /// Writes `results/<job>.json`, `history/<job>.csv` and `charts/<job>.svg` of a job that
    /// ended, then drops its checkpoint.
    func finish(_ record: JobRecord, history: [HistoryRow], final: JobProgress) {
        let rows = writeHistory(record.name, history, final: final)
        do throws(AtomicFile.WriteError) {
            try store.writeChart(record.name, svg: JobChart.chart(for: record, history: rows).svg())
        } catch {
            logger.warning("cannot write \(store.chartPath(record.name)): \(error)", metadata: ["LOSSD_JOB": "\(record.name)"])
        }
        write(record)
    }

    /// Writes `results/<job>.json` and drops the job's checkpoint.
    func write(_ record: JobRecord) {
        do throws(AtomicFile.WriteError) {
            try store.writeResult(record)
            store.removeCheckpoint(record.name)
        } catch {
            logger.error("cannot write the result of job \(record.name): \(error)", metadata: ["LOSSD_JOB": "\(record.name)"])
        }
    }

    /// Writes `history/<job>.csv` from the engine's recorded points plus the latest progress;
    /// returns the rows written.
    @discardableResult
    func writeHistory(_ job: String, _ history: [HistoryRow], final: JobProgress) -> [HistoryRow] {
        var rows = history
        if final.step > 0, rows.last?.step != final.step {
            rows.append(HistoryRow(step: final.step, loss: final.loss, gradientNorm: final.gradientNorm, learningRate: final.learningRate))
        }
        do throws(AtomicFile.WriteError) { try store.writeHistory(job, rows) } catch {
            logger.error("cannot write the history of job \(job): \(error)", metadata: ["LOSSD_JOB": "\(job)"])
        }
        return rows
    }
}
