// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// The 1cycle policy (PyTorch `OneCycleLR`), registry name `one_cycle_lr`.
///
/// The optimizer's `lr` is replaced: initial = max_lr / div_factor (torch's `initial_lr`), min
/// = initial / final_div_factor. With T = total_steps (or epochs * steps_per_epoch) and p =
/// pct_start, the phases end at (floats)
///
///     two phases:    p*T - 1 (initial -> max_lr),  T - 1 (max_lr -> min)
///     three_phase:   p*T - 1 (initial -> max_lr),  2*p*T - 2 (max_lr -> initial),  T - 1 (initial -> min)
///
/// and momentum (cycle_momentum) runs max -> base, base -> max (then max -> max). torch's
/// `get_lr` at `last_epoch` e (construction is e = 0): the first phase with e <= its end (or
/// the last), start = the previous phase's end (0.0 for the first), pct = (e - start) / (end -
/// start), and
///
///     cos:     end_value + (start_value - end_value) / 2.0 * (cos(pi * pct) + 1)
///     linear:  (end_value - start_value) * pct + start_value
///
/// Stepping past T raises in PyTorch (`Tried to step T+1 times`): the job then fails.
///
/// - Options (default): `max_lr` (required), `total_steps` (None), `epochs` (None),
///   `steps_per_epoch` (None), `pct_start` (0.3, in [0, 1]), `anneal_strategy` (cos),
///   `cycle_momentum` (true), `base_momentum` (0.85), `max_momentum` (0.95), `div_factor`
///   (25.0), `final_div_factor` (1e4), `three_phase` (false). total_steps >= 1, or both epochs
///   and steps_per_epoch >= 1.
public struct OneCycleLR: LRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "one_cycle_lr", pytorchName: "OneCycleLR",
        summary: "the 1cycle policy: warm up to max_lr, then anneal far below the initial rate",
        options: [
            OptionSpec("max_lr", .number, default: .null, "peak learning rate (required)"),
            OptionSpec("total_steps", .integer, default: .null, "steps in the cycle, >= 1 (None: epochs * steps_per_epoch)"),
            OptionSpec("epochs", .integer, default: .null, "with steps_per_epoch, when total_steps is None; >= 1"),
            OptionSpec("steps_per_epoch", .integer, default: .null, "with epochs, when total_steps is None; >= 1"),
            OptionSpec("pct_start", .number, default: .number(0.3), "fraction of the cycle spent increasing the rate, in [0, 1]"),
            OptionSpec("anneal_strategy", .choice(["cos", "linear"]), default: .string("cos"), "cosine or linear annealing"),
            OptionSpec("cycle_momentum", .bool, default: .bool(true), "cycle momentum (or beta1) inversely to the learning rate"),
            OptionSpec("base_momentum", .number, default: .number(0.85), "lower momentum bound"),
            OptionSpec("max_momentum", .number, default: .number(0.95), "upper momentum bound, the first momentum"),
            OptionSpec("div_factor", .number, default: .number(25), "initial lr = max_lr / div_factor"),
            OptionSpec("final_div_factor", .number, default: .number(1e4), "min lr = initial lr / final_div_factor"),
            OptionSpec("three_phase", .bool, default: .bool(false), "anneal back to the initial rate before the final decay"),
        ])

    /// One phase: where it ends and its start and end learning rate and momentum.
    struct Phase: Sendable {
        var end: Double
        var startRate: Double, endRate: Double
        var startMomentum: Double, endMomentum: Double
    }

    public let totalSteps: Int
    public let cosine: Bool
    public let cyclesMomentum: Bool
    public let initialRate: Double
    let phases: [Phase]

    public init(options: ComponentOptions) throws(EngineError) {
        let maxRate = try options.requiredNumber("max_lr")
        if let total = options.optionalInteger("total_steps") {
            try options.check(total > 0, "total_steps", "expected positive integer total_steps, but got \(total)")
            totalSteps = total
        } else if let epochs = options.optionalInteger("epochs"), let perEpoch = options.optionalInteger("steps_per_epoch") {
            try options.check(epochs > 0, "epochs", "expected positive integer epochs, but got \(epochs)")
            try options.check(perEpoch > 0, "steps_per_epoch", "expected positive integer steps_per_epoch, but got \(perEpoch)")
            let (product, overflow) = epochs.multipliedReportingOverflow(by: perEpoch)
            try options.check(!overflow, "epochs", "epochs * steps_per_epoch is too large")
            totalSteps = product
        } else {
            throw EngineError.option("total_steps", of: options.component,
                                     "you must define either total_steps OR (epochs AND steps_per_epoch)")
        }
        let pct = options.number("pct_start")
        try options.check(pct >= 0 && pct <= 1, "pct_start", "expected float between 0 and 1 pct_start, but got \(pct)")
        cosine = options.choice("anneal_strategy") == "cos"
        cyclesMomentum = options.bool("cycle_momentum")
        let base = options.number("base_momentum"), top = options.number("max_momentum")
        initialRate = maxRate / options.number("div_factor")
        let minRate = initialRate / options.number("final_div_factor")
        let t = Double(totalSteps)
        if options.bool("three_phase") {
            phases = [
                Phase(end: pct * t - 1, startRate: initialRate, endRate: maxRate, startMomentum: top, endMomentum: base),
                Phase(end: 2 * pct * t - 2, startRate: maxRate, endRate: initialRate, startMomentum: base, endMomentum: top),
                Phase(end: t - 1, startRate: initialRate, endRate: minRate, startMomentum: top, endMomentum: top),
            ]
        } else {
            phases = [
                Phase(end: pct * t - 1, startRate: initialRate, endRate: maxRate, startMomentum: top, endMomentum: base),
                Phase(end: t - 1, startRate: maxRate, endRate: minRate, startMomentum: base, endMomentum: top),
            ]
        }
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        cosine ? end + (start - end) / 2.0 * (cos(Double.pi * pct) + 1) : (end - start) * pct + start
    }

    /// `get_lr` at `progress.epoch` (also the momentum when cycled).
    private func apply(_ progress: inout SchedulerProgress) {
        let stepNumber = Double(progress.epoch)
        var start = 0.0
        for (index, phase) in phases.enumerated() {
            if stepNumber <= phase.end || index == phases.count - 1 {
                let pct = (stepNumber - start) / (phase.end - start)
                progress.learningRate = anneal(phase.startRate, phase.endRate, pct)
                if cyclesMomentum { progress.momentum = anneal(phase.startMomentum, phase.endMomentum, pct) }
                return
            }
            start = phase.end
        }
    }

    public func start(_ progress: inout SchedulerProgress) {
        progress.base = initialRate
        apply(&progress)
    }

    public func step(_ progress: inout SchedulerProgress) -> String? {
        if progress.epoch > totalSteps {
            return "one_cycle_lr: tried to step \(progress.epoch) times; the specified number of total steps is \(totalSteps)"
        }
        apply(&progress)
        return nil
    }
}
