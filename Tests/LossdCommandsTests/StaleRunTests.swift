// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdTestSupport
import Testing

/// Stale jobs through real runs: a job left out by `--only` is not stale; a job removed from the
/// file is, and `lossd results --prune-stale` archives it.
@Suite("Stale jobs of real runs")
struct StaleRunTests {
    static func config(jobs: [String]) -> String {
        "jobs:\n" + jobs.map { name in
            "  - name: \(name)\n    loss: mse\n    init: [1, 2]\n    target: [0, 0]\n"
                + "    optimizer: {name: sgd, lr: 0.1}\n    max_steps: 20\n"
        }.joined()
    }

    @Test func onlyIsNotStaleButARemovedJobIs() throws {
        let folder = NSTemporaryDirectory() + "lossd-only-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/lossd.yaml", state = folder + "/state"
        try Self.config(jobs: ["a", "b"]).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try LossdProcess.run(["run", file, "--state-dir", state]).status == 0)
        #expect(try LossdProcess.run(["run", file, "--only", "a", "--state-dir", state]).status == 0)
        let subset = try LossdProcess.run(["status", "--state-dir", state])
        #expect(subset.status == 0 && !subset.stdout.contains("stale ("), "\(subset.stdout)")
        #expect(try LossdProcess.run(["results", "--prune-stale", "--state-dir", state]).stdout == "no stale jobs\n")

        try Self.config(jobs: ["a"]).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try LossdProcess.run(["run", file, "--state-dir", state]).status == 0)
        let removed = try LossdProcess.run(["status", "--state-dir", state])
        #expect(removed.stdout.hasSuffix("lossd results --prune-stale archives them): b\n"), "\(removed.stdout)")
        let pruned = try LossdProcess.run(["results", "--prune-stale", "--state-dir", state])
        #expect(pruned.status == 0 && pruned.stdout.hasPrefix("b: archived to archive/b/"), "\(pruned.stdout)\(pruned.stderr)")
        #expect(pruned.stdout.contains("result.json") && pruned.stdout.contains("history.csv"))
        let all = try #require(try JSONValue(parsing: try LossdProcess.run(["results", "--all-runs", "--state-dir", state]).stdout).arrayValue)
        #expect(all.map { [$0["name"], $0["run"]] } == [[.string("a"), .string("current")], [.string("b"), .string("archived")]])
    }
}
