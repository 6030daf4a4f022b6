// SPDX-License-Identifier: Apache-2.0

import RealModule

/// Binary cross entropy of logits (PyTorch `torch.nn.BCEWithLogitsLoss`), registry name `bce_with_logits`.
///
/// Input x holds logits, target y the same shape (any real values, as PyTorch), w_i the `weight`
/// and p_i the `pos_weight` broadcast to the input (1 without them); logsig(x) = min(x, 0) -
/// log1p(exp(-|x|)) and sig(x) = 1 / (1 + exp(-x)), both stable for any |x|.
///
///     Per element:  l_i = w_i * ((1 - y_i) x_i - lw_i * logsig(x_i)),   lw_i = (p_i - 1) y_i + 1
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     dL/dx_i = ((p_i y_i + 1 - y_i) sig(x_i) - p_i y_i) * w_i / s
///                   dL/dy_i = (logsig(-x_i) - p_i logsig(x_i)) * w_i / s
///                   s = N (mean) or 1 (sum, none)
///
/// Without `pos_weight` the formulas are ATen's simpler ones: l_i = w_i ((1 - y_i) x_i - logsig(x_i)),
/// dL/dx_i = (sig(x_i) - y_i) w_i / s and dL/dy_i = -x_i w_i / s.
///
/// - Options (YAML key, default): `weight` (None), `pos_weight` (None; typically shape `(C)`, the
///   last dimension), `reduction` (`mean`). Both tensors broadcast to the input without growing it.
/// - Shapes: input `(*)`; target the same shape; output scalar, or `(*)` for `none`.
/// - Edge cases: |x| = 1000 and beyond stays finite (no exp overflow reaches the result).
/// - Check: x = [0], y = [1] -> log 2 = 0.6931; dL/dx = -0.5.
public struct BCEWithLogitsLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "bce_with_logits", pytorchName: "BCEWithLogitsLoss",
        summary: "binary cross entropy of logits (sigmoid + BCE, numerically stable)",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "logits, any shape (*)"),
            ArgumentSpec("target", .real(differentiable: true), "same shape as input, usually in [0, 1]"),
        ],
        options: [
            .weight("manual rescaling weight, broadcast to the input"),
            .reduction,
            OptionSpec("pos_weight", .optionalTensor, default: .null, "weight of positive examples, broadcast to the input (typically (C))"),
        ])

    public let weight: Tensor?
    public let posWeight: Tensor?
    public let reduction: Reduction

    public init(options: LossOptions) {
        weight = options.tensor("weight")
        posWeight = options.tensor("pos_weight")
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let shape = try Pointwise.validate(arguments, reduction)
        try Validation.requireFloatingType(arguments[1], "target", reason: "result type Double can't be cast to the desired output type Long")
        if let weight { try Validation.requireBroadcastable(weight, "weight", to: arguments[0].shape) }
        if let posWeight { try Validation.requireBroadcastable(posWeight, "pos_weight", to: arguments[0].shape) }
        return shape
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let divisor = reduction == .mean ? Double(arguments[0].count) : 1
        let weightAt = Broadcast(source: weight?.shape ?? [], to: arguments[0].shape)
        let posWeightAt = Broadcast(source: posWeight?.shape ?? [], to: arguments[0].shape)
        let weights = weight?.scalars ?? [], posWeights = posWeight?.scalars ?? []
        Pointwise.evaluateIndexed(arguments, perElement: reduction == .none, divisor: divisor,
                                  output: &output, gradients: &gradients) { i, x, y in
            let logSigmoid = Kernels.logSigmoid(x)
            var value: Double, dInput: Double, dTarget: Double
            if posWeights.isEmpty {
                value = (1 - y) * x - logSigmoid
                dInput = Kernels.sigmoid(x) - y
                dTarget = -x
            } else {
                let p = posWeights[posWeightAt.offset(of: i)]
                let logWeight = (p - 1) * y + 1
                value = (1 - y) * x - logWeight * logSigmoid
                let py = p * y
                dInput = (py + 1 - y) * Kernels.sigmoid(x) - py
                dTarget = Kernels.logSigmoid(-x) - logSigmoid * p
            }
            if !weights.isEmpty {
                let w = weights[weightAt.offset(of: i)]
                value *= w
                dInput *= w
                dTarget *= w
            }
            return ElementLoss(value, dInput: dInput / divisor, dTarget: dTarget / divisor)
        }
    }
}
