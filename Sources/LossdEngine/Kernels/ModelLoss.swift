// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData

/// A loss applied to a model's output: its input is the output (rows, C), its target the data's
/// target columns, typed as the loss reads them.
///
/// - Class indices, an int64 tensor of shape (rows): `cross_entropy` with one target column, and
///   any loss whose target is an index argument (`nll`, `multi_margin`) with one target column.
///   C is the class count; every class must lie in 0..<C, or equal the loss's `ignore_index`
///   (`cross_entropy`, `nll`): such rows add nothing to the loss, as in PyTorch, and are left out
///   of the accuracy.
/// - Otherwise a tensor of shape (rows, k), int64 for an index target, else float64; k must be C.
struct ModelLoss: Sendable {
    let loss: any Loss
    /// The same loss when its evaluation can fail (a plugin): a failure ends the job as `failed`.
    let fallible: (any FallibleLoss)?
    let outputWidth: Int
    let targetWidth: Int
    let classIndices: Bool
    let integerTarget: Bool
    /// The loss's `ignore_index` when the targets are class indices and the loss has one.
    let ignoredClass: Int?

    /// Checks that `loss` takes (input, target) and that the data's targets fit an output of `outputWidth`.
    /// `options` are the loss's (its `ignore_index`, if any, exempts that class value).
    init(_ loss: any Loss, options: [String: OptionValue] = [:], outputWidth: Int, targetNames: [String]) throws(EngineError) {
        let descriptor = loss.descriptor
        guard descriptor.arguments.count == 2, descriptor.arguments[0].isDifferentiable else {
            throw EngineError(.invalidJob, subject: descriptor.name,
                              "\(descriptor.name) takes the tensors \(descriptor.arguments.map(\.name).joined(separator: ", ")); "
                                  + "a model job's loss takes two: the model's output and the target")
        }
        self.loss = loss
        fallible = loss as? any FallibleLoss
        self.outputWidth = outputWidth
        targetWidth = targetNames.count
        let indexTarget = descriptor.arguments[1].kind == .index
        classIndices = targetWidth == 1 && (indexTarget || descriptor.name == "cross_entropy")
        integerTarget = indexTarget
        // The job's ignore_index, else the loss's default one (PyTorch's -100).
        let ignoreIndex = options["ignore_index"] ?? descriptor.options.first { $0.name == "ignore_index" }?.defaultValue
        if classIndices, case .integer(let index)? = ignoreIndex { ignoredClass = index } else { ignoredClass = nil }
        guard targetWidth > 0 else {
            throw EngineError(.invalidJob, subject: "target", "the training data has no target column")
        }
        if !classIndices && targetWidth != outputWidth {
            throw EngineError(.invalidJob, subject: "target",
                              "the model's output has \(outputWidth) column\(outputWidth == 1 ? "" : "s") but the data has "
                                  + "\(targetWidth) target column\(targetWidth == 1 ? "" : "s") (\(targetNames.joined(separator: ", "))); "
                                  + "\(descriptor.name) needs as many"
                                  + (indexTarget || descriptor.name == "cross_entropy" ? ", or one column of class indices" : ""))
        }
    }

    /// Checks the class indices of `data` (located errors) when the targets are classes.
    func checkTargets(of data: Dataset, role: String) throws(EngineError) {
        guard data.targetWidth == targetWidth else {
            throw EngineError(.invalidJob, subject: role, "the \(role) data has \(data.targetWidth) target columns, the training data \(targetWidth)")
        }
        guard classIndices else { return }
        do {
            _ = try data.classIndices(classCount: outputWidth, ignoring: ignoredClass)
        } catch {
            throw EngineError(.invalidJob, subject: role, "\(error) (the model's \(outputWidth) outputs are the classes)")
        }
    }

    /// The target tensor of `rows` rows (zeros, to be filled).
    func targetTensor(rows: Int) -> Tensor {
        classIndices ? Tensor(shape: [rows], scalars: Array(repeating: 0, count: rows), dtype: .int64)
            : Tensor(shape: [rows, targetWidth], scalars: Array(repeating: 0, count: rows * targetWidth),
                     dtype: integerTarget ? .int64 : .float64)
    }
}

