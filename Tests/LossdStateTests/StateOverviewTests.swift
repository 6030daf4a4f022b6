// SPDX-License-Identifier: Apache-2.0

import LossdEngine
import Foundation
import LossKit
import LossdState
import LossdJSON
import Testing

/// `StateReader` and `StateOverview` on state directories written by hand: which source wins.
@Suite("State overview")
struct StateOverviewTests {
    static func record(_ name: String, status: JobStatus = .converged(.tolerance), steps: Int = 35, startedAt: Double = 1000,
                       finishedAt: Double = 1010) -> JobRecord {
        JobRecord(name: name, status: status, steps: steps, loss: 1e-9, bestLoss: 2e-9, gradientNorm: 0, learningRate: 0.5,
                  output: Tensor(shape: [1], scalars: [1]), lossFunction: "mse", optimizer: "sgd", startedAt: startedAt,
                  finishedAt: finishedAt, elapsedSeconds: 10, configHash: "0123456789abcdef")
    }

    static func job(_ name: String, _ status: JobStatus, step: Int = 500, maxSteps: Int = 1000, startedAt: Double = 2000) -> JobRecord {
        JobRecord(name: name, status: status, steps: step, maxSteps: maxSteps, loss: 0.25, bestLoss: 0.2, lossFunction: "mse",
                  optimizer: "sgd", startedAt: startedAt, elapsedSeconds: 5)
    }

    static func daemon(_ jobs: [JobRecord], state: DaemonStatus.State = .running) -> DaemonStatus {
        DaemonStatus(pid: 4242, mode: .serve, config: "/etc/lossd/lossd.yaml", state: state, startedAt: 1990, updatedAt: 2005,
                     reportIntervalSeconds: 1, summary: "", jobs: jobs)
    }

    /// A state directory with files written as the daemon writes them.
    struct Directory {
        let path = NSTemporaryDirectory() + "lossd-overview-\(UUID().uuidString)"
        let store: StateStore

        init() throws { store = try StateStore(directory: path) }

        func write(_ text: String, _ relative: String) throws {
            try text.write(toFile: path + "/" + relative, atomically: true, encoding: .utf8)
        }

        func checkpoint(_ job: String, step: Int, loss: String = "0.5") throws {
            try write("lossd-checkpoint 1 0123456789abcdef 1500 42.5\n{\"bestLoss\": 0.4, \"lastLoss\": \(loss), \"step\": \(step)}", "checkpoints/\(job).ckpt")
        }

        func status(_ status: DaemonStatus) throws { try write(status.json.serialized(), "status.json") }

        var reader: StateReader { StateReader(directory: path) }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func statusFileRoundTrips() throws {
        let status = Self.daemon([Self.job("a", .running), Self.job("b", .queued)])
        var queued = status
        queued.jobs[1].loss = .nan
        queued.jobs[1].bestLoss = .infinity
        let read = try #require(DaemonStatus(json: try JSONValue(parsing: queued.json.serialized())))
        #expect(read.jobs.map(\.name) == ["a", "b"] && read.pid == 4242 && read.mode == .serve)
        #expect(read.jobs[0].statusJSON == status.jobs[0].statusJSON, "every field of a job's line reads back")
        #expect(read.jobs[0].status == .running && read.jobs[0].maxSteps == 1000 && read.jobs[0].elapsedSeconds == 5)
        #expect(read.jobs[1].loss.isNaN && read.jobs[1].bestLoss.isNaN)
        guard case .array(let items)? = queued.json["jobs"] else { Issue.record("no jobs array"); return }
        #expect(items[1]["loss"] == .null && items[1]["best_loss"] == .null)
        #expect(abs(read.updatedAt - 2005) < 0.001)
        #expect(DaemonStatus(json: .object([("version", .integer(2))])) == nil)
    }

