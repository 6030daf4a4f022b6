// SPDX-License-Identifier: Apache-2.0

/// Mean squared error (PyTorch `torch.nn.MSELoss`), registry name `mse`.
///
///     Per element:  l_i = (x_i - y_i)^2
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     dL/dx_i = 2 s (x_i - y_i),  dL/dy_i = -2 s (x_i - y_i),  s = 1/N (mean) or 1
///
/// - Options (YAML key, default): `reduction` (`mean`). Legacy `size_average`/`reduce` are refused.
/// - Shapes: input `(*)`; target the same shape (a mismatch is an error, not a broadcast);
///   output scalar, or `(*)` for `none`.
/// - Edge cases: N == 0 with `mean` gives NaN, as PyTorch does.
/// - Check: x = [10,10,10], y = [30,20,50] -> 700 (mean), grad = [-40/3, -20/3, -80/3].
public struct MSELoss: BuiltinLoss, PointwiseLoss {
    public static let descriptor = LossDescriptor(
        name: "mse", pytorchName: "MSELoss", summary: "mean squared error (x - y)^2",
        arguments: LossDescriptor.inputTarget, options: [.reduction])

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
        let d = x - y
        return ElementLoss(d * d, dInput: 2 * d, dTarget: -2 * d)
    }

    @inlinable
    public func elements(_ x: SIMD2<Double>, _ y: SIMD2<Double>) -> ElementPair {
        let d = x - y
        return ElementPair(value: d * d, dInput: 2 * d)
    }
}
