// SPDX-License-Identifier: Apache-2.0

/// Smooth L1 error (PyTorch `torch.nn.SmoothL1Loss`), registry name `smooth_l1`.
///
/// With d_i = x_i - y_i and beta > 0 (ATen's `smooth_l1_kernel` / `smooth_l1_backward_kernel`):
///
///     Per element:  l_i = 0.5 d_i^2 / beta   if |d_i| < beta
///                         |d_i| - 0.5 beta   otherwise
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     dL/dx_i = s * ( -1 if d_i <= -beta ;  1 if d_i >= beta ;  d_i / beta otherwise )
///                   dL/dy_i = -dL/dx_i ,   s = 1/N (mean) or 1
///
/// With beta == 0 the loss is exactly `L1Loss` (PyTorch dispatches to `l1_loss`):
/// l_i = |d_i|, dL/dx_i = s * sgn(d_i), 0 at d_i == 0.
///
/// - Options (YAML key, default): `reduction` (`mean`), `beta` (1.0, must be >= 0 as in ATen).
///   Legacy `size_average`/`reduce` are refused.
/// - Shapes: input `(*)`; target the same shape (no broadcasting); output scalar, or `(*)` for `none`.
/// - Kinks: |d_i| == beta takes the linear branch (gradient +-1, equal to the quadratic one's limit);
///   d_i == 0 gives gradient 0. Both are pinned by the `kinks_*` goldens.
/// - Edge cases: N == 0 with `mean` gives NaN, as PyTorch does.
/// - Check: x = [0, 0.5, 3], y = [0, 0, 0] -> none [0, 0.125, 2.5].
public struct SmoothL1Loss: BuiltinLoss, PointwiseLoss {
    public static let descriptor = LossDescriptor(
        name: "smooth_l1", pytorchName: "SmoothL1Loss",
        summary: "squared error below beta, absolute error above (Huber / beta)",
        arguments: LossDescriptor.inputTarget,
        options: [
            .reduction,
            OptionSpec("beta", .number, default: .number(1), "threshold between the squared and the L1 region, >= 0 (0 gives L1Loss)"),
        ])

    public let reduction: Reduction
    public let beta: Double

    public init(options: LossOptions) throws(LossError) {
        reduction = options.reduction
        beta = options.number("beta")
        guard beta >= 0 else {
            throw .option("beta", "must be >= 0 (smooth_l1_loss does not support negative values for beta), got \(beta)")
        }
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
        let d = x - y
        if beta == 0 {  // l1_loss
            let s = Kernels.sign(d)
            return ElementLoss(Swift.abs(d), dInput: s, dTarget: -s)
        }
        let z = Swift.abs(d)
        let value = z < beta ? 0.5 * z * z / beta : z - 0.5 * beta
        let g = d <= -beta ? -1 : (d >= beta ? 1 : d / beta)
        return ElementLoss(value, dInput: g, dTarget: -g)
    }
}
