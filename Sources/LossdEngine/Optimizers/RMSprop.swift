// SPDX-License-Identifier: Apache-2.0

import LossKit

/// RMSprop (PyTorch `torch.optim.RMSprop`), registry name `rmsprop`.
///
/// Per element, as `_single_tensor_rmsprop`:
///
///     g   = -grad if maximize else grad ;  g = g + weight_decay * p   (weight_decay != 0)
///     sq  = sq * alpha + ((1 - alpha) * g) * g
///     ga  = lerp(ga, g, 1 - alpha) ;  avg = sqrt(sq - ga * ga)        (centered)
///     avg = sqrt(sq)                                                   (otherwise)
///     avg = avg + eps
///     b   = b * momentum + g / avg ;  p = p + (-lr) * b                (momentum > 0)
///     p   = p + ((-lr) * g) / avg                                      (otherwise)
///
/// - Options (default): `lr` (0.01), `alpha` (0.99), `eps` (1e-8), `weight_decay` (0),
///   `momentum` (0), `centered` (false), `maximize` (false).
/// - Ranges: lr >= 0, alpha >= 0, eps >= 0, weight_decay >= 0, momentum >= 0.
/// - State: `square_avg`, then `momentum_buffer` (momentum > 0), then `grad_avg` (centered).
///
/// With a scheduler cycling the momentum (``MomentumCyclable``) the `momentum_buffer` slot
/// always exists and `momentum` is the scheduler's value of the update.
public struct RMSprop: Optimizer, LaneUpdate, MomentumCyclable {
    public static let descriptor = ComponentDescriptor(
        name: "rmsprop", pytorchName: "RMSprop", summary: "RMSprop: gradient scaled by a running RMS",
        options: [
            .lr(1e-2),
            OptionSpec("alpha", .number, default: .number(0.99), "smoothing constant, >= 0"),
            .eps(1e-8),
            .weightDecay(0),
            OptionSpec("momentum", .number, default: .number(0), "momentum factor, >= 0"),
            OptionSpec("centered", .bool, default: .bool(false), "normalize by the estimated variance of the gradient"),
            .maximize,
        ])

    public let learningRate: Double
    public let alpha: Double
    public let eps: Double
    public let weightDecay: Double
    public let momentum: Double
    public let centered: Bool
    public let maximize: Bool
    /// Whether the `momentum_buffer` slot exists: momentum > 0, or the momentum is cycled.
    public private(set) var hasMomentumBuffer: Bool

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        alpha = try options.nonNegative("alpha")
        eps = try options.nonNegative("eps")
        weightDecay = try options.nonNegative("weight_decay")
        momentum = try options.nonNegative("momentum")
        centered = options.bool("centered")
        maximize = options.bool("maximize")
        hasMomentumBuffer = momentum > 0
    }

    public var stateNames: [String] {
        ["square_avg"] + (hasMomentumBuffer ? ["momentum_buffer"] : []) + (centered ? ["grad_avg"] : [])
    }

    public static let cycledMomentum = CycledMomentum.momentum

    public func cyclingMomentum() -> RMSprop {
        var copy = self
        copy.hasMomentumBuffer = true
        return copy
    }

    public struct Constants: Sendable {
        public var learningRate: Double
        /// The momentum of this update (the option, or the scheduler's).
        public var momentum: Double
    }

    public func constants(update: Int, learningRate: Double) -> Constants {
        Constants(learningRate: learningRate, momentum: momentum)
    }

    public func constants(update: Int, learningRate: Double, momentum: Double?) -> Constants {
        Constants(learningRate: learningRate, momentum: momentum ?? self.momentum)
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension RMSprop {
    @inline(__always)
    func update<V: ElementLanes>(_ constants: Constants, lanes p: V, gradient: V,
                                 state: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> V {
        // Sound: Optimizer.apply's precondition; the slots are laid out as in `stateNames`.
        let square = state + i
        let buffer = state + count + i
        let gradAverage = state + (hasMomentumBuffer ? 2 : 1) * count + i
        let momentum = constants.momentum
        let weight = 1 - alpha
        var g = maximize ? -gradient : gradient
        if weightDecay != 0 { g = g + V(broadcast: weightDecay) * p }
        let squares = V(loading: square) * V(broadcast: alpha) + (V(broadcast: weight) * g) * g
        squares.store(to: square)
        var average: V
        if centered {
            let mean = TorchArithmetic.lerp(V(loading: gradAverage), g, weight)
            mean.store(to: gradAverage)
            average = (squares + (-mean) * mean).laneSquareRoot()
        } else {
            average = squares.laneSquareRoot()
        }
        average = average + V(broadcast: eps)
        if hasMomentumBuffer && momentum > 0 {
            let b = V(loading: buffer) * V(broadcast: momentum) + g / average
            b.store(to: buffer)
            return p + V(broadcast: -constants.learningRate) * b
        }
        return p + (V(broadcast: -constants.learningRate) * g) / average
    }
}
