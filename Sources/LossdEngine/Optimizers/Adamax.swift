// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// Adamax (PyTorch `torch.optim.Adamax`), registry name `adamax`: Adam with the infinity norm.
///
/// Per element, update t (1-based), as `_single_tensor_adamax` (not differentiable):
///
///     g = -grad if maximize else grad ;  g = g + weight_decay * p   (weight_decay != 0)
///     m = lerp(m, g, 1 - beta1)
///     u = maximum(u * beta2, |g| + eps)
///     p = p + ((-clr) * m) / u ,   clr = lr / (1 - beta1^t)         (C pow, as Python's **)
///
/// beta1 is `param_group["betas"][0]` of the step: the option, or the value a scheduler with
/// `cycle_momentum` set (``MomentumCyclable``), used by both the lerp and the bias correction.
///
/// - Options (default): `lr` (0.002), `betas` ([0.9, 0.999]), `eps` (1e-8), `weight_decay` (0),
///   `maximize` (false).
/// - Ranges: lr >= 0, 0 <= betas[i] < 1, eps >= 0, weight_decay >= 0.
/// - State: `exp_avg`, `exp_inf`.
public struct Adamax: Optimizer, ElementUpdate, MomentumCyclable {
    public static let descriptor = ComponentDescriptor(
        name: "adamax", pytorchName: "Adamax", summary: "Adamax: Adam with the infinity norm of past gradients",
        options: [.lr(2e-3), .betas, .eps(1e-8), .weightDecay(0), .maximize])

    public let learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let eps: Double
    public let weightDecay: Double
    public let maximize: Bool

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        eps = try options.nonNegative("eps")
        (beta1, beta2) = try options.betas()
        weightDecay = try options.nonNegative("weight_decay")
        maximize = options.bool("maximize")
    }

    public var stateNames: [String] { ["exp_avg", "exp_inf"] }

    public struct Constants: Sendable {
        /// beta1 of this update (the option, or a scheduler's cycled value).
        public var beta1: Double
        /// -clr = -(lr / (1 - beta1^t)).
        public var negativeRate: Double
    }

    public func constants(update: Int, learningRate: Double) -> Constants {
        constants(update: update, learningRate: learningRate, momentum: nil)
    }

    /// A scheduler's `cycle_momentum` sets beta1 (`betas[0]`).
    public static let cycledMomentum = CycledMomentum.beta1

    /// The state is the same whatever beta1 is: Adamax itself.
    public func cyclingMomentum() -> Adamax { self }

    public func constants(update: Int, learningRate: Double, momentum: Double?) -> Constants {
        let beta1 = momentum ?? self.beta1
        let biasCorrection = 1 - pow(beta1, Double(update))
        return Constants(beta1: beta1, negativeRate: -(learningRate / biasCorrection))
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension Adamax {
    @inline(__always)
    func update(_ constants: Constants, parameter p: Double, gradient: Double,
                state: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> Double {
        // Sound: Optimizer.apply's precondition; exp_avg is slot 0, exp_inf slot 1.
        let m = state, u = state + count
        var g = maximize ? -gradient : gradient
        if weightDecay != 0 { g = g + weightDecay * p }
        m[i] = TorchArithmetic.lerp(m[i], g, 1 - constants.beta1)
        u[i] = TorchArithmetic.maximum(u[i] * beta2, g.magnitude + eps)
        return p + (constants.negativeRate * m[i]) / u[i]
    }
}
