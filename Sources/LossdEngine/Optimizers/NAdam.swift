// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// NAdam (PyTorch `torch.optim.NAdam`), registry name `nadam`: Adam with Nesterov momentum.
///
/// Per element, update t (1-based), as `_single_tensor_nadam` (not capturable):
///
///     g  = -grad if maximize else grad
///     p  = p * (1 - lr * weight_decay)              (decoupled_weight_decay; weight_decay != 0)
///     g  = g + weight_decay * p                      (otherwise; weight_decay != 0)
///     m  = lerp(m, g, 1 - beta1)
///     v  = v * beta2 + ((1 - beta2) * g) * g
///     denom = sqrt(v / bc2) + eps
///     p  = p + (((-lr) * (1 - mu)) / (1 - mu_product) * g) / denom
///     p  = p + (((-lr) * mu_next) / (1 - mu_product * mu_next) * m) / denom
///
/// with, once per step (C pow, as Python's **):
///
///     bc2     = 1 - beta2^t
///     mu      = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))
///     mu_next = beta1 * (1 - 0.5 * 0.96^((t + 1) * momentum_decay))
///     mu_product = mu_product * mu                   (scalar state, 1 before the first update)
///
/// beta1 is `param_group["betas"][0]` of the step: the option, or the value a scheduler with
/// `cycle_momentum` set (``MomentumCyclable``), used by the lerp, mu and mu_next; mu_product
/// is then the product of the mus of every step, each with its own beta1.
///
/// - Options (default): `lr` (0.002), `betas` ([0.9, 0.999]), `eps` (1e-8), `weight_decay` (0),
///   `momentum_decay` (0.004), `decoupled_weight_decay` (false), `maximize` (false).
/// - Ranges: lr >= 0, 0 <= betas[i] < 1, eps >= 0, weight_decay >= 0, momentum_decay >= 0.
/// - State: `exp_avg`, `exp_avg_sq`; scalar `mu_product`.
public struct NAdam: Optimizer, LaneUpdate, ScalarStateUpdate, MomentumCyclable {
    public static let descriptor = ComponentDescriptor(
        name: "nadam", pytorchName: "NAdam", summary: "NAdam: Adam with Nesterov momentum",
        options: [
            .lr(2e-3), .betas, .eps(1e-8), .weightDecay(0),
            OptionSpec("momentum_decay", .number, default: .number(4e-3), "momentum decay (psi), >= 0"),
            .decoupledWeightDecay,
            .maximize,
        ])

    public let learningRate: Double
    public let eps: Double
    public let momentumDecay: Double
    let moments: AdamMoments

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        eps = try options.nonNegative("eps")
        moments = try AdamMoments(options, decoupled: options.bool("decoupled_weight_decay"))
        momentumDecay = try options.nonNegative("momentum_decay")
    }

    public var stateNames: [String] { ["exp_avg", "exp_avg_sq"] }

    public var scalarNames: [String] { ["mu_product"] }

    public var initialScalars: [Double] { [1] }

    public struct Constants: Sendable {
        /// beta1 of this update (the option, or a scheduler's cycled value).
        public var beta1: Double
        public var biasCorrection2: Double
        /// ((-lr) * (1 - mu)) / (1 - mu_product): the gradient's coefficient.
        public var gradientRate: Double
        /// ((-lr) * mu_next) / (1 - mu_product * mu_next): the momentum's coefficient.
        public var momentumRate: Double
        /// 1 - lr * weight_decay (decoupled decay).
        public var decay: Double
    }

    public func constants(update: Int, learningRate: Double, scalars: inout [Double]) -> Constants {
        constants(update: update, learningRate: learningRate, momentum: nil, scalars: &scalars)
    }

    /// A scheduler's `cycle_momentum` sets beta1 (`betas[0]`).
    public static let cycledMomentum = CycledMomentum.beta1

    /// The state is the same whatever beta1 is: NAdam itself.
    public func cyclingMomentum() -> NAdam { self }

    /// The constants of update `update` with beta1 `momentum`, from ``initialScalars``: right
    /// for the first update only (the engine calls the form with the job's scalar state).
    public func constants(update: Int, learningRate: Double, momentum: Double?) -> Constants {
        var scalars = initialScalars
        return constants(update: update, learningRate: learningRate, momentum: momentum, scalars: &scalars)
    }

    /// The engine's form: beta1 `momentum` (nil: the option) enters mu, mu_next and the lerp,
    /// and mu_product advances by this step's mu.
    public func constants(update: Int, learningRate lr: Double, momentum: Double?, scalars: inout [Double]) -> Constants {
        let (beta1, beta2) = (momentum ?? moments.beta1, moments.beta2)
        let step = Double(update)
        let biasCorrection2 = 1 - pow(beta2, step)
        let mu = beta1 * (1.0 - 0.5 * pow(0.96, step * momentumDecay))
        let muNext = beta1 * (1.0 - 0.5 * pow(0.96, (step + 1) * momentumDecay))
        scalars[0] = scalars[0] * mu
        let muProduct = scalars[0]
        let muProductNext = muProduct * muNext
        return Constants(beta1: beta1, biasCorrection2: biasCorrection2, gradientRate: (-lr * (1.0 - mu)) / (1.0 - muProduct),
                         momentumRate: (-lr * muNext) / (1.0 - muProductNext), decay: 1 - lr * moments.weightDecay)
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension NAdam {
    @inline(__always)
    func update<V: ElementLanes>(_ c: Constants, lanes parameter: V, gradient: V,
                                 state: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> V {
        // Sound: Optimizer.apply's precondition; exp_avg is slot 0, exp_avg_sq slot 1, and V's
        // lanes from i lie within.
        let m = state, v = state + count
        var moments = self.moments
        moments.beta1 = c.beta1
        var (p, g, first, second) = moments.update(parameter: parameter, gradient: gradient, decay: c.decay, m: m, v: v, index: i)
        let denom = (second / V(broadcast: c.biasCorrection2)).laneSquareRoot() + V(broadcast: eps)
        p = p + (V(broadcast: c.gradientRate) * g) / denom
        return p + (V(broadcast: c.momentumRate) * first) / denom
    }
}
