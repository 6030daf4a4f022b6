// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdEngine
import LossdJSON
import LossdState
import Testing

/// What a model job leaves in the state directory: its history's epoch columns, its result's
/// `model` section and its `status.json` epoch fields; a free-tensor job's files do not change.
@Suite("Model job state files")
struct ModelStateTests {
    static let rows = [
        HistoryRow(step: 1, loss: 1.5, gradientNorm: 2, learningRate: 0.1),
        HistoryRow(step: 3, loss: 0.75, gradientNorm: .infinity, learningRate: 0.1),
        HistoryRow(step: 5, loss: .nan, gradientNorm: 1, learningRate: 0.05),
    ]

    /// Epochs of 3 batches: the first ends on a recorded step, the second between recorded steps.
    static let epochs = [
        EpochRecord(epoch: 1, step: 3, trainLoss: 1.25, validationLoss: 1.5, accuracy: 0.5, learningRate: 0.1),
        EpochRecord(epoch: 2, step: 4, trainLoss: 0.5, validationLoss: nil, accuracy: nil, learningRate: 0.05),
    ]

    @Test func aFreeTensorHistoryKeepsItsFourColumns() {
        #expect(HistoryFile.text(Self.rows, epochs: nil) == "step,loss,grad_norm,lr\n1,1.5,2.0,0.1\n3,0.75,Infinity,0.1\n5,NaN,1.0,0.05\n")
    }

