// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// Cycles the learning rate between two bounds (PyTorch `CyclicLR`), registry name `cyclic_lr`.
///
/// The optimizer's `lr` is replaced by `base_lr` (torch sets `param_group["lr"]` to it). torch's
/// `get_lr` at `last_epoch` e (construction is e = 0), with up = step_size_up, down =
/// step_size_down (or up), total = up + down, ratio = up / total (all floats):
///
///     cycle = floor(1 + e / total) ;  x = 1.0 + e / total - cycle
///     scale = x / ratio   if x <= ratio   else (x - 1) / (ratio - 1)
///     lr = base_lr + ((max_lr - base_lr) * scale) * s
///     momentum = max_momentum - ((max_momentum - base_momentum) * scale) * s   (cycle_momentum)
///     s = 1.0 (triangular), 1 / 2.0 ** (cycle - 1) (triangular2), gamma ** e (exp_range)
///
/// `scale_mode` is accepted as PyTorch spells it but, as in PyTorch without a `scale_fn`, the
/// mode decides it (cycle for the triangular modes, iterations for exp_range). With
/// `cycle_momentum` the optimizer's `momentum` (SGD, RMSprop) or beta1 (`betas[0]`: Adam,
/// AdamW, Adamax, NAdam, RAdam) follows the momentum above; an optimizer without either is
/// refused, as in PyTorch.
///
/// - Options (default): `base_lr` (required), `max_lr` (required), `step_size_up` (2000),
///   `step_size_down` (None: step_size_up), `mode` (triangular), `gamma` (1.0), `scale_mode`
///   (cycle), `cycle_momentum` (true), `base_momentum` (0.8), `max_momentum` (0.9). One
///   parameter group: the bounds are numbers. PyTorch refuses only a cycle of length 0 (a
///   division by zero).
public struct CyclicLR: LRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "cyclic_lr", pytorchName: "CyclicLR", summary: "cycle the learning rate (and momentum) between base_lr and max_lr",
        options: [
            OptionSpec("base_lr", .number, default: .null, "lower bound of the cycle, the first learning rate (required)"),
            OptionSpec("max_lr", .number, default: .null, "upper bound of the cycle (required)"),
            OptionSpec("step_size_up", .integer, default: .integer(2000), "steps in the increasing half of a cycle"),
            OptionSpec("step_size_down", .integer, default: .null, "steps in the decreasing half (None: step_size_up)"),
            OptionSpec("mode", .choice(["triangular", "triangular2", "exp_range"]), default: .string("triangular"),
                       "triangular: constant amplitude; triangular2: halved every cycle; exp_range: scaled by gamma**step"),
            OptionSpec("gamma", .number, default: .number(1), "exp_range's factor per step"),
            OptionSpec("scale_mode", .choice(["cycle", "iterations"]), default: .string("cycle"),
                       "set by mode (PyTorch uses it only with a scale_fn)"),
            OptionSpec("cycle_momentum", .bool, default: .bool(true), "cycle momentum (or beta1) inversely to the learning rate"),
            OptionSpec("base_momentum", .number, default: .number(0.8), "lower momentum bound"),
            OptionSpec("max_momentum", .number, default: .number(0.9), "upper momentum bound, the first momentum"),
        ])

    public enum Mode: String, Sendable { case triangular, triangular2, exp_range }

    public let baseRate: Double
    public let maxRate: Double
    public let totalSize: Double
    public let stepRatio: Double
    public let mode: Mode
    public let gamma: Double
    public let cyclesMomentum: Bool
    public let baseMomentum: Double
    public let maxMomentum: Double

    public init(options: ComponentOptions) throws(EngineError) {
        baseRate = try options.requiredNumber("base_lr")
        maxRate = try options.requiredNumber("max_lr")
        let up = Double(options.integer("step_size_up"))
        let down = options.optionalInteger("step_size_down").map(Double.init) ?? up
        totalSize = up + down
        try options.check(totalSize != 0, options.values["step_size_down"] == nil ? "step_size_up" : "step_size_down",
                          "step_size_up + step_size_down must not be 0 (PyTorch divides by it)")
        stepRatio = up / totalSize
        mode = Mode(rawValue: options.choice("mode"))!
        gamma = options.number("gamma")
        cyclesMomentum = options.bool("cycle_momentum")
        baseMomentum = options.number("base_momentum")
        maxMomentum = options.number("max_momentum")
    }

    /// `get_lr` at `progress.epoch` (also the momentum when cycled).
    private func apply(_ progress: inout SchedulerProgress) {
        let e = Double(progress.epoch)
        let cycle = (1 + e / totalSize).rounded(.down)
        let x = 1.0 + e / totalSize - cycle
        let scaleFactor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1)
        let scale: Double = switch mode {
        case .triangular: 1.0
        case .triangular2: 1 / pow(2.0, cycle - 1)
        case .exp_range: pow(gamma, e)
        }
        progress.learningRate = baseRate + ((maxRate - baseRate) * scaleFactor) * scale
        if cyclesMomentum {
            progress.momentum = maxMomentum - ((maxMomentum - baseMomentum) * scaleFactor) * scale
        }
    }

    public func start(_ progress: inout SchedulerProgress) {
        progress.base = baseRate
        apply(&progress)
    }

    public func step(_ progress: inout SchedulerProgress) -> String? {
        apply(&progress)
        return nil
    }
}
