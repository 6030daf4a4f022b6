// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdTestSupport
import Testing

/// Runs are kept, not overwritten: `lossd run` of an edited job archives the earlier run's
/// files under archive/<job>/<hash>/ byte for byte; `lossd results --all-runs` lists them;
/// results record their effective configuration and study; `--sort` and `--top` order them and
/// refuse to rank raw losses of different loss functions.
@Suite("Kept runs and sorted results")
struct KeptRunsTests {
    static func config(lr: String) -> String {
        """
        jobs:
          - name: grid
            sweep:
              optimizer.lr: [\(lr), 0.05]
            loss: mse
            init: [10, 10, 10]
            target: [30, 20, 50]
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 40
            metrics: [mae, max_abs_error]
          - name: other
            loss: l1
            init: [1, 2]
            target: [3, 4]
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 30
        """
    }

    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "lossd-kept-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func anEditedJobsEarlierRunIsArchivedNotLost() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/c.yaml", state = folder + "/state"
        try Self.config(lr: "0.2").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try LossdProcess.run(["run", file, "--state-dir", state]).status == 0)
        // The sweep's first job changes name with its lr, so edit the one that keeps its name.
        let kept = state + "/results/grid.lr-0.05.json"
        let before = try Data(contentsOf: URL(fileURLWithPath: kept))
        let beforeHistory = try Data(contentsOf: URL(fileURLWithPath: state + "/history/grid.lr-0.05.csv"))
        let hash = try #require(try JSONValue(parsing: String(decoding: before, as: UTF8.self))["config_hash"]?.stringValue)
        try Self.config(lr: "0.2").replacingOccurrences(of: "max_steps: 40", with: "max_steps: 41")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let second = try LossdProcess.run(["run", file, "--state-dir", state])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("job grid.lr-0.05: its config changed; its earlier result is kept in \(state)/archive/grid.lr-0.05/\(hash)"))
        let archive = state + "/archive/grid.lr-0.05/\(hash)"
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive + "/result.json")) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive + "/history.csv")) == beforeHistory)
        // The unchanged job was not rerun and has no archive.
        #expect(!FileManager.default.fileExists(atPath: state + "/archive/other"))

        let all = try LossdProcess.run(["results", "grid.lr-0.05", "--all-runs", "--state-dir", state])
        let runs = try #require(try JSONValue(parsing: all.stdout).arrayValue)
        #expect(runs.map { $0["run"]?.stringValue } == ["current", "archived"])
        #expect(runs.map { $0["steps"]?.integerValue } == [41, 40])
        #expect(runs[1]["config_hash"]?.stringValue == hash)
        let plain = try JSONValue(parsing: try LossdProcess.run(["results", "--state-dir", state]).stdout).arrayValue
        #expect(plain?.count == 3 && plain?.allSatisfy { $0["run"] == nil } == true)
    }

    @Test func resultsNameTheirSettingsAndSort() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/c.yaml", state = folder + "/state"
        try Self.config(lr: "0.2").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try LossdProcess.run(["run", file, "--state-dir", state]).status == 0)
        let results = try #require(try JSONValue(parsing: try LossdProcess.run(["results", "--state-dir", state]).stdout).arrayValue)
        let grid = try #require(results.first { $0["name"]?.stringValue == "grid.lr-0.2" })
        #expect(grid["study"]?["name"]?.stringValue == "grid")
        #expect(grid["study"]?["axes"]?["optimizer.lr"]?.stringValue == "0.2")
        #expect(grid["config"]?["optimizer"]?["options"]?["lr"]?.doubleValue == 0.2)
        #expect(grid["config"]?["loss"]?["name"]?.stringValue == "mse")
        #expect(grid["config"]?["target"] == .array([.number(30), .number(20), .number(50)]))
        #expect(grid["config"]?["max_steps"]?.integerValue == 40)
        #expect(grid["config"]?["metrics"] == .array([.string("mae"), .string("max_abs_error")]))
        #expect(results.first { $0["name"]?.stringValue == "other" }?["config"]?["metrics"] == .array([]))
        #expect(results.first { $0["name"]?.stringValue == "other" }?["study"] == .null)
        #expect(results.first { $0["name"]?.stringValue == "other" }?["metrics"] == nil, "no metrics configured, no key")
        // The metrics, recomputed from the result's fitted output against the target.
        let outputValues = grid["output"]?.arrayValue?.compactMap { $0.doubleValue }
        let output = try #require(outputValues)
        let errors = zip(output, [30.0, 20, 50]).map { abs($0 - $1) }
        #expect(grid["metrics"]?["mae"]?.doubleValue == errors.reduce(0, +) / 3)
        #expect(grid["metrics"]?["max_abs_error"]?.doubleValue == errors.max())
        let byMetric = try LossdProcess.run(["results", "grid.*", "--sort", "metrics.mae", "--state-dir", state])
        let sortedResults = try #require(try JSONValue(parsing: byMetric.stdout).arrayValue)
        let maes = sortedResults.compactMap { $0["metrics"]?["mae"]?.doubleValue }
        #expect(maes.count == 2 && maes == maes.sorted())

        // Ranking raw losses of mse and l1 is refused; within one loss it sorts.
        let mixed = try LossdProcess.run(["results", "--sort", "loss", "--state-dir", state])
        #expect(mixed.status == 64 && mixed.stderr.contains("cannot rank by raw loss: the results use 2 different losses (l1 {"), "\(mixed.stderr)")
        let sorted = try LossdProcess.run(["results", "grid.*", "--sort", "loss", "--state-dir", state])
        let losses = try #require(try JSONValue(parsing: sorted.stdout).arrayValue).compactMap { $0["loss"]?.doubleValue }
        #expect(losses.count == 2 && losses == losses.sorted())
        let byAxis = try LossdProcess.run(["results", "--sort", "study.axes.optimizer.lr", "--reverse", "--top", "1", "--state-dir", state])
        #expect(try JSONValue(parsing: byAxis.stdout).arrayValue?.map { $0["name"]?.stringValue } == ["grid.lr-0.2"])
        let unknown = try LossdProcess.run(["results", "--sort", "nope", "--state-dir", state])
        #expect(unknown.status == 64 && unknown.stderr.contains("no result has a numeric 'nope'"))
        #expect(try LossdProcess.run(["results", "--top", "0", "--state-dir", state]).status == 64)
    }
}
