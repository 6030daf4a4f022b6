// SPDX-License-Identifier: Apache-2.0

import LossKit
public import LossdData
import LossdEngine
import LossdModel

/// Where a model epoch's time goes: the epoch of ``ModelJobs`` run directly on LossdModel's
/// ``Sequential`` (no engine), each phase timed on its own.
public struct ModelPassSplit: Sendable {
    /// Seconds per epoch spent copying each batch's rows into the batch buffer.
    public var batch: Double
    /// Seconds per epoch in `Sequential.forward`.
    public var forward: Double
    /// Seconds per epoch computing the MSE and its gradient of the output.
    public var loss: Double
    /// Seconds per epoch in `Sequential.backward`.
    public var backward: Double
    /// Seconds per epoch in the SGD update `p -= lr g`.
    public var update: Double
    /// The epoch's mean batch loss (the same as the engine's, the C loop's and PyTorch's).
    public var meanLoss: Double

    public var total: Double { batch + forward + loss + backward + update }

    /// Adds one batch's phases from the clock readings at their boundaries (6: before the
    /// batch's copy, after it, after forward, after the loss, after backward, after the update).
    mutating func add(_ marks: [Double]) {
        batch += marks[1] - marks[0]
        forward += marks[2] - marks[1]
        loss += marks[3] - marks[2]
        backward += marks[4] - marks[3]
        update += marks[5] - marks[4]
    }

    /// One epoch of `model` on `data` in file order, from the shared initial parameters.
    public static func measure(_ model: ModelJobs.Model, data: Dataset) throws -> ModelPassSplit {
        let registry = LayerRegistry.builtins
        var layers: [any Layer] = []
        for component in ModelJobs.layers(model) { layers.append(try registry.makeLayer(component.name, options: component.options)) }
        let sequential = try Sequential(layers: layers, inputWidth: ModelJobs.features)
        var parameters = [Double](repeating: 0, count: sequential.layout.count)
        for (name, tensor) in ModelJobs.initialParameters(model) {
            let entry = sequential.layout.entries.first { $0.name == name }!
            parameters.replaceSubrange(entry.offset..<entry.offset + tensor.scalars.count, with: tensor.scalars)
        }
        let width = ModelJobs.features, batchSize = ModelJobs.batchSize
        var workspace = sequential.makeWorkspace(rows: batchSize)
        var gradient = [Double](repeating: 0, count: parameters.count)
        var outputGradient = [Double](repeating: 0, count: batchSize)
        var batch = [Double](repeating: 0, count: batchSize * width)
        var split = ModelPassSplit(batch: 0, forward: 0, loss: 0, backward: 0, update: 0, meanLoss: 0)
        var lossSum = 0.0
        for start in stride(from: 0, to: data.rows, by: batchSize) {
            let rows = min(batchSize, data.rows - start)
            let t0 = Clock.now()
            batch.replaceSubrange(0..<rows * width, with: data.features[start * width..<(start + rows) * width])
            let t1 = Clock.now()
            sequential.forward(batch, rows: rows, parameters: parameters, workspace: &workspace)
            let t2 = Clock.now()
            var sum = 0.0
            let scale = 2 / Double(rows)
            for row in 0..<rows {
                let difference = workspace.output[row] - data.targets[start + row]
                sum += difference * difference
                outputGradient[row] = scale * difference
            }
            lossSum += sum / Double(rows)
            let t3 = Clock.now()
            sequential.backward(outputGradient: outputGradient, rows: rows, parameters: parameters, workspace: &workspace,
                                parameterGradient: &gradient)
            let t4 = Clock.now()
            for index in parameters.indices { parameters[index] -= ModelJobs.learningRate * gradient[index] }
            split.add([t0, t1, t2, t3, t4, Clock.now()])
        }
        split.meanLoss = lossSum / Double(ModelJobs.batches)
        return split
    }
}
