// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Stochastic gradient descent (PyTorch `torch.optim.SGD`), registry name `sgd`.
///
/// Per element, update t (1-based), as `_single_tensor_sgd`:
///
///     g = -grad if maximize else grad
///     g = g + weight_decay * p                                   (weight_decay != 0)
///     b = g (t == 1) ;  b = momentum * b + (1 - dampening) * g   (momentum != 0)
///     g = g + momentum * b (nesterov) ;  g = b (otherwise)         (momentum != 0)
///     p = p + (-lr) * g
///
/// - Options (default): `lr` (0.001), `momentum` (0), `dampening` (0), `weight_decay` (0),
///   `nesterov` (false), `maximize` (false).
/// - Ranges: lr >= 0, momentum >= 0, weight_decay >= 0; nesterov needs momentum > 0 and dampening 0.
/// - State: `momentum_buffer` when momentum != 0 (torch's buffer is None before the first update),
///   or when a scheduler cycles the momentum (``MomentumCyclable``: `momentum` is then the
///   scheduler's value of the update, and the momentum branch runs when it is != 0).
public struct SGD: Optimizer, LaneUpdate, MomentumCyclable {
    public static let descriptor = ComponentDescriptor(
        name: "sgd", pytorchName: "SGD", summary: "stochastic gradient descent, optionally with (Nesterov) momentum",
        options: [
            .lr(1e-3),
            OptionSpec("momentum", .number, default: .number(0), "momentum factor, >= 0"),
            OptionSpec("dampening", .number, default: .number(0), "dampening for momentum"),
            .weightDecay(0),
            OptionSpec("nesterov", .bool, default: .bool(false), "Nesterov momentum (needs momentum > 0, dampening 0)"),
            .maximize,
        ])

    public let learningRate: Double
    public let momentum: Double
    public let dampening: Double
    public let weightDecay: Double
    public let nesterov: Bool
    public let maximize: Bool
    /// Whether the `momentum_buffer` slot exists: momentum != 0, or the momentum is cycled.
    public private(set) var hasMomentumBuffer: Bool

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        momentum = try options.nonNegative("momentum")
        dampening = options.number("dampening")
        weightDecay = try options.nonNegative("weight_decay")
        nesterov = options.bool("nesterov")
        maximize = options.bool("maximize")
        hasMomentumBuffer = momentum != 0
        try options.check(!nesterov || (momentum > 0 && dampening == 0), "nesterov",
                          "Nesterov momentum requires a momentum and zero dampening")
    }

    public var stateNames: [String] { hasMomentumBuffer ? ["momentum_buffer"] : [] }

    public static let cycledMomentum = CycledMomentum.momentum

    public func cyclingMomentum() -> SGD {
        var copy = self
        copy.hasMomentumBuffer = true
        return copy
    }

    public struct Constants: Sendable {
        public var learningRate: Double
        /// The first update creates the momentum buffer from the gradient.
        public var isFirst: Bool
        /// The momentum of this update (the option, or the scheduler's).
        public var momentum: Double
    }

    public func constants(update: Int, learningRate: Double) -> Constants {
        Constants(learningRate: learningRate, isFirst: update == 1, momentum: momentum)
    }

    public func constants(update: Int, learningRate: Double, momentum: Double?) -> Constants {
        Constants(learningRate: learningRate, isFirst: update == 1, momentum: momentum ?? self.momentum)
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension SGD {
    @inline(__always)
    func update<V: ElementLanes>(_ constants: Constants, lanes p: V, gradient: V,
                                 state: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> V {
        // Sound: the momentum buffer is slot 0, `count` elements, and V's lanes from i lie within.
        var g = maximize ? -gradient : gradient
        if weightDecay != 0 { g = g + V(broadcast: weightDecay) * p }
        let momentum = constants.momentum
        if hasMomentumBuffer && momentum != 0 {
            let b = constants.isFirst ? g : V(loading: state + i) * V(broadcast: momentum) + V(broadcast: 1 - dampening) * g
            b.store(to: state + i)
            g = nesterov ? g + V(broadcast: momentum) * b : b
        }
        return p + V(broadcast: -constants.learningRate) * g
    }
}
