// SPDX-License-Identifier: Apache-2.0

/// Margin ranking loss (PyTorch `torch.nn.MarginRankingLoss`), registry name `margin_ranking`.
///
/// ATen's `margin_ranking_loss` with m = `margin`, x1 = `input1`, x2 = `input2`, y = `target`:
///
///     Per element:  z_i = -y_i (x1_i - x2_i) + m ;  l_i = z_i if z_i > 0, else 0
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     where z_i > 0:  dL/dx1_i = -s y_i ,  dL/dx2_i = s y_i ,  dL/dy_i = -s (x1_i - x2_i)
///                   elsewhere all three are 0 ;   s = 1/N (mean) or 1
///
/// All three arguments are differentiable, as in PyTorch's autograd.
///
/// - Options (YAML key, default): `margin` (0.0, any finite value), `reduction` (`mean`).
///   Legacy `size_average`/`reduce` are refused.
/// - Shapes: input1 `(N)` or `()` (any shape is accepted, as ATen does); input2 and target the
///   same shape as input1 (no broadcasting).
/// - Target: documented as 1 or -1; any finite value is used as is, as in PyTorch.
/// - Kink: at z_i == 0 every gradient is 0 (the comparison is strict, `kink_*` goldens).
/// - Edge cases: N == 0 with `mean` gives NaN, as PyTorch does.
/// - Check: x1 = [2, 0], x2 = [1, 1], y = [1, 1], m = 0.5 -> none [0, 1.5].
public struct MarginRankingLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "margin_ranking", pytorchName: "MarginRankingLoss",
        summary: "hinge on the ranking of two inputs: max(0, -y (x1 - x2) + margin)",
        arguments: [
            ArgumentSpec("input1", .real(differentiable: true), "first scores, (N) or ()"),
            ArgumentSpec("input2", .real(differentiable: true), "second scores, same shape as input1"),
            ArgumentSpec("target", .real(differentiable: true), "1 if input1 should rank higher, -1 if input2 should; same shape"),
        ],
        options: [
            OptionSpec("margin", .number, default: .number(0), "required gap between the ranked inputs"),
            .reduction,
        ])

    public let margin: Double
    public let reduction: Reduction

    public init(options: LossOptions) {
        margin = options.number("margin")
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let input1 = arguments[0], input2 = arguments[1], target = arguments[2]
        try Validation.requireSameShape(input2, "input2", as: input1, "input1")
        try Validation.requireSameShape(target, "target", as: input1, "input1")
        try Validation.requireFinite(input1, "input1")
        try Validation.requireFinite(input2, "input2")
        try Validation.requireFinite(target, "target")
        return Validation.outputShape(elementShape: input1.shape, reduction)
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let count = arguments[0].count
        let scale = reduction == .mean ? 1 / Double(count) : 1
        let margin = self.margin
        let wants1 = gradients.wants(0), wants2 = gradients.wants(1), wantsTarget = gradients.wants(2)
        var total = 0.0
        gradients.withBuffers(0, 1, 2) { grad1, grad2, gradTarget in
            // Sound: validation made input1, input2, target, every wanted gradient and (for `none`)
            // output exactly `count` long; every index below is < count.
            arguments[0].scalars.withUnsafeBufferPointer { x1 in
                arguments[1].scalars.withUnsafeBufferPointer { x2 in
                    arguments[2].scalars.withUnsafeBufferPointer { y in
                        grad1.withUnsafeMutableBufferPointer { g1 in
                            grad2.withUnsafeMutableBufferPointer { g2 in
                                gradTarget.withUnsafeMutableBufferPointer { gy in
                                    output.withUnsafeMutableBufferPointer { out in
                                        for i in 0..<count {
                                            let difference = x1[i] - x2[i]
                                            let z = -y[i] * difference + margin
                                            let active = z > 0
                                            let value = active ? z : 0
                                            if reduction == .none { out[i] = value } else { total += value }
                                            if wants1 { g1[i] = active ? -y[i] * scale : 0 }
                                            if wants2 { g2[i] = active ? y[i] * scale : 0 }
                                            if wantsTarget { gy[i] = active ? -difference * scale : 0 }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total
        case .mean: output[0] = total / Double(count)
        }
    }
}
