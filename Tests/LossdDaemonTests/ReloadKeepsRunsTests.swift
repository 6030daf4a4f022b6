// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdTestSupport
import Testing

/// A reload that changes a finished job runs it afresh and keeps its earlier run: the result,
/// history and chart move to archive/<job>/<hash>/ byte for byte (they used to be deleted). A
/// rejected reload shows in `lossd status`. Through a real `lossd serve` and `lossd reload`.
@Suite("Reload keeps runs")
struct ReloadKeepsRunsTests {
    static func config(lr: String) -> String {
        "jobs:\n  - {name: edited, loss: mse, init: [10, 10, 10], target: [30, 20, 50], optimizer: {name: sgd, lr: \(lr)}, max_steps: 30}\n"
            + "  - {name: kept, loss: l1, init: [1, 2], target: [3, 4], optimizer: {name: sgd, lr: 0.1}, max_steps: 20}\n"
    }

    static func result(_ state: String, _ job: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: "\(state)/results/\(job).json") else { return nil }
        return try? JSONValue(parsing: String(decoding: data, as: UTF8.self))
    }

    @Test func aReloadThatChangesAFinishedJobArchivesItsEarlierRun() async throws {
        let directory = NSTemporaryDirectory() + "lossd-reload-kept-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/lossd.yaml", state = directory + "/state"
        try Self.config(lr: "0.01").write(toFile: config, atomically: true, encoding: .utf8)
        let child = try LossdChild(["serve", "--config", config, "--state-dir", state], logPath: directory + "/serve.log")
        defer { child.signal(SIGKILL) }
        var environment = ProcessInfo.processInfo.environment
        environment["MAINPID"] = nil
        let reload = ["reload", "--pid", "\(child.pid)", "--wait", "--state-dir", state]
        let files = ["results/edited.json": "result.json", "history/edited.csv": "history.csv", "charts/edited.svg": "chart.svg"]
        #expect(await eventually { files.keys.allSatisfy { FileManager.default.fileExists(atPath: "\(state)/\($0)") } })
        let hash = try #require(Self.result(state, "edited")?["config_hash"]?.stringValue)
        let bytes = files.keys.reduce(into: [String: Data]()) { $0[$1] = FileManager.default.contents(atPath: "\(state)/\($1)") }

        try Self.config(lr: "0.02").write(toFile: config, atomically: true, encoding: .utf8)
        let applied = try LossdProcess.run(reload, environment: environment)
        #expect(applied.stdout == "reloaded \(config): 0 added, 1 changed, 0 removed, 1 unchanged\n", "\(applied.stdout)\(applied.stderr)")
        #expect(await eventually { Self.result(state, "edited").map { $0["config_hash"] != .string(hash) } == true })
        for (current, archived) in files {
            #expect(FileManager.default.contents(atPath: "\(state)/archive/edited/\(hash)/\(archived)") == bytes[current], "\(archived)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(state)/archive/kept"))

        // A rejected reload is shown by lossd status, with its error.
        try "jobs:\n  - {name: bad, loss: nope, init: [0], target: [1], optimizer: sgd}\n".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try LossdProcess.run(reload, environment: environment).status == 1)
        let status = try LossdProcess.run(["status", "--state-dir", state])
        #expect(status.stdout.contains("last reload: rejected, the previous configuration keeps running ("), "\(status.stdout)")
        #expect(status.stdout.contains("unknown loss 'nope'"), "\(status.stdout)")
        #expect(!status.stdout.contains("stale ("), "\(status.stdout)")
    }
}
