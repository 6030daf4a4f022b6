// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdModel

/// A whole dataset through a model in one pass: the outputs, and (with a loss) the loss over
/// the set as one batch and the accuracy for class targets. Buffers are sized once, so a model
/// job's validation after every epoch allocates nothing.
struct ModelPass {
    let model: Sequential
    let binding: ModelLoss?
    let data: Dataset
    private var workspace: SequentialWorkspace
    private var buffers: ModelLossBuffers?

    /// `binding` nil: outputs only (data without targets).
    init(model: Sequential, binding: ModelLoss?, data: Dataset, role: String) throws(EngineError) {
        self.model = model
        self.binding = binding
        self.data = try ModelPass.check(data, model: model, role: role)
        workspace = model.makeWorkspace(rows: data.rows)
        if let binding {
            try binding.checkTargets(of: data, role: role)
            buffers = try ModelLossBuffers(binding, rows: data.rows, wantGradient: false)
        }
    }

    /// `data` if it has rows and its features fit the model.
    static func check(_ data: Dataset, model: Sequential, role: String) throws(EngineError) -> Dataset {
        guard data.rows > 0 else {
            throw EngineError(.invalidJob, subject: role, "the \(role) data (\(data.source)) has no rows")
        }
        guard data.featureCount == model.inputWidth else {
            throw EngineError(.invalidJob, subject: role, "the \(role) data (\(data.source)) has \(data.featureCount) feature columns; "
                                  + "the model takes \(model.inputWidth)")
        }
        return data
    }

    /// Runs the pass at `parameters`: the loss (sum of the loss output, the loss itself when
    /// reduced) and the accuracy (class targets), nil where they do not apply.
    mutating func evaluate(parameters: [Double]) throws(LossError) -> (loss: Double?, accuracy: Double?) {
        model.forward(data.features, rows: data.rows, parameters: parameters, workspace: &workspace)
        guard let binding, var buffers else { return (nil, nil) }
        self.buffers = nil  // moved out while it runs, so that it is not copied
        defer { self.buffers = buffers }
        workspace.output.withUnsafeBufferPointer { output in
            data.targets.withUnsafeBufferPointer { targets in
                buffers.load(outputs: output.baseAddress!, targets: targets.baseAddress!, width: binding.targetWidth) { $0 }
            }
        }
        let loss = try buffers.evaluate(binding)
        let accuracy = binding.classIndices ? Double(buffers.correctClasses()) / Double(data.rows) : nil
        return (loss, accuracy)
    }

    /// The outputs of the last ``evaluate(parameters:)``, rows x outputWidth.
    var outputs: Tensor {
        Tensor(shape: [data.rows, model.outputWidth], scalars: Array(workspace.output.prefix(data.rows * model.outputWidth)))
    }
}
