// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdDaemon
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `lossd reload --wait` against a real `lossd serve` process: it returns once the file written
/// before it is applied (exit 0) or rejected (exit 1), also in a storm of reloads.
@Suite("lossd reload")
struct ReloadCommandTests {
    static func directory(_ label: String) -> String {
        let path = NSTemporaryDirectory() + "lossd-reload-\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func config(jobs count: Int) -> String {
        "jobs:\n" + (0..<count).map { "  - {name: j\($0), loss: mse, init: [0], target: [1], optimizer: sgd, max_steps: 10}\n" }.joined()
    }

    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["MAINPID"] = nil
        return environment
    }

    /// A `lossd serve` of one job in a new directory, once ready, and the `lossd reload --wait` that reloads it.
    static func serve(_ label: String) async throws -> (directory: String, config: String, state: String, child: LossdChild, reload: [String]) {
        let directory = Self.directory(label)
        let config = directory + "/lossd.yaml", state = directory + "/state"
        try Self.config(jobs: 1).write(toFile: config, atomically: true, encoding: .utf8)
        let child = try LossdChild(["serve", "--config", config, "--state-dir", state], logPath: directory + "/serve.log")
        #expect(await eventually { FileManager.default.fileExists(atPath: state + "/status.json") }, "lossd serve became ready")
        return (directory, config, state, child, ["reload", "--pid", "\(child.pid)", "--wait", "--state-dir", state])
    }

    @Test func eachReloadAppliesTheFileWrittenBeforeItOrRejectsIt() async throws {
        let (directory, config, state, child, reload) = try await Self.serve("storm")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        defer { child.signal(SIGKILL) }

        // A storm: each file adds one job; each reload must have read its own file.
        for count in 2...31 {
            try Self.config(jobs: count).write(toFile: config, atomically: true, encoding: .utf8)
            let run = try LossdProcess.run(reload, environment: Self.environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == "reloaded \(config): 1 added, 0 changed, 0 removed, \(count - 1) unchanged\n", "\(run.stdout)")
        }
        #expect(ReloadRecord.read(in: state)?.sequence == 30)

        try "jobs:\n  - {name: bad, loss: nope, init: [0], target: [1], optimizer: sgd}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let rejected = try LossdProcess.run(reload, environment: Self.environment)
        #expect(rejected.status == 1)
        #expect(rejected.stderr.hasPrefix("lossd: error: reload of lossd (pid \(child.pid)) rejected; the previous configuration keeps running:\n"),
                "\(rejected.stderr)")
        #expect(rejected.stderr.contains("\(config):2:23: error: unknown loss 'nope'"), "\(rejected.stderr)")
        #expect(child.process.isRunning)

        try Self.config(jobs: 3).write(toFile: config, atomically: true, encoding: .utf8)
        let applied = try LossdProcess.run(reload, environment: Self.environment)
        #expect(applied.status == 0 && applied.stdout.contains("0 added, 0 changed, 28 removed, 3 unchanged"), "\(applied.stdout)\(applied.stderr)")
        child.signal(SIGTERM)
        #expect(await child.exit() == 0)
    }

    @Test func aReloadOverTheMemoryLimitIsRejectedAtItsJob() async throws {
        let (directory, config, _, child, reload) = try await Self.serve("memory")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        defer { child.signal(SIGKILL) }

        try (Self.config(jobs: 1).replacingOccurrences(of: "jobs:\n", with: "daemon: {memory_limit: 20M}\njobs:\n")
            + "  - {name: wide, loss: mse, init: {random: normal, shape: [2000000]}, target: {random: normal, shape: [2000000]}, "
            + "optimizer: sgd, max_steps: 10}\n").write(toFile: config, atomically: true, encoding: .utf8)
        let rejected = try LossdProcess.run(reload, environment: Self.environment)
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("\(config):4:5: error: job 'wide' needs about 31 MiB (parameters 15 MiB, target 15 MiB, "
            + "bookkeeping 4.0 KiB) and 31 MiB more while its checkpoint is written: more than the memory limit 20 MiB"), "\(rejected.stderr)")
        #expect(child.process.isRunning)
        child.signal(SIGTERM)
        #expect(await child.exit() == 0)
    }

    @Test func withoutADaemonReloadSaysWhy() throws {
        let directory = Self.directory("errors")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // No --pid, no $MAINPID, and no lossd serve holds the directory's lock.
        let noPid = try LossdProcess.run(["reload", "--state-dir", directory], environment: Self.environment)
        #expect(noPid.status == 69 && noPid.stderr.contains("no lossd has used the state directory \(directory)") && noPid.stderr.contains("give --pid"),
                "\(noPid.stderr)")

        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        let gone = try LossdProcess.run(["reload", "--pid", "\(exited.processIdentifier)", "--wait", "--state-dir", directory],
                                        environment: Self.environment)
        #expect(gone.status == 69 && gone.stderr.contains("No such process"), "\(gone.stderr)")

        // A process that ignores SIGHUP and never writes a reload record: --wait times out.
        let deaf = Process()
        deaf.executableURL = URL(fileURLWithPath: "/bin/sh")
        deaf.arguments = ["-c", "trap '' HUP; sleep 30"]
        try deaf.run()
        defer { deaf.terminate() }
        let timedOut = try LossdProcess.run(["reload", "--pid", "\(deaf.processIdentifier)", "--wait", "--timeout", "0.3", "--state-dir", directory],
                                            environment: Self.environment)
        #expect(timedOut.status == 75 && timedOut.stderr.contains("did not complete the reload within 0.3 s"), "\(timedOut.stderr)")
    }
}
