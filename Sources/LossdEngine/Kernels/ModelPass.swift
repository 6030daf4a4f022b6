// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdModel

/// A whole dataset through a model: the outputs, and (with a loss) the loss over the set as one
/// batch and the accuracy for class targets. The forward pass runs in slices of ``sliceRows``
/// rows, so that its memory is bounded whatever the set's size; the outputs (rows x C) and the
/// targets are held whole, for the one loss evaluation. Buffers are sized once, so a model job's
/// validation after every epoch allocates nothing.
struct ModelPass {
    /// Rows per forward slice.
    static let sliceRows = 1024

    let model: Sequential
    let binding: ModelLoss?
    let data: Dataset
    private var workspace: SequentialWorkspace
    /// The loss's buffers; the outputs go straight into its input tensor. Nil without a loss.
    private var buffers: ModelLossBuffers?
    /// The outputs when there is no loss.
    private var outputBuffer: [Double]

    /// `binding` nil: outputs only (data without targets).
    init(model: Sequential, binding: ModelLoss?, data: Dataset, role: String) throws(EngineError) {
        self.model = model
        self.binding = binding
        self.data = try ModelPass.check(data, model: model, role: role)
        workspace = model.makeWorkspace(rows: Swift.min(data.rows, ModelPass.sliceRows))
        outputBuffer = []
        if let binding {
            try binding.checkTargets(of: self.data, role: role)
            var buffers = try ModelLossBuffers(binding, rows: data.rows, wantGradient: false)
            buffers.loadTargets(data.targets) { $0 }
            self.buffers = buffers
        } else {
            outputBuffer = Array(repeating: 0, count: data.rows * model.outputWidth)
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
        var buffers = self.buffers
        self.buffers = nil  // moved out while it runs, so that it is not copied
        defer { self.buffers = buffers }
        let width = model.inputWidth, outputs = model.outputWidth
        var row = 0
        while row < data.rows {
            let count = Swift.min(ModelPass.sliceRows, data.rows - row)
            data.features.withUnsafeBufferPointer { features in
                workspace.withInput { input in
                    // Sound: rows row ..< row + count exist in features; the input holds sliceRows >= count rows.
                    copyRows(count, width: width, from: features.baseAddress!, into: input.baseAddress!) { row + $0 }
                }
            }
            model.forwardWrittenInput(rows: count, parameters: parameters, workspace: &workspace)
            workspace.output.withUnsafeBufferPointer { output in
                // Sound: the workspace's output holds count x C values; the destination rows x C.
                if buffers != nil {
                    buffers!.loadOutputs(output.baseAddress!, atRow: row, count: count)
                } else {
                    outputBuffer.withUnsafeMutableBufferPointer { all in
                        (all.baseAddress! + row * outputs).update(from: output.baseAddress!, count: count * outputs)
                    }
                }
            }
            row += count
        }
        guard let binding, buffers != nil else { return (nil, nil) }
        let loss = try buffers!.evaluate(binding)
        var accuracy: Double?
        if binding.classIndices {
            let (correct, counted) = buffers!.correctClasses(ignoring: binding.ignoredClass)
            accuracy = counted > 0 ? Double(correct) / Double(counted) : nil
        }
        return (loss, accuracy)
    }

    /// The outputs of the last ``evaluate(parameters:)``, rows x outputWidth.
    var outputs: Tensor {
        Tensor(shape: [data.rows, model.outputWidth], scalars: buffers?.arguments[0].scalars ?? outputBuffer)
    }
}
