// SPDX-License-Identifier: Apache-2.0

import LossKit
@testable import LossdEngine
import Synchronization
import Testing

/// A job with a ``HistoryOutput``: its history leaves the job in blocks as it is recorded, and
/// what the output received plus what the job kept is the whole history, across checkpoints too.
@Suite("History output")
struct HistoryOutputTests {
    /// Records the blocks it receives.
    final class Recording: HistoryOutput {
        let blocks = Mutex<[[HistoryPoint]]>([])
        func write(_ points: [HistoryPoint]) { blocks.withLock { $0.append(points) } }
        var points: [HistoryPoint] { blocks.withLock { $0.flatMap { $0 } } }
    }

    static func spec(maxSteps: Int, interval: Int, output: Recording?) -> JobSpec {
        var spec = Jobs.seed(stopping: StoppingRules(maxSteps: maxSteps))
        spec.historyInterval = interval
        spec.historyCapacity = 100_000
        spec.historyOutput = output
        return spec
    }

    @Test("full blocks go to the output as recorded; the job keeps the last, partial one",
          arguments: [(1_000, 1), (5_000, 5), (100, 1), (128, 1), (129, 1)])
    func blocks(maxSteps: Int, interval: Int) async throws {
        let reference = try TrainingJob(Self.spec(maxSteps: maxSteps, interval: interval, output: nil))
        reference.run()
        let output = Recording()
        let engine = TrainingEngine(EngineConfiguration(workers: 2, sliceDuration: .microseconds(200), batchDuration: .microseconds(20)))
        defer { engine.shutdown() }
        let result = await engine.submit(Self.spec(maxSteps: maxSteps, interval: interval, output: output)).result()
        #expect(output.blocks.withLock { $0 }.allSatisfy { $0.count == historyBlockSize })
        #expect(result.history.count >= 1 && result.history.count <= historyBlockSize)
        #expect(output.points + Array(result.history) == reference.history)
    }

    @Test("a job resumed from a checkpoint continues the history where the checkpoint counts it",
          arguments: [1, 127, 128, 129, 300, 640, 999])
    func resumed(stop: Int) throws {
        let reference = try TrainingJob(Self.spec(maxSteps: 1_000, interval: 1, output: nil))
        reference.run()
        let before = Recording()
        let first = try TrainingJob(Self.spec(maxSteps: 1_000, interval: 1, output: before))
        first.run(steps: stop)
        let checkpoint = first.checkpoint()
        // What a resumed run keeps of the file: the rows the checkpoint counts as written.
        let written = Array(before.points.prefix(checkpoint.historyRecorded - checkpoint.history.count))
        #expect(written.count == checkpoint.historyRecorded - checkpoint.history.count, "stopped at \(stop)")
        let after = Recording()
        let resumed = try TrainingJob(Self.spec(maxSteps: 1_000, interval: 1, output: after), resumingFrom: checkpoint)
        resumed.run()
        #expect(written + after.points + resumed.history == reference.history, "stopped at \(stop)")
    }

    @Test("a checkpoint written without an output hands its points beyond one block to the output")
    func olderCheckpoint() throws {
        let reference = try TrainingJob(Self.spec(maxSteps: 1_000, interval: 1, output: nil))
        reference.run()
        let first = try TrainingJob(Self.spec(maxSteps: 1_000, interval: 1, output: nil))
        first.run(steps: 500)
        let output = Recording()
        let resumed = try TrainingJob(Self.spec(maxSteps: 1_000, interval: 1, output: output), resumingFrom: first.checkpoint())
        resumed.run()
        #expect(output.points + resumed.history == reference.history)
    }
}
