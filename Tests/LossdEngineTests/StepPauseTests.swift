// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import Testing

/// A job that pauses by itself at a given step (what a study's rungs use): it stops exactly
/// there whatever its batch of steps, goes on from there bit for bit, and can be pruned.
@Suite("Pausing at a step", .timeLimit(.minutes(10)))
struct StepPauseTests {
    static func engine(workers: Int) -> TrainingEngine {
        TrainingEngine(EngineConfiguration(workers: workers, sliceDuration: .microseconds(300), batchDuration: .microseconds(60)))
    }

    /// Narrow, wide (split into chunks) and whole-loss jobs of the engine's mix, each stopped at
    /// several steps on its way: every stop lands exactly, and the end equals an unstopped run.
    @Test(arguments: [1, 2])
    func stopsExactlyAndEndsAsAnUnstoppedRun(workers: Int) async throws {
        let engine = Self.engine(workers: workers)
        defer { engine.shutdown() }
        let specs = Array(Jobs.mix.prefix(7))
        let stops = [1, 7, 8, 50, 51]
        for spec in specs {
            let reference = try TrainingJob(spec)
            reference.run()
            let expected = try reference.checkpoint().encoded()
            let handle = engine.submit(spec, pausingAt: stops[0])
            for (index, stop) in stops.enumerated() {
                let status = await handle.settled()
                if status.isFinal { break }
                #expect(status == .paused && handle.progress.step == stop && handle.pausedAtStep == stop, "\(spec.loss.name) at \(stop)")
                handle.resume(pausingAt: index + 1 < stops.count ? stops[index + 1] : nil)
            }
            _ = await handle.result()
            #expect(try await handle.checkpoint().encoded() == expected, "\(spec.loss.name) with \(workers) workers")
        }
    }

    @Test func aJobOnItsStopStepPausesAtOnceAndAnotherPauseIsNotAStop() async throws {
        let engine = Self.engine(workers: 1)
        defer { engine.shutdown() }
        let handle = engine.submit(Jobs.seed(stopping: StoppingRules(maxSteps: 1000)), pausingAt: 10)
        #expect(await handle.settled() == .paused && handle.pausedAtStep == 10)
        // Already there: resuming with the same stop pauses again without a step.
        handle.resume(pausingAt: 10)
        #expect(await handle.settled() == .paused && handle.progress.step == 10)
        handle.resume(pausingAt: 400)
        #expect(await handle.settled() == .paused && handle.progress.step == 400)
        // A resume of a job that is not paused changes nothing (a decision applied twice).
        handle.resume(pausingAt: 600)
        handle.resume(pausingAt: 500)
        #expect(await handle.settled() == .paused && handle.progress.step == 600)
    }

    @Test func aPausedJobIsPruned() async throws {
        let engine = Self.engine(workers: 1)
        defer { engine.shutdown() }
        let handle = engine.submit(Jobs.seed(), pausingAt: 5)
        #expect(await handle.settled() == .paused)
        handle.prune()
        let result = await handle.result()
        #expect(result.status == .pruned && result.progress.step == 5)
        #expect(result.status.isFinal && !result.status.isFailure)
        #expect(engine.job(handle.id) == nil)
    }
}
