// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdEngine
import LossdJSON
import LossdState
import LossdTestSupport
import Testing

/// `lossd status` and `lossd plot` on a state directory holding a model job next to the seed
/// run's free-tensor jobs: the epoch columns and the train and validation curves.
@Suite("Model jobs in lossd status and plot")
struct ModelJobCommandTests {
    static let epochs = (1...4).map { epoch in
        EpochRecord(epoch: epoch, step: 3 * epoch, trainLoss: 1 / Double(epoch), validationLoss: 1.5 / Double(epoch),
                    accuracy: 0.5 + 0.1 * Double(epoch), learningRate: 0.1)
    }

    /// The seed run plus the finished model job `iris`, written through the state store.
    static func state() throws -> String {
        let directory = try SeedState.copy("model")
        let store = try StateStore(directory: directory)
        var record = JobRecord(name: "iris", status: .maxSteps, steps: 12, loss: 0.3, bestLoss: 0.25, gradientNorm: 1, learningRate: 0.1,
                               output: Tensor(shape: [2], scalars: [1, 2]), lossFunction: "cross_entropy", optimizer: "adam",
                               startedAt: 1_700_000_000, finishedAt: 1_700_000_002, elapsedSeconds: 2, configHash: "0123456789abcdef")
        record.model = ModelSummary(layers: [JobSpec.Component("linear")], parameters: [.init(name: "0.weight", shape: [1, 2])],
                                    file: StateStore.modelFile("iris"))
        record.epoch = epochs.last
        let rows = (1...12).map { HistoryRow(step: $0, loss: 2 / Double($0), gradientNorm: 1, learningRate: 0.1) }
        try store.writeHistory("iris", rows, epochs: epochs)
        try store.writeResult(record)
        return directory
    }

    @Test func statusShowsEpochColumnsForModelJobs() throws {
        let directory = try Self.state()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try LossdProcess.run(["status", "--state-dir", directory])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").filter { !$0.isEmpty }.joined(separator: " ") }
        #expect(lines[2] == "JOB STATUS STEP / MAX LOSS BEST LOSS EPOCH VAL LOSS ACCURACY ELAPSED ETA")
        #expect(lines.contains { $0.hasPrefix("iris max_steps 12 0.3 0.25 4 0.375 0.9 2s -") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("seed-mse converged 35 / 1000 7.428e-10 7.428e-10 - - -") }, "\(result.stdout)")
        // Selecting free-tensor jobs only: the table they always had.
        let free = try LossdProcess.run(["status", "seed-*", "--state-dir", directory])
        let header = free.stdout.split(separator: "\n")[2].split(separator: " ").joined(separator: " ")
        #expect(header == "JOB STATUS STEP / MAX LOSS BEST LOSS ELAPSED ETA", "\(free.stdout)")
        let json = try JSONValue(parsing: try LossdProcess.run(["status", "iris", "--state-dir", directory, "--json"]).stdout)
        let job = try #require(json["jobs"]?.arrayValue?.first)
        #expect(job["epoch"] == .integer(4) && job["train_loss"] == .number(0.25) && job["val_loss"] == .number(0.375)
            && job["accuracy"] == .number(0.9))
    }

    @Test func plotDrawsTrainAndValidationCurves() throws {
        let directory = try Self.state()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try LossdProcess.run(["plot", "iris", "seed-mse", "--state-dir", directory])
        #expect(result.status == 0, "\(result.stderr)")
        let chart = try SVGChart(parsing: result.stdout)
        #expect(chart.title == "lossd: 2 jobs")
        #expect(chart.legend.map(\.job) == ["iris train", "iris validation", "seed-mse"])
        #expect(chart.legend[1].texts == ["iris validation", "epoch 4, validation loss 0.375, accuracy 0.9"])
        let train = try #require(chart.lines(of: "iris train").first).points
        let validation = try #require(chart.lines(of: "iris validation").first).points
        #expect(train.count == 4 && validation.count == 4)
        // Drawn at the same steps; the validation loss is 1.5 times the training loss, so higher on the chart.
        #expect(zip(train, validation).allSatisfy { abs($0.x - $1.x) < 1e-9 && $1.y < $0.y })
    }
}
