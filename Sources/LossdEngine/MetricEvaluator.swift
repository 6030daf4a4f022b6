// SPDX-License-Identifier: Apache-2.0

import LossKit

/// A job's configured metrics (``Metric``) bound to its target: computes them from an output
/// buffer in one pass over the elements (index order), allocating nothing.
struct MetricEvaluator: Sendable {
    /// What the output is compared with.
    enum Target: Sendable {
        /// Values of the output's shape.
        case values([Double])
        /// Class indices of a class-scored output laid out as ``LossKit/ClassLayout`` says;
        /// `ignored` is the loss's ignore_index.
        case classes([Double], layout: Classes, ignored: Double?)
    }

    /// The class layout: `batch` x `classes` x `inner` scores, `batch` x `inner` samples.
    struct Classes: Sendable {
        var batch: Int
        var classes: Int
        var inner: Int

        init(batch: Int, classes: Int, inner: Int = 1) {
            self.batch = batch
            self.classes = classes
            self.inner = inner
        }

        init(_ layout: ClassLayout) {
            self.init(batch: layout.batch, classes: layout.classes, inner: layout.inner)
        }

        var samples: Int { batch * inner }

        /// Offset of sample `sample`'s first class score (stride between classes: `inner`).
        @inline(__always)
        func base(ofSample sample: Int) -> Int {
            (sample / inner) * classes * inner + sample % inner
        }
    }

    let metrics: [Metric]
    let target: Target

    /// The values of the output's elements or samples compared (n in the formulas).
    var count: Int {
        switch target {
        case .values(let values): values.count
        case .classes(_, let layout, _): layout.samples * layout.classes
        }
    }

    /// The metrics of `output` (``count`` elements), written as `store(index, value)` in the
    /// order of ``metrics``.
    @inline(__always)
    func evaluate(_ output: UnsafePointer<Double>, _ store: (Int, Double) -> Void) {
        switch target {
        case .values(let values):
            let n = values.count
            var absolute = 0.0, squares = 0.0, largest = 0.0
            values.withUnsafeBufferPointer { t in
                // Sound: `output` holds n elements, as the target (checked when the job was built).
                for i in 0..<n {
                    let e = output[i] - t[i]
                    let a = e.magnitude
                    absolute += a
                    squares += e * e
                    if !(a <= largest) { largest = largest.isNaN ? largest : a }
                }
            }
            for (index, metric) in metrics.enumerated() {
                switch metric {
                case .mae: store(index, absolute / Double(n))
                case .rmse: store(index, (squares / Double(n)).squareRoot())
                case .maxAbsError: store(index, largest)
                case .accuracy: store(index, .nan)  // refused when the job is built
                }
            }
        case .classes(let classes, let layout, let ignored):
            var correct = 0, counted = 0
            classes.withUnsafeBufferPointer { t in
                // Sound: `output` holds the layout's samples x classes scores, t its samples.
                for sample in 0..<layout.samples where t[sample] != ignored {
                    counted += 1
                    let base = layout.base(ofSample: sample)
                    var best = 0
                    for c in 1..<Swift.max(layout.classes, 1) where output[base + c * layout.inner] > output[base + best * layout.inner] {
                        best = c
                    }
                    if Double(best) == t[sample] { correct += 1 }
                }
            }
            for (index, metric) in metrics.enumerated() {
                store(index, metric == .accuracy && counted > 0 ? Double(correct) / Double(counted) : .nan)
            }
        }
    }

    /// The metrics of `output` in the order of ``metrics``.
    func values(of output: [Double]) -> [Double] {
        var result = Array(repeating: Double.nan, count: metrics.count)
        output.withUnsafeBufferPointer { o in
            // Sound: callers pass the job's output, ``count`` elements.
            precondition(o.count >= count, "metric output of \(o.count) elements, expected \(count)")
            guard let base = o.baseAddress else { return }
            evaluate(base) { result[$0] = $1 }
        }
        return result
    }
}
