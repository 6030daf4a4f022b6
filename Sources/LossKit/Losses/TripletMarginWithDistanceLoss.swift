// SPDX-License-Identifier: Apache-2.0

/// Triplet margin loss with a distance function (PyTorch `torch.nn.TripletMarginWithDistanceLoss`),
/// registry name `triplet_margin_with_distance`.
///
/// lossd supports PyTorch's default distance only: `distance_function=None`, which is
/// `torch.pairwise_distance` with p = 2 and eps = 1e-6. It is the option `distance_function`,
/// whose one accepted value `pairwise_distance` is also the default. Then, as `triplet_margin`
/// with p = 2, eps = 1e-6:
///
///     d(x1, x2) = || (x1 - x2) + 1e-6 ||_2
///     d_neg = d(a, n), or torch.minimum(d(a, n), d(p, n)) with `swap`
///     l = max(0, (margin + d(a, p)) - d_neg)
///     mean -> (1/R) sum l ;  sum -> sum l ;  none -> [l]      (R rows)
///
/// **Gradient**: g = s where the hinge is > 0, else 0 (s = 1/R (mean) or 1); d(a, p) gets g,
/// d_neg gets -g (with `swap` the smaller distance takes it, -g/2 each at a tie), and each
/// distance passes its gradient on as dd/dx1_k = -dd/dx2_k = g v_k / d (0 where d == 0),
/// v = (x1 - x2) + 1e-6.
///
/// - Options (YAML key, default): `distance_function` (`pairwise_distance`, the only value;
///   PyTorch's None), `margin` (1.0; must be > 0 as PyTorch checks), `swap` (false),
///   `reduction` (`mean`).
/// - Shapes: anchor `(N, D)`, `(D)` or any `(*, D)`; positive and negative exactly the anchor's
///   shape (PyTorch's distance would broadcast; lossd does not); output scalar, or `(*)` for `none`.
/// - Kink: at margin + d(a, p) == d_neg the gradient is 0 (`clamp_min` backward is `self > min`).
/// - Check: a = [0, 0], p = [3, 4], n = [6, 8] -> max(0, 1 + 5 - 10) = 0 (up to eps).
public struct TripletMarginWithDistanceLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "triplet_margin_with_distance", pytorchName: "TripletMarginWithDistanceLoss",
        summary: "triplet loss max(0, margin + d(a, p) - d(a, n)) with pairwise_distance",
        arguments: TripletMargin.arguments,
        options: [
            OptionSpec("distance_function", .choice(["pairwise_distance"]), default: .string("pairwise_distance"),
                       "the distance: pairwise_distance (PyTorch's default None) is the only one"),
            OptionSpec("margin", .number, default: .number(1), "margin of the hinge, > 0"),
            OptionSpec("swap", .bool, default: .bool(false), "use min(d(a, n), d(p, n)) as the negative distance"),
            .reduction,
        ])

    public let margin: Double
    public let swap: Bool
    public let reduction: Reduction

    public init(options: LossOptions) throws(LossError) {
        margin = options.number("margin")
        try TripletMargin.checkMargin(margin)
        swap = options.bool("swap")
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        try TripletMargin.validate(arguments, .standard, reduction)
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        TripletMargin.evaluate(arguments, .standard, margin: margin, swap: swap, reduction, output: &output, gradients: &gradients)
    }
}
