// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Decays the learning rate every epoch (PyTorch `ExponentialLR`), registry name `exponential_lr`.
///
///     lr_0 = lr ;  lr_e = lr_{e-1} * gamma
///
/// - Options (default): `gamma` (required, > 0).
public struct ExponentialLR: RecursiveLRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "exponential_lr", pytorchName: "ExponentialLR", summary: "multiply the learning rate by gamma every step",
        options: [.gamma(.null)])

    public let gamma: Double

    public init(options: ComponentOptions) throws(EngineError) {
        gamma = try options.requiredNumber("gamma")
        try options.check(gamma > 0, "gamma", "must be > 0, got \(gamma)")
    }

    public func learningRate(epoch: Int, current: Double, base: Double) -> Double {
        current * gamma
    }
}
