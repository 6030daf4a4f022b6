// SPDX-License-Identifier: Apache-2.0

import LossKit
public import LossdData
import LossdEngine

/// The models of the model-training benchmark (the same in compare_torch.py).
public enum BenchmarkModel: String, CaseIterable, Sendable {
    /// Linear 32 -> 1.
    case linear
    /// Linear 32 -> 64, ReLU, Linear 64 -> 64, ReLU, Linear 64 -> 1.
    case mlp

    var layers: [JobSpec.Component] {
        func linear(_ input: Int, _ output: Int) -> JobSpec.Component {
            JobSpec.Component("linear", options: ["in_features": .integer(input), "out_features": .integer(output)])
        }
        switch self {
        case .linear: return [linear(32, 1)]
        case .mlp: return [linear(32, 64), JobSpec.Component("relu"), linear(64, 64), JobSpec.Component("relu"), linear(64, 1)]
        }
    }
}

extension Workloads {
    /// Regression data: `rows` x 32 features uniform in [-1, 1) from the seed, the target a fixed
    /// linear combination of them.
    public static func regressionData(rows: Int) -> Dataset {
        var generator = SeededGenerator(seed: 2024)
        let features = generator.values(rows * 32, from: .uniform(low: -1, high: 1))
        let coefficients = (0..<32).map { Double($0 % 7) - 3 }
        let targets = (0..<rows).map { row in (0..<32).reduce(0.0) { $0 + features[row * 32 + $1] * coefficients[$1] } }
        return Dataset(source: "benchmark regression", rows: rows, featureNames: (0..<32).map { "x\($0)" }, features: features,
                       targetNames: ["y"], targets: targets)
    }

    /// One epoch of `model` on `data` in batches of 256 (file order), MSE + SGD (lr 0.01), run by
    /// `TrainingJob` on the calling thread; building the job is not timed. Steps are batches.
    public static func modelEpoch(_ model: BenchmarkModel, data: Dataset) throws -> Timing {
        let spec = JobSpec(model: ModelJob(layers: model.layers, train: data, batchSize: 256, shuffle: false, epochs: 1, seed: 1),
                           loss: JobSpec.Component("mse"), optimizer: JobSpec.Component("sgd", options: ["lr": .number(0.01)]),
                           stopping: StoppingRules(maxSteps: .max))
        let job = try TrainingJob(spec)
        let start = Clock.now()
        let status = job.run()
        let seconds = Clock.now() - start
        precondition(status == .maxSteps && job.epochs.count == 1, "model epoch ended \(status)")
        return Timing(steps: job.progress.step, elements: data.rows, seconds: seconds)
    }
}
