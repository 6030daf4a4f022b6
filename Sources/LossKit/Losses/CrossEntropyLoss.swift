// SPDX-License-Identifier: Apache-2.0

import RealModule

/// Cross entropy of logits (PyTorch `torch.nn.CrossEntropyLoss`), registry name `cross_entropy`.
///
/// Input `x` holds unnormalised logits, shape `(C)`, `(N, C)` or `(N, C, d1, ..., dK)`; per sample
/// lsm_c = x_c - logsumexp_k x_k (computed with `Kernels.logSumExp`), p_c = exp(lsm_c), w_c the
/// class weight (1 without `weight`), eps = `label_smoothing`, W_all = sum_c w_c.
///
/// Class-index target y (shape `()`, `(N)` or `(N, d1, ..., dK)`):
///
///     l = (1 - eps) * (-w_y lsm_y) + (eps / C) * (-sum_c w_c lsm_c)      (0 where y == ignore_index)
///     mean -> sum l / sum_{not ignored} w_y ;  sum -> sum l ;  none -> [l]
///     dl/dx_c = (1 - eps) w_y (p_c - [c == y]) + (eps / C) (p_c W_all - w_c)
///
/// Class-probability target t (same shape as the input; chosen exactly when the shapes match,
/// as PyTorch does), t'_c = (1 - eps) t_c + eps / C:
///
///     l = -sum_c w_c t'_c lsm_c
///     mean -> sum l / (N * d1 * ... * dK) ;  sum -> sum l ;  none -> [l]
///     dl/dx_c = -w_c t'_c + p_c sum_k w_k t'_k ,   dl/dt_c = -(1 - eps) w_c lsm_c
///
/// Gradients are scaled by the mean's 1/denominator. The label-smoothing mean divides the smoothing
/// term by the summed target weights too (PyTorch's `cross_entropy_loss_label_smoothing`, not the
/// textbook formula); the `weight_smoothing*` goldens cover it.
///
/// - Options (YAML key, default): `weight` (None, shape `(C)`), `ignore_index` (-100, indices only),
///   `reduction` (`mean`), `label_smoothing` (0.0, in [0, 1]).
/// - Edge cases: every target ignored with `mean` gives NaN and a zero gradient, as in PyTorch
///   (pytorch#64572). A class index outside [0, C) that is not `ignore_index` is an error.
/// - Check: x = [[0.1, 0.2, 0.3]], y = [1] -> 1.1019.
public struct CrossEntropyLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "cross_entropy", pytorchName: "CrossEntropyLoss",
        summary: "softmax cross entropy of logits vs class indices or probabilities",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "logits (C), (N, C) or (N, C, d1, ..., dK)"),
            ArgumentSpec("target", .real(differentiable: true), "class indices (), (N) or (N, d1, ..., dK), or probabilities shaped like input"),
        ],
        options: [
            .weight("manual rescaling weight for each class, shape (C)"),
            OptionSpec("ignore_index", .integer, default: .integer(-100), "class index whose samples are skipped (index targets only)"),
            .reduction,
            OptionSpec("label_smoothing", .number, default: .number(0), "amount of smoothing in [0, 1]"),
        ])

    public let weight: [Double]?
    /// The weight was written with integer literals (a Long tensor): refused with class indices.
    let weightIsLong: Bool
    public let ignoreIndex: Int
    public let reduction: Reduction
    public let labelSmoothing: Double

    public init(options: LossOptions) throws(LossError) {
        weight = options.tensor("weight")?.scalars
        weightIsLong = options.tensor("weight")?.isInteger == true
        ignoreIndex = options.integer("ignore_index")
        reduction = options.reduction
        labelSmoothing = options.number("label_smoothing")
        guard (0...1).contains(labelSmoothing) else {
            throw .option("label_smoothing", "must be in [0, 1], got \(labelSmoothing)")
        }
    }

    /// Whether `target` holds class probabilities (same shape as `input`) rather than indices.
    static func hasProbabilityTarget(_ arguments: LossArguments) -> Bool {
        arguments[1].shape == arguments[0].shape
    }

    public func differentiableArguments(_ arguments: LossArguments) -> [Bool] {
        [true, Self.hasProbabilityTarget(arguments)]
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let input = arguments[0], target = arguments[1]
        let layout = try ClassLayout(input: input)
        try Validation.requireFinite(input, "input")
        try layout.validateClassWeight(weight.map { Tensor($0) })
        if Self.hasProbabilityTarget(arguments) {
            try Validation.requireFloatingType(target, "target", reason: "Expected floating point type for target with class probabilities, got Long")
            try Validation.requireFinite(target, "target")
        } else {
            try Validation.requireFloatingWeight(isLong: weightIsLong)
            try layout.validateIndices(target, ignoreIndex: ignoreIndex)
        }
        return reduction == .none ? layout.sampleShape : []
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        // Validation accepted the shapes, so the layout cannot fail.
        let layout = try! ClassLayout(input: arguments[0])
        if Self.hasProbabilityTarget(arguments) {
            evaluateProbabilities(arguments, layout, output: &output, gradients: &gradients)
        } else {
            evaluateIndices(arguments, layout, output: &output, gradients: &gradients)
        }
    }

    private func evaluateIndices(_ arguments: LossArguments, _ layout: ClassLayout, output: inout [Double], gradients: inout LossGradients) {
        let classes = layout.classes, stride = layout.inner
        let eps = labelSmoothing, smoothing = eps / Double(classes)
        let target = arguments[1].scalars
        // Pre-pass: the mean's denominator, sum of w_y over samples that are not ignored.
        var totalWeight = 0.0
        for sample in 0..<layout.samples {
            let y = Int(target[sample])
            if y != ignoreIndex { totalWeight += weight?[y] ?? 1 }
        }
        let weightSum = weight?.reduce(0, +) ?? Double(classes)
        let scale = reduction == .mean ? 1 / totalWeight : 1
        var total = 0.0
        let wantsInput = gradients.wants(0)
        // Sound: indices stay below layout.batch * C * inner == input.count (validated), and class
        // indices were range-checked against C.
        arguments[0].scalars.withUnsafeBufferPointer { x in
            gradients.buffers[0].withUnsafeMutableBufferPointer { grad in
                for sample in 0..<layout.samples {
                    let base = layout.base(ofSample: sample)
                    let y = Int(target[sample])
                    if y == ignoreIndex {
                        if reduction == .none { output[sample] = 0 }
                        if wantsInput { for c in 0..<classes { grad[base + c * stride] = 0 } }
                        continue
                    }
                    let lse = Kernels.logSumExp(x, base: base, count: classes, stride: stride)
                    let wy = weight?[y] ?? 1
                    var loss = -wy * (x[base + y * stride] - lse)
                    if eps > 0 {
                        var smooth = 0.0
                        for c in 0..<classes { smooth -= (weight?[c] ?? 1) * (x[base + c * stride] - lse) }
                        loss = (1 - eps) * loss + smoothing * smooth
                    }
                    if reduction == .none { output[sample] = loss } else { total += loss }
                    guard wantsInput else { continue }
                    for c in 0..<classes {
                        let p = Double.exp(x[base + c * stride] - lse)
                        var g = (1 - eps) * wy * (c == y ? p - 1 : p)
                        if eps > 0 { g += smoothing * (p * weightSum - (weight?[c] ?? 1)) }
                        grad[base + c * stride] = g * scale
                    }
                }
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total
        case .mean: output[0] = total / totalWeight
        }
    }

    private func evaluateProbabilities(_ arguments: LossArguments, _ layout: ClassLayout, output: inout [Double], gradients: inout LossGradients) {
        let classes = layout.classes, stride = layout.inner
        let eps = labelSmoothing, smoothing = eps / Double(classes)
        let scale = reduction == .mean ? 1 / Double(layout.samples) : 1
        var total = 0.0
        let wantsInput = gradients.wants(0), wantsTarget = gradients.wants(1)
        gradients.withBuffers(0, 1) { gradInput, gradTarget in
            // Sound: as in evaluateIndices; target has the input's shape.
            arguments[0].scalars.withUnsafeBufferPointer { x in
                arguments[1].scalars.withUnsafeBufferPointer { t in
                    for sample in 0..<layout.samples {
                        let base = layout.base(ofSample: sample)
                        let lse = Kernels.logSumExp(x, base: base, count: classes, stride: stride)
                        var loss = 0.0
                        var weightedTargets = 0.0
                        for c in 0..<classes {
                            let i = base + c * stride
                            let smoothed = eps > 0 ? t[i] * (1 - eps) + smoothing : t[i]
                            let w = weight?[c] ?? 1
                            loss -= w * smoothed * (x[i] - lse)
                            weightedTargets += w * smoothed
                        }
                        if reduction == .none { output[sample] = loss } else { total += loss }
                        for c in 0..<classes where wantsInput || wantsTarget {
                            let i = base + c * stride
                            let w = weight?[c] ?? 1
                            let lsm = x[i] - lse
                            if wantsInput {
                                let smoothed = eps > 0 ? t[i] * (1 - eps) + smoothing : t[i]
                                gradInput[i] = (-w * smoothed + Double.exp(lsm) * weightedTargets) * scale
                            }
                            if wantsTarget { gradTarget[i] = -(1 - eps) * w * lsm * scale }
                        }
                    }
                }
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total
        case .mean: output[0] = total / Double(layout.samples)
        }
    }
}
