// SPDX-License-Identifier: Apache-2.0

import RealModule

/// Negative log likelihood of a Poisson target (PyTorch `torch.nn.PoissonNLLLoss`), registry name
/// `poisson_nll`.
///
/// Input x is the log-rate (`log_input`, the default) or the rate; target y the observed counts.
///
///     Per element:  l_i = exp(x_i) - y_i x_i                   (log_input)
///                   l_i = x_i - y_i log(x_i + eps)             (not log_input)
///                   full adds the Stirling term where y_i > 1 (0 where y_i <= 1):
///                   st_i = y_i log(y_i) - y_i + 0.5 log(2 pi y_i)
///     Reduction:    mean -> (1/N) sum_i l_i ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     g = 1/N (mean) or 1 (sum, none), applied to each term first as autograd does
///                   dL/dx_i = g exp(x_i) - g y_i                (log_input)
///                   dL/dx_i = g - g y_i / (x_i + eps)           (not log_input)
///                   dL/dy_i = -g x_i  or  -g log(x_i + eps),
///                   full, where y_i > 1, first sums (g log(y_i) - g + g y_i / y_i + (0.5 g / (2 pi y_i)) 2 pi)
///                   in this order (the terms cancel, so the order shows in the last bits)
///
/// With `full`, PyTorch masks the Stirling term after computing it, so autograd multiplies a zero
/// gradient by log(y_i) and 1/y_i: the target gradient is NaN where y_i <= 0 (0 * -inf, 0 * NaN),
/// and lossd reports the same. Value and input gradient are unaffected.
///
/// - Options (YAML key, default): `log_input` (True), `full` (False), `eps` (1e-8, added to the
///   rate when not `log_input`), `reduction` (`mean`).
/// - Shapes: input `(*)`; target the same shape; output scalar, or `(*)` for `none`.
/// - Edge cases: without `log_input`, x_i + eps <= 0 is an error (PyTorch gives NaN or inf silently).
///   With `log_input`, exp(x_i) overflows to inf beyond x_i ~ 709.78, as in PyTorch.
/// - Check: x = [0], y = [2] -> 1 (log_input); dL/dx = -1.
public struct PoissonNLLLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "poisson_nll", pytorchName: "PoissonNLLLoss",
        summary: "negative log likelihood of Poisson-distributed counts",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "log-rate (log_input) or rate, any shape (*)"),
            ArgumentSpec("target", .real(differentiable: true), "observed counts, same shape as input"),
        ],
        options: [
            OptionSpec("log_input", .bool, default: .bool(true), "input is the log of the rate: loss exp(x) - y x"),
            OptionSpec("full", .bool, default: .bool(false), "add the Stirling approximation term y log y - y + 0.5 log(2 pi y) where y > 1"),
            OptionSpec("eps", .number, default: .number(1e-8), "added to the rate inside the log when log_input is False"),
            .reduction,
        ])

    /// 2 pi, the factor ATen multiplies the target by inside the Stirling term's log.
    @usableFromInline
    static let twoPi = 2 * Double.pi

    public let logInput: Bool
    public let full: Bool
    public let eps: Double
    public let reduction: Reduction

    public init(options: LossOptions) {
        logInput = options.bool("log_input")
        full = options.bool("full")
        eps = options.number("eps")
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let shape = try Pointwise.validate(arguments, reduction)
        if !logInput {
            for (offset, value) in arguments[0].scalars.enumerated() where !(value + eps > 0) {
                throw .value("input", "element \(offset) is \(value); with log_input False the rate plus eps (\(eps)) must be > 0")
            }
        }
        return shape
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let logInput = logInput, full = full, eps = eps
        let divisor = reduction == .mean ? Double(arguments[0].count) : 1
        // Autograd scales the incoming gradient g first, then sums the branches in this order
        // (the target gradient's terms cancel in part, so the order shows in the last bits).
        let g = 1 / divisor
        Pointwise.evaluateIndexed(arguments, perElement: reduction == .none, divisor: divisor,
                                  output: &output, gradients: &gradients) { _, x, y in
            var l: ElementLoss
            if logInput {
                let e = Double.exp(x)
                l = ElementLoss(e - y * x, dInput: g * e + -g * y, dTarget: -g * x)
            } else {
                let rate = x + eps
                let logRate = Double.log(rate)
                l = ElementLoss(x - y * logRate, dInput: g + -g * y / rate, dTarget: -g * logRate)
            }
            if full {
                if y > 1 {
                    let logY = Double.log(y)
                    l.value += y * logY - y + 0.5 * Double.log(Self.twoPi * y)
                    l.dTarget = g * logY + -g + g * y / y + 0.5 * g / (Self.twoPi * y) * Self.twoPi + l.dTarget
                } else if !(y > 0) {
                    // Autograd's zero gradient times log(y) and 1/y of the masked term.
                    l.dTarget = .nan
                }
            }
            return l
        }
    }
}
