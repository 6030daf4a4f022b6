// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The update shared by ``Adam`` and ``AdamW`` (`_single_tensor_adam`, capturable=False).
///
/// Per element, update t (1-based):
///
///     g  = -grad if maximize else grad
///     p  = p * (1 - lr * weight_decay)                 (decoupled, AdamW; weight_decay != 0)
///     g  = g + weight_decay * p                         (coupled, Adam; weight_decay != 0)
///     m  = lerp(m, g, 1 - beta1)
///     v  = v * beta2 + ((1 - beta2) * g) * g
///     vmax = maximum(vmax, v)                           (amsgrad)
///     denom = sqrt(vmax if amsgrad else v) / sqrt_bc2 + eps
///     p  = p + ((-lr / bc1) * m) / denom
///     bc1 = 1 - beta1^t ,  bc2 = 1 - beta2^t ,  sqrt_bc2 = bc2^0.5   (C pow, as Python's **)
public struct AdamUpdate: Sendable {
    var beta1: Double
    var beta2: Double
    var eps: Double
    var weightDecay: Double
    var amsgrad: Bool
    var maximize: Bool
    var decoupled: Bool

    /// Slots: exp_avg, exp_avg_sq, and max_exp_avg_sq with amsgrad.
    var stateNames: [String] { amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"] }

    public struct Constants: Sendable {
        /// beta1 of this update (the option, or a scheduler's cycled value).
        var beta1: Double
        var negativeStepSize: Double
        var biasCorrection2Sqrt: Double
        /// 1 - lr * weight_decay (decoupled decay).
        var decay: Double
    }

    func constants(update: Int, learningRate: Double, beta1 cycled: Double? = nil) -> Constants {
        let beta1 = cycled ?? self.beta1
        let step = Double(update)
        let biasCorrection1 = 1 - pow(beta1, step)
        let biasCorrection2 = 1 - pow(beta2, step)
        let stepSize = learningRate / biasCorrection1
        return Constants(beta1: beta1, negativeStepSize: -stepSize, biasCorrection2Sqrt: pow(biasCorrection2, 0.5),
                         decay: 1 - learningRate * weightDecay)
    }

    /// One element, or consecutive ones in `V`'s lanes from element i: the new parameters;
    /// writes their m, v (and vmax). Lane by lane the scalar formula, so both forms round alike.
    @inline(__always)
    func update<V: ElementLanes>(_ c: Constants, parameter: V, gradient: V, state: UnsafeMutablePointer<Double>,
                                 index i: Int, count: Int) -> V {
        // Sound: Optimizer.apply's precondition; slot s of element i is state[s * count + i].
        let m = state, v = state + count, vmax = state + 2 * count + i
        let moments = AdamMoments(beta1: c.beta1, beta2: beta2, weightDecay: weightDecay, decoupled: decoupled, maximize: maximize)
        let (p, _, first, second) = moments.update(parameter: parameter, gradient: gradient, decay: c.decay, m: m, v: v, index: i)
        var denominator = second
        if amsgrad {
            denominator = V.torchMaximum(V(loading: vmax), second)
            denominator.store(to: vmax)
        }
        let denom = denominator.laneSquareRoot() / V(broadcast: c.biasCorrection2Sqrt) + V(broadcast: eps)
        return p + (V(broadcast: c.negativeStepSize) * first) / denom
    }
}
