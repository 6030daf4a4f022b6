// SPDX-License-Identifier: Apache-2.0

import RealModule

/// Gaussian negative log likelihood (PyTorch `torch.nn.GaussianNLLLoss`), registry name `gaussian_nll`.
///
/// Input x holds predicted means, target y observations (same shape), var v predicted variances
/// broadcast to the input by PyTorch's rule (below); v'_i = max(v_i, eps) is clamped under
/// `no_grad`, so the clamp is invisible to the gradient (identity, also where v_i < eps).
///
///     Per element:  l_i = 0.5 (log(v'_i) + (x_i - y_i)^2 / v'_i)  [+ 0.5 log(2 pi) with full]
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     h = s * 0.5,  d = x_i - y_i
///                   dL/dx_i = (h / v'_i) (2 d) ,  dL/dy_i = -dL/dx_i
///                   dL/dv_j = sum over the input elements i that read v_j of
///                             h / v'_i - h ((d^2 / v'_i) / v'_i)
///                   s = 1/N (mean) or 1 (sum, none)
///
/// - Var shapes (PyTorch's `gaussian_nll_loss` rule): the input's shape; the input's shape without
///   its last dimension (one variance per row: unsqueezed to a trailing 1, so a 0-d var fits a 1-d
///   input); or the input's rank with exactly one dimension of extent 1 where the input's differs
///   (e.g. input (4, 3, 32, 32), var (4, 1, 32, 32)). Anything else is an error.
/// - Var as a plain number (`var: 0.5`, a ``Tensor/isPlainNumber``; PyTorch's `var: Tensor | float`):
///   `var * torch.ones_like(input)`, one variance for every element whatever the input's shape,
///   and no gradient for it (a Python float is not differentiated). As in PyTorch it must not be
///   negative (0 is clamped to eps like any variance) and must be a float: an integer (`1`, a
///   Python int) is refused, as `gaussian_nll_loss` refuses it (`torch.any` of a bool). A 0-d
///   tensor (`{"shape": [], "data": [0.5]}` in JSON) keeps the tensor rule above.
/// - Options (YAML key, default): `full` (False), `eps` (1e-6), `reduction` (`mean`).
/// - Shapes: input `(*)`; target the same shape (lossd does not broadcast it); output scalar, or
///   `(*)` for `none`.
/// - Edge cases: a negative var is an error, as in PyTorch. A var that is still 0 after the clamp
///   (eps <= 0) is an error (PyTorch gives inf or NaN silently).
/// - Check: x = [1], y = [0], v = [1] -> 0.5; dL/dx = 1, dL/dv = 0. With var = 1.0 (a plain
///   number) and x = [[1, 1]], y = [[0, 0]]: 0.5, no gradient for var.
public struct GaussianNLLLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "gaussian_nll", pytorchName: "GaussianNLLLoss",
        summary: "Gaussian negative log likelihood with predicted variances",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "predicted means, any shape (*)"),
            ArgumentSpec("target", .real(differentiable: true), "observations, same shape as input"),
            ArgumentSpec("var", .real(differentiable: true), "variances >= 0: a plain number, or a tensor of the input's shape, the input's shape without the last dimension, or one dimension of extent 1"),
        ],
        options: [
            OptionSpec("full", .bool, default: .bool(false), "add the constant 0.5 log(2 pi)"),
            OptionSpec("eps", .number, default: .number(1e-6), "var is clamped to at least eps (the gradient ignores the clamp)"),
            .reduction,
        ])

    /// 0.5 * log(2 pi), the constant `full` adds (PyTorch's `0.5 * math.log(2 * math.pi)`).
    @usableFromInline
    static let halfLogTwoPi = 0.5 * Double.log(2 * Double.pi)

    public let full: Bool
    public let eps: Double
    public let reduction: Reduction

    public init(options: LossOptions) {
        full = options.bool("full")
        eps = options.number("eps")
        reduction = options.reduction
    }

    /// The shape var is read with, right-aligned against the input's (a trailing 1 added where
    /// var lacks the input's last dimension), or `nil` when PyTorch's rule rejects var's shape.
    static func varSource(_ variance: [Int], input: [Int], plainNumber: Bool = false) -> [Int]? {
        if plainNumber { return [] }
        if variance == input { return variance }
        if !input.isEmpty, variance == Array(input.dropLast()) { return variance + [1] }
        guard variance.count == input.count else { return nil }
        let mismatched = zip(input, variance).filter { $0 != $1 }
        return mismatched.count == 1 && mismatched[0].1 == 1 ? variance : nil
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let input = arguments[0], target = arguments[1], variance = arguments[2]
        try Validation.requireSameShape(target, "target", as: input, "input")
        try Validation.requireFinite(input, "input")
        try Validation.requireFinite(target, "target")
        try Validation.requireFinite(variance, "var")
        if variance.isPlainNumber {
            guard variance.isFloating else {
                throw .value("var", "a plain number must be a float: gaussian_nll_loss takes a tensor or a float, and refuses an int "
                             + "(any() received an invalid combination of arguments - got (bool)); write 1.0, not 1")
            }
            guard variance.scalars[0] >= 0 else { throw .value("var", "\(variance.scalars[0]); var has negative entry/entries") }
        }
        try Validation.requireFloatingType(variance, "var", reason: "result type Float can't be cast to the desired output type long int")
        for (offset, value) in variance.scalars.enumerated() where value < 0 {
            throw .value("var", "element \(offset) is \(value); var has negative entry/entries")
        }
        guard Self.varSource(variance.shape, input: input.shape, plainNumber: variance.isPlainNumber) != nil else {
            throw .shape("var", "shape \(variance.shapeDescription) is of incorrect size for input shape \(input.shapeDescription): "
                         + "expected the input's shape, the input's shape without its last dimension, "
                         + "or the input's shape with exactly one dimension of extent 1")
        }
        for (offset, value) in variance.scalars.enumerated() where !(Swift.max(value, eps) > 0) {
            throw .value("var", "element \(offset) is \(value) and eps is \(eps): the clamped variance is 0, the loss would be infinite")
        }
        return Validation.outputShape(elementShape: input.shape, reduction)
    }

    /// A plain-number var is a Python float to PyTorch: it has no gradient.
    public func differentiableArguments(_ arguments: LossArguments) -> [Bool] {
        [arguments.has(0), arguments.has(1), arguments.has(2) && !arguments[2].isPlainNumber]
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let input = arguments[0]
        let count = input.count
        // Validation accepted var's shape, so the source exists.
        let varAt = Broadcast(source: Self.varSource(arguments[2].shape, input: input.shape, plainNumber: arguments[2].isPlainNumber)!,
                              to: input.shape)
        let scale = reduction == .mean ? 1 / Double(count) : 1
        let h = scale * 0.5
        let eps = eps, full = full, perElement = reduction == .none
        let wantsInput = gradients.wants(0), wantsTarget = gradients.wants(1), wantsVar = gradients.wants(2)
        var total = 0.0
        gradients.withBuffers(0, 1, 2) { gradInput, gradTarget, gradVar in
            // Sound: i < count and input, target, their non-empty gradients and (for `none`) output
            // hold `count` elements; varAt maps i into var's elements, which gradVar (when non-empty) has.
            input.scalars.withUnsafeBufferPointer { x in
                arguments[1].scalars.withUnsafeBufferPointer { y in
                    arguments[2].scalars.withUnsafeBufferPointer { v in
                        gradInput.withUnsafeMutableBufferPointer { gx in
                            gradTarget.withUnsafeMutableBufferPointer { gy in
                                gradVar.withUnsafeMutableBufferPointer { gv in
                                    output.withUnsafeMutableBufferPointer { out in
                                        if wantsVar { for j in gv.indices { gv[j] = 0 } }
                                        for i in 0..<count {
                                            let j = varAt.offset(of: i)
                                            let variance = Swift.max(v[j], eps)
                                            let d = x[i] - y[i]
                                            let squared = d * d
                                            var value = 0.5 * (Double.log(variance) + squared / variance)
                                            if full { value += Self.halfLogTwoPi }
                                            if perElement { out[i] = value } else { total += value }
                                            if wantsInput || wantsTarget {
                                                let g = h / variance * (2 * d)
                                                if wantsInput { gx[i] = g }
                                                if wantsTarget { gy[i] = -g }
                                            }
                                            if wantsVar { gv[j] += h / variance + -h * (squared / variance / variance) }
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
