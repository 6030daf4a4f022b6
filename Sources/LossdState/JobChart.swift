// SPDX-License-Identifier: Apache-2.0

import Foundation
public import LossdEngine
import LossdJSON
public import LossdPlot

/// Loss charts of the jobs in a state directory: the series of `lossd plot` and the per-job
/// `charts/<job>.svg` the daemon writes when a job ends.
public enum JobChart {
    /// The chart of one finished job, as written to `charts/<job>.svg` (a model job's `epochs`:
    /// its training and validation curves, see ``curves(_:_:epochs:detail:)``).
    public static func chart(for record: JobRecord, history: [HistoryRow], epochs: [EpochRecord] = []) -> LossChart {
        var subtitle = "\(record.lossFunction), \(record.optimizer)"
        if let scheduler = record.scheduler { subtitle += ", \(scheduler)" }
        subtitle += ": \(ending(record)); best loss \(NumberText.short(record.bestLoss)), \(seconds(record.elapsedSeconds))"
        return LossChart(title: "lossd job \(record.name)", subtitle: subtitle,
                         series: curves(record.name, history, epochs: epochs, detail: detail(record: record, standing: nil)))
    }

    /// A job's curves: a model job with finished epochs has its mean training loss per epoch
    /// (`NAME train`) and, with validation data, its validation loss (`NAME validation`), each
    /// drawn at the step its epoch ended; any other job has its recorded steps' loss (`NAME`).
    public static func curves(_ name: String, _ history: [HistoryRow], epochs: [EpochRecord], detail: String?) -> [LossSeries] {
        guard let last = epochs.last else { return [series(name, history, detail: detail)] }
        var curves = [LossSeries(name: "\(name) train", detail: detail,
                                 points: epochs.map { LossSeries.Point(step: $0.step, loss: $0.trainLoss) })]
        if epochs.contains(where: { $0.validationLoss != nil }) {
            var text = "epoch \(last.epoch), validation loss \(NumberText.short(last.validationLoss ?? .nan))"
            if let accuracy = last.accuracy { text += ", accuracy \(NumberText.short(accuracy))" }
            curves.append(LossSeries(name: "\(name) validation", detail: text,
                                     points: epochs.map { LossSeries.Point(step: $0.step, loss: $0.validationLoss ?? .nan) }))
        }
        return curves
    }

    /// A job's curve from its history rows.
    public static func series(_ name: String, _ history: [HistoryRow], detail: String?) -> LossSeries {
        LossSeries(name: name, detail: detail, points: history.map { LossSeries.Point(step: $0.step, loss: $0.loss) })
    }

    /// The legend's second line: how the job ended (`converged at step 35, loss 7.428e-10`), or
    /// where it stands while it has no result (`running at step 20`).
    public static func detail(record: JobRecord?, standing: String?) -> String? {
        if let record { return "\(record.status.name) at step \(record.steps), loss \(NumberText.short(record.loss))" }
        return standing
    }

    /// `converged (tolerance) at step 35 with loss 7.428e-10`, `reached max_steps (1000) with loss 0.1`, ...
    static func ending(_ record: JobRecord) -> String {
        switch record.status {
        case .converged(let rule): "converged (\(rule.rawValue)) at step \(record.steps) with loss \(NumberText.short(record.loss))"
        case .maxSteps: "reached max_steps (\(record.steps)) with loss \(NumberText.short(record.loss))"
        case .pruned: "pruned by its study at step \(record.steps) with loss \(NumberText.short(record.loss))"
        case .diverged: "diverged at step \(record.steps)"
        default: "\(record.status.name) at step \(record.steps)" + (record.status.detail.map { ": \($0)" } ?? "")
        }
    }

    static func seconds(_ value: Double) -> String {
        value < 1 ? String(format: "%.3g s", value) : String(format: "%.1f s", value)
    }
}
