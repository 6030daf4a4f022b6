// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// A measure of a job's fit that does not depend on its loss, so that jobs trained with
/// different losses can be compared (``JobSpec/metrics``, YAML `metrics: [mae, rmse]`).
///
/// Every metric compares the job's output with its target. The output is the loss's input: a
/// free-tensor job's fitted tensor, a model job's model output (rows, C). The target is the
/// tensor bound to the loss's target argument, or a model job's target columns. With e_i =
/// output_i - target_i over the n elements, in index order:
///
///     mae            = (sum_i |e_i|) / n
///     rmse           = sqrt((sum_i e_i^2) / n)
///     max_abs_error  = max_i |e_i|                       (NaN if any e_i is NaN)
///     accuracy       = (#samples whose largest class score is their class) / #samples
///
/// `mae`, `rmse` and `max_abs_error` need a target of the output's shape whose values are
/// measurements, not class indices. `accuracy` needs class-index targets: a target argument of
/// kind index (`cross_entropy` with an index target, `nll`, `multi_margin`), or a model job whose
/// data has one class-index target column. A sample is a row n (and position d1...dK) of the
/// class-scored output (C), (N, C) or (N, C, d1, ..., dK) (``LossKit/ClassLayout``); its class is
/// the first largest score (ties go to the lower class, as `torch.argmax`); samples whose target
/// is the loss's `ignore_index` are left out, as PyTorch leaves them out of the loss. With no
/// sample left, accuracy is NaN. Refused combinations are an error when the job is built.
public enum Metric: String, CaseIterable, Sendable, Hashable {
    /// Mean absolute error.
    case mae
    /// Root mean squared error.
    case rmse
    /// The largest absolute error.
    case maxAbsError = "max_abs_error"
    /// The fraction of samples classified right (class-index targets).
    case accuracy

    /// The name as written in YAML, history columns and results (`max_abs_error`).
    public var name: String { rawValue }

    /// The journald field that carries it in progress entries (`LOSSD_METRIC_MAX_ABS_ERROR`).
    public var journalField: String { "LOSSD_METRIC_" + rawValue.uppercased() }

    /// Whether a larger value is better (accuracy); for the others smaller is better.
    public var higherIsBetter: Bool { self == .accuracy }

    /// Whether the metric compares class scores with class indices (else values with values).
    public var needsClasses: Bool { self == .accuracy }

    /// Whether the metric reads class indices (`accuracy`) rather than element-wise targets.
    public var readsClasses: Bool { needsClasses }

    /// Whether `a` is a better value of this metric than `b` (a NaN is never better).
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return higherIsBetter ? a > b : a < b
    }

    /// Every metric name, for suggestions and messages.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The metric of `output` against element-wise `target` (the same number of elements), or
    /// nil when the counts differ, they are empty or the metric reads classes.
    public func elementwise(_ output: [Double], _ target: [Double]) -> Double? {
        guard !readsClasses, output.count == target.count, !output.isEmpty else { return nil }
        return MetricEvaluator(metrics: [self], target: .values(target)).values(of: output)[0]
    }

    /// The share of rows of `scores` (rows x classes, row-major) whose largest score is at their
    /// class in `classes`; nil when the shapes do not fit or the metric is element-wise.
    public func classified(_ scores: [Double], classes: [Double]) -> Double? {
        guard readsClasses, !classes.isEmpty, scores.count % classes.count == 0, scores.count > 0 else { return nil }
        let layout = MetricEvaluator.Classes(batch: classes.count, classes: scores.count / classes.count)
        return MetricEvaluator(metrics: [self], target: .classes(classes, layout: layout, ignored: nil)).values(of: scores)[0]
    }

    /// Every metric of `metrics` for an output against its target: class indices when the target
    /// has one element per output row (`accuracy`), else element-wise.
    public static func values(_ metrics: [Metric], output: Tensor, target: Tensor) -> [(name: String, value: Double?)] {
        metrics.map { metric in
            (metric.rawValue, metric.readsClasses ? metric.classified(output.scalars, classes: target.scalars)
                                                  : metric.elementwise(output.scalars, target.scalars))
        }
    }
}
