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
/// Storage grows with the points recorded (a job that records none costs one empty array);
/// recording is a store and an increment, and at most log2(capacity) times a reallocation.
/// Owned by the job's kernel.
final class HistoryLog {
    let interval: Int
    let capacity: Int
    /// The next step to record (Int.max without history), compared once per step.
    private(set) var nextStep: Int
    private var points: [HistoryPoint]
    /// How many points were ever recorded.
    private(set) var recorded = 0
    /// Where the next point goes once the ring is full (`recorded % capacity`).
    private var write = 0
    /// How many points fit without growing: min(storage capacity, `capacity`).
    private var room = 0

    init(interval: Int, capacity: Int) {
        self.interval = interval
        self.capacity = Swift.max(capacity, 1)
        nextStep = interval > 0 ? 1 : .max
        points = []
    }

    /// Records step `step` (== ``nextStep``: 1 or a multiple of the interval). Inlined into the
    /// step loops: while the storage has room, a record is a few stores.
    @inline(__always)
    func record(step: Int, loss: Double, gradientNorm: Double, learningRate: Double) {
        let point = HistoryPoint(step: step, loss: loss, gradientNorm: gradientNorm, learningRate: learningRate)
        if points.count < room {
            points.append(point)
        } else {
            recordSlowly(point)
        }
        recorded &+= 1
        nextStep = step < interval ? interval : step &+ interval
    }

    /// A record that grows the storage (doubling, up to `capacity`) or overwrites the oldest point.
    @inline(never)
    private func recordSlowly(_ point: HistoryPoint) {
        if points.count < capacity {
            points.reserveCapacity(Swift.min(capacity, Swift.max(16, 2 * points.count)))
            room = Swift.min(points.capacity, capacity)
            points.append(point)
        } else {
            points[write] = point
            write = write + 1 == capacity ? 0 : write + 1
        }
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
        // Rotate so that the ring's write position continues where it stopped.
        if points.count == capacity, total > capacity {
            let start = total % capacity
            points = Array(points[(capacity - start)...] + points[..<(capacity - start)])
        }
        recorded = total
        write = points.count == capacity ? total % capacity : 0
        room = Swift.min(points.capacity, capacity)
        nextStep = interval > 0 ? (step == 0 ? 1 : (step / interval + 1) * interval) : .max
    }
}
