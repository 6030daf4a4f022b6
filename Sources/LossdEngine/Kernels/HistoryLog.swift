// SPDX-License-Identifier: Apache-2.0

/// One recorded step: its loss, the gradient's Euclidean norm, the learning rate its update used
/// and, for a job with metrics (``JobSpec/metrics``), their values at the step's parameters (the
/// ones its loss was evaluated at), in the order configured; empty when not measured.
public struct HistoryPoint: Sendable, Hashable, Codable {
    public var step: Int
    public var loss: Double
    public var gradientNorm: Double
    public var learningRate: Double
    public var metrics: [Double]

    public init(step: Int, loss: Double, gradientNorm: Double, learningRate: Double, metrics: [Double] = []) {
        self.step = step
        self.loss = loss
        self.gradientNorm = gradientNorm
        self.learningRate = learningRate
        self.metrics = metrics
    }
}

/// The most recent `capacity` history points of a job: step 1, then every multiple of `interval`.
///
/// Points are kept as columns of doubles: the loss, the gradient's sum of squares and, when the
/// job has a scheduler, the learning rate. A point's step follows from its record number (step
/// 1, then the multiples of the interval), and without a scheduler every point has the job's
/// constant rate, so a record is two or three stores: the step loops run at a few nanoseconds per
/// step, and every instruction here shows (a 10,000-step job records every 10 steps). The norm's
/// square root is taken when a point is read (a `sqrtsd` per record cost the step loop more than
/// the stores, measured); points restored from a checkpoint, which carries norms, keep their norm.
///
/// Storage is taken at the first record, sized for the points a job of `maxSteps` steps records
/// (up to `capacity`; a job that records none allocates nothing), from the shared
/// ``HistoryBufferPool``; a job restored with more points grows it. It is then a ring over the
/// oldest point. Buffers go back to the pool when outgrown and when the history is freed, so
/// histories reuse memory instead of faulting in fresh pages. Allocation, growth and the ring's
/// wrap-around happen in ``makeRoom()``, when the cursor reaches its limit.
///
/// With a ``HistoryOutput`` the log keeps one block (``historyBlockSize`` points at most): when
/// the block is full, the next record first hands it to the output and starts a new block there
/// (in ``makeRoom()`` too), so the step loops are unchanged and the latest point is always kept.
///
/// A job with metrics keeps one more column per metric, measured by its ``MetricEvaluator`` on
/// the loss's input (the fitted tensor) when a point is recorded, never at the other steps: a
/// step loop without metrics does exactly the work it did before they existed.
///
/// Owned by the job's kernel, used by one thread at a time (JobKernel's ownership rule), so the
/// properties skip Swift's run-time exclusivity checks: two of those per record would cost more
/// than the record itself.
final class HistoryLog {
    let interval: Int
    let capacity: Int
    /// Points a run to max_steps records: step 1, the multiples of the interval, and one spare.
    let expectedPoints: Int
    /// The rate of every point when the job has no scheduler (no rate column is kept then).
    let constantLearningRate: Double?
    /// Measures the metrics of a recorded point; nil without metrics.
    let metrics: MetricEvaluator?
    /// The metric columns (0 without metrics).
    let metricCount: Int
    /// Receives each full block of points; nil: the ring keeps the latest `capacity` points.
    let output: (any HistoryOutput)?
    /// The loss, norm and (with a scheduler) rate columns; the metric columns follow.
    private let baseColumns: Int
    private let columns: Int
    /// `columns` columns of `allocated` values each: losses, norms, then rates, then metrics.
    @exclusivity(unchecked) private var storage: UnsafeMutablePointer<Double>?
    @exclusivity(unchecked) private var allocated = 0
    /// Where the next point goes. Before the ring first wraps, points 0..<cursor are initialised;
    /// after, all `capacity` are, and the oldest is at `cursor`.
    @exclusivity(unchecked) private var cursor = 0
    /// A record at `cursor` needs no room made while cursor < limit (limit <= min(allocated, capacity)).
    @exclusivity(unchecked) private var limit = 0
    @exclusivity(unchecked) private var wrapped = false
    /// Points recorded before the ring's current lap (and before a restored history): the
    /// records count is this plus `cursor`, so a record only advances the cursor.
    @exclusivity(unchecked) private var earlierLaps = 0
    /// Points with a record number below this were restored and hold the gradient norm itself
    /// in the second column; later ones hold the sum of squares.
    private var restoredRecords = 0

