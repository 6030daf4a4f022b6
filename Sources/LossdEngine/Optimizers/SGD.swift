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
/// - Ranges: lr > 0, momentum >= 0, weight_decay >= 0; nesterov needs momentum > 0 and dampening 0.
/// - State: `momentum_buffer` when momentum != 0 (torch's buffer is None before the first update).
public struct SGD: Optimizer, ElementUpdate {
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

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.positive("lr")
        momentum = try options.nonNegative("momentum")
        dampening = options.number("dampening")
        weightDecay = try options.nonNegative("weight_decay")
        nesterov = options.bool("nesterov")
        maximize = options.bool("maximize")
        try options.check(!nesterov || (momentum > 0 && dampening == 0), "nesterov",
                          "Nesterov momentum requires a momentum and zero dampening")
    }

    public var stateNames: [String] { momentum != 0 ? ["momentum_buffer"] : [] }

    public struct Constants: Sendable {
        public var learningRate: Double
        /// The first update creates the momentum buffer from the gradient.
        public var isFirst: Bool
    }

    public func constants(update: Int, learningRate: Double) -> Constants {
        Constants(learningRate: learningRate, isFirst: update == 1)
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension SGD {
    @inline(__always)
    func update(_ constants: Constants, parameter p: Double, gradient: Double,
                state: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> Double {
        // Sound: the momentum buffer is slot 0, `count` elements, and i < count.
        var g = maximize ? -gradient : gradient
        if weightDecay != 0 { g = g + weightDecay * p }
        if momentum != 0 {
            let b = constants.isFirst ? g : state[i] * momentum + (1 - dampening) * g
            state[i] = b
            g = nesterov ? g + momentum * b : b
        }
        return p + (-constants.learningRate) * g
    }
}
