// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
@testable import LossdCommands
import LossdState
import LossdJSON
import LossdTestSupport
import Testing

/// `lossd status` on a finished run, where it looks for the state directory, and its errors.
/// (Against a running daemon: `LossdDaemonTests/StatusCommandTests`.)
@Suite("lossd status")
struct StatusCommandTests {
    @Test func tableOfTheFinishedSeedRun() throws {
        let result = try LossdProcess.run(["status", "--state-dir", SeedState.directory])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "state directory: \(SeedState.directory)")
        #expect(lines[1].hasPrefix("daemon: stopped; last pid "))
        #expect(lines[1].contains("(lossd run \(packageRoot.path)/configs/seed.yaml)"), "\(lines[1])")
        #expect(lines[2].split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                == "JOB STATUS STEP / MAX LOSS BEST LOSS ELAPSED ETA")
        let mse = try #require(lines.first { $0.hasPrefix("seed-mse ") })
        #expect(mse.split(separator: " ").filter { !$0.isEmpty }.prefix(6) == ["seed-mse", "converged", "35", "/", "1000", "7.428e-10"])
        #expect(lines.last == "4 jobs: 4 converged")
    }

    @Test func jsonForScripts() throws {
        let result = try LossdProcess.run(["status", "seed-mse", "--state-dir", SeedState.directory, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let status = try JSONValue(parsing: result.stdout)
        #expect(status["state_directory"] == .string(SeedState.directory))
        #expect(status["daemon"]?["running"] == .bool(false) && status["daemon"]?["mode"] == .string("run"))
        guard case .array(let jobs)? = status["jobs"], let job = jobs.first else { Issue.record("no jobs"); return }
        #expect(jobs.count == 1)
        #expect(job["name"] == .string("seed-mse") && job["status"] == .string("converged") && job["step"] == .integer(35))
        #expect(job["max_steps"] == .integer(1000) && job["source"] == .string("result") && job["eta_seconds"] == .null)
        if case .string(let finished)? = job["finished_at"] { #expect(finished.hasSuffix("Z")) } else { Issue.record("no finished_at") }
        #expect(status["warnings"] == .array([]))
    }

    @Test func stateDirectoryFromTheEnvironment() throws {
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin", "STATE_DIRECTORY": SeedState.directory + ":/other"]
        let result = try LossdProcess.run(["status"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("state directory: \(SeedState.directory)\n"))
    }

    @Test func defaultStateDirectoryOrder() throws {
        let location = try StateLocation.parse([])
        #expect(try location.resolve(environment: ["STATE_DIRECTORY": "/var/lib/lossd/a:/x"], exists: { _ in true }) == "/var/lib/lossd/a")
        #expect(try location.resolve(environment: [:], exists: { $0 == "/var/lib/lossd" }) == "/var/lib/lossd")
        #expect(try location.resolve(environment: [:], exists: { _ in false }) == "state")
        #expect(try StateLocation.parse(["--state-dir", "/s"]).resolve(environment: ["STATE_DIRECTORY": "/x"]) == "/s")
    }

    @Test func unreadableStateIsPermissionDenied() {
        let error = StateLocation.commandError(.init(kind: .permission, path: "/var/lib/lossd/status.json", reason: "Permission denied"),
                                               directory: "/var/lib/lossd")
        #expect(error.status == CommandError.Status.noPermission && error.status.rawValue == 77)
        #expect(error.message == "/var/lib/lossd/status.json: Permission denied (lossd.service's state is readable by root only: try sudo)")
    }

    @Test func emptyDirectoryAndErrors() throws {
        let empty = NSTemporaryDirectory() + "lossd-status-empty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let none = try LossdProcess.run(["status", "--state-dir", empty])
        #expect(none.status == 0)
        #expect(none.stdout == "state directory: \(empty)\ndaemon: none has run here yet (no status.json)\nno jobs\n")
        // Instances (lossd@NAME) keep their state in subdirectories: status points at them.
        try FileManager.default.createDirectory(atPath: empty + "/b/results", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: empty + "/a/history", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: empty + "/unrelated", withIntermediateDirectories: true)
        let instances = try LossdProcess.run(["status", "--state-dir", empty])
        #expect(instances.stdout.hasSuffix("no jobs; state directories inside: a, b (lossd status --state-dir \(empty)/a)\n"),
                "\(instances.stdout)")
        let cases: [([String], Int32, String)] = [
            (["status", "--state-dir", empty + "/missing"], 66, "no state directory at \(empty)/missing (give --state-dir DIR or --config FILE)"),
            (["status", "seed-l2", "--state-dir", SeedState.directory], 64, "no job matches 'seed-l2', did you mean 'seed-l1'?"),
            (["status", "x", "--state-dir", empty], 64, "no job matches 'x' (the state directory has no jobs)"),
            (["status", "--config", "/nonexistent/lossd.yaml"], 78, "/nonexistent/lossd.yaml"),
        ]
        for (arguments, status, message) in cases {
            let result = try LossdProcess.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
