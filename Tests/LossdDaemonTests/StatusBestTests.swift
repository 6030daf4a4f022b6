// SPDX-License-Identifier: Apache-2.0

import LossKit
@testable import LossdDaemon
import LossdEngine
import LossdJSON
import LossdState
import Testing

/// The status line's "best": the best value of the first metric the measured jobs share (lowest,
/// highest for accuracy); without one, the lowest loss only among jobs of one loss, never raw
/// losses of different losses compared.
@Suite("The status line's best")
struct StatusBestTests {
    static func row(_ name: String, loss: String, value: Double, reduction: String = "mean", metrics: [(String, Double)]? = nil) -> JobRecord {
        var record = JobRecord(name: name, status: .maxSteps, steps: 10, loss: value, lossFunction: loss,
                               lossOptions: ["reduction": .string(reduction)], optimizer: "sgd", startedAt: 0)
        record.metrics = metrics.map { .object($0.map { ($0.0, .number($0.1)) }) }
        return record
    }

    @Test func oneLossShowsTheLowestLoss() {
        let line = Supervisor.Summary([Self.row("a", loss: "mse", value: 0.5), Self.row("b", loss: "mse", value: 0.25)]).statusLine
        #expect(line.contains("; best b loss 0.25;"), "\(line)")
    }

    @Test func differentLossesAreRankedByAMetricOnly() {
        let rows = [Self.row("mse-job", loss: "mse", value: 0.001, metrics: [("mae", 0.3), ("accuracy", 0.5)]),
                    Self.row("l1-job", loss: "l1", value: 0.2, metrics: [("mae", 0.1), ("accuracy", 0.9)]),
                    Self.row("sum-job", loss: "mse", value: 0.0001, reduction: "sum")]
        let line = Supervisor.Summary(rows).statusLine
        #expect(line.contains("; best mae 0.1 (l1-job);"), "\(line)")
        #expect(!line.contains("loss 0.0001") && !line.contains("best sum-job"), "\(line)")
        // Without metrics, nothing is called best.
        let bare = Supervisor.Summary([Self.row("a", loss: "mse", value: 0.1), Self.row("b", loss: "l1", value: 0.2)]).statusLine
        #expect(!bare.contains("best"), "\(bare)")
        // accuracy: the highest wins.
        let accuracy = [Self.row("x", loss: "mse", value: 1, metrics: [("accuracy", 0.7)]),
                        Self.row("y", loss: "l1", value: 1, metrics: [("accuracy", 0.95)])]
        #expect(Supervisor.Summary(accuracy).statusLine.contains("; best accuracy 0.95 (y);"))
    }

    /// Every metric, as the first one the jobs share: the better value wins, by the metric's sense.
    @Test(arguments: Metric.allCases)
    func theFirstSharedMetricDecides(_ metric: Metric) {
        let (worse, better) = metric.higherIsBetter ? (0.25, 0.75) : (0.75, 0.25)
        let rows = [Self.row("a", loss: "mse", value: 0.001, metrics: [(metric.name, worse), ("only-a", 0)]),
                    Self.row("b", loss: "mse", value: 0.5, metrics: [(metric.name, better)]),
                    Self.row("c", loss: "mse", value: 0.1)]  // not measured: takes no part
        let line = Supervisor.Summary(rows).statusLine
        #expect(line.contains("; best \(metric.name) \(better) (b);"), "\(line)")
        #expect(!line.contains("loss"), "a shared metric replaces the best loss: \(line)")
    }

    @Test func withoutASharedMetricOneLossShowsTheLowestLoss() {
        let rows = [Self.row("a", loss: "mse", value: 0.5, metrics: [("mae", 0.1)]),
                    Self.row("b", loss: "mse", value: 0.25, metrics: [("rmse", 0.2)])]
        let line = Supervisor.Summary(rows).statusLine
        #expect(line.contains("; best b loss 0.25;"), "\(line)")
        // Different losses and no shared metric: nothing is called best.
        let mixed = [Self.row("a", loss: "mse", value: 0.5, metrics: [("mae", 0.1)]),
                     Self.row("b", loss: "l1", value: 0.25, metrics: [("rmse", 0.2)])]
        #expect(!Supervisor.Summary(mixed).statusLine.contains("best"))
    }
}
