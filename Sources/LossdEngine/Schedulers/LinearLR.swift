// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Scales the learning rate linearly between two factors (PyTorch `LinearLR`), registry name `linear_lr`.
///
/// torch's recursive form, s = start_factor, f = end_factor, n = total_iters:
///
///     lr_0 = lr * s
///     lr_e = lr_{e-1} * (1 + (f - s) / (n * s + (e - 1) * (f - s)))   for 1 <= e <= n
///     lr_e = lr_{e-1}                                                  for e > n
///
/// - Options (default): `start_factor` (1/3, in (0, 1]), `end_factor` (1, in [0, 1]),
///   `total_iters` (5, >= 0).
public struct LinearLR: RecursiveLRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "linear_lr", pytorchName: "LinearLR", summary: "scale the learning rate linearly from start_factor to end_factor",
        options: [
            OptionSpec("start_factor", .number, default: .number(1.0 / 3), "factor of the first step, in (0, 1]"),
            OptionSpec("end_factor", .number, default: .number(1), "factor after total_iters steps, in [0, 1]"),
            OptionSpec("total_iters", .integer, default: .integer(5), "steps until end_factor is reached, >= 0"),
        ])

    public let startFactor: Double
    public let endFactor: Double
    public let totalIterations: Int

    public init(options: ComponentOptions) throws(EngineError) {
        startFactor = options.number("start_factor")
        endFactor = options.number("end_factor")
        totalIterations = options.integer("total_iters")
        try options.check(startFactor > 0 && startFactor <= 1, "start_factor", "must be in (0, 1], got \(startFactor)")
        try options.check(endFactor >= 0 && endFactor <= 1, "end_factor", "must be in [0, 1], got \(endFactor)")
        try options.check(totalIterations >= 0, "total_iters", "must be >= 0, got \(totalIterations)")
    }

    public func initialLearningRate(base current: Double) -> Double {
        current * startFactor
    }

    public func learningRate(epoch: Int, current: Double, base: Double) -> Double {
        if epoch > totalIterations { return current }
        let span = endFactor - startFactor
        return current * (1.0 + span / (Double(totalIterations) * startFactor + Double(epoch - 1) * span))
    }
}