    /// How many points were ever recorded.
    var recorded: Int { earlierLaps + cursor }

    init(interval: Int, capacity: Int, maxSteps: Int, constantLearningRate: Double?, metrics: MetricEvaluator? = nil,
         output: (any HistoryOutput)? = nil) {
        self.interval = interval
        self.output = output
        self.capacity = Swift.max(output == nil ? capacity : Swift.min(capacity, historyBlockSize), 1)
        self.constantLearningRate = constantLearningRate
        self.metrics = metrics
        metricCount = metrics?.metrics.count ?? 0
        baseColumns = constantLearningRate == nil ? 3 : 2
        columns = baseColumns + metricCount
        let runs = interval > 0 ? Swift.max(maxSteps, 0) / interval : 0
        expectedPoints = runs < self.capacity ? Swift.min(self.capacity, runs + 2) : self.capacity
    }

    deinit {
        // Sound: `storage` came from the pool with columns * allocated values and is not used again.
        if let storage { HistoryBufferPool.shared.recycle(storage, size: columns * allocated) }
    }

    /// The first step after `step` to record: 1, then the multiples of the interval (Int.max
    /// without history).
    func nextStep(after step: Int) -> Int {
        guard interval > 0 else { return .max }
        return step < 1 ? 1 : (step / interval + 1) * interval
    }

    /// The step of the `record`-th point ever recorded (0 is step 1).
    func step(ofRecord record: Int) -> Int {
        record == 0 ? 1 : interval == 1 ? record + 1 : record * interval
    }

    /// Records step `step` (1 or a multiple of the interval) with the gradient's sum of squares
    /// and, with metrics, their values on `output` (the loss's input at the step, as many
    /// elements as the metrics compare; nil: NaN); returns the next step to record.
    @inline(__always)
    func record(step: Int, loss: Double, gradientSquares: Double, learningRate: Double, output: UnsafePointer<Double>?) -> Int {
        if cursor == limit { makeRoom() }
        // Sound: makeRoom leaves cursor < limit <= allocated, the length of each column.
        let base = storage.unsafelyUnwrapped
        base[cursor] = loss
        base[allocated &+ cursor] = gradientSquares
        if baseColumns == 3 { base[2 &* allocated &+ cursor] = learningRate }
        if metricCount != 0 { recordMetrics(output) }
        cursor &+= 1
        return step < interval ? interval : step &+ interval
    }

    /// Measures the metrics into the point at `cursor` (out of line: rare, and kept out of the
    /// step loops' code).
    @inline(never)
    private func recordMetrics(_ output: UnsafePointer<Double>?) {
        // Sound: record made room, cursor < allocated; metric column j is column baseColumns + j.
        let base = storage.unsafelyUnwrapped + baseColumns * allocated + cursor
        let allocated = self.allocated
        guard let metrics, let output else {
            for j in 0..<metricCount { base[j * allocated] = .nan }
            return
        }
        metrics.evaluate(output) { j, value in base[j * allocated] = value }
    }

    /// Makes `cursor` < `limit`: takes or grows the storage while filling, hands a full block to
    /// the output, or wraps the full ring to its oldest point.
    @inline(never)
    private func makeRoom() {
        if !wrapped, cursor < capacity {
            grow(to: Swift.min(capacity, Swift.max(2 * allocated, expectedPoints)))
        } else if let output {
            output.write(orderedPoints)
            earlierLaps += cursor
            cursor = 0
        } else {
            earlierLaps += cursor
            cursor = 0
            wrapped = true
        }
    }

