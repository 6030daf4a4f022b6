// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Multiplies the learning rate by a constant factor until a milestone (PyTorch `ConstantLR`),
/// registry name `constant_lr`.
///
/// torch's recursive `get_lr`, f = factor, n = total_iters:
///
///     lr_0 = lr * f
///     lr_e = lr_{e-1} * (1.0 / f)   if e == n
///     lr_e = lr_{e-1}               otherwise
///
/// Closed form (SequentialLR's milestone, epoch 0): base * (f + (0 >= n) * (1 - f)).
///
/// - Options (default): `factor` (1/3, in [0, 1]), `total_iters` (5).
public struct ConstantLR: RecursiveLRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "constant_lr", pytorchName: "ConstantLR", summary: "multiply the learning rate by factor for the first total_iters steps",
        options: [
            OptionSpec("factor", .number, default: .number(1.0 / 3), "factor applied until total_iters, in [0, 1]"),
            .totalIters(5, "steps the factor applies for"),
        ])

    public let factor: Double
    public let totalIterations: Int

    public init(options: ComponentOptions) throws(EngineError) {
        factor = options.number("factor")
        totalIterations = options.integer("total_iters")
        try options.check(factor >= 0 && factor <= 1, "factor",
                          "constant multiplicative factor expected to be between 0 and 1, got \(factor)")
    }

    public func initialLearningRate(base current: Double) -> Double {
        current * factor
    }

    public func restartLearningRate(base: Double) -> Double {
        base * (factor + (0 >= totalIterations ? 1 : 0) * (1 - factor))
    }

    public func learningRate(epoch: Int, current: Double, base: Double) -> Double {
        epoch != totalIterations ? current : current * (1.0 / factor)
    }
}
