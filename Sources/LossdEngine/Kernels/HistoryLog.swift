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
/// Storage grows with the points recorded (doubling, up to `capacity`: a job that records none
/// allocates nothing), then is a ring over the oldest point. A record that fits is four stores
/// and two increments, inlined into the step loops.
///
/// Owned by the job's kernel, used by one thread at a time (JobKernel's ownership rule), so the
/// properties skip Swift's run-time exclusivity checks: two of those per record would cost more
/// than the record itself.
final class HistoryLog {
    let interval: Int
    let capacity: Int
    /// The next step to record (Int.max without history), compared once per step.
    @exclusivity(unchecked) private(set) var nextStep: Int
    /// `allocated` points, the first `count` of them initialised.
    @exclusivity(unchecked) private var storage: UnsafeMutablePointer<HistoryPoint>?
    @exclusivity(unchecked) private var allocated = 0
    @exclusivity(unchecked) private var count = 0
    /// How many points were ever recorded.
    @exclusivity(unchecked) private(set) var recorded = 0
    /// Where the next point goes once the ring is full (`recorded % capacity`).
    @exclusivity(unchecked) private var write = 0

    init(interval: Int, capacity: Int) {
        self.interval = interval
        self.capacity = Swift.max(capacity, 1)
        nextStep = interval > 0 ? 1 : .max
    }

    deinit {
        // Sound: `storage` holds `allocated` points, the first `count` initialised (trivial type).
        storage?.deallocate()
    }

    /// Records step `step` (== ``nextStep``: 1 or a multiple of the interval).
    @inline(__always)
    func record(step: Int, loss: Double, gradientNorm: Double, learningRate: Double) {
        let point = HistoryPoint(step: step, loss: loss, gradientNorm: gradientNorm, learningRate: learningRate)
        if count < allocated {
            // Sound: count < allocated, the storage's size.
            storage.unsafelyUnwrapped[count] = point
            count &+= 1
        } else {
            recordSlowly(point)
        }
        recorded &+= 1
        nextStep = step < interval ? interval : step &+ interval
    }

    /// A record that grows the storage or overwrites the oldest point of a full ring.
    @inline(never)
    private func recordSlowly(_ point: HistoryPoint) {
        if count < capacity {
            grow(to: Swift.min(capacity, Swift.max(16, 2 * allocated)))
            // Sound: grow made room for more than `count` points.
            storage.unsafelyUnwrapped[count] = point
            count += 1
        } else {
            // Sound: write < capacity == count == allocated.
            storage.unsafelyUnwrapped[write] = point
            write = write + 1 == capacity ? 0 : write + 1
        }
    }

    /// Reallocates the storage for `size` (>= count) points, keeping the first `count`.
    private func grow(to size: Int) {
        let new = UnsafeMutablePointer<HistoryPoint>.allocate(capacity: size)
        if let old = storage {
            // Sound: both hold at least `count` points; HistoryPoint is trivial.
            new.initialize(from: old, count: count)
            old.deallocate()
        }
        storage = new
        allocated = size
    }

    /// The stored points in storage order.
    private var stored: [HistoryPoint] {
        guard let storage else { return [] }
        // Sound: the first `count` points are initialised.
        return Array(UnsafeBufferPointer(start: storage, count: count))
    }

    /// The kept points, oldest first.
    var orderedPoints: [HistoryPoint] {
        let points = stored
        guard count == capacity, recorded > capacity else { return points }
        let start = recorded % capacity
        return Array(points[start...] + points[..<start])
    }

    /// Restores points (oldest first) and the total recorded count from a checkpoint.
    func restore(points restored: [HistoryPoint], recorded total: Int, step: Int) {
        var points = Array(restored.suffix(capacity))
        // Rotate so that the ring's write position continues where it stopped.
        if points.count == capacity, total > capacity {
            let start = total % capacity
            points = Array(points[(capacity - start)...] + points[..<(capacity - start)])
        }
        count = 0
        if points.count > allocated { grow(to: points.count) }
        points.withUnsafeBufferPointer { source in
            // Sound: the storage holds at least points.count points (grown just above); HistoryPoint
            // is trivial, so initialising over earlier points needs no deinitialisation.
            if let base = source.baseAddress { storage?.initialize(from: base, count: source.count) }
        }
        count = points.count
        recorded = total
        write = count == capacity ? total % capacity : 0
        nextStep = interval > 0 ? (step == 0 ? 1 : (step / interval + 1) * interval) : .max
    }
}
