// SPDX-License-Identifier: Apache-2.0

/// Mean squared error (PyTorch `torch.nn.MSELoss`, `torch.nn.functional.mse_loss`), registry name `mse`.
///
///     Per element:  l_i = (x_i - y_i)^2
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     dL/dx_i = 2 s (x_i - y_i),  dL/dy_i = -2 s (x_i - y_i),  s = 1/N (mean) or 1
///
/// With `weight` w (``ElementWeight``, evaluated by ``WeightedElementLoss``; `mse_loss` only, the class has no such argument):
///
///     none -> [l_i w_i] ;  sum -> sum_i l_i w_i ;  mean -> (sum_i l_i w_i) / (sum_i w_i)
///     dL/dx_i = (a w_i) (2 (x_i - y_i)),  dL/dy_i = (a w_i) (-2 (x_i - y_i)),
///     a = 1 / sum_i w_i (mean) or 1
///
/// - Options (YAML key, default): `reduction` (`mean`), `weight` (None: a tensor of the input's
///   shape; negative and zero entries allowed; a sum of 0 gives a NaN or infinite mean, as in
///   PyTorch). Legacy `size_average`/`reduce` are refused.
/// - Shapes: input `(*)`; target the same shape (a mismatch is an error, not a broadcast);
///   output scalar, or `(*)` for `none`.
/// - Edge cases: N == 0 with `mean` gives NaN, as PyTorch does.
/// - Check: x = [10,10,10], y = [30,20,50] -> 700 (mean), grad = [-40/3, -20/3, -80/3];
///   with weight [1, 2, 1]: (400 + 200 + 1600) / 4 = 550.
public struct MSELoss: BuiltinLoss, ElementWeightedLoss {
    public static let descriptor = LossDescriptor(
        name: "mse", pytorchName: "MSELoss", summary: "mean squared error (x - y)^2",
        arguments: LossDescriptor.inputTarget, options: [.reduction, ElementWeight.option(mean: weightedMean)])

    public let reduction: Reduction
    public static let weightedMean = ElementWeight.MeanDivisor.weightSum

    public init(options: LossOptions) {
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        try Pointwise.validate(arguments, reduction)
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