    @Test func aModelHistoryAddsEpochColumns() throws {
        let text = HistoryFile.text(Self.rows, epochs: Self.epochs)
        #expect(text == """
            step,loss,grad_norm,lr,epoch,train_loss,val_loss,accuracy
            1,1.5,2.0,0.1,,,,
            3,0.75,Infinity,0.1,1,1.25,1.5,0.5
            4,,,0.05,2,0.5,,
            5,NaN,1.0,0.05,,,,

            """)
        let (rows, epochs) = try HistoryFile.parse(text, path: "h.csv")
        #expect(rows.count == 3 && rows[0] == Self.rows[0] && rows[1] == Self.rows[1] && rows[2].loss.isNaN)
        #expect(epochs == Self.epochs)
        #expect(try HistoryFile.parse(HistoryFile.text(Self.rows, epochs: nil), path: "h.csv").epochs == nil)
        #expect(try HistoryFile.parse(HistoryFile.text([], epochs: []), path: "h.csv").epochs == [])
    }

    @Test("a broken model history names its line", arguments: [
        ("step,loss,grad_norm,lr,epoch,train_loss,val_loss,accuracy\n1,1,1,1,x,1,,\n", "line 2: expected step,loss,grad_norm,lr,epoch,train_loss,val_loss,accuracy numbers"),
        ("step,loss,grad_norm,lr,epoch,train_loss,val_loss,accuracy\n1,1,1,1\n", "line 2: expected"),
        ("step,loss,grad_norm,lr,epoch,train_loss,val_loss,accuracy\n2,,,1,1,1,,\n2,1,1,1,,,,\n", "line 3: step 2 does not follow step 2"),
        ("step,loss,grad_norm,lr,epoch\n", "the header is not step,loss,grad_norm,lr"),
    ])
    func brokenHistory(_ text: String, _ message: String) {
        #expect { try HistoryFile.parse(text, path: "h.csv") } throws: { error in
            (error as? StateReader.ReadError)?.description.hasPrefix("h.csv: " + message) == true
        }
    }

    static func modelRecord() -> JobRecord {
        var record = JobRecord(name: "iris", status: .maxSteps, steps: 4, loss: 0.5, bestLoss: 0.5, gradientNorm: 1, learningRate: 0.05,
                               output: Tensor(shape: [3], scalars: [0.25, -1, 2]), lossFunction: "cross_entropy", optimizer: "adam",
                               startedAt: 1_700_000_000, finishedAt: 1_700_000_001, configHash: "0123456789abcdef")
        record.model = ModelSummary(layers: [JobSpec.Component("linear", options: ["in_features": .integer(1), "out_features": .integer(2),
                                                                                   "bias": .bool(true)]),
                                             JobSpec.Component("relu")],
                                    features: ["x"], targets: ["y"], parameters: [.init(name: "0.weight", shape: [2, 1]), .init(name: "0.bias", shape: [1])],
                                    file: StateStore.modelFile("iris"))
        record.epoch = Self.epochs[0]
        return record
    }

    @Test func aModelResultHasAModelSection() throws {
        let written = Self.modelRecord()
        let json = written.resultJSON
        let model = try #require(json["model"])
        #expect(model["features"] == .array([.string("x")]) && model["targets"] == .array([.string("y")]))
        #expect(model["parameter_count"] == .integer(3) && model["file"] == .string("models/iris.safetensors"))
        #expect(model["epochs"] == .integer(1) && model["train_loss"] == .number(1.25) && model["val_loss"] == .number(1.5)
            && model["accuracy"] == .number(0.5))
        #expect(model["layers"]?.arrayValue?.count == 2 && model["parameters"]?.arrayValue?.first?["name"] == .string("0.weight"))
        let read = try #require(JobRecord(result: try JSONValue(parsing: json.serialized())))
        #expect(read.model == written.model && read.epoch?.epoch == 1 && read.epoch?.validationLoss == 1.5)
        #expect(read.resultJSON == json)
        // A free-tensor result has no such key.
        var free = written
        free.model = nil
        free.epoch = nil
        #expect(free.resultJSON["model"] == nil)
        // An epoch without validation data nor classes: nulls.
        var plain = written
        plain.epoch = Self.epochs[1]
        #expect(plain.resultJSON["model"]?["val_loss"] == .null && plain.resultJSON["model"]?["accuracy"] == .null)
    }

    @Test func aModelJobsStatusLineCarriesItsEpoch() throws {
        var record = Self.modelRecord()
        record.model = nil
        let json = record.statusJSON
        #expect(json["epoch"] == .integer(1) && json["val_loss"] == .number(1.5) && json["accuracy"] == .number(0.5))
        let read = try #require(JobRecord(statusEntry: try JSONValue(parsing: json.serialized())))
        #expect(read.epoch?.epoch == 1 && read.epoch?.trainLoss == 1.25 && read.epoch?.accuracy == 0.5)
        record.epoch = nil
        #expect(record.statusJSON["epoch"] == nil && record.statusJSON["train_loss"] == nil)
    }

    @Test func updatingFromProgressKeepsTheLatestEpoch() {
        var record = JobRecord(name: "j", status: .running, lossFunction: "mse", optimizer: "sgd", startedAt: 0)
        record.update(JobProgress(step: 3, loss: 1, gradientNorm: 1, learningRate: 0.1, bestLoss: 1, epoch: Self.epochs[0]))
        record.update(JobProgress(step: 4, loss: 1, gradientNorm: 1, learningRate: 0.1, bestLoss: 1, epoch: nil))
        #expect(record.epoch == Self.epochs[0] && record.steps == 4)
    }

    @Test func theStoreWritesModelFilesAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lossd-model-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try StateStore(directory: directory)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/models"))
        try store.writeModel("iris", bytes: [1, 2, 3])
        #expect(FileManager.default.contents(atPath: "\(directory)/models/iris.safetensors") == Data([1, 2, 3]))
        try store.writeHistory("iris", Self.rows, epochs: Self.epochs)
        let (rows, epochs) = try #require(try StateReader(directory: directory).historyWithEpochs("iris"))
        #expect(rows.count == 3 && epochs == Self.epochs)
    }
}

/// The history's `lr_configured` column: appended after the others, read back by position-aware
/// readers, and older files without it still read.
@Suite("History keeps the configured learning rate")
struct ConfiguredLearningRateHistoryTests {
    static let rows = [HistoryRow(step: 1, loss: 2, gradientNorm: 1, learningRate: 0.1),
                       HistoryRow(step: 2, loss: 1, gradientNorm: 0.5, learningRate: 0.05)]

    @Test(arguments: [nil, 0.1] as [Double?])
    func freeTensorHistory(configured: Double?) throws {
        let text = HistoryFile.text(Self.rows, epochs: nil, configuredLearningRate: configured)
        let expected = configured == nil
            ? "step,loss,grad_norm,lr\n1,2.0,1.0,0.1\n2,1.0,0.5,0.05\n"
            : "step,loss,grad_norm,lr,lr_configured\n1,2.0,1.0,0.1,0.1\n2,1.0,0.5,0.05,0.1\n"
        #expect(text == expected)
        #expect(try HistoryFile.parse(text, path: "h.csv").rows == Self.rows)
    }

    @Test func modelHistoryPutsItAfterTheEpochColumns() throws {
        let epochs = [EpochRecord(epoch: 1, step: 2, trainLoss: 1.5, validationLoss: nil, accuracy: 0.5, learningRate: 0.05)]
        let text = HistoryFile.text(Self.rows, epochs: epochs, configuredLearningRate: 0.25)
        #expect(text.hasPrefix("step,loss,grad_norm,lr,epoch,train_loss,val_loss,accuracy,lr_configured\n1,2.0,1.0,0.1,,,,,0.25\n"))
        let (rows, read) = try HistoryFile.parse(text, path: "h.csv")
        #expect(rows == Self.rows && read == epochs)
    }
}
