// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdConfig
@testable import LossdDaemon
import LossdEngine
import LossdState
import LossdSync
import LossdTestSupport
import Testing

/// The supervisor's parts on their own: engine ids, the end-of-run wait, the result writer.
@Suite("Supervisor parts")
struct SupervisorPartsTests {
    @Test func engineIDsNumberEachSubmission() {
        var ids = EngineIDs()
        #expect(ids.next("a") == "a")
        #expect(ids.next("b") == "b")
        #expect(ids.next("a") == "a~2")
        #expect(ids.next("a") == "a~3")
        #expect(ids.job(of: "a~2") == "a" && ids.job(of: "b") == "b" && ids.job(of: "c") == nil)
        #expect(ids.isNewest("a~3") && !ids.isNewest("a~2") && !ids.isNewest("a") && ids.isNewest("b"))
        #expect(EngineIDs.id("a", submission: 1) == "a" && EngineIDs.id("a", submission: 4) == "a~4")
    }

    static func job(_ name: String) -> JobConfiguration {
        JobConfiguration(name: name, loss: .init("mse"), initial: .literal(Tensor([1.0])), target: .literal(Tensor([0.0])),
                         optimizer: .init("sgd"), stopping: StoppingRules(maxSteps: 10),
                         source: ConfigLocation(file: "lossd.yaml", mark: Mark(line: 1, column: 1)))
    }

    /// Waiting jobs take places in the admission window in order; a job's end or removal frees its
    /// place, a job removed or submitted while it waited is skipped.
    @Test func theAdmissionWindowAdmitsInOrderAndFreesPlaces() {
        var state = Supervisor.State()
        for name in ["a", "b", "c", "d", "e"] {
            state.put(Supervisor.Managed(config: Self.job(name), startedAt: 0, runStart: 0))
            state.waiting.append(name)
        }
        #expect(state.nextAdmission(window: 2)?.name == "a")
        #expect(state.nextAdmission(window: 2)?.name == "b")
        #expect(state.nextAdmission(window: 2) == nil && state.admitted == 2)
        // A submission replaces the record and keeps its place.
        var submitted = Supervisor.Managed(config: Self.job("a"), startedAt: 0, runStart: 0)
        submitted.windowed = true
        state.put(submitted)
        #expect(state.admitted == 2)
        state.finish("a", JobRecord(name: "a", status: .maxSteps, lossFunction: "mse", optimizer: "sgd", startedAt: 0))
        #expect(state.admitted == 1)
        state.remove("c")
        #expect(state.nextAdmission(window: 2)?.name == "d", "c was removed while it waited")
        state.remove("b")
        #expect(state.nextAdmission(window: 2)?.name == "e")
        #expect(state.nextAdmission(window: 3) == nil && state.admitted == 2 && state.waiting.isEmpty)
        #expect(!state.allFinished)
    }

    @Test func aConditionWakesItsWaitersOnceItHolds() async {
        let flag = Locked(false)
        let condition = AsyncCondition { flag.withLock { $0 } }
        let woken = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await condition.wait()
                    woken.withLock { $0 += 1 }
                }
            }
            // A signal while the condition does not hold wakes nobody.
            condition.signal()
            await Task.yield()
            #expect(woken.withLock { $0 } == 0)
            flag.withLock { $0 = true }
            condition.signal()
            await group.waitForAll()
        }
        #expect(woken.withLock { $0 } == 3)
        // Once it holds, a wait returns at once.
        await condition.wait()
    }

    @Test func aCancelledWaitReturns() async {
        let condition = AsyncCondition { false }
        let waiter = Task { await condition.wait() }
        waiter.cancel()
        await waiter.value
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await condition.wait()
        }
        await early.value
    }

    @Test func theResultWriterDrawsTheChartFromTheRowsInMemory() throws {
        let directory = NSTemporaryDirectory() + "lossd-writer-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try StateStore(directory: directory)
        let writer = ResultWriter(store: store)
        try AtomicFile.write("an earlier checkpoint", to: store.checkpointPath("job"))
        let history = [HistoryRow(step: 1, loss: 700, gradientNorm: 30, learningRate: 0.5),
                       HistoryRow(step: 10, loss: 0.5, gradientNorm: 1, learningRate: 0.5)]
        let final = JobProgress(step: 12, loss: 0.25, gradientNorm: 0.5, learningRate: 0.5, bestLoss: 0.25)
        let record = JobRecord(name: "job", status: .maxSteps, steps: 12, loss: 0.25, bestLoss: 0.25,
                               output: Tensor(shape: [1], scalars: [3]), lossFunction: "mse", optimizer: "sgd",
                               startedAt: 1, finishedAt: 3, elapsedSeconds: 2, configHash: "h")
        #expect(writer.commit(PendingResult(record: record, history: ResultWriter.rows(history, final: final))) == nil)
        #expect(try StateReader(directory: directory).history("job") == history + [HistoryRow(step: 12, loss: 0.25, gradientNorm: 0.5, learningRate: 0.5)])
        #expect(try StateReader(directory: directory).result("job")?.record.status == .maxSteps)
        let svg = try String(contentsOfFile: store.chartPath("job"), encoding: .utf8)
        #expect(svg.contains("lossd job job") && svg.contains("reached max_steps (12) with loss 0.25"))
        #expect(!FileManager.default.fileExists(atPath: store.checkpointPath("job")), "the result supersedes the checkpoint")
    }
}
