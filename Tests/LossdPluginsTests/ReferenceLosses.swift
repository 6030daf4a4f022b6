// SPDX-License-Identifier: Apache-2.0

import LossKit

#if canImport(Glibc)
import Glibc
#endif

/// The example plugins' losses written again in Swift, term by term as documented in their
/// sources, registered under the same names: `lossd run` on the plugins must match these.
enum ReferenceLosses {
    static var registry: LossRegistry {
        var builder = LossRegistry.Builder.builtins
        try! builder.register(ReferenceLogCosh.self, origin: "reference")
        try! builder.register(ReferencePinball.self, origin: "reference")
        return builder.build()
    }

    /// The element loop of both references: `element(x_i, y_i)` gives l_i and dl_i/dx_i
    /// (dl_i/dy_i is its negative), reduced by `reduction` in index order.
    static func evaluateElementwise(_ arguments: LossArguments, _ reduction: Reduction, _ output: inout [Double],
                                    _ gradients: inout LossGradients, _ element: (Double, Double) -> (value: Double, slope: Double)) {
        let x = arguments[0].scalars, y = arguments[1].scalars, n = x.count
        let scale = reduction == .mean ? 1.0 / Double(n) : 1.0
        var total = 0.0
        for i in 0..<n {
            let (value, slope) = element(x[i], y[i])
            if reduction == .none { output[i] = value } else { total += value }
            if gradients.wants(0) { gradients.buffers[0][i] = slope * scale }
            if gradients.wants(1) { gradients.buffers[1][i] = -slope * scale }
        }
        if reduction == .mean { output[0] = total / Double(n) }
        if reduction == .sum { output[0] = total }
    }
}

/// d = x - y, l = log(cosh(a d)) / a, dl/dx = tanh(a d) (Examples/plugins/logcosh/logcosh.c).
struct ReferenceLogCosh: BuiltinLoss {
    static let descriptor = LossDescriptor(
        name: "logcosh", pytorchName: "logcosh", summary: "reference log-cosh", arguments: LossDescriptor.inputTarget,
        options: [.reduction, OptionSpec("sharpness", .number, default: .number(1), "a")])
    let reduction: Reduction
    let a: Double

    init(options: LossOptions) {
        reduction = options.reduction
        a = options.number("sharpness")
    }

    func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        reduction == .none ? arguments[0].shape : []
    }

    func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        ReferenceLosses.evaluateElementwise(arguments, reduction, &output, &gradients) { x, y in
            let d = x - y
            let z = Swift.abs(a * d)
            return ((z + log1p(exp(-2.0 * z)) - log(2.0)) / a, tanh(a * d))
        }
    }
}

/// d = y - x, l = max(q d, (q - 1) d), dl/dx = -q, 1 - q or 0 (Examples/plugins/pinball).
struct ReferencePinball: BuiltinLoss {
    static let descriptor = LossDescriptor(
        name: "pinball", pytorchName: "pinball", summary: "reference pinball", arguments: LossDescriptor.inputTarget,
        options: [.reduction, OptionSpec("quantile", .number, default: .number(0.5), "q")])
    let reduction: Reduction
    let q: Double

    init(options: LossOptions) {
        reduction = options.reduction
        q = options.number("quantile")
    }

    func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        reduction == .none ? arguments[0].shape : []
    }

    func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        ReferenceLosses.evaluateElementwise(arguments, reduction, &output, &gradients) { x, y in
            let d = y - x
            return (Swift.max(q * d, (q - 1) * d), d > 0 ? -q : (d < 0 ? 1 - q : 0))
        }
    }
}
