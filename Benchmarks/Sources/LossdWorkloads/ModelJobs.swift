// SPDX-License-Identifier: Apache-2.0

import Foundation
public import LossKit
public import LossdData
public import LossdEngine

/// The measured model jobs: one epoch of mini-batch training (batch 256, MSE, plain SGD with lr
/// 0.01, float64) of a linear model 32->1 or an MLP 32-64-64-1 (relu) on 100,000 rows, as
/// `reference/model_epoch.c` and `compare_torch.py` run them. The data and the initial parameters
/// come from formulas the three share (no files, no generator), so the first epoch's mean batch
/// loss must agree between them: a check that they do the same work.
public enum ModelJobs {
    public enum Model: String, Sendable, CaseIterable {
        /// nn.Sequential(nn.Linear(32, 1)).
        case linear
        /// nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1)).
        case mlp

        /// The widths from input to output.
        public var widths: [Int] { self == .linear ? [32, 1] : [32, 64, 64, 1] }
    }

    public static let rows = 100_000
    public static let features = 32
    public static let batchSize = 256
    public static let learningRate = 0.01
    /// Batches per epoch.
    public static var batches: Int { (rows + batchSize - 1) / batchSize }

    /// x[i][j] = ((7919 i + 104729 j) mod 1009) / 504.5 - 1, and y[i] = 0.5 + sum_j c_j x[i][j]
    /// (j ascending) with c_j = ((37 j) mod 11) / 5 - 1.
    public static func data(rows: Int = rows) -> (features: [Double], targets: [Double]) {
        var x = [Double](repeating: 0, count: rows * features)
        var y = [Double](repeating: 0, count: rows)
        for i in 0..<rows {
            var sum = 0.5
            for j in 0..<features {
                let value = unit(i * 7919 + j * 104729)
                let coefficient: Double = Double((j * 37) % 11) / 5 - 1
                x[i * features + j] = value
                sum += coefficient * value
            }
            y[i] = sum
        }
        return (x, y)
    }

    /// The data as a ``Dataset`` held in memory.
    public static func dataset(rows: Int = rows) -> Dataset {
        let (x, y) = data(rows: rows)
        return Dataset(source: "benchmark data", rows: rows, featureNames: (0..<features).map { "x\($0)" }, features: x,
                       targetNames: ["y"], targets: y)
    }

    /// PyTorch's bound 1/sqrt(in): weight[o][i] = bound ((7919 (o in + i) mod 1009) / 504.5 - 1),
    /// bias[o] = bound (((7919 o + 500) mod 1009) / 504.5 - 1), by `state_dict` name.
    public static func initialParameters(_ model: Model) -> [(name: String, tensor: Tensor)] {
        var parameters: [(name: String, tensor: Tensor)] = []
        let widths = model.widths
        for (layer, (fanIn, fanOut)) in zip(widths, widths.dropFirst()).enumerated() {
            let bound = 1 / Double(fanIn).squareRoot()
            let weight = (0..<fanIn * fanOut).map { bound * unit($0 * 7919) }
            let bias = (0..<fanOut).map { bound * unit($0 * 7919 + 500) }
            parameters.append(("\(2 * layer).weight", Tensor(shape: [fanOut, fanIn], scalars: weight)))
            parameters.append(("\(2 * layer).bias", Tensor(shape: [fanOut], scalars: bias)))
        }
        return parameters
    }

    /// (n mod 1009) / 504.5 - 1, in [-1, 1].
    private static func unit(_ n: Int) -> Double {
        Double(n % 1009) / 504.5 - 1
    }

    /// The layers, as a configuration names them.
    public static func layers(_ model: Model) -> [JobSpec.Component] {
        let widths = model.widths
        var layers: [JobSpec.Component] = []
        for (fanIn, fanOut) in zip(widths, widths.dropFirst()) {
            if !layers.isEmpty { layers.append(JobSpec.Component("relu")) }
            layers.append(JobSpec.Component("linear", options: ["in_features": .integer(fanIn),
                                                                "out_features": .integer(fanOut)]))
        }
        return layers
    }

    /// A job of `epochs` epochs of `model` on `data`, in file order or shuffled.
    public static func spec(_ model: Model, data: Dataset, epochs: Int = 1, shuffle: Bool = false) -> JobSpec {
        let job = ModelJob(layers: layers(model), initialParameters: initialParameters(model), train: data,
                           batchSize: batchSize, shuffle: shuffle, epochs: epochs, seed: 1)
        return JobSpec(model: job, loss: JobSpec.Component("mse"),
                       optimizer: JobSpec.Component("sgd", options: ["lr": .number(learningRate)]),
                       stopping: StoppingRules(maxSteps: Int.max / 2))
    }
}
