// SPDX-License-Identifier: Apache-2.0

import Foundation
@testable import LossdDaemon
import LossdEngine
import LossdState
import Testing

/// The live table of `lossd run` on a terminal.
@Suite("Terminal table")
struct TerminalTableTests {
    @Test func modelJobsAddEpochColumnsAligned() throws {
        var model = JobRecord(name: "iris", status: .running, steps: 30, maxSteps: 100, loss: 0.5, lossFunction: "cross_entropy",
                              optimizer: "adam", startedAt: 0)
        model.epoch = EpochRecord(epoch: 3, step: 30, trainLoss: 0.6, validationLoss: 0.75, accuracy: 0.875, learningRate: 0.1)
        let free = JobRecord(name: "seed-mse", status: .running, steps: 10, maxSteps: 100, loss: 1234.5678, lossFunction: "mse",
                             optimizer: "sgd", startedAt: 0)
        let lines = TerminalDisplay.table([model, free], width: 200)
        let header = lines[0]
        #expect(header.hasSuffix("  EPOCH         VAL LOSS      ACCURACY    "), "\(header)")
        for (label, value) in [("STEP", "30"), ("LOSS", "0.5"), ("EPOCH", "3"), ("VAL LOSS", "0.75"), ("ACCURACY", "0.875")] {
            let found = header.range(of: label).map { header.distance(from: header.startIndex, to: $0.lowerBound) }
            let column = try #require(found)
            #expect(lines[1].dropFirst(column).hasPrefix(value + " "), "\(label): \(lines)")
            #expect(lines[2].dropFirst(column).hasPrefix(["STEP": "10 ", "LOSS": "1234.57 "][label] ?? "- "), "\(label): \(lines)")
        }
        // Without a model job's epoch, the table is as it was.
        #expect(TerminalDisplay.table([free], width: 200)[0].hasSuffix("STEP        LOSS"))
    }
}
