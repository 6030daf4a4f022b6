// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `lossd serve` and `lossd run` as processes: sd_notify, signals, reload, durable state.
/// Each test has its own directories; they spawn real lossd processes (no systemd needed).
@Suite("Daemon lifecycle")
struct LifecycleTests {
    /// The reference outputs of `longJobs`, computed once without interruption.
    static let reference: [String: [UInt64]] = {
        let fixture = DaemonFixture("reference")
        fixture.write(DaemonFixture.longJobs)
        let result = try! LossdProcess.run(["run", fixture.config, "--state-dir", fixture.state()])
        precondition(result.status == 0, result.stderr)
        defer { fixture.remove() }
        return ["adam-huber": fixture.result("adam-huber")!.resultBits, "sgd-mse": fixture.result("sgd-mse")!.resultBits]
    }()

    @Test func notifyProtocolReadyStatusWatchdogReloadStopping() throws {
        let fixture = DaemonFixture("notify")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.longJobs)
        let listener = try NotifyListener()
        let child = try LossdChild(["serve", "--config", fixture.config, "--state-dir", fixture.state()],
                                   environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"],
                                   logPath: fixture.log("serve"))
        var messages: [String] = []
        func collect(until predicate: (String) -> Bool) -> Bool {
            while let message = listener.receive() {
                messages.append(message)
                if predicate(message) { return true }
            }
            return false
        }
        #expect(collect { $0.contains("READY=1") })
        #expect(messages.first?.hasPrefix("READY=1\nSTATUS=") == true, "READY comes first: \(messages)")
        #expect(collect { $0.hasPrefix("STATUS=") && $0.contains("running") })
        #expect(collect { $0 == "WATCHDOG=1" })
        child.signal(SIGHUP)
        #expect(collect { $0.contains("RELOADING=1") })
        let reloading = messages.last!
        let monotonic = reloading.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }
        #expect(monotonic.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) }.map { $0 > 0 } == true, "\(reloading)")
        #expect(collect { $0.contains("READY=1") && $0.contains("reloaded") })
        child.signal(SIGTERM)
        #expect(collect { $0.hasPrefix("STOPPING=1") })
        #expect(child.wait() == 0)
    }

    @Test func watchdogStopsWhileAWorkerIsStuck() throws {
        let fixture = DaemonFixture("watchdog")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.longJobs)
        let listener = try NotifyListener()
        let child = try LossdChild(["serve", "--config", fixture.config, "--state-dir", fixture.state(), "--workers", "1"],
                                   environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000",
                                                 "LOSSD_TEST_FREEZE_JOB": "sgd-mse"],
                                   logPath: fixture.log("serve"))
        defer { child.signal(SIGKILL); child.wait() }
        // Collect for two seconds: pings may come before the freeze, none after it settles.
        var stamped: [(Date, String)] = []
        let end = Date().addingTimeInterval(2.5)
        while Date() < end, let message = listener.receive() { stamped.append((Date(), message)) }
        let late = stamped.filter { $0.0 > end.addingTimeInterval(-1.2) && $0.1 == "WATCHDOG=1" }
        #expect(stamped.contains { $0.1.contains("READY=1") })
        #expect(late.isEmpty, "WATCHDOG=1 kept coming while the worker was frozen")
    }

    @Test func sigtermThenRestartIsBitIdentical() throws {
        let fixture = DaemonFixture("sigterm")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.longJobs)
        let child = try LossdChild(["run", fixture.config, "--state-dir", fixture.state()], logPath: fixture.log("first"))
        usleep(400_000)
        child.signal(SIGTERM)
        #expect(child.wait() == 0)
        #expect(fixture.exists(fixture.state() + "/checkpoints/adam-huber.ckpt") || fixture.result("adam-huber") != nil)
        let second = try LossdProcess.run(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(second.status == 0, "\(second.stderr)")
        for (job, bits) in Self.reference { #expect(fixture.result(job)?.resultBits == bits, "\(job)") }
        #expect(second.stderr.contains("resumed") || fixture.result("adam-huber")?["resumed"] == .bool(true))
    }

    @Test func killNineAtRandomMomentsThenRestartIsBitIdentical() throws {
        var random = SeededRandom(seed: 99)
        var resumed = 0
        for trial in 0..<20 {
            let fixture = DaemonFixture("kill9-\(trial)")
            defer { fixture.remove() }
            fixture.write(DaemonFixture.longJobs)
            let child = try LossdChild(["run", fixture.config, "--state-dir", fixture.state()], logPath: fixture.log("killed"))
            usleep(UInt32.random(in: 20_000...900_000, using: &random))
            child.signal(SIGKILL)
            child.wait()
            let restart = try LossdProcess.run(["run", fixture.config, "--state-dir", fixture.state()])
            #expect(restart.status == 0, "trial \(trial): \(restart.stderr)")
            for (job, bits) in Self.reference {
                #expect(fixture.result(job)?.resultBits == bits, "trial \(trial): \(job)")
            }
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: fixture.state() + "/checkpoints")) ?? []
            #expect(leftovers.isEmpty, "trial \(trial): \(leftovers)")
            if Self.reference.keys.contains(where: { fixture.result($0)?["resumed"] == .bool(true) }) { resumed += 1 }
        }
        // Most kills land mid-run, after a checkpoint: those restarts really resumed.
        #expect(resumed >= 5, "only \(resumed) of 20 trials resumed from a checkpoint")
    }

    @Test func corruptCheckpointIsSetAsideAndTheJobStartsAfresh() throws {
        let fixture = DaemonFixture("corrupt")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.longJobs)
        try FileManager.default.createDirectory(atPath: fixture.state() + "/checkpoints", withIntermediateDirectories: true)
        fixture.write("lossd-checkpoint 1 0000 garbage", to: fixture.state() + "/checkpoints/adam-huber.ckpt")
        fixture.write("{\"truncated\": ", to: fixture.state() + "/checkpoints/sgd-mse.ckpt")
        let result = try LossdProcess.run(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(result.status == 0)
        #expect(result.stderr.contains("set aside"))
        #expect(fixture.exists(fixture.state() + "/checkpoints/adam-huber.ckpt.corrupt"))
        #expect(fixture.exists(fixture.state() + "/checkpoints/sgd-mse.ckpt.corrupt"))
        for (job, bits) in Self.reference { #expect(fixture.result(job)?.resultBits == bits, "\(job)") }
    }

    @Test func reloadAppliesAValidConfigAndRejectsABrokenOne() throws {
        let fixture = DaemonFixture("reload")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.longJobs)
        let listener = try NotifyListener()
        let child = try LossdChild(["serve", "--config", fixture.config, "--state-dir", fixture.state()],
                                   environment: ["NOTIFY_SOCKET": listener.path], logPath: fixture.log("serve"))
        defer { child.signal(SIGKILL); child.wait() }
        #expect(fixture.waitFor(10) { listener.receive()?.contains("READY=1") == true })
        fixture.write(DaemonFixture.longJobs + """

              - name: added-later
                loss: mse
                init: [10, 10, 10]
                target: [30, 20, 50]
                optimizer: {name: sgd, lr: 0.5}
                max_steps: 1000
                tolerance: 1.0e-9
            """)
        child.signal(SIGHUP)
        #expect(fixture.waitFor(20) { fixture.result("added-later") != nil }, "the added job ran")
        #expect(fixture.result("added-later")?["status"] == .string("converged"))

        fixture.write("jobs:\n  - name: broken\n    loss: msee\n")
        child.signal(SIGHUP)
        var rejected = false
        #expect(fixture.waitFor(10) {
            if let message = listener.receive(), message.contains("READY=1"), message.contains("reload rejected") { rejected = true }
            return rejected
        })
        usleep(200_000)
        #expect(child.process.isRunning, "a bad reload never stops the daemon")
        let log = (try? String(contentsOfFile: fixture.log("serve"), encoding: .utf8)) ?? ""
        #expect(log.contains("lossd.yaml:3:11"), "the error names file:line:column: \(log)")
        // The old jobs go on to their normal end, untouched by either reload.
        #expect(fixture.waitFor(60) { fixture.result("adam-huber") != nil && fixture.result("sgd-mse") != nil })
        for (job, bits) in Self.reference { #expect(fixture.result(job)?.resultBits == bits, "\(job)") }
        #expect(fixture.result("adam-huber")?["resumed"] == .bool(false))
    }

    @Test func exitStatuses() throws {
        let fixture = DaemonFixture("exit")
        defer { fixture.remove() }
        fixture.write("""
            jobs:
              - name: diverges
                loss: mse
                init: [1, 2, 3]
                target: [0, 0, 0]
                optimizer: {name: sgd, lr: 100}
                max_steps: 10000
              - name: fine
                loss: l1
                init: [1]
                target: [0]
                optimizer: {name: sgd, lr: 0.1}
                max_steps: 5
            """)
        let diverged = try LossdProcess.run(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(diverged.status == 1)
        #expect(fixture.result("diverges")?["status"] == .string("diverged"))
        #expect(fixture.result("fine")?["status"] == .string("max_steps"))
        fixture.write("jobs: [")
        let broken = try LossdProcess.run(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(broken.status == 78)
        #expect(broken.stderr.contains("lossd.yaml:2:1: error: YAML syntax"), "\(broken.stderr)")
    }
}