    /// Replaces the storage by a pool buffer for `points` (> count) points, keeping the first
    /// `count` (the ring has not wrapped).
    private func grow(to points: Int) {
        let new = HistoryBufferPool.shared.take(size: columns * points)
        if let old = storage {
            for column in 0..<columns {
                // Sound: each old column holds `allocated` >= count values, each new one `points`
                // > count; Double is trivial. The old buffer goes back to the pool, unused after.
                (new + column * points).initialize(from: old + column * allocated, count: count)
            }
            HistoryBufferPool.shared.recycle(old, size: columns * allocated)
        }
        storage = new
        allocated = points
        limit = Swift.min(points, capacity)
    }

    /// How many points are kept.
    var count: Int { wrapped ? capacity : cursor }

    /// The kept point at `index` (0 is the oldest).
    func point(at index: Int) -> HistoryPoint {
        let count = self.count
        precondition(index >= 0 && index < count, "history index \(index) out of 0..<\(count)")
        let position = (wrapped ? cursor : 0) + index
        let slot = position < count ? position : position - count
        let record = recorded - count + index
        // Sound: slot < count <= allocated, the length of each column.
        let base = storage.unsafelyUnwrapped
        let second = base[allocated + slot]
        return HistoryPoint(step: step(ofRecord: record), loss: base[slot],
                            gradientNorm: record < restoredRecords ? second : StepControl.norm(second),
                            learningRate: constantLearningRate ?? base[2 * allocated + slot],
                            metrics: (0..<metricCount).map { base[(baseColumns + $0) * allocated + slot] })
    }

    /// The metrics of the latest point (empty without metrics or points).
    var latestMetrics: [Double] {
        count == 0 ? [] : point(at: count - 1).metrics
    }

    /// The kept points, oldest first.
    var orderedPoints: [HistoryPoint] {
        (0..<count).map(point(at:))
    }

    /// Whether `points` (oldest first, the last `points.count` of `total` recorded) are points
    /// this history records: their steps follow the interval and, without a scheduler, their
    /// rate is the job's, and they carry this history's metrics (or none: a checkpoint written
    /// before the job had metrics, whose points then read NaN).
    func accepts(_ points: [HistoryPoint], recorded total: Int) -> Bool {
        guard total >= points.count else { return false }
        let first = total - points.count
        return points.enumerated().allSatisfy { index, point in
            point.step == step(ofRecord: first + index)
                && (point.metrics.isEmpty || point.metrics.count == metricCount)
                && (constantLearningRate.map { point.learningRate.bitPattern == $0.bitPattern } ?? true)
        }
    }

    /// Restores points (oldest first; see ``accepts(_:recorded:)``) and the total recorded count
    /// from a checkpoint.
    /// With an output, points beyond one block (a checkpoint written without one) are handed to
    /// it first.
    func restore(points restored: [HistoryPoint], recorded total: Int) {
        if let output, restored.count > capacity { output.write(Array(restored.dropLast(capacity))) }
        let points = Array(restored.suffix(capacity))
        cursor = 0
        wrapped = false
        if points.count > allocated { grow(to: points.count) }
        // A full ring that has overwritten points continues at the same place: the oldest point
        // sits where the next record goes, total % capacity.
        // (With an output, a full block is handed over at the next record instead.)
        let ring = output == nil && points.count == capacity && total > capacity
        let oldest = ring ? total % capacity : 0
        for (index, point) in points.enumerated() {
            let slot = (oldest + index) % capacity
            // Sound: slot < points.count <= allocated (grown just above), each column's length.
            let base = storage.unsafelyUnwrapped
            base[slot] = point.loss
            base[allocated + slot] = point.gradientNorm
            if baseColumns == 3 { base[2 * allocated + slot] = point.learningRate }
            for j in 0..<metricCount {
                base[(baseColumns + j) * allocated + slot] = j < point.metrics.count ? point.metrics[j] : .nan
            }
        }
        cursor = ring ? oldest : points.count
        wrapped = ring
        earlierLaps = total - cursor
        restoredRecords = total
    }
}