/// The loss's arguments, output and gradient for batches of one size, sized once.
struct ModelLossBuffers {
    let rows: Int
    var arguments: LossArguments
    var gradients: LossGradients
    var output: [Double]
    var workspace: [Double] = []

    /// Validates the loss on `rows` rows; `wantGradient` false for evaluation only.
    init(_ binding: ModelLoss, rows: Int, wantGradient: Bool) throws(EngineError) {
        self.rows = rows
        let input = Tensor(shape: [rows, binding.outputWidth], scalars: Array(repeating: 0, count: rows * binding.outputWidth))
        arguments = LossArguments([input, binding.targetTensor(rows: rows)])
        let shape: [Int]
        do {
            shape = try binding.loss.validate(arguments)
        } catch {
            throw EngineError.loss(error)
        }
        if wantGradient {
            guard binding.loss.differentiableArguments(arguments).first == true else {
                throw EngineError(.invalidJob, subject: binding.loss.descriptor.name,
                                  "\(binding.loss.descriptor.name) has no gradient for the model's output here")
            }
            gradients = LossGradients([Array(repeating: 0, count: input.count), []], wanted: [true, false])
        } else {
            gradients = LossGradients([[], []], wanted: [false, false])
        }
        output = Array(repeating: 0, count: shape.reduce(1, *))
    }

    /// Copies `count` rows of model outputs (C values each, from `outputs`) into the loss input
    /// from row `row` on.
    mutating func loadOutputs(_ outputs: UnsafePointer<Double>, atRow row: Int, count: Int) {
        let width = arguments[0].count / Swift.max(rows, 1)
        arguments.tensors[0]!.scalars.withUnsafeMutableBufferPointer { input in
            // Sound: the input tensor holds rows x C values and row + count <= rows (the callers' batches).
            (input.baseAddress! + row * width).update(from: outputs, count: count * width)
        }
    }

    /// Loads the targets: row r's target is row `sourceRow(r)` of `targets` (k values per row).
    mutating func loadTargets(_ targets: [Double], sourceRow: (Int) -> Int) {
        let rows = self.rows, width = arguments[1].count / Swift.max(rows, 1)
        targets.withUnsafeBufferPointer { source in
            arguments.tensors[1]!.scalars.withUnsafeMutableBufferPointer { target in
                copyRows(rows, width: width, from: source.baseAddress!, into: target.baseAddress!, sourceRow: sourceRow)
            }
        }
    }

    /// Evaluates the loaded batch; the value is the sum of the loss output (the loss itself when reduced).
    mutating func evaluate(_ binding: ModelLoss) throws(LossError) -> Double {
        if let fallible = binding.fallible {
            try fallible.tryEvaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
        } else {
            binding.loss.evaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
        }
        var value = 0.0
        for element in output { value += element }
        return value
    }

    /// How many rows' largest output (the first on ties, as `argmax`) is their class index, and
    /// how many rows were counted (those whose class is not `ignoring`).
    func correctClasses(ignoring: Int?) -> (correct: Int, counted: Int) {
        let classes = arguments[0].count / Swift.max(rows, 1)
        let input = arguments[0].scalars, target = arguments[1].scalars
        let ignored = ignoring.map(Double.init)
        var correct = 0, counted = 0
        for row in 0..<rows where target[row] != ignored {
            counted += 1
            var best = 0
            for column in 1..<Swift.max(classes, 1) where input[row * classes + column] > input[row * classes + best] { best = column }
            if Double(best) == target[row] { correct += 1 }
        }
        return (correct, counted)
    }
}

/// Copies `rows` rows of `width` values: destination row r is source row `sourceRow(r)`.
///
/// - Precondition: `source` holds every row `sourceRow` returns, `destination` `rows` rows.
@inline(__always)
func copyRows(_ rows: Int, width: Int, from source: UnsafePointer<Double>, into destination: UnsafeMutablePointer<Double>,
              sourceRow: (Int) -> Int) {
    for row in 0..<rows {
        (destination + row * width).update(from: source + sourceRow(row) * width, count: width)
    }
}
