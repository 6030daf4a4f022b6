// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// Averaged SGD (PyTorch `torch.optim.ASGD`), registry name `asgd`.
///
/// Per element, update t (1-based), as `_single_tensor_asgd` (not capturable), with the
/// scalar state eta and mu as they stand before the update:
///
///     g  = -grad if maximize else grad ;  g = g + weight_decay * p   (weight_decay != 0)
///     p  = p * (1 - lambd * eta)
///     p  = p + (-eta) * g
///     ax = ax + (p - ax) * mu                        (mu != 1)
///     ax = p                                         (mu == 1)
///
/// then, once per step, at the update's learning rate lr (C pow, as Python's **):
///
///     eta = lr / (1 + (lambd * lr) * t)^alpha ,  mu = 1 / max(1, t - t0)
///
/// eta starts at the first update's learning rate (`param_group["lr"]` when torch creates the
/// state) and mu at 1. The fitted parameters are `p`; `ax` is the running average torch keeps.
///
/// - Options (default): `lr` (0.01), `lambd` (1e-4), `alpha` (0.75), `t0` (1e6),
///   `weight_decay` (0), `maximize` (false).
/// - Ranges: lr >= 0, lambd >= 0, alpha >= 0, weight_decay >= 0.
/// - State: `ax`; scalars `eta`, `mu`.
public struct ASGD: Optimizer, ElementUpdate, ScalarStateUpdate {
    public static let descriptor = ComponentDescriptor(
        name: "asgd", pytorchName: "ASGD", summary: "averaged stochastic gradient descent",
        options: [
            .lr(1e-2),
            OptionSpec("lambd", .number, default: .number(1e-4), "decay term, >= 0"),
            OptionSpec("alpha", .number, default: .number(0.75), "power for the eta update, >= 0"),
            OptionSpec("t0", .number, default: .number(1e6), "step at which averaging starts"),
            .weightDecay(0),
            .maximize,
        ])

    public let learningRate: Double
    public let lambd: Double
    public let alpha: Double
    public let t0: Double
    public let weightDecay: Double
    public let maximize: Bool

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        lambd = try options.nonNegative("lambd")
        alpha = try options.nonNegative("alpha")
        t0 = options.number("t0")
        weightDecay = try options.nonNegative("weight_decay")
        maximize = options.bool("maximize")
    }

    public var stateNames: [String] { ["ax"] }

    public var scalarNames: [String] { ["eta", "mu"] }

    public var initialScalars: [Double] { [learningRate, 1] }

    public struct Constants: Sendable {
        /// 1 - lambd * eta.
        public var decay: Double
        /// -eta.
        public var negativeEta: Double
        public var mu: Double
        /// mu != 1: average; else ax = p.
        public var averages: Bool
    }

    public func constants(update: Int, learningRate lr: Double, scalars: inout [Double]) -> Constants {
        if update == 1 { scalars = [lr, 1] }
        let eta = scalars[0], mu = scalars[1]
        let step = Double(update)
        scalars[0] = lr / pow(1 + lambd * lr * step, alpha)
        scalars[1] = 1 / Swift.max(1, step - t0)
        return Constants(decay: 1 - lambd * eta, negativeEta: -eta, mu: mu, averages: mu != 1)
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension ASGD {
    @inline(__always)
    func update(_ c: Constants, parameter: Double, gradient: Double,
                state ax: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> Double {
        // Sound: Optimizer.apply's precondition; ax is slot 0.
        var g = maximize ? -gradient : gradient
        if weightDecay != 0 { g = g + weightDecay * parameter }
        var p = parameter * c.decay
        p = p + c.negativeEta * g
        ax[i] = c.averages ? ax[i] + (p - ax[i]) * c.mu : p
        return p
    }
}
