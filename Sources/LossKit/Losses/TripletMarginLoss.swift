// SPDX-License-Identifier: Apache-2.0

/// Triplet margin loss (PyTorch `torch.nn.TripletMarginLoss`), registry name `triplet_margin`.
///
/// Anchor a, positive p and negative n are rows of D features (the last dimension; a 0-d input
/// is one feature). With PyTorch's `pairwise_distance` over the last dimension,
///
///     d(x1, x2) = || (x1 - x2) + eps ||_p
///     d_neg = d(a, n), or min(d(a, n), d(p, n)) with `swap`
///     l = max(0, (margin + d(a, p)) - d_neg)
///     mean -> (1/R) sum l ;  sum -> sum l ;  none -> [l]      (R rows)
///
/// **Gradient** (see `TripletMargin` and `PairwiseDistance`): g = s where the hinge is > 0,
/// else 0, s = 1/R (mean) or 1; d(a, p) gets g, d_neg gets -g (with `swap`, the smaller of
/// d(a, n) and d(p, n) takes it, a tie gives -g/2 to each, as `torch.minimum`); then with
/// v = (x1 - x2) + eps and ATen's `norm_backward`:
///
///     dd/dx1_k = -dd/dx2_k = sgn(v_k) (p = 1) ;  v_k / d (p = 2) ;  sgn(v_k) |v_k|^(p-1) / d^(p-1) (other p)
///
/// with ATen's zero-norm choices: 0 where d == 0 (p > 1), 0 where v_k == 0 (p < 1); p = 0
/// (a count of non-zeros) has no gradient at all, as autograd gives none.
///
/// - Options (YAML key, default): `margin` (1.0; must be > 0 as PyTorch checks), `p` (2.0; any
///   real, p < 0 refuses an empty last dimension as PyTorch does), `eps` (1e-6), `swap` (false),
///   `reduction` (`mean`).
/// - Shapes: anchor `(N, D)`, `(D)` or any `(*, D)`; positive and negative exactly the anchor's
///   shape (PyTorch would broadcast; lossd does not); output scalar, or `(*)` for `none`
///   (`()` for 1-D inputs).
/// - Kink: at margin + d(a, p) == d_neg the gradient is 0 (`clamp_min` backward is `self > min`
///   in the installed PyTorch). Values whose p-th powers overflow give inf/NaN, as in PyTorch.
/// - Check: a = [0], p = [1], n = [3], eps = 0 -> max(0, 1 + 1 - 3) = 0; n = [1.5] -> 0.5.
public struct TripletMarginLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "triplet_margin", pytorchName: "TripletMarginLoss",
        summary: "triplet loss max(0, margin + d(a, p) - d(a, n)) with the p-norm distance",
        arguments: TripletMargin.arguments,
        options: [
            OptionSpec("margin", .number, default: .number(1), "margin of the hinge, > 0"),
            OptionSpec("p", .number, default: .number(2), "norm degree of the pairwise distance"),
            OptionSpec("eps", .number, default: .number(1e-6), "added to x1 - x2 before the norm"),
            OptionSpec("swap", .bool, default: .bool(false), "use min(d(a, n), d(p, n)) as the negative distance"),
            .reduction,
        ])

    public let margin: Double
    public let swap: Bool
    public let reduction: Reduction
    let distance: PairwiseDistance

    public init(options: LossOptions) throws(LossError) {
        margin = options.number("margin")
        try TripletMargin.checkMargin(margin)
        swap = options.bool("swap")
        reduction = options.reduction
        distance = PairwiseDistance(p: options.number("p"), eps: options.number("eps"))
    }

    /// p = 0 counts non-zeros: PyTorch's autograd gives no gradient for any argument.
    public func differentiableArguments(_ arguments: LossArguments) -> [Bool] {
        Array(repeating: distance.p != 0, count: 3)
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        try TripletMargin.validate(arguments, distance, reduction)
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        TripletMargin.evaluate(arguments, distance, margin: margin, swap: swap, reduction, output: &output, gradients: &gradients)
    }
}
