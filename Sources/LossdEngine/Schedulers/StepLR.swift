// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Decays the learning rate every `step_size` epochs (PyTorch `StepLR`), registry name `step_lr`.
///
///     lr_0 = lr ;  lr_e = lr_{e-1} * gamma if e % step_size == 0 else lr_{e-1}
///
/// - Options (default): `step_size` (required, int >= 1), `gamma` (0.1, > 0).
public struct StepLR: RecursiveLRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "step_lr", pytorchName: "StepLR", summary: "multiply the learning rate by gamma every step_size steps",
        options: [
            OptionSpec("step_size", .integer, default: .null, "period of learning rate decay, in steps (required, >= 1)"),
            .gamma(.number(0.1)),
        ])

    public let stepSize: Int
    public let gamma: Double

    public init(options: ComponentOptions) throws(EngineError) {
        stepSize = try options.requiredInteger("step_size")
        gamma = try options.positive("gamma")
        try options.check(stepSize >= 1, "step_size", "must be >= 1, got \(stepSize)")
    }

    public func learningRate(epoch: Int, current: Double, base: Double) -> Double {
        epoch % stepSize != 0 ? current : current * gamma
    }
}
