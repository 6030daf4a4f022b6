// SPDX-License-Identifier: Apache-2.0

/// Hinge embedding loss (PyTorch `torch.nn.HingeEmbeddingLoss`), registry name `hinge_embedding`.
///
/// ATen's composite `hinge_embedding_loss`, with m = `margin`:
///
///     Per element:  l_i = [y_i != 1] max(0, m - x_i) + [y_i != -1] x_i
///                   (x_i for y_i == 1, max(0, m - x_i) for y_i == -1, the sum of both otherwise)
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     dL/dx_i = s * ( -[y_i != 1][m - x_i > 0] + [y_i != -1] ),   s = 1/N (mean) or 1
///
/// - Options (YAML key, default): `margin` (1.0, any finite value), `reduction` (`mean`).
///   Legacy `size_average`/`reduce` are refused.
/// - Shapes: input `(*)` (usually distances); target the same shape (no broadcasting); output
///   scalar, or `(*)` for `none`.
/// - Target: documented as 1 or -1. Other finite values are not refused: like PyTorch they take
///   both terms. The target only selects branches, so it has no gradient (PyTorch's autograd gives
///   none either).
/// - Kink: at x_i == m the hinge term contributes gradient 0: PyTorch's `clamp_min` backward
///   (torch 2.x) passes the gradient only where m - x_i > 0 (`kink_*` goldens).
/// - Edge cases: N == 0 with `mean` gives NaN, as PyTorch does.
/// - Check: x = [0.3, 0.3, 2], y = [1, -1, -1] -> none [0.3, 0.7, 0].
public struct HingeEmbeddingLoss: BuiltinLoss, PointwiseLoss {
    public static let descriptor = LossDescriptor(
        name: "hinge_embedding", pytorchName: "HingeEmbeddingLoss",
        summary: "x for similar pairs (y = 1), max(0, margin - x) for dissimilar ones (y = -1)",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "distances or scores, any shape (*)"),
            ArgumentSpec("target", .real(differentiable: false), "labels 1 or -1, same shape as input (no gradient, as in PyTorch)"),
        ],
        options: [
            OptionSpec("margin", .number, default: .number(1), "margin of the hinge for y = -1"),
            .reduction,
        ])

    public let margin: Double
    public let reduction: Reduction

    public init(options: LossOptions) {
        margin = options.number("margin")
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        try Pointwise.validate(arguments, reduction)
    }

    @inlinable
    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        Pointwise.evaluate(arguments, reduction, output: &output, gradients: &gradients, element)
    }

    @inlinable
    public func element(_ x: Double, _ y: Double) -> ElementLoss {
        var value = 0.0, g = 0.0
        if y != 1 {
            let hinge = margin - x
            if hinge > 0 {
                value = hinge
                g = -1
            }
        }
        if y != -1 {
            value += x
            g += 1
        }
        return ElementLoss(value, dInput: g, dTarget: 0)
    }
}
