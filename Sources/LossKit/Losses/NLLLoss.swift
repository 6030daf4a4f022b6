// SPDX-License-Identifier: Apache-2.0

/// Negative log likelihood of log-probabilities (PyTorch `torch.nn.NLLLoss`), registry name `nll`.
///
/// Input `x` holds log-probabilities, shape `(C)`, `(N, C)` or `(N, C, d1, ..., dK)`; target `y`
/// class indices, shape `()`, `(N)` or `(N, d1, ..., dK)`; w_c the class weight (1 without `weight`).
///
///     l = -w_y x_y          (0 where y == ignore_index)
///     mean -> sum l / sum_{not ignored} w_y ;  sum -> sum l ;  none -> [l]
///     dl/dx_c = -w_y s [c == y],  s = 1 / sum_{not ignored} w_y (mean) or 1
///
/// - Options (YAML key, default): `weight` (None, shape `(C)`), `ignore_index` (-100), `reduction` (`mean`).
/// - Edge cases: every target ignored with `mean` gives NaN and a zero gradient, as in PyTorch.
///   A class index outside [0, C) that is not `ignore_index` is an error.
public struct NLLLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "nll", pytorchName: "NLLLoss",
        summary: "negative log likelihood of log-probabilities vs class indices",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "log-probabilities (C), (N, C) or (N, C, d1, ..., dK)"),
            ArgumentSpec("target", .index, "class indices (), (N) or (N, d1, ..., dK)"),
        ],
        options: [
            .weight("manual rescaling weight for each class, shape (C)"),
            OptionSpec("ignore_index", .integer, default: .integer(-100), "class index whose samples are skipped"),
            .reduction,
        ])

    public let weight: [Double]?
    /// The weight was written with integer literals (a Long tensor), which PyTorch refuses.
    let weightIsLong: Bool
    public let ignoreIndex: Int
    public let reduction: Reduction

    public init(options: LossOptions) {
        weight = options.tensor("weight")?.scalars
        weightIsLong = options.tensor("weight")?.isInteger == true
        ignoreIndex = options.integer("ignore_index")
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let layout = try ClassLayout(input: arguments[0])
        try Validation.requireFinite(arguments[0], "input")
        try layout.validateClassWeight(weight.map { Tensor($0) })
        try Validation.requireFloatingWeight(isLong: weightIsLong)
        try layout.validateIndices(arguments[1], ignoreIndex: ignoreIndex)
        return reduction == .none ? layout.sampleShape : []
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let layout = try! ClassLayout(input: arguments[0])
        let stride = layout.inner
        let x = arguments[0].scalars, target = arguments[1].scalars
        var totalWeight = 0.0
        for sample in 0..<layout.samples {
            let y = Int(target[sample])
            if y != ignoreIndex { totalWeight += weight?[y] ?? 1 }
        }
        let scale = reduction == .mean ? 1 / totalWeight : 1
        let wantsInput = gradients.wants(0)
        if wantsInput {
            gradients.buffers[0].withUnsafeMutableBufferPointer { grad in
                for i in grad.indices { grad[i] = 0 }
            }
        }
        var total = 0.0
        for sample in 0..<layout.samples {
            let y = Int(target[sample])
            guard y != ignoreIndex else {
                if reduction == .none { output[sample] = 0 }
                continue
            }
            let position = layout.base(ofSample: sample) + y * stride
            let wy = weight?[y] ?? 1
            let loss = -wy * x[position]
            if reduction == .none { output[sample] = loss } else { total += loss }
            if wantsInput { gradients.buffers[0][position] = wy * -scale }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total
        case .mean: output[0] = total / totalWeight
        }
    }
}
