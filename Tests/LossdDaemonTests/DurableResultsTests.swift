// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
@testable import LossdDaemon
import LossdEngine
import LossdJSON
import LossdState
import LossdSystemd
import LossdTestSupport
import ServiceLifecycleTestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Results that cannot be written: the commit order, the kept result and its retry schedule,
/// the status line's note and the journal's entries.
@Suite("Durable results")
struct DurableResultsTests {
    static func record(_ name: String, _ status: JobStatus, unsaved: StateWriteProblem? = nil) -> JobRecord {
        var record = JobRecord(name: name, status: status, steps: 12, loss: 0.25, bestLoss: 0.25,
                               output: Tensor(shape: [1], scalars: [3]), lossFunction: "mse", optimizer: "sgd",
                               startedAt: 1, finishedAt: 3, elapsedSeconds: 2, configHash: "h")
        record.unsaved = unsaved
        return record
    }

    // MARK: - Commit order

    /// A file in place of each folder in turn: the writes before it are done, none after it, and
    /// the checkpoint stays.
    @Test(arguments: [("history", [String]()), ("charts", ["history/job.csv"]), ("results", ["history/job.csv", "charts/job.svg"])])
    func aCommitStopsAtItsFirstFailedWriteAndKeepsTheCheckpoint(blocked: String, written: [String]) throws {
        let fixture = DaemonFixture("commit")
        defer { fixture.remove() }
        let store = try StateStore(directory: fixture.state())
        try? FileManager.default.removeItem(atPath: "\(store.directory)/\(blocked)")
        try "a file".write(toFile: "\(store.directory)/\(blocked)", atomically: false, encoding: .utf8)
        try AtomicFile.write("an earlier checkpoint", to: store.checkpointPath("job"))
        let history = [HistoryRow(step: 1, loss: 700, gradientNorm: 30, learningRate: 0.5)]
        let failure = ResultWriter(store: store).commit(PendingResult(record: Self.record("job", .maxSteps), history: history))
        #expect(failure?.problem == .notWritable)
        #expect(failure?.path.hasPrefix("\(store.directory)/\(blocked)/") == true)
        for path in ["history/job.csv", "charts/job.svg", "results/job.json"] {
            #expect(fixture.exists("\(store.directory)/\(path)") == written.contains(path), "\(path)")
        }
        #expect(fixture.exists(store.checkpointPath("job")), "the checkpoint stays until the result is written")
    }

    /// Jobs ending together are committed in batches; one whose result cannot be renamed into
    /// place (a directory is in its way) fails alone and keeps its checkpoint.
    @Test func jobsEndingTogetherAreCommittedInBatchesAndFailAlone() async throws {
        let fixture = DaemonFixture("batch")
        defer { fixture.remove() }
        let store = try StateStore(directory: fixture.state())
        let writer = ResultWriter(store: store)
        let names = (0..<(2 * ResultWriter.batchLimit + 7)).map { "job-\($0)" }
        for name in names { try AtomicFile.write("a checkpoint", to: store.checkpointPath(name)) }
        try FileManager.default.createDirectory(atPath: store.resultPath("job-5"), withIntermediateDirectories: true)
        let history = [HistoryRow(step: 1, loss: 700, gradientNorm: 30, learningRate: 0.5)]
        let failures = await withTaskGroup(of: (String, StateWriteProblem?).self) { group in
            for name in names {
                group.addTask {
                    (name, await writer.commitOnWriterThread(PendingResult(record: Self.record(name, .maxSteps), history: history))?.problem)
                }
            }
            return await group.reduce(into: [String: StateWriteProblem]()) { $0[$1.0] = $1.1 }
        }
        #expect(failures == ["job-5": .notWritable])
        for name in names where name != "job-5" {
            #expect(try StateReader(directory: store.directory).result(name)?.record.name == name)
            #expect(!fixture.exists(store.checkpointPath(name)))
        }
        #expect(fixture.exists(store.checkpointPath("job-5")), "the failed job keeps its checkpoint")
    }

    // MARK: - Kept and retried

    /// The quick job, with a file where the state directory's `results` folder belongs.
    static func quickJobWithResultsAFile(_ name: String, reportInterval: String) throws -> DaemonFixture {
        let fixture = DaemonFixture(name)
        fixture.write("daemon: {report_interval: \(reportInterval)}\njobs:\n" + DaemonFixture.quickJob)
        try FileManager.default.createDirectory(atPath: fixture.state(), withIntermediateDirectories: true)
        try "a file".write(toFile: fixture.state() + "/results", atomically: false, encoding: .utf8)
        return fixture
    }

