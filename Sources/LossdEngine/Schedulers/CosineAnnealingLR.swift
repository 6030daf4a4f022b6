// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// Cosine annealing without restarts (PyTorch `CosineAnnealingLR`), registry name `cosine_annealing_lr`.
///
/// torch's recursive form, T = T_max, eta = eta_min, base = the optimizer's lr:
///
///     lr_0 = lr
///     lr_e = lr_{e-1} + (base - eta) * (1 - cos(pi / T)) / 2              if (e - 1 - T) mod 2T == 0
///     lr_e = (1 + cos(pi * e / T)) / (1 + cos(pi * (e - 1) / T)) * (lr_{e-1} - eta) + eta   otherwise
///
/// Past T the rate climbs back up and oscillates with period 2T, as in PyTorch.
///
/// - Options (default): `T_max` (required, int >= 1), `eta_min` (0, >= 0).
public struct CosineAnnealingLR: RecursiveLRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "cosine_annealing_lr", pytorchName: "CosineAnnealingLR", summary: "cosine annealing from lr to eta_min over T_max steps",
        options: [
            OptionSpec("T_max", .integer, default: .null, "half period, in steps (required, >= 1)"),
            OptionSpec("eta_min", .number, default: .number(0), "minimum learning rate, >= 0"),
        ])

    public let period: Int
    public let minimum: Double

    public init(options: ComponentOptions) throws(EngineError) {
        period = try options.requiredInteger("T_max")
        try options.check(period >= 1, "T_max", "must be >= 1, got \(period)")
        minimum = try options.nonNegative("eta_min")
    }

    /// The closed form at epoch 0: eta + (base - eta) * (1 + cos(0)) / 2.
    public func restartLearningRate(base: Double) -> Double {
        minimum + (base - minimum) * (1 + cos(Double.pi * 0 / Double(period))) / 2
    }

    public func learningRate(epoch: Int, current: Double, base: Double) -> Double {
        let t = Double(period)
        let offset = epoch - 1 - period, cycle = 2 * period
        if ((offset % cycle) + cycle) % cycle == 0 {  // Python's modulo
            return current + (base - minimum) * (1 - cos(Double.pi / t)) / 2
        }
        return (1 + cos(Double.pi * Double(epoch) / t)) / (1 + cos(Double.pi * Double(epoch - 1) / t))
            * (current - minimum) + minimum
    }
}
