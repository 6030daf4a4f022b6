// SPDX-License-Identifier: Apache-2.0

import LossdEngine

/// A study's early-stopping rule (`sweep.early_stopping`): synchronous successive halving.
///
/// Rungs are at `graceSteps * reductionFactor^k` steps (k = 0, 1, ...). Every live job of the
/// study stops exactly at a rung's step; once all have arrived, they are ranked by `metric` at
/// that step (ties by job name) and the best `ceil(n / reductionFactor)` (at least one) go on;
/// the others end `pruned`. The key says `asha` as the literature names the family; the rule is
/// the synchronous form, so that the pruned set depends neither on the worker count nor on
/// timing nor on a restart.
public struct StudyEarlyStopping: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable, CaseIterable { case asha }
    public enum Mode: String, Sendable, Hashable, CaseIterable { case min, max }

    public var method: Method
    /// `loss`, or a metric name (`mae`, `rmse`, `max_abs_error`, `accuracy`).
    public var metric: String
    public var graceSteps: Int
    public var reductionFactor: Int
    /// Whether smaller or larger values are better (`accuracy` max, others min by default).
    public var mode: Mode

    public init(method: Method = .asha, metric: String, graceSteps: Int, reductionFactor: Int = 3, mode: Mode? = nil) {
        self.method = method
        self.metric = metric
        self.graceSteps = graceSteps
        self.reductionFactor = reductionFactor
        self.mode = mode ?? StudyEarlyStopping.defaultMode(metric)
    }

    /// `max` for `accuracy`, `min` for everything else.
    public static func defaultMode(_ metric: String) -> Mode { metric == "accuracy" ? .max : .min }

    /// The metrics a study may prune by.
    public static let metrics = ["loss", "mae", "rmse", "max_abs_error", "accuracy"]

    /// The smallest rung step >= `step` (the step a job at `step` must pause at next).
    public func rung(atOrAfter step: Int) -> Int {
        var rung = graceSteps
        while rung < step {
            let (next, overflow) = rung.multipliedReportingOverflow(by: reductionFactor)
            if overflow { return .max }
            rung = next
        }
        return rung
    }

    /// The rung after `rung`.
    public func rung(after rung: Int) -> Int { self.rung(atOrAfter: rung &+ 1) }

    /// How many of `count` jobs a rung keeps: ceil(count / r), at least one.
    public func survivors(of count: Int) -> Int { Swift.max(1, (count + reductionFactor - 1) / reductionFactor) }
}

extension Diagnostics {
    static let earlyStoppingKeys = ["method", "metric", "grace_steps", "reduction_factor", "mode"]

    /// Reads `sweep.early_stopping`; nil (reported) when it is invalid.
    func earlyStopping(_ entry: MappingView.Entry, _ sweepPath: KeyPath) -> StudyEarlyStopping? {
        let path = sweepPath.key("early_stopping")
        guard let map = mapping(entry.value, path, what: "early_stopping", allowed: Diagnostics.earlyStoppingKeys) else { return nil }
        var valid = true
        var method = StudyEarlyStopping.Method.asha
        if let node = map.value("method"), let text = string(node, path.key("method"), what: "early_stopping method") {
            if let known = StudyEarlyStopping.Method(rawValue: text) { method = known } else {
                report(.invalidValue, at: node, path: path.key("method"), "unknown early_stopping method '\(text)': the only method is asha (synchronous successive halving)")
                valid = false
            }
        } else if map.value("method") == nil {
            report(.missingKey, at: entry.value, path: path, "early_stopping needs a 'method' (asha)")
            valid = false
        } else { valid = false }
        var metric = "loss"
        if let node = map.value("metric") {
            if let text = string(node, path.key("metric"), what: "early_stopping metric") {
                if StudyEarlyStopping.metrics.contains(text) { metric = text } else {
                    report(.invalidValue, at: node, path: path.key("metric"), "unknown early_stopping metric '\(text)': expected one of \(StudyEarlyStopping.metrics.joined(separator: ", "))")
                    valid = false
                }
            } else { valid = false }
        } else {
            report(.missingKey, at: entry.value, path: path, "early_stopping needs a 'metric' (\(StudyEarlyStopping.metrics.joined(separator: ", ")))")
            valid = false
        }
        var grace = 0
        if let node = map.value("grace_steps") {
            if let value = integer(node, path.key("grace_steps"), what: "grace_steps"),
               require(value >= 1, node, path.key("grace_steps"), "grace_steps must be at least 1, got \(value)") {
                grace = value
            } else { valid = false }
        } else {
            report(.missingKey, at: entry.value, path: path, "early_stopping needs 'grace_steps' (the first rung's step)")
            valid = false
        }
        var factor = 3
        if let node = map.value("reduction_factor") {
            if let value = integer(node, path.key("reduction_factor"), what: "reduction_factor"),
               require(value >= 2, node, path.key("reduction_factor"), "reduction_factor must be at least 2, got \(value)") {
                factor = value
            } else { valid = false }
        }
        var mode: StudyEarlyStopping.Mode?
        if let node = map.value("mode"), let text = string(node, path.key("mode"), what: "early_stopping mode") {
            if let known = StudyEarlyStopping.Mode(rawValue: text) { mode = known } else {
                report(.invalidValue, at: node, path: path.key("mode"), "early_stopping mode must be min or max, got '\(text)'")
                valid = false
            }
        }
        guard valid else { return nil }
        return StudyEarlyStopping(method: method, metric: metric, graceSteps: grace, reductionFactor: factor, mode: mode)
    }
}

extension JobDecoder {
    /// `metric: loss` ranks raw losses, which only compare within one loss function: every job
    /// of the study must then have the same loss and options (else a located error).
    /// Another metric must be among the jobs' `metrics` (which checks that it applies to their
    /// targets).
    func checkEarlyStopping(_ rule: StudyEarlyStopping, _ entry: MappingView.Entry, _ jobs: [JobConfiguration], _ path: KeyPath) {
        let node = MappingView.Entry.metricNode(entry) ?? entry.value
        if rule.metric != "loss" {
            if let job = jobs.first(where: { !$0.metrics.map(\.rawValue).contains(rule.metric) }) {
                diagnostics.report(.invalidValue, at: node, path: path.key("metric"),
                                   "early_stopping by metric '\(rule.metric)': list it in the job's metrics (metrics: [\(rule.metric)]); '\(job.name)' does not measure it")
            }
            return
        }
        guard let first = jobs.first else { return }
        guard let other = jobs.first(where: { $0.loss != first.loss }) else { return }
        diagnostics.report(.invalidValue, at: node, path: path.key("metric"),
                           "early_stopping by metric 'loss' ranks raw losses, but the study's jobs use different losses ('\(first.name)': \(first.loss.name), '\(other.name)': \(other.loss.name)); choose a metric that does not depend on the loss (mae, rmse, max_abs_error, accuracy)")
    }
}

extension MappingView.Entry {
    /// The `metric` value's node inside an `early_stopping` mapping, if written.
    static func metricNode(_ entry: MappingView.Entry) -> ConfigNode? {
        guard case .mapping(let pairs) = entry.value.content else { return nil }
        return pairs.first { $0.key.scalar?.text == "metric" }?.value
    }
}
