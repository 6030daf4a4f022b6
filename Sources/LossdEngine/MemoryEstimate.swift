// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// What one job holds in memory from submission to its end, in bytes, by part: an estimate made
/// before the job exists (at `lossd check` and at load), so that a configuration that does not
/// fit is refused rather than run out of memory.
///
/// Every array the engine keeps for the job is counted at 8 bytes an element; transient
/// allocations of one step are counted where they scale with the job (the gradient of a kernel
/// without the fused pass). Sums saturate at `Int.max`.
public struct MemoryEstimate: Sendable, Hashable {
    /// The fitted tensor (a free-tensor job) or the model's parameters.
    public var parameters = 0
    /// The target tensor.
    public var target = 0
    /// The loss's other tensor arguments (`inputs`).
    public var inputs = 0
    /// The gradient buffer, when the job's step keeps one.
    public var gradients = 0
    /// The optimizer's per-element state (``TrainingOptimizer/stateElements(shapes:)``).
    public var optimizerState = 0
    /// A model job's training and validation rows (shared by the jobs that load the same data).
    public var data = 0
    /// A model job's activations and output gradients for one batch, and for a pass over the
    /// validation rows.
    public var activations = 0
    /// The configuration, the engine's job, its history and the daemon's bookkeeping.
    public var overhead = MemoryEstimate.perJobOverhead

    /// Bytes every job costs whatever its size (measured: a seed-sized job's configuration,
    /// engine job and daemon bookkeeping stay below it).
    public static let perJobOverhead = 4096

    public init() {}

    /// What writing the job's checkpoint or result takes on top, while it is written: a copy of
    /// the parameters and optimizer state (the job runs on) and their encoded file.
    public var writing: Int { Self.product(2, Self.sum([parameters, optimizerState])) }

    /// The sum of the parts.
    public var total: Int { Self.sum(parts.map(\.bytes)) }

    /// The non-zero parts by name, in a fixed order (`parameters`, `target`, `inputs`,
    /// `gradients`, `optimizer state`, `data`, `activations`, `bookkeeping`).
    public var parts: [(name: String, bytes: Int)] {
        [("parameters", parameters), ("target", target), ("inputs", inputs), ("gradients", gradients),
         ("optimizer state", optimizerState), ("data", data), ("activations", activations), ("bookkeeping", overhead)]
            .filter { $0.1 > 0 }
    }

    /// A free-tensor job fitting `parameterShape` with `loss` and `optimizer`; `target` and
    /// `inputs` are element counts.
    public static func freeTensor(loss: (any Loss)?, optimizer: any TrainingOptimizer, parameterShape: [Int],
                                  target: Int, inputs: Int) -> MemoryEstimate {
        let count = elements(parameterShape)
        var estimate = MemoryEstimate()
        estimate.parameters = bytes(count)
        estimate.target = bytes(target)
        estimate.inputs = bytes(inputs)
        // The fused pass (an element-wise loss with a built-in element-wise optimizer, see
        // KernelFactory) keeps no gradient; every other step holds one.
        let fused = loss is any PointwiseLoss && optimizer is any ElementUpdate
        estimate.gradients = fused ? 0 : bytes(count)
        estimate.optimizerState = bytes(optimizer.stateElements(shapes: [parameterShape]))
        return estimate
    }

    /// A model job with parameters of `shapes`, layer boundary widths `widths` (input first),
    /// batches of `batchSize` rows, `validationRows` validation rows and `dataElements` numbers
    /// of data.
    public static func model(optimizer: any TrainingOptimizer, shapes: [[Int]], widths: [Int], batchSize: Int,
                             validationRows: Int, dataElements: Int) -> MemoryEstimate {
        let count = sum(shapes.map(elements))
        var estimate = MemoryEstimate()
        estimate.parameters = bytes(count)
        estimate.gradients = bytes(count)
        estimate.optimizerState = bytes(optimizer.stateElements(shapes: shapes))
        estimate.data = bytes(dataElements)
        // Per row: every layer's input and the output, plus two gradient halves of the widest
        // boundary (SequentialWorkspace).
        let perRow = sum(widths) + 2 * (widths.max() ?? 0)
        estimate.activations = bytes(product(perRow, sum([batchSize, validationRows])))
        return estimate
    }

    /// `count` float64 values in bytes, saturating.
    public static func bytes(_ count: Int) -> Int { product(count, 8) }

    /// The number of elements of `shape`, saturating.
    public static func elements(_ shape: [Int]) -> Int { shape.reduce(1, product) }

    /// `a * b`, saturating.
    public static func product(_ a: Int, _ b: Int) -> Int {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : result
    }

    /// The sum of `values`, saturating.
    public static func sum(_ values: [Int]) -> Int {
        values.reduce(0) { total, value in
            let (result, overflow) = total.addingReportingOverflow(value)
            return overflow ? .max : result
        }
    }
}
