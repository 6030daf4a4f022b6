// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// RAdam (PyTorch `torch.optim.RAdam`), registry name `radam`: Adam with a rectified variance.
///
/// Per element, update t (1-based), as `_single_tensor_radam` (not capturable):
///
///     g  = -grad if maximize else grad
///     p  = p * (1 - lr * weight_decay)              (decoupled_weight_decay; weight_decay != 0)
///     g  = g + weight_decay * p                      (otherwise; weight_decay != 0)
///     m  = lerp(m, g, 1 - beta1)
///     v  = v * beta2 + ((1 - beta2) * g) * g
///     mc = m / bc1
///     p  = p - ((mc * lr) * ((1 / (sqrt(v) + eps)) * bc2^0.5)) * rect    (rho_t > 5)
///     p  = p - mc * lr                                                    (otherwise)
///
/// `scalar / tensor` is `tensor.reciprocal() * scalar` in PyTorch, hence the adaptive term's
/// form. Once per step (C pow, as Python's **):
///
///     bc1 = 1 - beta1^t ,  bc2 = 1 - beta2^t
///     rho_inf = 2 / (1 - beta2) - 1 ,  rho_t = rho_inf - ((2 * t) * beta2^t) / bc2
///     rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))^0.5
///
/// beta1 is `param_group["betas"][0]` of the step: the option, or the value a scheduler with
/// `cycle_momentum` set (``MomentumCyclable``), used by both the lerp and bc1.
///
/// - Options (default): `lr` (0.001), `betas` ([0.9, 0.999]), `eps` (1e-8), `weight_decay` (0),
///   `decoupled_weight_decay` (false), `maximize` (false).
/// - Ranges: lr >= 0, 0 <= betas[i] < 1, eps >= 0, weight_decay >= 0.
/// - State: `exp_avg`, `exp_avg_sq`.
public struct RAdam: Optimizer, LaneUpdate, MomentumCyclable {
    public static let descriptor = ComponentDescriptor(
        name: "radam", pytorchName: "RAdam", summary: "RAdam: Adam with a rectified adaptive learning rate",
        options: [.lr(1e-3), .betas, .eps(1e-8), .weightDecay(0), .decoupledWeightDecay, .maximize])

    public let learningRate: Double
    public let eps: Double
    let moments: AdamMoments

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        eps = try options.nonNegative("eps")
        moments = try AdamMoments(options, decoupled: options.bool("decoupled_weight_decay"))
    }

    public var stateNames: [String] { ["exp_avg", "exp_avg_sq"] }

    public struct Constants: Sendable {
        /// beta1 of this update (the option, or a scheduler's cycled value).
        public var beta1: Double
        public var learningRate: Double
        public var biasCorrection1: Double
        /// bc2^0.5.
        public var biasCorrection2Sqrt: Double
        /// The rectification term, or nil when rho_t <= 5 (no adaptive term).
        public var rect: Double?
        /// 1 - lr * weight_decay (decoupled decay).
        public var decay: Double
    }

    public func constants(update: Int, learningRate: Double) -> Constants {
        constants(update: update, learningRate: learningRate, momentum: nil)
    }

    /// A scheduler's `cycle_momentum` sets beta1 (`betas[0]`).
    public static let cycledMomentum = CycledMomentum.beta1

    /// The state is the same whatever beta1 is: RAdam itself.
    public func cyclingMomentum() -> RAdam { self }

    public func constants(update: Int, learningRate lr: Double, momentum: Double?) -> Constants {
        let (beta1, beta2) = (momentum ?? moments.beta1, moments.beta2)
        let step = Double(update)
        let biasCorrection1 = 1 - pow(beta1, step)
        let biasCorrection2 = 1 - pow(beta2, step)
        let rhoInf = 2 / (1 - beta2) - 1
        let rhoT = rhoInf - 2 * step * pow(beta2, step) / biasCorrection2
        var rect: Double?
        if rhoT > 5.0 {
            rect = pow((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT), 0.5)
        }
        return Constants(beta1: beta1, learningRate: lr, biasCorrection1: biasCorrection1,
                         biasCorrection2Sqrt: pow(biasCorrection2, 0.5), rect: rect, decay: 1 - lr * moments.weightDecay)
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension RAdam {
    @inline(__always)
    func update<V: ElementLanes>(_ c: Constants, lanes parameter: V, gradient: V,
                                 state: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> V {
        // Sound: Optimizer.apply's precondition; exp_avg is slot 0, exp_avg_sq slot 1, and V's
        // lanes from i lie within.
        let m = state, v = state + count
        var moments = self.moments
        moments.beta1 = c.beta1
        let (p, _, first, second) = moments.update(parameter: parameter, gradient: gradient, decay: c.decay, m: m, v: v, index: i)
        let corrected = first / V(broadcast: c.biasCorrection1)
        // param.add_(x, alpha=-1.0): p + (-1) * x, which is p - x exactly.
        if let rect = c.rect {
            let adaptive = (V(broadcast: 1) / (second.laneSquareRoot() + V(broadcast: eps))) * V(broadcast: c.biasCorrection2Sqrt)
            return p - ((corrected * V(broadcast: c.learningRate)) * adaptive) * V(broadcast: rect)
        }
        return p - corrected * V(broadcast: c.learningRate)
    }
}
