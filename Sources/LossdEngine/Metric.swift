// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// A measure of a fitted output against its target that does not depend on the loss, so that
/// jobs trained with different losses can be compared (`metrics: [mae, rmse]` in a job).
///
/// With the output ŷ and the target y of n elements (element-wise targets):
///
///     mae           = (1/n) Σ |ŷᵢ − yᵢ|
///     rmse          = sqrt((1/n) Σ (ŷᵢ − yᵢ)²)
///     max_abs_error = max |ŷᵢ − yᵢ|
///
/// and with class-index targets (an output of N rows of C scores, a target of N class indices):
///
///     accuracy      = (1/N) #{ r : argmax_c ŷ[r, c] = y[r] }   (the first largest score on ties)
///
/// Sums run in element order. A free-tensor job measures its fitted tensor against its target; a
/// model job its model's outputs on the validation data, else on the training data.
public enum Metric: String, CaseIterable, Sendable, Hashable {
    case mae
    case rmse
    case maxAbsError = "max_abs_error"
    case accuracy

    /// Whether the metric reads class indices (`accuracy`) rather than element-wise targets.
    public var readsClasses: Bool { self == .accuracy }

    /// The metric of `output` against element-wise `target` (the same number of elements), or
    /// nil when the counts differ or the metric reads classes.
    public func elementwise(_ output: [Double], _ target: [Double]) -> Double? {
        guard !readsClasses, output.count == target.count, !output.isEmpty else { return nil }
        switch self {
        case .mae:
            var sum = 0.0
            for i in output.indices { sum += abs(output[i] - target[i]) }
            return sum / Double(output.count)
        case .rmse:
            var sum = 0.0
            for i in output.indices { sum += (output[i] - target[i]) * (output[i] - target[i]) }
            return (sum / Double(output.count)).squareRoot()
        case .maxAbsError:
            var largest = 0.0
            for i in output.indices { largest = Swift.max(largest, abs(output[i] - target[i])) }
            return largest
        case .accuracy:
            return nil
        }
    }

    /// The share of rows of `scores` (rows x classes, row-major) whose largest score is at their
    /// class in `classes`; nil when the shapes do not fit or the metric is element-wise.
    public func classified(_ scores: [Double], classes: [Double]) -> Double? {
        guard readsClasses, !classes.isEmpty, scores.count % classes.count == 0 else { return nil }
        let width = scores.count / classes.count
        guard width > 0 else { return nil }
        var correct = 0
        for row in classes.indices {
            var best = 0
            for column in 1..<width where scores[row * width + column] > scores[row * width + best] { best = column }
            if Double(best) == classes[row] { correct += 1 }
        }
        return Double(correct) / Double(classes.count)
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
