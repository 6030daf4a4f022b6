// SPDX-License-Identifier: Apache-2.0

import RealModule

/// Multi-label one-versus-all logistic loss (PyTorch `torch.nn.MultiLabelSoftMarginLoss`),
/// registry name `multilabel_soft_margin`.
///
/// Input `x` of shape `(C)` or `(N, C)` (classes on the last dimension), target `t` of the same
/// shape (usually 0/1 labels), w the `weight` broadcast to the input (1 without it). As PyTorch's
/// composite `multilabel_soft_margin_loss`, with ls = log_sigmoid (`Kernels.logSigmoid`):
///
///     Per sample:   l_n = (1/C) sum_c -w_nc (t_nc ls(x_nc) + (1 - t_nc) ls(-x_nc))
///     Reduction:    mean -> (1/N) sum_n l_n ;  sum -> sum_n l_n ;  none -> [l_n]
///     Gradient:     dL/dx_nc = -(t_nc ls'(x_nc) - (1 - t_nc) ls'(-x_nc)) w_nc s / C
///                   dL/dt_nc = -(ls(x_nc) - ls(-x_nc)) w_nc s / C ,   s = 1/N (mean) or 1
///
/// where ls'(x) is ATen's `log_sigmoid_backward`: with e = exp(-|x|), 1 - e/(1+e) for x < 0 and
/// e/(1+e) otherwise. Both gradients are written in autograd's form (not the simplified
/// sigmoid(x) - t and -x) so that they round as PyTorch's do.
///
/// - Options (YAML key, default): `weight` (None; PyTorch documents shape `(C)`, and like PyTorch
///   any shape that broadcasts to the input is accepted, e.g. `(N, C)` or `(N, 1)`; a weight of
///   higher rank than the input, which would enlarge the output, is refused), `reduction` (`mean`).
///   Legacy `size_average`/`reduce` are refused.
/// - Shapes: input `(C)` or `(N, C)`; higher ranks `(N, d1, ..., C)` are accepted as PyTorch does,
///   classes always on the last dimension; target the input's shape (no broadcasting); output
///   scalar, or the input's shape without the last dimension for `none` (`()` for `(C)` input).
/// - Edge cases: a scalar input is an error. C == 0 gives NaN per sample (0/0) and N == 0 with
///   `mean` gives NaN, as in PyTorch.
/// - Check: x = [0], t = [1] -> log 2 = 0.6931.
public struct MultiLabelSoftMarginLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "multilabel_soft_margin", pytorchName: "MultiLabelSoftMarginLoss",
        summary: "one-versus-all logistic loss over C labels, averaged over the labels",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "logits (C) or (N, C)"),
            ArgumentSpec("target", .real(differentiable: true), "labels 0 or 1, same shape as input"),
        ],
        options: [
            .weight("manual rescaling weight for each class, shape (C) (broadcast to the input)"),
            .reduction,
        ])

    public let weight: Tensor?
    public let reduction: Reduction

    public init(options: LossOptions) {
        weight = options.tensor("weight")
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let input = arguments[0], target = arguments[1]
        guard input.rank >= 1 else {
            throw .shape("input", "expected (C) or (N, C), got a scalar")
        }
        try Validation.requireSameShape(target, "target", as: input, "input")
        try Validation.requireFinite(input, "input")
        try Validation.requireFinite(target, "target")
        if let weight { try Validation.requireBroadcastable(weight, "weight", to: input.shape) }
        return reduction == .none ? Array(input.shape.dropLast()) : []
    }

    /// ATen's `log_sigmoid_backward` for an upstream gradient of 1: d/dx log(sigmoid(x)).
    @inline(__always)
    static func logSigmoidDerivative(_ x: Double) -> Double {
        let e = Double.exp(-Swift.abs(x))
        return x < 0 ? 1 - e / (1 + e) : e / (1 + e)
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let input = arguments[0]
        let classes = input.shape.last!
        let samples = input.shape.dropLast().reduce(1, *)
        let scale = reduction == .mean ? 1 / Double(samples) : 1
        let perClass = scale / Double(classes)
        let weights = weight?.scalars
        let broadcast = weight.map { Broadcast(source: $0.shape, to: input.shape) }
        let wantsInput = gradients.wants(0), wantsTarget = gradients.wants(1)
        var total = 0.0
        gradients.withBuffers(0, 1) { gradInput, gradTarget in
            // Sound: validation made input, target, every wanted gradient `samples * classes` long and
            // `none` output `samples` long; Broadcast maps each flat index into the validated weight.
            input.scalars.withUnsafeBufferPointer { x in
                arguments[1].scalars.withUnsafeBufferPointer { t in
                    gradInput.withUnsafeMutableBufferPointer { gx in
                        gradTarget.withUnsafeMutableBufferPointer { gt in
                            for n in 0..<samples {
                                var sampleLoss = 0.0
                                for i in (n * classes)..<((n + 1) * classes) {
                                    let w = weights.map { $0[broadcast!.offset(of: i)] } ?? 1
                                    let lsPositive = Kernels.logSigmoid(x[i]), lsNegative = Kernels.logSigmoid(-x[i])
                                    sampleLoss += -(t[i] * lsPositive + (1 - t[i]) * lsNegative) * w
                                    let g = w * perClass
                                    if wantsInput {
                                        gx[i] = -(t[i] * Self.logSigmoidDerivative(x[i]) - (1 - t[i]) * Self.logSigmoidDerivative(-x[i])) * g
                                    }
                                    if wantsTarget { gt[i] = -(lsPositive - lsNegative) * g }
                                }
                                let value = sampleLoss / Double(classes)
                                if reduction == .none { output[n] = value } else { total += value }
                            }
                        }
                    }
                }
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total
        case .mean: output[0] = total / Double(samples)
        }
    }
}
