// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Adagrad (PyTorch `torch.optim.Adagrad`), registry name `adagrad`.
///
/// Per element, update t (1-based), as `_single_tensor_adagrad` (dense gradients):
///
///     g   = -grad if maximize else grad ;  g = g + weight_decay * p   (weight_decay != 0)
///     clr = lr / (1 + (t - 1) * lr_decay)
///     sum = sum + g * g
///     p   = p + ((-clr) * g) / (sqrt(sum) + eps)
///
/// - Options (default): `lr` (0.01), `lr_decay` (0), `weight_decay` (0),
///   `initial_accumulator_value` (0), `eps` (1e-10), `maximize` (false).
/// - Ranges: lr >= 0 and every other number >= 0 (as PyTorch checks).
/// - State: `sum`, starting at initial_accumulator_value.
public struct Adagrad: Optimizer, LaneUpdate {
    public static let descriptor = ComponentDescriptor(
        name: "adagrad", pytorchName: "Adagrad", summary: "Adagrad: per-element rates from accumulated squared gradients",
        options: [
            .lr(1e-2),
            OptionSpec("lr_decay", .number, default: .number(0), "learning rate decay, >= 0"),
            .weightDecay(0),
            OptionSpec("initial_accumulator_value", .number, default: .number(0), "initial value of the sum of squares, >= 0"),
            .eps(1e-10),
            .maximize,
        ])

    public let learningRate: Double
    public let learningRateDecay: Double
    public let weightDecay: Double
    public let initialAccumulator: Double
    public let eps: Double
    public let maximize: Bool

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        learningRateDecay = try options.nonNegative("lr_decay")
        weightDecay = try options.nonNegative("weight_decay")
        initialAccumulator = try options.nonNegative("initial_accumulator_value")
        eps = try options.nonNegative("eps")
        maximize = options.bool("maximize")
    }

    public var stateNames: [String] { ["sum"] }

    public func initialState(slot: Int) -> Double { initialAccumulator }

    public struct Constants: Sendable {
        /// -clr, the negated decayed learning rate.
        public var negativeRate: Double
    }

    public func constants(update: Int, learningRate: Double) -> Constants {
        Constants(negativeRate: -(learningRate / (1 + (Double(update) - 1) * learningRateDecay)))
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension Adagrad {
    @inline(__always)
    func update<V: ElementLanes>(_ constants: Constants, lanes p: V, gradient: V,
                                 state sum: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> V {
        // Sound: Optimizer.apply's precondition; `sum` is slot 0, and V's lanes from i lie within.
        var g = maximize ? -gradient : gradient
        if weightDecay != 0 { g = g + V(broadcast: weightDecay) * p }
        let total = V(loading: sum + i) + g * g
        total.store(to: sum + i)
        let std = total.laneSquareRoot() + V(broadcast: eps)
        return p + (V(broadcast: constants.negativeRate) * g) / std
    }
}
