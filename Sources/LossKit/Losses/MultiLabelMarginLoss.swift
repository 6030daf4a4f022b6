// SPDX-License-Identifier: Apache-2.0

/// Multi-label hinge loss (PyTorch `torch.nn.MultiLabelMarginLoss`), registry name `multilabel_margin`.
///
/// Input x holds C class scores per sample, shape `(C)` or `(N, C)` (a 0-d input is one class).
/// Target t has the input's shape and lists the sample's target classes, padded with -1: only the
/// indices before the first -1 count. With T = that list (duplicates kept) and
/// S = the set of classes in T, as ATen's CPU kernel:
///
///     z_{j,i} = (1 - x_j) + x_i                     for j in T, i not in S
///     l = (1/C) sum_{j in T} sum_{i not in S, z_{j,i} > 0} z_{j,i}
///     mean -> (sum_n L_n / C) / N ;  sum -> sum_n L_n / C ;  none -> [l]   (L_n = C l_n)
///
/// **Gradient** (ATen's backward kernel), s = 1/(N C) (mean) or 1/C (sum, none), for every pair
/// (j in T, i not in S) with z_{j,i} > 0:
///
///     dL/dx_j -= s ,  dL/dx_i += s         (0 for classes in no such pair)
///
/// A class listed twice in T counts twice, as in PyTorch.
///
/// - Options (YAML key, default): `reduction` (`mean`).
/// - Shapes: target exactly the input's shape; output scalar, or `(N)` for `none` with a 2-D
///   input (a `(C)` input gives a scalar even for `none`).
/// - Kink: z == 0 contributes nothing and has a zero gradient (ATen tests `z > 0` strictly).
/// - Edge cases: every target element must lie in [-1, C), also after the first -1 (ATen checks
///   the whole tensor); an empty batch with `mean` or `sum` is an error (PyTorch returns
///   uninitialised memory there), `none` gives an empty output.
/// - Check: x = [[0.1, 0.2, 0.4, 0.8]], t = [[3, 0, -1, 1]] -> 0.85.
public struct MultiLabelMarginLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "multilabel_margin", pytorchName: "MultiLabelMarginLoss",
        summary: "multi-label hinge loss of class scores vs -1-padded class index lists",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "class scores (C) or (N, C)"),
            ArgumentSpec("target", .index, "target class indices padded with -1, same shape as input"),
        ],
        options: [.reduction])

    public let reduction: Reduction

    public init(options: LossOptions) {
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let input = arguments[0], target = arguments[1]
        guard input.rank <= 2, input.rank == 0 || input.shape[input.rank - 1] != 0 else {
            throw .shape("input", "expected a non-empty (C) or (N, C) input with C > 0, got \(input.shapeDescription)")
        }
        try Validation.requireSameShape(target, "target", as: input, "input")
        let (samples, classes) = MultiMarginLoss.layout(input)
        if samples == 0, reduction != .none {
            throw .shape("input", "an empty batch \(input.shapeDescription) has no defined '\(reduction.rawValue)' (PyTorch returns uninitialised memory)")
        }
        try Validation.requireFinite(input, "input")
        try Validation.requireIndexType(target, "target", reason: "expected scalar type Long but found \(target.dtype.pytorchName)")
        try Validation.requireIntegral(target, "target")
        for (offset, value) in target.scalars.enumerated() where !(-1..<classes).contains(Int(value)) {
            throw .value("target", "class index \(Int(value)) at element \(offset) is out of range: expected -1 (padding) or [0, \(classes))")
        }
        return reduction == .none && input.rank == 2 ? [samples] : []
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let (samples, classes) = MultiMarginLoss.layout(arguments[0])
        // ATen: g = 1 / (nframe * dim) for mean, 1 / dim otherwise.
        let g = reduction == .mean ? 1 / Double(samples * classes) : 1 / Double(classes)
        let wantsInput = gradients.wants(0)
        let reduction = self.reduction
        // Scratch: is_target for one sample.
        if workspace.count < classes { workspace = Array(repeating: 0, count: classes) }
        var total = 0.0
        // Sound: sample n covers [n * classes, (n + 1) * classes) < input.count == target.count
        // (validated); listed indices were range-checked to [0, C); workspace has >= C elements;
        // the gradient buffer, when wanted, has input.count.
        arguments[0].scalars.withUnsafeBufferPointer { x in
            arguments[1].scalars.withUnsafeBufferPointer { t in
                workspace.withUnsafeMutableBufferPointer { isTarget in
                    gradients.buffers[0].withUnsafeMutableBufferPointer { grad in
                        for sample in 0..<samples {
                            let base = sample * classes
                            for c in 0..<classes { isTarget[c] = 0 }
                            if wantsInput { for c in 0..<classes { grad[base + c] = 0 } }
                            for slot in 0..<classes {
                                let j = Int(t[base + slot])
                                if j < 0 { break }
                                isTarget[j] = 1
                            }
                            var sum = 0.0
                            for slot in 0..<classes {
                                let j = Int(t[base + slot])
                                if j < 0 { break }
                                let xj = x[base + j]
                                for i in 0..<classes where isTarget[i] == 0 {
                                    let z = 1 - xj + x[base + i]
                                    if z > 0 {
                                        sum += z
                                        if wantsInput {
                                            grad[base + j] -= g
                                            grad[base + i] += g
                                        }
                                    }
                                }
                            }
                            if reduction == .none { output[sample] = sum / Double(classes) } else { total += sum }
                        }
                    }
                }
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total / Double(classes)
        case .mean: output[0] = total / Double(classes) / Double(samples)
        }
    }
}
