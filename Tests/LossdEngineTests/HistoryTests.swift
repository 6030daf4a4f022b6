// SPDX-License-Identifier: Apache-2.0

import LossKit
@testable import LossdEngine
import Testing

/// A job's history: what a result hands out, and the recycled storage it is kept in.
@Suite("History")
struct HistoryTests {
    static func spec(maxSteps: Int, interval: Int, capacity: Int) -> JobSpec {
        var spec = Jobs.seed(stopping: StoppingRules(maxSteps: maxSteps))
        spec.historyInterval = interval
        spec.historyCapacity = capacity
        return spec
    }

    @Test("a result carries the job's history, oldest first, as the job kept it",
          arguments: [(100, 10, 4), (100, 10, 2_000), (1_000, 1, 1_002), (10, 3, 1), (50, 0, 10)])
    func resultHistory(maxSteps: Int, interval: Int, capacity: Int) async throws {
        let spec = Self.spec(maxSteps: maxSteps, interval: interval, capacity: capacity)
        let reference = try TrainingJob(spec)
        reference.run()
        let engine = TrainingEngine(EngineConfiguration(workers: 2, sliceDuration: .microseconds(200), batchDuration: .microseconds(20)))
        defer { engine.shutdown() }
        let result = await engine.submit(spec).result()
        #expect(Array(result.history) == reference.history)
        #expect(result.history.count == (interval == 0 ? 0 : min(capacity, maxSteps / interval + (interval > 1 ? 1 : 0))))
        if interval > 0, capacity >= 2_000 {
            #expect(result.history.map(\.step) == [1] + Array(stride(from: interval, through: maxSteps, by: interval)))
        }
    }

    @Test("a checkpoint restores the ring where it stopped")
    func ringAcrossRestore() throws {
        let spec = Self.spec(maxSteps: 200, interval: 7, capacity: 5)
        let reference = try TrainingJob(spec)
        reference.run()
        for stop in [1, 6, 7, 8, 35, 36, 120] {
            let first = try TrainingJob(spec)
            first.run(steps: stop)
            let resumed = try TrainingJob(spec, resumingFrom: first.checkpoint())
            resumed.run()
            #expect(resumed.history == reference.history, "stopped at \(stop)")
        }
    }

    @Test("points restored from a checkpoint keep their norms bit for bit; later ones are the root of their squares",
          arguments: [4, 100])
    func restoredNorms(capacity: Int) throws {
        let spec = Self.spec(maxSteps: 60, interval: 10, capacity: capacity)
        let reference = try TrainingJob(spec)
        reference.run()
        let first = try TrainingJob(spec)
        first.run(steps: 35)
        var checkpoint = first.checkpoint()
        // Norms whose square underflows, overflows or is not a number: kept as norms, not squares.
        let norms = [1e-300, 1e200, Double.nan, 0.1]
        for index in checkpoint.history.indices { checkpoint.history[index].gradientNorm = norms[index % norms.count] }
        let edited = checkpoint.history
        let resumed = try TrainingJob(spec, resumingFrom: checkpoint)
        #expect(resumed.history.map(\.gradientNorm.bitPattern) == edited.map(\.gradientNorm.bitPattern))
        resumed.run()
        let later = reference.history.filter { $0.step > 35 }
        let expected = Array((edited + later).suffix(capacity))
        #expect(resumed.history.map(\.step) == reference.history.map(\.step))
        #expect(resumed.history.map(\.gradientNorm.bitPattern) == expected.map(\.gradientNorm.bitPattern))
        #expect(resumed.history.map(\.loss) == reference.history.map(\.loss))
    }

    @Test("buffers come back to the pool and are handed out again, up to its bound")
    func pool() {
        let pool = HistoryBufferPool()
        let first = pool.take(size: 2_004)
        pool.recycle(first, size: 2_004)
        #expect(pool.retainedBytes == 2_004 * MemoryLayout<Double>.stride)
        let second = pool.take(size: 2_004)
        #expect(second == first)
        #expect(pool.retainedBytes == 0)
        let other = pool.take(size: 3_006)  // another size: not the free buffer
        #expect(other != first)
        pool.recycle(other, size: 3_006)
        pool.recycle(second, size: 2_004)
        // Beyond the bound, buffers are freed rather than kept.
        let large = HistoryBufferPool.largestPooledSize
        let fits = HistoryBufferPool.retainedBytesLimit / (large * MemoryLayout<Double>.stride)
        let taken = (0..<(fits + 2)).map { _ in pool.take(size: large) }
        for buffer in taken { pool.recycle(buffer, size: large) }
        #expect(pool.retainedBytes <= HistoryBufferPool.retainedBytesLimit)
        #expect(pool.retainedBytes >= HistoryBufferPool.retainedBytesLimit - 2 * large * MemoryLayout<Double>.stride)
    }

    @Test("a history is sized for the points its run records, up to its capacity")
    func sizedForTheRun() {
        #expect(HistoryLog(interval: 10, capacity: 1_002, maxSteps: 10_000, constantLearningRate: 0.1).expectedPoints == 1_002)
        #expect(HistoryLog(interval: 10, capacity: 1_002, maxSteps: 100, constantLearningRate: 0.1).expectedPoints == 12)
        #expect(HistoryLog(interval: 1, capacity: 1_002, maxSteps: .max, constantLearningRate: nil).expectedPoints == 1_002)
    }

    @Test("steps follow from record numbers; a checkpoint's history must follow the job's")
    func derivedSteps() throws {
        let log = HistoryLog(interval: 10, capacity: 4, maxSteps: 100, constantLearningRate: 0.1)
        #expect((0..<4).map(log.step(ofRecord:)) == [1, 10, 20, 30])
        #expect(HistoryLog(interval: 1, capacity: 4, maxSteps: 100, constantLearningRate: 0.1).step(ofRecord: 2) == 3)
        let points = [20, 30].map { HistoryPoint(step: $0, loss: 1, gradientNorm: 2, learningRate: 0.1) }
        #expect(log.accepts(points, recorded: 4))
        #expect(!log.accepts(points, recorded: 5))  // steps 30 and 40 expected
        #expect(!log.accepts([HistoryPoint(step: 20, loss: 1, gradientNorm: 2, learningRate: 0.2)], recorded: 3))
        // Through a checkpoint: an edited step is refused with the history named.
        var spec = Jobs.seed(stopping: StoppingRules(maxSteps: 100))
        spec.historyInterval = 10
        spec.historyCapacity = 100
        let job = try TrainingJob(spec)
        job.run(steps: 45)
        var checkpoint = job.checkpoint()
        checkpoint.history[2].step = 21
        #expect(throws: EngineError.self) { try TrainingJob(spec, resumingFrom: checkpoint) }
        do {
            _ = try TrainingJob(spec, resumingFrom: checkpoint)
        } catch {
            #expect(error.message.contains("history"))
        }
    }
}
