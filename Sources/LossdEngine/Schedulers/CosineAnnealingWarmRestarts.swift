// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// Cosine annealing with warm restarts, SGDR (PyTorch `CosineAnnealingWarmRestarts`), registry
/// name `cosine_annealing_warm_restarts`.
///
/// torch's `step()` without an epoch, then `get_lr`; eta = eta_min, base = the optimizer's lr:
///
///     construction:  T_i = T_0 ;  T_cur = 0
///     step:          T_cur = T_cur + 1 ;  if T_cur >= T_i: T_cur = T_cur % T_i ; T_i = T_i * T_mult
///     lr = eta + (base - eta) * (1 + cos(pi * T_cur / T_i)) / 2
///
/// - Options (default): `T_0` (required, int >= 1), `T_mult` (1, int >= 1), `eta_min` (0).
/// - State: `T_i`, `T_cur` (T_i stops growing at 2^53, where it no longer matters).
public struct CosineAnnealingWarmRestarts: LRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "cosine_annealing_warm_restarts", pytorchName: "CosineAnnealingWarmRestarts",
        summary: "cosine annealing from lr to eta_min, restarting after T_0, T_0*T_mult, ... steps",
        options: [
            OptionSpec("T_0", .integer, default: .null, "steps until the first restart (required, >= 1)"),
            OptionSpec("T_mult", .integer, default: .integer(1), "factor by which T_i grows after a restart, >= 1"),
            OptionSpec("eta_min", .number, default: .number(0), "minimum learning rate"),
        ])

    public let period: Int
    public let multiplier: Int
    public let minimum: Double

    public init(options: ComponentOptions) throws(EngineError) {
        period = try options.requiredInteger("T_0")
        multiplier = options.integer("T_mult")
        minimum = options.number("eta_min")
        try options.check(period > 0, "T_0", "expected positive integer T_0, but got \(period)")
        try options.check(multiplier >= 1, "T_mult", "expected integer T_mult >= 1, but got \(multiplier)")
    }

    public var stateNames: [String] { ["T_i", "T_cur"] }

    private func rate(_ progress: SchedulerProgress) -> Double {
        let values = progress.state.values
        return minimum + (progress.base - minimum) * (1 + cos(Double.pi * values[1] / values[0])) / 2
    }

    public func start(_ progress: inout SchedulerProgress) {
        progress.state = SchedulerState(values: [Double(period), 0])
        progress.learningRate = rate(progress)
    }

    public func step(_ progress: inout SchedulerProgress) -> String? {
        var cycle = progress.state.values[0], current = progress.state.values[1] + 1
        if current >= cycle {
            current = current.truncatingRemainder(dividingBy: cycle)
            cycle = min(cycle * Double(multiplier), 0x1p53)
        }
        progress.state.values[0] = cycle
        progress.state.values[1] = current
        progress.learningRate = rate(progress)
        return nil
    }
}
