// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import Testing

/// The metrics' formulas against values worked out here by other means.
@Suite("Metrics")
struct MetricTests {
    // Output [1, 5, -2] against target [2, 2, 2]: errors -1, 3, -4.
    static let output: [Double] = [1, 5, -2], target: [Double] = [2, 2, 2]

    @Test(arguments: [(Metric.mae, 8.0 / 3), (.rmse, (26.0 / 3).squareRoot()), (.maxAbsError, 4.0)])
    func elementwise(_ metric: Metric, _ expected: Double) {
        #expect(metric.elementwise(Self.output, Self.target) == expected)
        #expect(metric.elementwise(Self.output, Self.target + [0]) == nil, "counts differ")
        #expect(metric.classified([1, 2], classes: [1]) == nil, "an element-wise metric reads no classes")
    }

    @Test func accuracyTakesTheFirstLargestScore() {
        // Rows: argmax 0, 2, 1 (tie between 1 and 2: the first); classes 0, 1, 1: two right.
        let scores: [Double] = [3, 1, 2, 0, 1, 5, 0, 4, 4]
        #expect(Metric.accuracy.classified(scores, classes: [0, 1, 1]) == 2.0 / 3)
        #expect(Metric.accuracy.classified(scores, classes: [0, 1]) == nil, "9 scores do not make rows of 2 classes")
        #expect(Metric.accuracy.elementwise(Self.output, Self.target) == nil)
        let values = Metric.values([.accuracy, .mae], output: Tensor(shape: [3, 3], scalars: scores), target: Tensor(shape: [3], scalars: [0, 1, 1]))
        #expect(values.map(\.name) == ["accuracy", "mae"])
        #expect(values[0].value == 2.0 / 3 && values[1].value == nil)
    }
}
