// SPDX-License-Identifier: Apache-2.0

/// Huber loss (PyTorch `torch.nn.HuberLoss`, `torch.nn.functional.huber_loss`), registry name `huber`.
///
/// With d_i = x_i - y_i and delta > 0 (ATen's `huber_kernel` / `huber_backward_kernel`):
///
///     Per element:  l_i = 0.5 d_i^2                   if |d_i| < delta
///                         delta (|d_i| - 0.5 delta)   otherwise
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     dL/dx_i = s * ( -delta if d_i <= -delta ;  delta if d_i >= delta ;  d_i otherwise )
///                   dL/dy_i = -dL/dx_i ,   s = 1/N (mean) or 1
///
/// Equals `delta * smooth_l1(beta = delta)`; with delta == 1 the two losses coincide.
///
/// With `weight` w (``ElementWeight``, evaluated by ``WeightedElementLoss``; `huber_loss` only, the class has no such argument), the
/// weighted per-element loss is averaged over N, not over sum(w) as `l1_loss`/`mse_loss` do:
///
///     none -> [l_i w_i] ;  sum -> sum_i l_i w_i ;  mean -> (1/N) sum_i l_i w_i
///     dL/dx_i = (a w_i) g_i ,  dL/dy_i = (a w_i) (-g_i),  a = 1/N (mean) or 1,
///     g_i = -delta, delta or d_i as above
///
/// - Options (YAML key, default): `reduction` (`mean`), `delta` (1.0, must be > 0 as in ATen),
///   `weight` (None: a tensor of the input's shape; negative and zero entries allowed).
/// - Shapes: input `(*)`; target the same shape (no broadcasting); output scalar, or `(*)` for `none`.
/// - Kinks: |d_i| == delta takes the linear branch (gradient +-delta, equal to the quadratic one's
///   limit); d_i == 0 gives gradient 0. Both are pinned by the `kinks_*` goldens.
/// - Edge cases: N == 0 with `mean` gives NaN, as PyTorch does.
/// - Check: x = [0, 0.5, 3], y = [0, 0, 0], delta = 2 -> none [0, 0.125, 4]; x = [10, 10, 10],
///   y = [30, 20, 50], delta = 1, weight [1, 2, 1] -> mean (19.5 + 19 + 39.5) / 3 = 26.
public struct HuberLoss: BuiltinLoss, ElementWeightedLoss {
    public static let descriptor = LossDescriptor(
        name: "huber", pytorchName: "HuberLoss",
        summary: "squared error below delta, delta-scaled absolute error above",
        arguments: LossDescriptor.inputTarget,
        options: [
            .reduction,
            OptionSpec("delta", .number, default: .number(1), "threshold between the squared and the delta-scaled L1 region, > 0"),
            ElementWeight.option(mean: weightedMean),
        ])

    public let reduction: Reduction
    public let delta: Double
    public static let weightedMean = ElementWeight.MeanDivisor.count

    public init(options: LossOptions) throws(LossError) {
        reduction = options.reduction
        delta = options.number("delta")
        guard delta > 0 else {
            throw .option("delta", "must be > 0 (huber_loss does not support non-positive values for delta), got \(delta)")
        }
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let shape = try Pointwise.validate(arguments, reduction)
        try Validation.requireFloatingType(arguments[1], "target", reason: "Found dtype Long but expected Double")
        return shape
    }

    @inlinable
    public func element(_ x: Double, _ y: Double) -> ElementLoss {
        let d = x - y
        let z = Swift.abs(d)
        let value = z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta)
        let g = d <= -delta ? -delta : (d >= delta ? delta : d)
        return ElementLoss(value, dInput: g, dTarget: -g)
    }
}
