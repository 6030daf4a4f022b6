// SPDX-License-Identifier: Apache-2.0

/// The value of one element's loss and its partial derivatives.
public struct ElementLoss: Sendable {
    public var value: Double
    /// d value / d input
    public var dInput: Double
    /// d value / d target
    public var dTarget: Double

    @inlinable
    public init(_ value: Double, dInput: Double, dTarget: Double) {
        self.value = value
        self.dInput = dInput
        self.dTarget = dTarget
    }
}

/// The driver shared by element-wise losses of `input` and a same-shaped `target`
/// (`l1`, `mse`, `smooth_l1`, `huber`, `soft_margin`, ...).
///
///     none -> out_i = l_i ;  mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i
///     d out / d x_i = s * dl_i/dx_i ,  s = 1/N (mean), 1 (sum, none)
///
/// One pass over memory: each element's value and derivatives are computed together. With `mean`
/// and N == 0 the value is NaN, as in PyTorch.
public enum Pointwise {
    /// Validation for `input`/`target` (arguments 0 and 1): same shape, finite.
    public static func validate(_ arguments: LossArguments, _ reduction: Reduction) throws(LossError) -> [Int] {
        let input = arguments[0], target = arguments[1]
        try Validation.requireSameShape(target, "target", as: input, "input")
        try Validation.requireFinite(input, "input")
        try Validation.requireFinite(target, "target")
        return Validation.outputShape(elementShape: input.shape, reduction)
    }

    /// Runs `element` over every (input, target) pair, reducing and writing gradients.
    @inlinable
    public static func evaluate(
        _ arguments: LossArguments, _ reduction: Reduction,
        output: inout [Double], gradients: inout LossGradients,
        _ element: (Double, Double) -> ElementLoss
    ) {
        let count = arguments[0].count
        let scale = reduction == .mean ? 1 / Double(count) : 1
        var total = 0.0
        let wantsInput = gradients.wants(0), wantsTarget = gradients.wants(1)
        gradients.withBuffers(0, 1) { gradInput, gradTarget in
            // Sound: every buffer below is indexed by i < count, and validation made input,
            // target, the non-empty gradients and (for `none`) output exactly `count` long.
            arguments[0].scalars.withUnsafeBufferPointer { x in
                arguments[1].scalars.withUnsafeBufferPointer { y in
                    gradInput.withUnsafeMutableBufferPointer { gx in
                        gradTarget.withUnsafeMutableBufferPointer { gy in
                            output.withUnsafeMutableBufferPointer { out in
                                for i in 0..<count {
                                    let l = element(x[i], y[i])
                                    if reduction == .none { out[i] = l.value } else { total += l.value }
                                    if wantsInput { gx[i] = l.dInput * scale }
                                    if wantsTarget { gy[i] = l.dTarget * scale }
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
