// SPDX-License-Identifier: Apache-2.0

import RealModule

/// Kullback-Leibler divergence (PyTorch `torch.nn.KLDivLoss`), registry name `kl_div`.
///
/// Input x holds log-probabilities; target y probabilities, or log-probabilities with `log_target`.
/// PyTorch computes the first term with `xlogy(y, y)`, which is 0 at y == 0:
///
///     Per element:  l_i = xlogy(y_i, y_i) - y_i x_i            (log_target: exp(y_i) (y_i - x_i))
///     Reduction:    mean -> (1/N) sum_i l_i ;  batchmean -> (1/B) sum_i l_i, B = input.shape[0]
///                   (B = 1 for a 0-d input) ;  sum -> sum_i l_i ;  none -> [l_i]
///     Gradient:     g = 1/N (mean), 1/B (batchmean), 1 (sum, none), applied to each term first
///                   dL/dx_i = -g y_i                           (log_target: -g exp(y_i))
///                   dL/dy_i = g log(y_i) + g y_i / y_i - g x_i  (log_target: g (y_i - x_i) exp(y_i) + g exp(y_i))
///
/// The target gradient is autograd's through `xlogy`: at y_i == 0 the `y_i / y_i` term is 0/0, so
/// PyTorch reports NaN there, and so does lossd (the value and the input gradient stay finite).
///
/// - Options (YAML key, default): `reduction` (`mean`; also `batchmean`, which only this loss has),
///   `log_target` (False).
/// - Shapes: input `(*)`; target the same shape; output scalar, or `(*)` for `none`.
/// - Edge cases: a negative target without `log_target` is an error (PyTorch gives NaN silently).
///   `batchmean` on a 0-d input is the plain sum, as PyTorch does; on an empty batch it is NaN.
/// - Check: x = [log 0.5], y = [0.25] -> 0.25 (log 0.25 - log 0.5) = -0.1733 (sum).
public struct KLDivLoss: BuiltinLoss {
    /// KLDivLoss's reduction, which adds `batchmean` to the common three.
    public enum KLReduction: String, Sendable, CaseIterable {
        case none
        case batchmean
        case sum
        case mean
    }

    public static let descriptor = LossDescriptor(
        name: "kl_div", pytorchName: "KLDivLoss",
        summary: "Kullback-Leibler divergence of log-probabilities from a target distribution",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "log-probabilities, any shape (*)"),
            ArgumentSpec("target", .real(differentiable: true), "same shape as input: probabilities, or log-probabilities with log_target"),
        ],
        options: [
            OptionSpec("reduction", .choice(KLReduction.allCases.map(\.rawValue)), default: .string("mean"),
                       "'none': per-element output; 'batchmean': sum / batch size (the KL divergence); 'sum': total; 'mean': sum / element count"),
            OptionSpec("log_target", .bool, default: .bool(false), "whether target holds log-probabilities"),
        ])

    public let reduction: KLReduction
    public let logTarget: Bool

    public init(options: LossOptions) {
        // The choice was checked against KLReduction's cases.
        reduction = KLReduction(rawValue: options.choice("reduction"))!
        logTarget = options.bool("log_target")
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let input = arguments[0], target = arguments[1]
        try Validation.requireSameShape(target, "target", as: input, "input")
        try Validation.requireFinite(input, "input")
        try Validation.requireFinite(target, "target")
        try Validation.requireFloatingType(target, "target", reason: "kl_div: Integral inputs not supported.")
        if !logTarget {
            for (offset, value) in target.scalars.enumerated() where value < 0 {
                throw .value("target", "element \(offset) is \(value); probabilities must be >= 0 (set log_target for log-probabilities)")
            }
        }
        return reduction == .none ? input.shape : []
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let input = arguments[0]
        let divisor: Double = switch reduction {
        case .none, .sum: 1
        case .mean: Double(input.count)
        case .batchmean: input.rank == 0 ? 1 : Double(input.shape[0])
        }
        let perElement = reduction == .none
        // Autograd scales the incoming gradient g first, then sums the branches in this order.
        let g = 1 / divisor
        if logTarget {
            Pointwise.evaluateIndexed(arguments, perElement: perElement, divisor: divisor,
                                      output: &output, gradients: &gradients) { _, x, y in
                let e = Double.exp(y)
                return ElementLoss(e * (y - x), dInput: -(g * e), dTarget: g * (y - x) * e + g * e)
            }
        } else {
            Pointwise.evaluateIndexed(arguments, perElement: perElement, divisor: divisor,
                                      output: &output, gradients: &gradients) { _, x, y in
                // xlogy(y, y): 0 at y == 0; its autograd gives log(y) + y / y (NaN at y == 0).
                let value = (y == 0 ? 0 : y * Double.log(y)) - y * x
                let dTarget = (y == 0 ? 0 : g * Double.log(y)) + g * y / y + -g * x
                return ElementLoss(value, dInput: -(g * y), dTarget: dTarget)
            }
        }
    }
}
