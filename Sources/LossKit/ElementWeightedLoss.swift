// SPDX-License-Identifier: Apache-2.0

/// An element-wise loss that may take a per-element ``ElementWeight`` (`l1`, `mse`, `huber`).
///
/// The loss type itself never holds the weight: unweighted, it stays a plain value (no reference
/// to copy or release), which the fused step loops copy at every step. Its registry factory
/// (``BuiltinLoss/make(_:)``) returns the type itself without a weight and a
/// ``WeightedElementLoss`` around it with one.
public protocol ElementWeightedLoss: PointwiseLoss {
    /// What a weighted `mean` divides by (PyTorch's functional form decides, per loss).
    static var weightedMean: ElementWeight.MeanDivisor { get }
}

extension ElementWeightedLoss {
    /// The unweighted evaluation (a weight is ``WeightedElementLoss``'s).
    @inlinable
    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        Pointwise.evaluate(arguments, reduction, output: &output, gradients: &gradients, element)
    }
}

extension BuiltinLoss where Self: ElementWeightedLoss {
    /// The loss, or the loss with its `weight` when the options give one.
    public static func make(_ options: LossOptions) throws(LossError) -> any Loss {
        let loss = try Self(options: options)
        guard let weight = options.tensor("weight") else { return loss }
        return WeightedElementLoss(loss, weight: weight)
    }
}

/// A loss that carries a per-element weight (``WeightedElementLoss``), as the checks of a job see
/// it.
public protocol ElementWeightCarrying: Loss {
    /// The per-element weight.
    var elementWeight: Tensor { get }

    /// Whether `mean` divides by a weight sum of 0 (`l1`, `mse`): every value is then +-inf or
    /// NaN, as PyTorch computes it. Fine for one evaluation; a training job cannot use it.
    var meansOverZeroWeightSum: Bool { get }
}

/// An ``ElementWeightedLoss`` with its `weight` (the functional form's argument): the weighted
/// driver of ``ElementWeight``, never the fused or chunked loops (which know no weight).
public struct WeightedElementLoss<Base: ElementWeightedLoss>: ElementWeightCarrying {
    public let base: Base
    public let elementWeight: Tensor

    public init(_ base: Base, weight: Tensor) {
        self.base = base
        elementWeight = weight
    }

    public var descriptor: LossDescriptor { base.descriptor }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let shape = try base.validate(arguments)
        try ElementWeight.validate(elementWeight, input: arguments[0])
        return shape
    }

    @inlinable
    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        ElementWeight.evaluate(arguments, base.reduction, weight: elementWeight, mean: Base.weightedMean,
                               output: &output, gradients: &gradients, base.element)
    }

    public func differentiableArguments(_ arguments: LossArguments) -> [Bool] {
        base.differentiableArguments(arguments)
    }

    public var meansOverZeroWeightSum: Bool {
        guard base.reduction == .mean, Base.weightedMean == .weightSum else { return false }
        var sum = 0.0
        for w in elementWeight.scalars { sum += w }
        return sum == 0
    }
}
