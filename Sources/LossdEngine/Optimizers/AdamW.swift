// SPDX-License-Identifier: Apache-2.0

import LossKit

/// AdamW (PyTorch `torch.optim.AdamW`), registry name `adamw`: Adam with decoupled weight decay.
///
/// Per element, update t, as `_single_tensor_adam` with decoupled_weight_decay=True:
///
///     g = -grad if maximize else grad ;  p = p * (1 - lr * weight_decay)
///     m = lerp(m, g, 1 - beta1) ;  v = v * beta2 + ((1 - beta2) * g) * g ;  vmax = max(vmax, v)
///     p = p + ((-lr / (1 - beta1^t)) * m) / (sqrt(vmax if amsgrad else v) / (1 - beta2^t)^0.5 + eps)
///
/// - Options (default): `lr` (0.001), `betas` ([0.9, 0.999]), `eps` (1e-8), `weight_decay` (0.01),
///   `amsgrad` (false), `maximize` (false). PyTorch's AdamW constructor has no
///   `decoupled_weight_decay`: it passes true to Adam's, so lossd's `adamw` has none either.
/// - Ranges: lr >= 0, 0 <= betas[i] < 1, eps >= 0, weight_decay >= 0.
/// - State: `exp_avg`, `exp_avg_sq`, and `max_exp_avg_sq` with amsgrad.
public struct AdamW: Optimizer, LaneUpdate, MomentumCyclable {
    public static let descriptor = ComponentDescriptor(
        name: "adamw", pytorchName: "AdamW", summary: "Adam with decoupled weight decay",
        options: Adam.adamOptions(weightDecay: 1e-2))

    public let learningRate: Double
    let update: AdamUpdate

    public init(options: ComponentOptions) throws(EngineError) {
        (learningRate, update) = try Adam.read(options, decoupled: true)
    }

    public var stateNames: [String] { update.stateNames }

    public func constants(update number: Int, learningRate: Double) -> AdamUpdate.Constants {
        update.constants(update: number, learningRate: learningRate)
    }

    /// A scheduler's `cycle_momentum` sets beta1 (`betas[0]`).
    public static let cycledMomentum = CycledMomentum.beta1

    public func cyclingMomentum() -> AdamW { self }

    public func constants(update number: Int, learningRate: Double, momentum: Double?) -> AdamUpdate.Constants {
        update.constants(update: number, learningRate: learningRate, beta1: momentum)
    }

    public func apply(_ constants: AdamUpdate.Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension AdamW {
    @inline(__always)
    func update<V: ElementLanes>(_ constants: AdamUpdate.Constants, lanes parameter: V, gradient: V,
                                 state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> V {
        update.update(constants, parameter: parameter, gradient: gradient, state: state, index: index, count: count)
    }
}
