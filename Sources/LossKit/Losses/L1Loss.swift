// SPDX-License-Identifier: Apache-2.0

/// Mean absolute error (PyTorch `torch.nn.L1Loss`, `torch.nn.functional.l1_loss`), registry name `l1`.
///
///     Per element:  l_i = |x_i - y_i|
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     dL/dx_i =  s * sgn(x_i - y_i),  dL/dy_i = -s * sgn(x_i - y_i),  s = 1/N (mean) or 1
///
/// With `weight` w (``ElementWeight``, evaluated by ``WeightedElementLoss``; `l1_loss` only, the class has no such argument):
///
///     none -> [l_i w_i] ;  sum -> sum_i l_i w_i ;  mean -> (sum_i l_i w_i) / (sum_i w_i)
///     dL/dx_i = (a w_i) sgn(x_i - y_i),  dL/dy_i = (a w_i) (-sgn(x_i - y_i)),
///     a = 1 / sum_i w_i (mean) or 1
///
/// - Options (YAML key, default): `reduction` (`mean`), `weight` (None: a tensor of the input's
///   shape; negative and zero entries allowed; a sum of 0 gives a NaN or infinite mean, as in
///   PyTorch). Legacy `size_average`/`reduce` are refused.
/// - Shapes: input `(*)`; target the same shape; output scalar, or `(*)` for `none`.
/// - Kink: at x_i == y_i the gradient is 0, autograd's choice (`abs` -> `grad * self.sgn()`).
/// - Check: x = [1,2,3], y = [1,2,5] -> 0.6667 (mean), 2 (sum); with weight [1, 1, 3]: 6 / 5 = 1.2.
public struct L1Loss: BuiltinLoss, ElementWeightedLoss {
    public static let descriptor = LossDescriptor(
        name: "l1", pytorchName: "L1Loss", summary: "mean absolute error |x - y|",
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
        let s = Kernels.sign(d)
        return ElementLoss(Swift.abs(d), dInput: s, dTarget: -s)
    }
}
