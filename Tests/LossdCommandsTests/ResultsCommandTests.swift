// SPDX-License-Identifier: Apache-2.0

import CSV
import Foundation
import LossdJSON
import LossdTestSupport
import Testing

/// `lossd results` on the seed run: JSON and CSV documents, selection and errors.
@Suite("lossd results")
struct ResultsCommandTests {
    static func file(_ job: String, in directory: String = SeedState.directory) throws -> JSONValue {
        try JSONValue(parsing: try String(contentsOfFile: "\(directory)/results/\(job).json", encoding: .utf8))
    }

    @Test func jsonIsEveryResultAsWritten() throws {
        let result = try LossdProcess.run(["results", "--state-dir", SeedState.directory])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .array(let documents) = try JSONValue(parsing: result.stdout) else { Issue.record("not an array"); return }
        #expect(documents.map { $0["name"] } == SeedState.jobs.sorted().map { .string($0) })
        for document in documents {
            guard case .string(let name)? = document["name"] else { continue }
            #expect(document == (try Self.file(name)), "\(name) is copied field for field")
        }
    }

    @Test func csvHasAHeaderAndOneRowPerJob() throws {
        let result = try LossdProcess.run(["results", "--format", "csv", "--state-dir", SeedState.directory])
        #expect(result.status == 0, "\(result.stderr)")
        let reader = try CSVReader(string: result.stdout, hasHeaderRow: true)
        // The columns results always had, in order, then config.*, study.* and metrics.* (see StudyResultsTests).
        #expect(Array(reader.headerRow!.prefix(21)) == ["name", "status", "status_detail", "status_code", "steps", "loss", "best_loss", "grad_norm", "lr", "loss_function",
                                     "loss_options", "optimizer", "optimizer_options", "scheduler", "started_at", "finished_at",
                                     "elapsed_seconds", "resumed", "config_hash", "shape", "output"])
        var rows: [String: [String: String]] = [:]
        while reader.next() != nil {
            rows[reader["name"]!] = Dictionary(uniqueKeysWithValues: reader.headerRow!.map { ($0, reader[$0] ?? "") })
        }
        #expect(Set(rows.keys) == Set(SeedState.jobs))
        let mse = try #require(rows["seed-mse"])
        let file = try Self.file("seed-mse")
        #expect(mse["status"] == "converged" && mse["status_detail"] == "tolerance" && mse["steps"] == "35")
        #expect(mse["loss"].flatMap(Double.init) == { if case .number(let n)? = file["loss"] { n } else { nil } }())
        #expect(mse["scheduler"] == "" && mse["resumed"] == "false" && mse["shape"] == "[3]")
        #expect(try JSONValue(parsing: mse["optimizer_options"]!) == file["optimizer_options"])
        #expect(try JSONValue(parsing: mse["output"]!) == file["output"])
        #expect(rows["seed-cross-entropy"]?["shape"] == "[1, 3]")
    }

    @Test func selectionAndEmptyDirectory() throws {
        let some = try LossdProcess.run(["results", "seed-cross*", "--state-dir", SeedState.directory])
        guard case .array(let documents) = try JSONValue(parsing: some.stdout) else { Issue.record("not an array"); return }
        #expect(documents.map { $0["name"] } == [.string("seed-cross-entropy"), .string("seed-cross-entropy-probabilities")])

        let empty = NSTemporaryDirectory() + "lossd-results-empty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(try LossdProcess.run(["results", "--state-dir", empty]).stdout == "[]\n")
        let csv = try LossdProcess.run(["results", "--state-dir", empty, "--format", "csv"])
        #expect(csv.status == 0 && csv.stdout.hasPrefix("name,status,") && csv.stdout.split(separator: "\n").count == 1)
    }

    @Test func unreadableResultIsSkippedWithAWarning() throws {
        let state = try SeedState.copy("results-corrupt")
        defer { try? FileManager.default.removeItem(atPath: state) }
        try "{\"name\": \"seed-l1\"".write(toFile: state + "/results/seed-l1.json", atomically: true, encoding: .utf8)
        let result = try LossdProcess.run(["results", "--state-dir", state])
        #expect(result.status == 0)
        #expect(result.stderr.contains("lossd: warning: skipped \(state)/results/seed-l1.json: not JSON"), "\(result.stderr)")
        guard case .array(let documents) = try JSONValue(parsing: result.stdout) else { Issue.record("not an array"); return }
        #expect(documents.count == 3)
        #expect(FileManager.default.fileExists(atPath: state + "/results/seed-l1.json"), "never moved or removed")
    }

    @Test func stateDirectoryFromAConfiguration() throws {
        let folder = NSTemporaryDirectory() + "lossd-results-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "daemon:\n  state_directory: \(SeedState.directory)\n".write(toFile: folder + "/lossd.yaml", atomically: true, encoding: .utf8)
        let result = try LossdProcess.run(["results", "--config", folder + "/lossd.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .array(let documents) = try JSONValue(parsing: result.stdout) else { Issue.record("not an array"); return }
        #expect(documents.count == 4)
        try "jobs: [".write(toFile: folder + "/broken.yaml", atomically: true, encoding: .utf8)
        let broken = try LossdProcess.run(["results", "--config", folder + "/broken.yaml"])
        #expect(broken.status == 78)
        #expect(broken.stderr.contains("broken.yaml:2:1: error: YAML syntax"), "\(broken.stderr)")
        #expect(broken.stderr.contains("lossd check \(folder)/broken.yaml lists every problem"))
    }

    @Test func errors() throws {
        let cases: [([String], Int32, String)] = [
            (["results", "--state-dir", "/nonexistent/lossd"], 66, "no state directory at /nonexistent/lossd"),
            (["results", "nope", "--state-dir", SeedState.directory], 64, "no job matches 'nope'"),
            (["results", "--format", "xml", "--state-dir", SeedState.directory], 64, "xml"),
        ]
        for (arguments, status, message) in cases {
            let result = try LossdProcess.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
