// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdData
import LossdEngine
import Testing

/// One training run written by `Scripts/gen-model-goldens.py` from real torch.nn + torch.optim (float64).
struct ModelFixture: Sendable, CustomTestStringConvertible, Decodable {
    struct Component: Sendable, Decodable {
        var name: String
        var options: [String: FixtureValue]
        var component: JobSpec.Component { JobSpec.Component(name, options: options.mapValues(\.option)) }
    }

    struct Data: Sendable, Decodable {
        var features: [[Double]]
        var targets: [[Double]]

        func dataset(_ source: String) -> Dataset {
            let width = features.first?.count ?? 0, targetWidth = targets.first?.count ?? 0
            return Dataset(source: source, rows: features.count, featureNames: (0..<width).map { "x\($0)" },
                           features: features.flatMap { $0 }, targetNames: (0..<targetWidth).map { "y\($0)" },
                           targets: targets.flatMap { $0 })
        }
    }

    struct NamedTensor: Sendable, Decodable {
        var name: String
        var shape: [Int]
        var data: [Double]
    }

    struct Epoch: Sendable, Decodable {
        var epoch: Int
        var step: Int
        var train_loss: Double
        var learning_rate: Double
        var validation_loss: Double?
        var accuracy: Double?
    }

    var name: String
    var layers: [Component]
    var loss: Component
    var optimizer: Component
    var scheduler: Component?
    var batch_size: Int?
    var epochs: Int
    var shuffle: Bool
    var seed: UInt64
    var train: Data
    var validation: Data?
    var `init`: [NamedTensor]
    var epoch_records: [Epoch]
    var final: [NamedTensor]

    var testDescription: String { name }

    /// The lossd job this run describes.
    var spec: JobSpec {
        let model = ModelJob(layers: layers.map(\.component),
                             initialParameters: `init`.map { ($0.name, Tensor(shape: $0.shape, scalars: $0.data)) },
                             train: train.dataset("train"), validation: validation?.dataset("validation"), batchSize: batch_size,
                             shuffle: shuffle, epochs: epochs, seed: seed)
        return JobSpec(model: model, loss: loss.component, optimizer: optimizer.component, scheduler: scheduler?.component,
                       stopping: StoppingRules(maxSteps: .max))
    }

    private struct Document: Decodable {
        var cases: [ModelFixture]
    }

    /// Every case of Fixtures/model/training.json.
    static let all: [ModelFixture] = {
        let url = Bundle.module.url(forResource: "Fixtures/model/training", withExtension: "json")!
        return try! JSONDecoder().decode(Document.self, from: Foundation.Data(contentsOf: url)).cases
    }()
}
