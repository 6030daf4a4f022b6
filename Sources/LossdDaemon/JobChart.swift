// SPDX-License-Identifier: Apache-2.0

public import LossdEngine
import Foundation
import Logging
public import LossdPlot

/// Loss charts of the jobs in a state directory: the series of `lossd plot` and the per-job
/// `charts/<job>.svg` the daemon writes when a job ends.
public enum JobChart {
    /// The chart of one finished job, as written to `charts/<job>.svg`.
    public static func chart(for record: JobRecord, history: [HistoryRow]) -> LossChart {
        var subtitle = "\(record.lossFunction), \(record.optimizer)"
        if let scheduler = record.scheduler { subtitle += ", \(scheduler)" }
        subtitle += ": \(ending(record)); best loss \(short(record.bestLoss)), \(seconds(record.elapsedSeconds))"
        return LossChart(title: "lossd job \(record.name)", subtitle: subtitle,
                         series: [series(record.name, history, detail: detail(record: record, status: nil))])
    }

    /// A job's curve from its history rows.
    public static func series(_ name: String, _ history: [HistoryRow], detail: String?) -> LossSeries {
        LossSeries(name: name, detail: detail, points: history.map { LossSeries.Point(step: $0.step, loss: $0.loss) })
    }

    /// The legend's second line: how the job ended (`converged at step 35, loss 7.428e-10`), or
    /// its status while it has no result (`running`).
    public static func detail(record: JobRecord?, status: String?) -> String? {
        if let record { return "\(record.status) at step \(record.steps), loss \(short(record.loss))" }
        return status
    }

    /// `converged at step 35 with loss 7.428e-10`, `reached max_steps (1000) with loss 0.1`, ...
    static func ending(_ record: JobRecord) -> String {
        switch record.status {
        case "converged": "converged (\(record.statusDetail ?? "tolerance")) at step \(record.steps) with loss \(short(record.loss))"
        case "max_steps": "reached max_steps (\(record.steps)) with loss \(short(record.loss))"
        case "diverged": "diverged at step \(record.steps)"
        default: "\(record.status) at step \(record.steps)" + (record.statusDetail.map { ": \($0)" } ?? "")
        }
    }

    /// Four significant digits.
    public static func short(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : "\(value)"
    }

    static func seconds(_ value: Double) -> String {
        value < 1 ? String(format: "%.3g s", value) : String(format: "%.1f s", value)
    }
}

/// Writing `charts/<job>.svg` when a job ends.
extension Supervisor {
    /// Renders the job's chart from the history just written; a failure is logged, never fatal.
    func writeChart(_ record: JobRecord) {
        let reader = StateReader(directory: store.directory)
        let path = "\(store.directory)/charts/\(record.name).svg"
        let history: [HistoryRow]
        do throws(StateReader.ReadError) { history = try reader.history(record.name) ?? [] } catch {
            logger.warning("cannot draw the chart of job \(record.name): \(error)", metadata: ["LOSSD_JOB": "\(record.name)"])
            return
        }
        do throws(AtomicFile.WriteError) {
            try AtomicFile.makeDirectory("\(store.directory)/charts")
            try AtomicFile.write(JobChart.chart(for: record, history: history).svg(), to: path)
        } catch {
            logger.warning("cannot write \(path): \(error)", metadata: ["LOSSD_JOB": "\(record.name)"])
        }
    }
}