    /// A stopped daemon whose last state of a job never reached the disk: the job is not shown at
    /// that step; with an older checkpoint it stands at the checkpoint's step.
    @Test func unsavedJobsOfAStoppedDaemonStandWhereTheDiskLeftThem() throws {
        let directory = try Directory()
        defer { directory.remove() }
        var paused = Self.job("paused", .paused, step: 21773)
        paused.unsaved = .full
        var ended = Self.job("ended", .maxSteps, step: 1000)
        ended.unsaved = .readOnly
        var older = Self.job("older", .paused, step: 900)
        older.unsaved = .full
        try directory.status(Self.daemon([paused, ended, older, Self.job("saved", .paused, step: 300)], state: .stopped))
        try directory.checkpoint("older", step: 400)
        try directory.checkpoint("saved", step: 300)
        let overview = try StateOverview.read(directory.reader, isLive: { _ in false })
        let jobs = Dictionary(uniqueKeysWithValues: overview.jobs.map { ($0.name, $0) })
        #expect(jobs["paused"]?.standing == .stopped && jobs["paused"]?.step == nil && jobs["paused"]?.unsaved == .full)
        #expect(jobs["ended"]?.standing == .stopped && jobs["ended"]?.step == nil && jobs["ended"]?.unsaved == .readOnly)
        #expect(jobs["older"]?.step == 400 && jobs["older"]?.source == .checkpoint && jobs["older"]?.unsaved == .full)
        #expect(jobs["saved"]?.step == 300 && jobs["saved"]?.unsaved == nil)
    }

    @Test func liveDaemonLinesResultsAndLeftovers() throws {
        let directory = try Directory()
        defer { directory.remove() }
        // "done" finished after its line was written; "old" has a result from an earlier config
        // (finished before this run started); "gone" is no longer configured.
        try directory.status(Self.daemon([Self.job("live", .running), Self.job("done", .running), Self.job("old", .running),
                                          Self.job("queued", .queued, step: 0)]))
        try directory.store.writeResult(Self.record("done", startedAt: 2000, finishedAt: 2006))
        try directory.store.writeResult(Self.record("old", startedAt: 100, finishedAt: 110))
        try directory.store.writeResult(Self.record("gone", status: .maxSteps, steps: 1000))
        let overview = try StateOverview.read(directory.reader, isLive: { _ in true })
        #expect(overview.daemonRunning)
        #expect(overview.jobs.map(\.name) == ["live", "done", "old", "queued", "gone"])
        let jobs = Dictionary(uniqueKeysWithValues: overview.jobs.map { ($0.name, $0) })
        #expect(jobs["live"]?.standing == .job(.running) && jobs["live"]?.step == 500 && jobs["live"]?.maxSteps == 1000)
        #expect(jobs["live"]?.source == .daemon)
        #expect(jobs["live"]?.etaSeconds == 5.0)  // 500 more steps at 100 steps/s
        #expect(jobs["done"]?.standing == .job(.converged(.tolerance)) && jobs["done"]?.source == .result && jobs["done"]?.maxSteps == 1000)
        #expect(jobs["old"]?.standing == .job(.running), "a result older than the run is not this run's")
        #expect(jobs["queued"]?.etaSeconds == nil)
        #expect(jobs["gone"]?.standing == .job(.maxSteps) && jobs["gone"]?.maxSteps == nil)
        #expect(overview.summary == "5 jobs: 2 running, 1 queued, 1 converged, 1 max_steps")
    }

    @Test func stoppedDaemonJobsResumeFromTheirCheckpoints() throws {
        let directory = try Directory()
        defer { directory.remove() }
        try directory.status(Self.daemon([Self.job("a", .paused, step: 700), Self.job("b", .running, step: 900),
                                          Self.job("c", .converged(.tolerance))], state: .stopped))
        try directory.checkpoint("a", step: 700)
        try directory.checkpoint("b", step: 600, loss: "\"nan\"")
        try directory.store.writeResult(Self.record("c", startedAt: 2000, finishedAt: 2003))
        for live in [false, true] {
            // A file that records a stop is not live whatever the pid says.
            let overview = try StateOverview.read(directory.reader, isLive: { live && $0.state == .running })
            #expect(!overview.daemonRunning)
            #expect(overview.jobs.map(\.standing.name) == ["stopped", "stopped", "converged"])
            #expect(overview.jobs.map(\.step) == [700, 600, 35])
            #expect(overview.jobs[1].loss == nil && overview.jobs[1].bestLoss == 0.4)
            #expect(overview.jobs[0].elapsedSeconds == 42.5 && overview.jobs[0].maxSteps == 1000)
            #expect(overview.jobs.allSatisfy { $0.etaSeconds == nil })
        }
    }

