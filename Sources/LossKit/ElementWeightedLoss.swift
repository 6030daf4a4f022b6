// SPDX-License-Identifier: Apache-2.0

/// An element-wise loss that may carry a per-element ``ElementWeight`` (`l1`, `mse`, `huber`).
///
/// Conforming supplies `weight` and `weightedMean`; it gets `evaluate` (the weighted driver when
/// a weight is set, else ``Pointwise``) and `supportsChunks` (false when weighted: the fused and
/// chunked loops know no weight). Weighted, the input's shape is fixed by the weight's, which a
/// model job's batches cannot promise.
public protocol ElementWeightedLoss: PointwiseLoss {
    /// The per-element weight, or `nil` when unweighted.
    var weight: Tensor? { get }

    /// What a weighted `mean` divides by (PyTorch's functional form decides, per loss).
    static var weightedMean: ElementWeight.MeanDivisor { get }
}

extension ElementWeightedLoss {
    @inlinable
    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        if let weight {
            ElementWeight.evaluate(arguments, reduction, weight: weight, mean: Self.weightedMean,
                                   output: &output, gradients: &gradients, element)
        } else {
            Pointwise.evaluate(arguments, reduction, output: &output, gradients: &gradients, element)
        }
    }

    /// Whether `mean` divides by a weight sum of 0 (`l1`, `mse`): every value is then +-inf or
    /// NaN, as PyTorch computes it. Fine for one evaluation; a training job cannot use it.
    public var meansOverZeroWeightSum: Bool {
        guard let weight, reduction == .mean, Self.weightedMean == .weightSum else { return false }
        var sum = 0.0
        for w in weight.scalars { sum += w }
        return sum == 0
    }

    @inlinable
    public func supportsChunks(_ arguments: LossArguments) -> Bool {
        weight == nil && arguments.has(0) && arguments.has(1) && arguments[0].count == arguments[1].count
    }
}
