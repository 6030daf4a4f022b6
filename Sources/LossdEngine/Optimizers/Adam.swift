// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Adam (PyTorch `torch.optim.Adam`), registry name `adam`.
///
/// Per element, update t, as `_single_tensor_adam` (weight decay added to the gradient, or
/// with decoupled_weight_decay applied to the parameter as AdamW does):
///
///     g = -grad if maximize else grad ;  g = g + weight_decay * p
///     p = p * (1 - lr * weight_decay)   (decoupled_weight_decay, instead of the line above)
///     m = lerp(m, g, 1 - beta1) ;  v = v * beta2 + ((1 - beta2) * g) * g ;  vmax = max(vmax, v)
///     p = p + ((-lr / (1 - beta1^t)) * m) / (sqrt(vmax if amsgrad else v) / (1 - beta2^t)^0.5 + eps)
///
/// - Options (default): `lr` (0.001), `betas` ([0.9, 0.999]), `eps` (1e-8), `weight_decay` (0),
///   `amsgrad` (false), `maximize` (false), `decoupled_weight_decay` (false).
/// - Ranges: lr >= 0, 0 <= betas[i] < 1, eps >= 0, weight_decay >= 0.
/// - State: `exp_avg`, `exp_avg_sq`, and `max_exp_avg_sq` with amsgrad.
public struct Adam: Optimizer, LaneUpdate, MomentumCyclable {
    public static let descriptor = ComponentDescriptor(
        name: "adam", pytorchName: "Adam", summary: "Adam: adaptive moment estimation",
        options: adamOptions(weightDecay: 0) + [.decoupledWeightDecay])

    public let learningRate: Double
    let update: AdamUpdate

    public init(options: ComponentOptions) throws(EngineError) {
        (learningRate, update) = try Adam.read(options, decoupled: options.bool("decoupled_weight_decay"))
    }

    public var stateNames: [String] { update.stateNames }

    public func constants(update number: Int, learningRate: Double) -> AdamUpdate.Constants {
        update.constants(update: number, learningRate: learningRate)
    }

    /// A scheduler's `cycle_momentum` sets beta1 (`betas[0]`).
    public static let cycledMomentum = CycledMomentum.beta1

    public func cyclingMomentum() -> Adam { self }

    public func constants(update number: Int, learningRate: Double, momentum: Double?) -> AdamUpdate.Constants {
        update.constants(update: number, learningRate: learningRate, beta1: momentum)
    }

    public func apply(_ constants: AdamUpdate.Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }

    /// The options Adam and AdamW share, which differ in the weight_decay default (Adam adds
    /// `decoupled_weight_decay`, which AdamW's constructor fixes to true).
    static func adamOptions(weightDecay: Double) -> [OptionSpec] {
        [
            .lr(1e-3),
            .betas,
            .eps(1e-8),
            .weightDecay(weightDecay),
            OptionSpec("amsgrad", .bool, default: .bool(false), "use the maximum of past squared-gradient averages (AMSGrad)"),
            .maximize,
        ]
    }

    /// Reads and range-checks the shared options.
    static func read(_ options: ComponentOptions, decoupled: Bool) throws(EngineError) -> (Double, AdamUpdate) {
        let lr = try options.nonNegative("lr")
        let (beta1, beta2) = try options.betas()
        let update = AdamUpdate(beta1: beta1, beta2: beta2, eps: try options.nonNegative("eps"),
                                weightDecay: try options.nonNegative("weight_decay"), amsgrad: options.bool("amsgrad"),
                                maximize: options.bool("maximize"), decoupled: decoupled)
        return (lr, update)
    }
}

// MARK: - One element

extension Adam {
    @inline(__always)
    func update<V: ElementLanes>(_ constants: AdamUpdate.Constants, lanes parameter: V, gradient: V,
                                 state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> V {
        update.update(constants, parameter: parameter, gradient: gradient, state: state, index: index, count: count)
    }
}