    @Test func withoutAStatusFileJobsComeFromTheirFiles() throws {
        let directory = try Directory()
        defer { directory.remove() }
        try directory.store.writeResult(Self.record("finished"))
        try directory.checkpoint("interrupted", step: 10)
        try directory.store.writeHistory("orphan", [HistoryRow(step: 1, loss: 3, gradientNorm: 1, learningRate: 0.1),
                                                    HistoryRow(step: 5, loss: 2, gradientNorm: 1, learningRate: 0.1)])
        let overview = try StateOverview.read(directory.reader)
        #expect(overview.daemon == nil && !overview.daemonRunning)
        #expect(overview.jobs.map(\.name) == ["finished", "interrupted", "orphan"])
        #expect(overview.jobs.map(\.standing) == [.job(.converged(.tolerance)), .stopped, .unknown])
        #expect(overview.jobs[2].step == 5 && overview.jobs[2].loss == 2)
    }

    @Test func unreadableFilesAreSkippedWithAWarningAndNeverMoved() throws {
        let directory = try Directory()
        defer { directory.remove() }
        try directory.write("{\"name\": ", "results/broken.json")
        try directory.write("lossd-checkpoint 2 x\n", "checkpoints/bad.ckpt")
        try directory.write("{}", "status.json")
        let overview = try StateOverview.read(directory.reader)
        #expect(overview.warnings.count == 3, "\(overview.warnings)")
        #expect(overview.warnings.contains { $0.contains("status.json: not a lossd status file") })
        #expect(overview.warnings.contains { $0.contains("results/broken.json: not JSON") })
        #expect(overview.warnings.contains { $0.contains("checkpoints/bad.ckpt: not a lossd checkpoint") })
        #expect(FileManager.default.fileExists(atPath: directory.path + "/results/broken.json"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/results/broken.json.corrupt"))
    }

    @Test func missingDirectoryAndNonDirectory() throws {
        let missing = StateReader(directory: NSTemporaryDirectory() + "lossd-no-such-\(UUID().uuidString)")
        #expect { try StateOverview.read(missing) } throws: { ($0 as? StateReader.ReadError)?.kind == .missing }
        let file = NSTemporaryDirectory() + "lossd-file-\(UUID().uuidString)"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect { try StateReader(directory: file).check() } throws: { ($0 as? StateReader.ReadError)?.kind == .invalid }
    }

    @Test func historyParsing() throws {
        let rows = try StateReader.parseHistory("step,loss,grad_norm,lr\n1,700.0,30.5,0.5\n2,NaN,Infinity,0.5\n", path: "h.csv")
        #expect(rows.count == 2 && rows[0] == HistoryRow(step: 1, loss: 700, gradientNorm: 30.5, learningRate: 0.5))
        #expect(rows[1].loss.isNaN && rows[1].gradientNorm == .infinity)
        #expect(try StateReader.parseHistory("step,loss,grad_norm,lr\n", path: "h.csv").isEmpty)
        let bad: [(String, String)] = [
            ("", "not CSV"),
            ("step,loss\n1,2\n", "the header is not step,loss,grad_norm,lr"),
            ("step,loss,grad_norm,lr\n1,x,1,1\n", "line 2: expected step,loss,grad_norm,lr numbers"),
            ("step,loss,grad_norm,lr\n1,1,1\n", "line 2: expected"),
            ("step,loss,grad_norm,lr\n2,1,1,1\n2,1,1,1\n", "line 3: step 2 does not follow step 2"),
        ]
        for (text, message) in bad {
            #expect { try StateReader.parseHistory(text, path: "h.csv") } throws: { error in
                guard let error = error as? StateReader.ReadError else { return false }
                return error.kind == .invalid && error.description.hasPrefix("h.csv: " + message)
            }
        }
    }

    @Test func liveProcessCheck() {
        let status = Self.daemon([])
        var mine = status
        mine.pid = getpid()
        // The test runner is not called lossd: a pid reused by another program is not the daemon.
        #expect(!mine.isLive)
        var gone = status
        gone.pid = Int32.max
        #expect(!gone.isLive)
    }
}
