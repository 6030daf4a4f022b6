// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Adadelta (PyTorch `torch.optim.Adadelta`), registry name `adadelta`.
///
/// Per element, as `_single_tensor_adadelta`:
///
///     g     = -grad if maximize else grad ;  g = g + weight_decay * p   (weight_decay != 0)
///     sq    = sq * rho + ((1 - rho) * g) * g
///     std   = sqrt(sq + eps)
///     delta = (sqrt(acc + eps) / std) * g
///     acc   = acc * rho + ((1 - rho) * delta) * delta
///     p     = p + (-lr) * delta
///
/// - Options (default): `lr` (1.0), `rho` (0.9), `eps` (1e-6), `weight_decay` (0),
///   `maximize` (false).
/// - Ranges: lr >= 0, 0 <= rho <= 1, eps >= 0, weight_decay >= 0.
/// - State: `square_avg`, `acc_delta`.
public struct Adadelta: Optimizer, LaneUpdate {
    public static let descriptor = ComponentDescriptor(
        name: "adadelta", pytorchName: "Adadelta", summary: "Adadelta: steps scaled by running RMS of updates over gradients",
        options: [
            .lr(1.0),
            OptionSpec("rho", .number, default: .number(0.9), "coefficient of the running averages, in [0, 1]"),
            .eps(1e-6),
            .weightDecay(0),
            .maximize,
        ])

    public let learningRate: Double
    public let rho: Double
    public let eps: Double
    public let weightDecay: Double
    public let maximize: Bool

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        rho = options.number("rho")
        try options.check((0...1).contains(rho), "rho", "must be in [0, 1], got \(rho)")
        eps = try options.nonNegative("eps")
        weightDecay = try options.nonNegative("weight_decay")
        maximize = options.bool("maximize")
    }

    public var stateNames: [String] { ["square_avg", "acc_delta"] }

    public struct Constants: Sendable {
        public var learningRate: Double
    }

    public func constants(update: Int, learningRate: Double) -> Constants {
        Constants(learningRate: learningRate)
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension Adadelta {
    @inline(__always)
    func update<V: ElementLanes>(_ constants: Constants, lanes p: V, gradient: V,
                                 state: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> V {
        // Sound: Optimizer.apply's precondition; square_avg is slot 0, acc_delta slot 1, and V's
        // lanes from i lie within.
        let square = state + i, accumulated = state + count + i
        var g = maximize ? -gradient : gradient
        if weightDecay != 0 { g = g + V(broadcast: weightDecay) * p }
        let squares = V(loading: square) * V(broadcast: rho) + (V(broadcast: 1 - rho) * g) * g
        squares.store(to: square)
        let std = (squares + V(broadcast: eps)).laneSquareRoot()
        let before = V(loading: accumulated)
        let delta = ((before + V(broadcast: eps)).laneSquareRoot() / std) * g
        (before * V(broadcast: rho) + (V(broadcast: 1 - rho) * delta) * delta).store(to: accumulated)
        return p + V(broadcast: -constants.learningRate) * delta
    }
}
