// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Resilient backpropagation (PyTorch `torch.optim.Rprop`), registry name `rprop`.
///
/// Per element, as `_single_tensor_rprop` (not capturable):
///
///     g    = -grad if maximize else grad
///     s    = etaplus if g * prev > 0 ;  etaminus if g * prev < 0 ;  1 if g * prev == 0
///     step = clamp(step * s, step_size_min, step_size_max)      (min(max(x, lo), hi))
///     g    = 0                                                    (s == etaminus)
///     p    = p + ((-1) * sign(g)) * step
///     prev = g
///
/// `prev` starts at 0 and `step` at the first update's learning rate (`param_group["lr"]` when
/// torch creates the state); lr plays no other part.
///
/// - Options (default): `lr` (0.01), `etas` ([0.5, 1.2]: etaminus, etaplus),
///   `step_sizes` ([1e-6, 50]: step_size_min, step_size_max), `maximize` (false).
/// - Ranges: lr >= 0, 0 < etaminus < 1 < etaplus (PyTorch checks no range on step_sizes).
/// - State: `prev`, `step_size`.
public struct Rprop: Optimizer, ElementUpdate {
    public static let descriptor = ComponentDescriptor(
        name: "rprop", pytorchName: "Rprop", summary: "resilient backpropagation: per-element steps from gradient signs",
        options: [
            .lr(1e-2),
            OptionSpec("etas", .optionalTensor, default: .tensor(Tensor([0.5, 1.2])),
                       "step size factors [etaminus, etaplus], 0 < etaminus < 1 < etaplus"),
            OptionSpec("step_sizes", .optionalTensor, default: .tensor(Tensor([1e-6, 50])),
                       "step size bounds [min, max]"),
            .maximize,
        ])

    public let learningRate: Double
    public let etaMinus: Double
    public let etaPlus: Double
    public let stepSizeMin: Double
    public let stepSizeMax: Double
    public let maximize: Bool

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        (etaMinus, etaPlus) = try options.pair("etas", "[etaminus, etaplus]")
        try options.check(0 < etaMinus && etaMinus < 1 && 1 < etaPlus, "etas",
                          "must satisfy 0 < etaminus < 1 < etaplus, got \(etaMinus), \(etaPlus)")
        (stepSizeMin, stepSizeMax) = try options.pair("step_sizes", "[min, max]")
        maximize = options.bool("maximize")
    }

    public var stateNames: [String] { ["prev", "step_size"] }

    public struct Constants: Sendable {
        /// The first update sets every step size to its learning rate.
        public var initialStepSize: Double?
    }

    public func constants(update: Int, learningRate: Double) -> Constants {
        Constants(initialStepSize: update == 1 ? learningRate : nil)
    }

    public func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                      gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }
}

// MARK: - One element

extension Rprop {
    @inline(__always)
    func update(_ constants: Constants, parameter p: Double, gradient: Double,
                state: UnsafeMutablePointer<Double>, index i: Int, count: Int) -> Double {
        // Sound: Optimizer.apply's precondition; prev is slot 0, step_size slot 1.
        let prev = state, stepSize = state + count
        var g = maximize ? -gradient : gradient
        let product = g * prev[i]
        let factor = product > 0 ? etaPlus : product < 0 ? etaMinus : 1
        let scaled = (constants.initialStepSize ?? stepSize[i]) * factor
        stepSize[i] = scaled.isNaN ? scaled : Swift.min(Swift.max(scaled, stepSizeMin), stepSizeMax)
        if factor == etaMinus { g = 0 }
        let sign: Double = g > 0 ? 1 : g < 0 ? -1 : 0
        prev[i] = g
        return p + ((-1) * sign) * stepSize[i]
    }
}