    @Test func aResultThatCannotBeWrittenIsKeptThenWrittenOnceTheDirectoryIsFixed() async throws {
        let fixture = try Self.quickJobWithResultsAFile("unsaved", reportInterval: "10ms")
        defer { fixture.remove() }
        let daemon = try InProcessDaemon(fixture, mode: .run)
        try await daemon.runToEnd()
        let supervisor = daemon.supervisor

        #expect(supervisor.allFinished, "the job ended")
        #expect(supervisor.unsavedJobs() == [Supervisor.UnsavedJob(job: "quick", isResult: true, problem: .notWritable)])
        #expect(supervisor.summary().statusLine.hasSuffix("; 1 result not saved: state directory not writable"))
        let failures = daemon.journal.entries(.stateWriteFailed)
        #expect(failures.count == 1, "one entry on the first failure")
        #expect(failures.first?["LOSSD_JOB"] == "quick" && failures.first?["PRIORITY"] == "3")
        #expect(failures.first?["LOSSD_PATH"] == fixture.state() + "/results/quick.json")
        #expect(failures.first?["LOSSD_REASON"] == "state directory not writable")
        #expect(failures.first?["LOSSD_ERROR"] == "cannot create: Not a directory" && failures.first?["ERRNO"] == "\(ENOTDIR)")
        let status = try #require(try StateReader(directory: fixture.state()).status())
        #expect(status.jobs.first?.unsaved == .notWritable && status.summary.contains("1 result not saved"))

        // Still broken: one summary for the round, the result still kept.
        #expect(await supervisor.retryPendingWrites(force: true))
        #expect(daemon.journal.entries(.stateWriteFailed).count == 2 && daemon.journal.entries(.stateWriteRecovered).isEmpty)

        try FileManager.default.removeItem(atPath: fixture.state() + "/results")
        #expect(await supervisor.retryPendingWrites(force: true) == false)
        #expect(supervisor.unsavedJobs().isEmpty)
        #expect(!supervisor.summary().statusLine.contains("not saved"))
        #expect(fixture.result("quick")?["steps"] == .integer(35))
        #expect(fixture.exists(fixture.state() + "/history/quick.csv") && fixture.exists(fixture.state() + "/charts/quick.svg"))
        #expect(daemon.journal.entries(.stateWriteRecovered).first?["LOSSD_JOB"] == "quick")
    }

    /// `serve` retries on its report ticks: not before 1 s, then 2 s after a failed round; the
    /// note clears once the result is written.
    @Test func serveRetriesOnItsOwnWithBackoff() async throws {
        let fixture = try Self.quickJobWithResultsAFile("serve-retry", reportInterval: "500ms")
        defer { fixture.remove() }
        let daemon = try InProcessDaemon(fixture, mode: .serve, supervisorOnManualClock: true)
        let journal = daemon.journal
        try await daemon.running { trigger in
            await journal.entry(.stateWriteFailed, job: "quick")  // at 0 s on the manual clock
            await daemon.clock.sleepers(atLeast: 1)
            await daemon.clock.advance(by: .milliseconds(500))
            #expect(journal.entries(.stateWriteFailed).count == 1, "no retry before 1 s")
            await daemon.clock.advance(by: .milliseconds(500))
            #expect(journal.entries(.stateWriteFailed).count == 2, "the retry at 1 s failed: one summary")
            #expect(daemon.supervisor.summary().statusLine.hasSuffix("1 result not saved: state directory not writable"))
            try FileManager.default.removeItem(atPath: fixture.state() + "/results")
            await daemon.clock.advance(by: .milliseconds(500))
            await daemon.clock.advance(by: .milliseconds(500))
            await daemon.clock.advance(by: .milliseconds(500))
            #expect(!fixture.exists(fixture.state() + "/results/quick.json"), "the next retry is 2 s after the failed one")
            await daemon.clock.advance(by: .milliseconds(500))
            #expect(fixture.result("quick")?["steps"] == .integer(35))
            #expect(journal.entries(.stateWriteRecovered).count == 1 && journal.entries(.stateWriteFailed).count == 2)
            #expect(!daemon.supervisor.summary().statusLine.contains("not saved"))
            trigger.triggerGracefulShutdown()
        }
    }

    @Test func retriesBackOffFromOneSecondToAMinute() {
        let pending = PendingWrites()
        let job = PendingResult(record: Self.record("a", .maxSteps), history: [])
        #expect(!pending.retryDue(now: 100), "nothing to retry")
        #expect(pending.keep(job, .full, now: 10))
        #expect(!pending.keep(job, .full, now: 10.5), "a job is reported once")
        #expect(!pending.retryDue(now: 10.9) && pending.retryDue(now: 11))
        var now = 11.0
        var delays: [Double] = []
        for _ in 0..<8 {
            let delay = pending.roundFailed(now: now)
            delays.append(delay)
            #expect(!pending.retryDue(now: now + delay - 0.01) && pending.retryDue(now: now + delay))
            now += delay
        }
        #expect(delays == [2, 4, 8, 16, 32, 60, 60, 60])
        pending.saved("a")
        #expect(pending.isEmpty && !pending.retryDue(now: now + 1000))
        pending.keep(job, .full, now: now)
        #expect(pending.retryDue(now: now + 1), "back to one second after everything was written")
    }

    @Test func aCheckpointFailureIsReportedOnceUntilOneSucceeds() {
        let pending = PendingWrites()
        #expect(pending.checkpointFailed("a", .readOnly))
        #expect(!pending.checkpointFailed("a", .readOnly))
        #expect(pending.problem("a") == .readOnly)
        #expect(pending.checkpointSaved("a"))
        #expect(!pending.checkpointSaved("a") && pending.problem("a") == nil)
    }

    // MARK: - Status line

    @Test(arguments: [(ENOSPC, "full"), (EROFS, "read-only"), (ENOENT, "missing"), (EIO, "I/O error"),
                      (EACCES, "not writable"), (ENOTDIR, "not writable")])
    func theStatusLineSaysWhatIsNotSaved(code: Int32, words: String) {
        let problem = StateWriteProblem(errno: code)
        let three = (1...3).map { Self.record("r\($0)", .maxSteps, unsaved: problem) } + [Self.record("ok", .converged(.tolerance))]
        #expect(Supervisor.Summary(three).statusLine.hasSuffix("; 3 results not saved: state directory \(words)"))
        let mixed = [Self.record("r", .maxSteps, unsaved: problem), Self.record("p", .paused, unsaved: problem)]
        #expect(Supervisor.Summary(mixed).unsavedNote == "1 result and 1 checkpoint not saved: state directory \(words)")
        #expect(Supervisor.Summary([Self.record("ok", .maxSteps)]).unsavedNote == nil)
    }
}
