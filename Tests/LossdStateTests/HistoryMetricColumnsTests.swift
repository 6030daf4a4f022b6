// SPDX-License-Identifier: Apache-2.0

import LossdEngine
import LossdState
import Testing

/// `history/<job>.csv` of a job with metrics: one column per metric after the others.
@Suite("History metric columns")
struct HistoryMetricColumnsTests {
    static let names = [["mae"], ["rmse", "max_abs_error"], ["accuracy"]]

    @Test("a free-tensor history appends one column per metric; a row without values leaves them empty", arguments: names)
    func freeTensor(_ metrics: [String]) throws {
        let values = metrics.indices.map { 0.25 * Double($0 + 1) }
        let rows = [HistoryRow(step: 1, loss: 2, gradientNorm: 1, learningRate: 0.1, metrics: values),
                    HistoryRow(step: 3, loss: 1, gradientNorm: 0.5, learningRate: 0.1)]  // the final row: nothing measured
        let text = HistoryFile.text(rows, epochs: nil, configuredLearningRate: 0.1, metrics: metrics)
        let cells = values.map { "\($0)" }
        #expect(text == """
            step,loss,grad_norm,lr,lr_configured,\(metrics.joined(separator: ","))
            1,2.0,1.0,0.1,0.1,\(cells.joined(separator: ","))
            3,1.0,0.5,0.1,0.1,\(Array(repeating: "", count: metrics.count).joined(separator: ","))

            """)
        // Readers take the known columns and ignore the appended ones.
        let (read, epochs) = try HistoryFile.parse(text, path: "h.csv")
        #expect(epochs == nil)
        #expect(read.map(\.step) == [1, 3] && read.map(\.loss) == [2, 1])
    }

    @Test("a model history carries the metrics on its epoch rows", arguments: names)
    func model(_ metrics: [String]) throws {
        let values = metrics.indices.map { 0.5 + Double($0) }
        let rows = [HistoryRow(step: 1, loss: 1.5, gradientNorm: 2, learningRate: 0.1),
                    HistoryRow(step: 3, loss: 0.75, gradientNorm: 1, learningRate: 0.1)]
        let epochs = [EpochRecord(epoch: 1, step: 3, trainLoss: 1.25, validationLoss: 1.5, accuracy: 0.5, learningRate: 0.1, metrics: values),
                      EpochRecord(epoch: 2, step: 4, trainLoss: 0.5, validationLoss: nil, accuracy: nil, learningRate: 0.05, metrics: values)]
        let text = HistoryFile.text(rows, epochs: epochs, metrics: metrics)
        let cells = values.map { "\($0)" }.joined(separator: ","), empty = Array(repeating: "", count: metrics.count).joined(separator: ",")
        #expect(text == """
            step,loss,grad_norm,lr,epoch,train_loss,val_loss,accuracy,\(metrics.joined(separator: ","))
            1,1.5,2.0,0.1,,,,,\(empty)
            3,0.75,1.0,0.1,1,1.25,1.5,0.5,\(cells)
            4,,,0.05,2,0.5,,,\(cells)

            """)
        let parsed = try HistoryFile.parse(text, path: "h.csv")
        #expect(parsed.rows.count == 2 && parsed.epochs?.map(\.epoch) == [1, 2])
    }

    @Test func withoutMetricsTheFileIsAsBefore() {
        let rows = [HistoryRow(step: 1, loss: 2, gradientNorm: 1, learningRate: 0.1)]
        #expect(HistoryFile.text(rows, epochs: nil, metrics: []) == "step,loss,grad_norm,lr\n1,2.0,1.0,0.1\n")
        #expect(HistoryFile.text(rows, epochs: nil, configuredLearningRate: 0.1) == "step,loss,grad_norm,lr,lr_configured\n1,2.0,1.0,0.1,0.1\n")
    }
}
