// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Reduces the learning rate when a metric stops improving (PyTorch `ReduceLROnPlateau`),
/// registry name `reduce_lr_on_plateau`.
///
/// The metric is the loss that drove the step: a free-tensor job's step loss (evaluated before
/// its update), a model job's batch loss, or, for a model job with validation data, the
/// validation loss once per epoch (the scheduler then steps after each epoch only).
///
/// torch's `step(metrics)`, m = the metric, worse = inf (min) or -inf (max):
///
///     construction:  best = worse ;  num_bad_epochs = 0 ;  cooldown_counter = 0 ;  lr unchanged
///     better(m) = m < best * (1.0 - threshold)   (min, rel)   m < best - threshold   (min, abs)
///                 m > best * (threshold + 1.0)   (max, rel)   m > best + threshold   (max, abs)
///     if better(m): best = m ; num_bad_epochs = 0   else num_bad_epochs += 1
///     if cooldown_counter > 0: cooldown_counter -= 1 ; num_bad_epochs = 0
///     if num_bad_epochs > patience:
///         new = max(lr * factor, min_lr)   (Python's max: min_lr only if min_lr > lr * factor)
///         if lr - new > eps: lr = new
///         cooldown_counter = cooldown ; num_bad_epochs = 0
///
/// - Options (default): `mode` (min), `factor` (0.1, < 1), `patience` (10), `threshold`
///   (1e-4), `threshold_mode` (rel), `cooldown` (0), `min_lr` (0: one parameter group, so one
///   number), `eps` (1e-8). PyTorch checks only factor < 1 (and the two modes).
/// - State: `best`, `num_bad_epochs`, `cooldown_counter`.
public struct ReduceLROnPlateau: LRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "reduce_lr_on_plateau", pytorchName: "ReduceLROnPlateau",
        summary: "multiply the learning rate by factor when the loss stops improving for patience steps",
        options: [
            OptionSpec("mode", .choice(["min", "max"]), default: .string("min"), "min: the loss should fall; max: rise"),
            OptionSpec("factor", .number, default: .number(0.1), "new lr = lr * factor, < 1"),
            OptionSpec("patience", .integer, default: .integer(10), "steps without improvement tolerated before a reduction"),
            OptionSpec("threshold", .number, default: .number(1e-4), "least change that counts as an improvement"),
            OptionSpec("threshold_mode", .choice(["rel", "abs"]), default: .string("rel"),
                       "rel: threshold relative to the best; abs: absolute"),
            OptionSpec("cooldown", .integer, default: .integer(0), "steps to wait after a reduction"),
            OptionSpec("min_lr", .number, default: .number(0), "lower bound on the learning rate"),
            OptionSpec("eps", .number, default: .number(1e-8), "reductions smaller than eps are skipped"),
        ])

    public let maximize: Bool
    public let factor: Double
    public let patience: Int
    public let threshold: Double
    public let relative: Bool
    public let cooldown: Int
    public let minimum: Double
    public let eps: Double

    public init(options: ComponentOptions) throws(EngineError) {
        factor = options.number("factor")
        try options.check(factor < 1.0, "factor", "factor should be < 1.0, got \(factor)")
        maximize = options.choice("mode") == "max"
        patience = options.integer("patience")
        threshold = options.number("threshold")
        relative = options.choice("threshold_mode") != "abs"
        cooldown = options.integer("cooldown")
        minimum = options.number("min_lr")
        eps = options.number("eps")
    }

    public var stateNames: [String] { ["best", "num_bad_epochs", "cooldown_counter"] }
    public var readsMetric: Bool { true }

    public func start(_ progress: inout SchedulerProgress) {
        progress.state = SchedulerState(values: [maximize ? -.infinity : .infinity, 0, 0])
    }

    @inline(__always)
    private func isBetter(_ a: Double, _ best: Double) -> Bool {
        switch (maximize, relative) {
        case (false, true): a < best * (1.0 - threshold)
        case (false, false): a < best - threshold
        case (true, true): a > best * (threshold + 1.0)
        case (true, false): a > best + threshold
        }
    }

    public func step(_ progress: inout SchedulerProgress) -> String? {
        let current = progress.metric
        var best = progress.state.values[0], bad = progress.state.values[1], cooling = progress.state.values[2]
        if isBetter(current, best) {
            best = current
            bad = 0
        } else {
            bad += 1
        }
        if cooling > 0 {
            cooling -= 1
            bad = 0
        }
        if bad > Double(patience) {
            let old = progress.learningRate
            let reduced = old * factor
            let new = minimum > reduced ? minimum : reduced
            if old - new > eps { progress.learningRate = new }
            cooling = Double(cooldown)
            bad = 0
        }
        progress.state.values[0] = best
        progress.state.values[1] = bad
        progress.state.values[2] = cooling
        return nil
    }
}
