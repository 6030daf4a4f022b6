// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdSync
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `lossd run` as a process, for what only a process shows: a whole run end to end, its exit
/// statuses, and restarts after SIGTERM and after `kill -9`. The sd_notify protocol, the journal,
/// reload and the watchdog are tested in-process (`DaemonServiceTests`); the systemd integration
/// suite (Tests/Integration) runs lossd under a real service manager.
///
/// Each moment to stop or kill at is an event seen in the state directory, never a delay, and
/// each verdict holds wherever the moment falls: results equal the uninterrupted run bit for bit,
/// and a job whose checkpoint was left behind resumed from it.
@Suite("Daemon lifecycle", .timeLimit(.minutes(10)))
struct LifecycleTests {
    static let jobs = ["adam-huber", "sgd-mse", "sgd-plateau", "adam-one-cycle", "rmsprop-cyclic", "sgd-sequential", "adamw-chained",
                       "nadam-mse", "asgd-l1", "lbfgs-huber", "adafactor-mse"]

    /// The results of `longJobs` from one uninterrupted `lossd run`, computed once.
    static let reference = Task { () throws -> [String: JSONValue] in
        let fixture = DaemonFixture("reference")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.longJobs)
        let result = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
        guard result.status == 0 else { throw ReferenceRunFailed(stderr: result.stderr) }
        guard jobs.allSatisfy({ fixture.exists(fixture.state() + "/history/\($0).csv") }) else {
            throw ReferenceRunFailed(stderr: "a job has no loss curve: \(result.stderr)")
        }
        histories.withLock { histories in
            for job in jobs { histories[job] = try? String(contentsOfFile: fixture.state() + "/history/\(job).csv", encoding: .utf8) }
        }
        return Dictionary(uniqueKeysWithValues: jobs.map { ($0, fixture.result($0) ?? .null) })
    }

    /// The history files of the uninterrupted run, set by ``reference``.
    static let histories = Locked<[String: String]>([:])

    struct ReferenceRunFailed: Error {
        var stderr: String
    }

    /// Restarts lossd on `fixture` after a stop or kill and checks the verdicts above; `left`
    /// are the jobs whose checkpoint (and no result) was on disk after the first process ended.
    static func restartAndCompare(_ fixture: DaemonFixture, left: [String], _ comment: Comment) async throws {
        let restart = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(restart.status == 0, "\(comment): \(restart.stderr)")
        let reference = try await Self.reference.value
        let histories = Self.histories.withLock { $0 }
        for job in jobs {
            #expect(fixture.result(job)?.resultBits == reference[job]?.resultBits, "\(comment): \(job)")
            // Written while the jobs ran, cut by the stop, resumed: the same file, row for row.
            let history = try? String(contentsOfFile: fixture.state() + "/history/\(job).csv", encoding: .utf8)
            #expect(history != nil && history == histories[job], "\(comment): the history of \(job)")
        }
        for job in left {
            #expect(fixture.result(job)?["resumed"] == .bool(true), "\(comment): \(job) had a checkpoint: \(restart.stderr)")
        }
        // A write cut short by kill -9 may leave its hidden temporary file, never a checkpoint.
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: fixture.state() + "/checkpoints")) ?? [])
            .filter { !($0.hasPrefix(".") && $0.hasSuffix(".tmp")) }
        #expect(leftovers.isEmpty, "\(comment): \(leftovers)")
    }

    /// The jobs with a checkpoint and no result.
    static func checkpointed(_ fixture: DaemonFixture) -> [String] {
        jobs.filter { fixture.exists(fixture.checkpoint($0)) && fixture.result($0) == nil }
    }

    @Test func aRunWritesEveryResultAndExitsZero() async throws {
        let reference = try await Self.reference.value
        #expect(reference["adam-huber"]?["status"] == .string("max_steps") && reference["adam-huber"]?["steps"] == .integer(15_000))
        #expect(reference["sgd-mse"]?["status"] == .string("max_steps") && reference["sgd-mse"]?["steps"] == .integer(30_000))
        for job in Self.jobs {
            #expect(reference[job]?["resumed"] == .bool(false), "\(job)")
        }
    }

    /// A free-tensor job's history is written while it runs, a block of rows at a time, and
    /// ends complete: one row per recorded step.
    @Test func aRunningJobsHistoryGrowsBeforeItEnds() async throws {
        let fixture = DaemonFixture("streamed")
        defer { fixture.remove() }
        fixture.write("""
            jobs:
              - name: slow
                loss: mse
                init: {random: normal, shape: [16], mean: 0, std: 3}
                target: {random: uniform, shape: [16], low: -1, high: 1}
                optimizer: {name: sgd, lr: 0.00001}
                max_steps: 3000000
            """)
        let child = try LossdChild(["run", fixture.config, "--state-dir", fixture.state()], logPath: fixture.log("run"))
        let path = fixture.state() + "/history/slow.csv"
        @Sendable func rows() -> Int? { (try? String(contentsOfFile: path, encoding: .utf8)).map { $0.split(separator: "\n").count - 1 } }
        let seen = Locked<(rows: Int, finished: Bool)?>(nil)
        // Signal 0 sends nothing: the call only polls, every millisecond, while the run goes on.
        _ = await child.signal(0) {
            guard let rows = rows(), rows > 0 else { return false }
            seen.withLock { $0 = (rows, fixture.result("slow") != nil) }
            return true
        }
        #expect(await child.exit() == 0)
        let partial = try #require(seen.withLock { $0 }, "the history never appeared while the run went on")
        #expect(!partial.finished && partial.rows % 128 == 0, "first seen with \(partial.rows) rows")
        // Step 1, then every 3,000th step: 1,001 rows.
        #expect(rows() == 1_001)
    }

    @Test func sigtermThenRestartIsBitIdentical() async throws {
        let fixture = DaemonFixture("sigterm")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.longJobs)
        let child = try LossdChild(["run", fixture.config, "--state-dir", fixture.state()], logPath: fixture.log("first"))
        // Mid-run: a checkpoint shows the jobs under way.
        let checkpoint = fixture.checkpoint("adam-huber")
        #expect(await child.signal(SIGTERM) { fixture.exists(checkpoint) }, "the run ended before its first checkpoint")
        #expect(await child.exit() == 0)
        let left = Self.checkpointed(fixture)
        #expect(!left.isEmpty, "the stop checkpoints the jobs that were running")
        try await Self.restartAndCompare(fixture, left: left, "after SIGTERM")
    }

    /// Whether process `pid` catches SIGTERM (its `SigCgt` mask in /proc).
    static func catchesSIGTERM(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
        return mask & (1 << (UInt64(SIGTERM) - 1)) != 0
    }

    /// SIGTERM in the first 50 ms: while the configuration loads, plugins load and jobs are
    /// scheduled, before READY=1. Twenty tries, 0 to 50 ms apart, counted from the moment the
    /// process catches SIGTERM (the first thing `main` does; before it, the dynamic loader maps
    /// the libraries, and no process can catch a signal there). Each stop exits 0, leaves no
    /// temporary file, and a rerun completes every job.
    @Test func sigtermInTheFirst50msStopsCleanly() async throws {
        // Jobs long enough (300,000 steps) to be running at 50 ms on a loaded machine.
        let job = DaemonFixture.quickJob.replacingOccurrences(of: "lr: 0.5", with: "lr: 0.0001")
            .replacingOccurrences(of: "max_steps: 1000", with: "max_steps: 300000")
        let config = "jobs:\n" + job + job.replacingOccurrences(of: "name: quick", with: "name: second")
        var outcomes: [String] = []
        for attempt in 0..<20 {
            let fixture = DaemonFixture("early-sigterm-\(attempt)")
            defer { fixture.remove() }
            fixture.write(config)
            let delay = Duration.microseconds(attempt * 50_000 / 19)
            let child = try LossdChild(["run", fixture.config, "--state-dir", fixture.state()], logPath: fixture.log("first"))
            let pid = child.pid
            let caught = Locked<ContinuousClock.Instant?>(nil)
            let sent = await child.signal(SIGTERM) {
                let now = ContinuousClock.now
                let since = caught.withLock { start in
                    if start == nil, Self.catchesSIGTERM(pid) { start = now }
                    return start.map { now - $0 }
                }
                return since.map { $0 >= delay } ?? false
            }
            let status = await child.exit()
            let rerun = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
            let files = (FileManager.default.enumerator(atPath: fixture.state())?.allObjects as? [String]) ?? []
            let temporary = files.filter { $0.hasSuffix(".tmp") }
            let complete = ["quick", "second"].allSatisfy { [.string("converged"), .string("max_steps")].contains(fixture.result($0)?["status"]) }
            if !(sent && status == 0 && rerun.status == 0 && temporary.isEmpty && complete) {
                outcomes.append("try \(attempt) at \(delay) (sent: \(sent)): exit \(status), rerun \(rerun.status), temporary \(temporary), complete \(complete)")
            }
        }
        #expect(outcomes.isEmpty, "\(outcomes.joined(separator: "\n"))")
    }

    /// Where `kill -9` lands.
    enum Moment: String, CaseIterable, Sendable {
        /// The daemon wrote its status file: the jobs run, no checkpoint yet.
        case started
        /// The first checkpoint is on disk.
        case checkpointed
        /// A later checkpoint replaced the first.
        case checkpointedAgain
        /// One job has its result, the other still runs.
        case oneFinished
    }

    @Test(arguments: Moment.allCases)
    func killNineThenRestartIsBitIdentical(at moment: Moment) async throws {
        let fixture = DaemonFixture("kill9-\(moment)")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.longJobs)
        let child = try LossdChild(["run", fixture.config, "--state-dir", fixture.state()], logPath: fixture.log("killed"))
        let checkpoint = fixture.checkpoint("adam-huber")
        let condition: @Sendable () -> Bool
        switch moment {
        case .started:
            condition = { fixture.exists(fixture.state() + "/status.json") }
        case .checkpointed:
            condition = { fixture.exists(checkpoint) }
        case .checkpointedAgain:
            let first = Locked<Int?>(nil)
            condition = {
                guard let step = fixture.checkpointStep("adam-huber") else { return false }
                return first.withLock { first in
                    if first == nil { first = step }
                    return first != step
                }
            }
        case .oneFinished:
            condition = { Self.jobs.contains { fixture.result($0) != nil } }
        }
        // Whether it lands there or the run ends first, the verdicts below must hold.
        _ = await child.signal(SIGKILL, when: condition)
        await child.exit()
        try await Self.restartAndCompare(fixture, left: Self.checkpointed(fixture), "killed at \(moment)")
    }

    @Test func exitStatuses() async throws {
        let fixture = DaemonFixture("exit")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.endings)
        let diverged = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(diverged.status == 1)
        #expect(fixture.result("diverges")?["status"] == .string("diverged"))
        #expect(fixture.result("fine")?["status"] == .string("max_steps"))
        fixture.write("jobs: [")
        let broken = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(broken.status == 78)
        #expect(broken.stderr.contains("lossd.yaml:2:1: error: YAML syntax"), "\(broken.stderr)")
        fixture.write("jobs:\n  - {name: fine, loss: l1, init: [1], target: [0], optimizer: sgd, max_steps: 5}\n")
        let unusable = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.config + "/state"])
        #expect(unusable.status == 73, "a state directory inside a file: \(unusable.stderr)")
    }
}
