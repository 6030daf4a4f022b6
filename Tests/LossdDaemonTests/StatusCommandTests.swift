// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `lossd status` against a real `lossd serve`: while it runs, after it stopped, after a kill.
@Suite("lossd status with a running daemon")
struct StatusCommandTests {
    /// Two jobs far too long to finish during the test, and one that finishes at once.
    static let config = """
        daemon:
          report_interval: 100ms
          checkpoint_interval: 100ms
        jobs:
          - name: long-adam
            loss: huber
            init: {random: normal, shape: [64], mean: 0, std: 3}
            target: {random: uniform, shape: [64], low: -1, high: 1}
            optimizer: {name: adam, lr: 0.00001}
            max_steps: 50000000
          - name: long-sgd
            loss: mse
            init: {random: normal, shape: [16], mean: 0, std: 3}
            target: {random: uniform, shape: [16], low: -1, high: 1}
            optimizer: {name: sgd, lr: 0.000001}
            max_steps: 40000000
        \(DaemonFixture.quickJob)
        """

    /// Each look runs `lossd status`: a process, so not every few milliseconds.
    static let pollInterval = Duration.milliseconds(50)

    static func status(_ state: String) throws -> JSONValue {
        let result = try LossdProcess.run(["status", "--state-dir", state, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONValue(parsing: result.stdout)
    }

    /// `status(state)` once the daemon has created the state directory, nil before.
    static func poll(_ state: String) -> JSONValue? {
        guard FileManager.default.fileExists(atPath: state + "/status.json") else { return nil }
        return try? status(state)
    }

    static func job(_ status: JSONValue, _ name: String) -> JSONValue? {
        guard case .array(let jobs)? = status["jobs"] else { return nil }
        return jobs.first { $0["name"] == .string(name) }
    }

    static func integer(_ value: JSONValue?) -> Int? {
        if case .integer(let number)? = value { return number }
        return nil
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let number)?: number
        case .integer(let number)?: Double(number)
        default: nil
        }
    }

    @Test func liveWhileServingThenStoppedAtTheCheckpointStep() async throws {
        let fixture = DaemonFixture("status-live")
        defer { fixture.remove() }
        fixture.write(Self.config)
        let child = try LossdChild(["serve", "--config", fixture.config, "--state-dir", fixture.state(), "--workers", "1"], logPath: fixture.log("serve"))
        defer { child.signal(SIGKILL) }

        // Live: the daemon is running, both long jobs run with their max_steps and an ETA.
        var live = JSONValue.null
        #expect(await eventually(within: 120, every: Self.pollInterval) {
            guard let status = Self.poll(fixture.state()) else { return false }
            live = status
            return status["daemon"]?["running"] == .bool(true)
                && ["long-adam", "long-sgd"].allSatisfy { (Self.integer(Self.job(status, $0)?["step"]) ?? 0) > 0 }
                && Self.job(status, "quick")?["status"] == .string("converged")
        }, "\(live.serialized())")
        #expect(live["daemon"]?["pid"] == .integer(Int(child.pid)))
        #expect(live["daemon"]?["mode"] == .string("serve"))
        let adam = try #require(Self.job(live, "long-adam"))
        #expect(adam["status"] == .string("running") && adam["source"] == .string("daemon"))
        #expect(adam["max_steps"] == .integer(50_000_000))
        #expect((Self.number(adam["eta_seconds"]) ?? 0) > 0)
        #expect((Self.number(adam["elapsed_seconds"]) ?? 0) > 0)
        #expect(Self.number(adam["loss"])?.isFinite == true && Self.number(adam["best_loss"])?.isFinite == true)
        let quick = try #require(Self.job(live, "quick"))
        #expect(quick["step"] == .integer(35) && quick["source"] == .string("result") && quick["max_steps"] == .integer(1000))
        #expect(quick["eta_seconds"] == .null)

        // The step moves on between two looks.
        let first = Self.integer(adam["step"]) ?? 0
        #expect(await eventually(within: 60, every: Self.pollInterval) { (Self.integer(Self.job(Self.poll(fixture.state()) ?? .null, "long-adam")?["step"]) ?? 0) > first })

        // The table says the same.
        let table = try LossdProcess.run(["status", "--state-dir", fixture.state()])
        #expect(table.status == 0)
        #expect(table.stdout.contains("daemon: running, pid \(child.pid) (lossd serve \(fixture.config))"), "\(table.stdout)")
        let adamLine = table.stdout.split(separator: "\n").first { $0.hasPrefix("long-adam ") }.map(String.init) ?? ""
        #expect(adamLine.contains("running") && adamLine.contains(" / 50000000"), "\(table.stdout)")
        #expect(table.stdout.contains("3 jobs: 2 running, 1 converged"), "\(table.stdout)")

        // Stop: every unfinished job is checkpointed, and status shows where each resumes.
        child.signal(SIGTERM)
        #expect(await child.exit() == 0)
        let stopped = try Self.status(fixture.state())
        #expect(stopped["daemon"]?["running"] == .bool(false) && stopped["daemon"]?["state"] == .string("stopped"))
        for name in ["long-adam", "long-sgd"] {
            let job = try #require(Self.job(stopped, name))
            let checkpointStep = fixture.checkpointStep(name)
            #expect(job["status"] == .string("stopped") && job["source"] == .string("checkpoint"))
            #expect(job["step"] == checkpointStep.map { .integer($0) } && (checkpointStep ?? 0) > 0)
            #expect(job["eta_seconds"] == .null && job["max_steps"] != .null)
        }
        #expect(Self.job(stopped, "quick")?["status"] == .string("converged"))
        let after = try LossdProcess.run(["status", "--state-dir", fixture.state()])
        #expect(after.stdout.contains("daemon: stopped; last pid \(child.pid)"), "\(after.stdout)")
        #expect(after.stdout.contains("3 jobs: 2 stopped, 1 converged"), "\(after.stdout)")
    }

    @Test func killedDaemonIsNotRunning() async throws {
        let fixture = DaemonFixture("status-killed")
        defer { fixture.remove() }
        fixture.write(Self.config)
        let child = try LossdChild(["serve", "--config", fixture.config, "--state-dir", fixture.state(), "--workers", "1"], logPath: fixture.log("serve"))
        #expect(await eventually(within: 120, every: Self.pollInterval) {
            fixture.exists(fixture.state() + "/checkpoints/long-adam.ckpt") && fixture.exists(fixture.state() + "/status.json")
        })
        child.signal(SIGKILL)
        await child.exit()
        let status = try Self.status(fixture.state())
        #expect(status["daemon"]?["running"] == .bool(false))
        #expect(status["daemon"]?["state"] == .string("running"), "the file still says running: nobody recorded the stop")
        #expect(Self.job(status, "long-adam")?["status"] == .string("stopped"))
        let table = try LossdProcess.run(["status", "--state-dir", fixture.state()])
        #expect(table.stdout.contains("daemon: not running (it did not record a stop: killed or crashed)"), "\(table.stdout)")
    }
}
