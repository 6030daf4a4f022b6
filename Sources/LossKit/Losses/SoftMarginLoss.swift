// SPDX-License-Identifier: Apache-2.0

public import RealModule

/// Two-class logistic loss (PyTorch `torch.nn.SoftMarginLoss`), registry name `soft_margin`.
///
/// Computed as ATen does (`soft_margin_loss` / `soft_margin_loss_backward`), with z_i = exp(-x_i y_i):
///
///     Per element:  l_i = log1p(z_i)
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     dL/dx_i = s * (-y_i z_i) / (1 + z_i),   s = 1/N (mean) or 1
///
/// The target has no gradient: PyTorch refuses `requires_grad` on it ("not differentiable with
/// respect to argument 'target'"), so lossd reports none.
///
/// - Options (YAML key, default): `reduction` (`mean`). Legacy `size_average`/`reduce` are refused.
/// - Shapes: input `(*)`; target the same shape (no broadcasting); output scalar, or `(*)` for `none`.
/// - Target values: documented as 1 or -1; any finite value is used as is, as in PyTorch.
/// - Large |x y|: like ATen the formula is not rebalanced. For x_i y_i > ~36.7 the value is
///   exp(-x_i y_i) (tiny, not 0); for x_i y_i < -709.78 exp overflows, so the element's value is
///   +inf and its gradient NaN (inf / inf), exactly as PyTorch reports (`overflow_*` goldens).
/// - Edge cases: N == 0 with `mean` gives NaN, as PyTorch does.
/// - Check: x = [0], y = [1] -> log 2 = 0.6931; gradient -0.5.
public struct SoftMarginLoss: BuiltinLoss, PointwiseLoss {
    public static let descriptor = LossDescriptor(
        name: "soft_margin", pytorchName: "SoftMarginLoss",
        summary: "two-class logistic loss log(1 + exp(-y x)), targets 1 or -1",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "scores, any shape (*)"),
            ArgumentSpec("target", .real(differentiable: false), "labels 1 or -1, same shape as input (no gradient, as in PyTorch)"),
        ],
        options: [.reduction])

    public let reduction: Reduction

    public init(options: LossOptions) {
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
        let z = Double.exp(-x * y)
        return ElementLoss(Double.log(onePlus: z), dInput: y * z * -1 / (1 + z), dTarget: 0)
    }
}
