// SPDX-License-Identifier: Apache-2.0

/// One recorded step: its loss, the gradient's Euclidean norm and the learning rate its update used.
public struct HistoryPoint: Sendable, Hashable, Codable {
    public var step: Int
    public var loss: Double
    public var gradientNorm: Double
    public var learningRate: Double

    public init(step: Int, loss: Double, gradientNorm: Double, learningRate: Double) {
        self.step = step
        self.loss = loss
        self.gradientNorm = gradientNorm
        self.learningRate = learningRate
    }
}

/// The most recent `capacity` history points of a job: step 1, then every multiple of `interval`.
///
/// Storage is reserved up front: recording never allocates. Owned by the job's kernel.
final class HistoryLog {
    let interval: Int
    let capacity: Int
    /// The next step to record (Int.max without history), compared once per step.
    private(set) var nextStep: Int
    private var points: [HistoryPoint]
    /// How many points were ever recorded (the ring's write position).
    private(set) var recorded = 0

    init(interval: Int, capacity: Int) {
        self.interval = interval
        self.capacity = Swift.max(capacity, 1)
        nextStep = interval > 0 ? 1 : .max
        points = []
        points.reserveCapacity(interval > 0 ? self.capacity : 0)
    }

    @inline(never)
    func record(step: Int, loss: Double, gradientNorm: Double, learningRate: Double) {
        let point = HistoryPoint(step: step, loss: loss, gradientNorm: gradientNorm, learningRate: learningRate)
        if points.count < capacity { points.append(point) } else { points[recorded % capacity] = point }
        recorded += 1
        nextStep = (step / interval + 1) * interval
    }

    /// The kept points, oldest first.
    var orderedPoints: [HistoryPoint] {
        guard points.count == capacity, recorded > capacity else { return points }
        let start = recorded % capacity
        return Array(points[start...] + points[..<start])
    }

    /// Restores points (oldest first) and the total recorded count from a checkpoint.
    func restore(points restored: [HistoryPoint], recorded total: Int, step: Int) {
        points = Array(restored.suffix(capacity))
        points.reserveCapacity(interval > 0 ? capacity : 0)
        // Rotate so that the ring's write position continues where it stopped.
        if points.count == capacity, total > capacity {
            let start = total % capacity
            let rotated = Array(points[(capacity - start)...] + points[..<(capacity - start)])
            points = rotated
            points.reserveCapacity(capacity)
        }
        recorded = total
        nextStep = interval > 0 ? (step == 0 ? 1 : (step / interval + 1) * interval) : .max
    }
}
