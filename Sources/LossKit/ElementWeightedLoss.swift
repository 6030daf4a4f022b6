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

    @inlinable
    public func supportsChunks(_ arguments: LossArguments) -> Bool {
        weight == nil && arguments.has(0) && arguments.has(1) && arguments[0].count == arguments[1].count
    }
}
