// SPDX-License-Identifier: Apache-2.0

import RealModule

/// Binary cross entropy of probabilities (PyTorch `torch.nn.BCELoss`), registry name `bce`.
///
/// Input x holds probabilities in [0, 1], target y the same shape with values in [0, 1], w_i the
/// `weight` broadcast to the input (1 without it). As ATen's CPU kernel, each log is clamped at -100:
///
///     Per element:  l_i = w_i * ((y_i - 1) * max(log1p(-x_i), -100) - y_i * max(log(x_i), -100))
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     dL/dx_i = (x_i - y_i) / max((1 - x_i) x_i, EPS) * w_i / s
///                   dL/dy_i = -log(x_i / (1 - x_i)) * w_i / s        (-logit(x_i))
///                   s = N (mean) or 1 (sum, none); EPS = 1e-12 rounded to float (9.9999999600419720e-13)
///
/// The input gradient is ATen's `binary_cross_entropy_backward` (not the derivative of the clamped
/// value); the target gradient is autograd's `binary_cross_entropy_target_backward`, the derivative
/// of the unclamped formula.
///
/// - Options (YAML key, default): `weight` (None; broadcasts to the input), `reduction` (`mean`).
/// - Shapes: input `(*)`; target the same shape; weight broadcastable to the input without growing
///   it; output scalar, or `(*)` for `none`.
/// - Edge cases: an input or target outside [0, 1] is an error, as in PyTorch. At x = 0 or 1 the value
///   is finite (100 per unit of mismatch), the input gradient is (x - y) / EPS (about 1e12), and the
///   target gradient is +inf (x = 0) or -inf (x = 1), as PyTorch reports.
/// - Check: x = [0.5], y = [1] -> log 2 = 0.6931; dL/dx = -2.
public struct BCELoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "bce", pytorchName: "BCELoss",
        summary: "binary cross entropy of probabilities in [0, 1]",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "probabilities in [0, 1], any shape (*)"),
            ArgumentSpec("target", .real(differentiable: true), "same shape as input, values in [0, 1]"),
        ],
        options: [
            .weight("manual rescaling weight, broadcast to the input"),
            .reduction,
        ])

    /// ATen's `EPSILON` in `Loss.cpp`: a `float` constant, so 1e-12 rounded to single precision.
    @usableFromInline
    static let epsilon = Double(Float(1e-12))

    public let weight: Tensor?
    public let reduction: Reduction

    public init(options: LossOptions) {
        weight = options.tensor("weight")
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let shape = try Pointwise.validate(arguments, reduction)
        try Validation.requireFloatingType(arguments[1], "target", reason: "Found dtype Long but expected Double")
        for (name, index) in [("input", 0), ("target", 1)] {
            for (offset, value) in arguments[index].scalars.enumerated() where !(value >= 0 && value <= 1) {
                throw .value(name, "element \(offset) is \(value); all elements of \(name) should be between 0 and 1")
            }
        }
        if let weight { try Validation.requireBroadcastable(weight, "weight", to: arguments[0].shape) }
        return shape
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let divisor = reduction == .mean ? Double(arguments[0].count) : 1
        let broadcast = Broadcast(source: weight?.shape ?? [], to: arguments[0].shape)
        let weights = weight?.scalars ?? []
        Pointwise.evaluateIndexed(arguments, perElement: reduction == .none, divisor: divisor,
                                  output: &output, gradients: &gradients) { i, x, y in
            let w = weights.isEmpty ? 1 : weights[broadcast.offset(of: i)]
            var value = (y - 1) * Swift.max(Double.log(onePlus: -x), -100) - y * Swift.max(Double.log(x), -100)
            var dInput = (x - y) / Swift.max((1 - x) * x, Self.epsilon)
            var dTarget = -Double.log(x / (1 - x))
            if !weights.isEmpty {
                value *= w
                dInput *= w
                dTarget *= w
            }
            return ElementLoss(value, dInput: dInput / divisor, dTarget: dTarget / divisor)
        }
    }
}
