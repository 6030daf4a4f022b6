// SPDX-License-Identifier: Apache-2.0

import CSV
import Foundation
import LossKit
import LossdEngine
import LossdJSON
import LossdState
import LossdTestSupport
import Testing

/// Reading a study with `lossd results`: --group-by (count, mean and sample standard deviation
/// recomputed here from the result files), --best per study (refusing raw losses of different
/// loss functions), --format table and csv (config.* columns, large tensors left out unless
/// --with-output); stale jobs and a rejected reload in `lossd status`; --prune-stale.
@Suite("Reading a study")
struct StudyResultsTests {
    static let rates = ["0.1", "0.01"]
    static let repeats = 1...5

    /// A result of study `study` written through the state store, as the daemon writes one.
    static func record(_ name: String, study: String?, axes: [(String, JSONValue)], loss: Double, lossFunction: String = "mse",
                       mae: Double? = nil, initial: Int = 3) -> JobRecord {
        var record = JobRecord(name: name, status: .maxSteps, steps: 10, loss: loss, bestLoss: loss, gradientNorm: 0.5, learningRate: 0.1,
                               output: Tensor(shape: [initial], scalars: (0..<initial).map(Double.init)), lossFunction: lossFunction,
                               optimizer: "sgd", startedAt: 1_700_000_000, finishedAt: 1_700_000_001, elapsedSeconds: 1,
                               configHash: String(name.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }, radix: 16))
        record.settings = .object([
            ("loss", .object([("name", .string(lossFunction)), ("options", .object([("reduction", .string("mean"))]))])),
            ("optimizer", .object([("name", .string("sgd")), ("options", .object([("lr", axes.first { $0.0 == "optimizer.lr" }?.1 ?? .number(0.1))]))])),
            ("init", .array((0..<initial).map { .number(Double($0)) })),
            ("max_steps", .integer(10)),
        ])
        record.study = study.map { .object([("name", .string($0)), ("axes", .object(axes))]) } ?? .null
        return record
    }

    /// Writes `records` (and `mae` metrics when given) into a fresh state directory.
    static func state(_ records: [(JobRecord, Double?)]) throws -> String {
        let directory = NSTemporaryDirectory() + "lossd-study-\(UUID().uuidString)"
        let store = try StateStore(directory: directory)
        for (record, mae) in records {
            guard let mae, case .object(let members) = record.resultJSON else { try store.writeResult(record); continue }
            try AtomicFile.write(JSONValue.object(members + [("metrics", .object([("mae", .number(mae))]))]).serialized() + "\n",
                                 to: store.resultPath(record.name))
        }
        return directory
    }

    /// The repeat study: two learning rates, five repeats each, losses spread deterministically.
    static func repeatStudy() throws -> String {
        var records: [(JobRecord, Double?)] = []
        for (r, rate) in rates.enumerated() {
            for index in repeats {
                let loss = (Double(r) + 1) * 0.1 + Double(index * index) * 0.013
                records.append((record("rep.lr-\(rate).repeat-\(index)", study: "rep",
                                       axes: [("optimizer.lr", .number(Double(rate)!)), ("repeat", .integer(index))], loss: loss), nil))
            }
        }
        return try state(records)
    }

    static func json(_ arguments: [String]) throws -> JSONValue {
        let result = try LossdProcess.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONValue(parsing: result.stdout)
    }

    @Test(arguments: ["loss", "best_loss", "steps"])
    func groupByGivesCountMeanAndSampleStandardDeviation(key: String) throws {
        let directory = try Self.repeatStudy()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let groups = try #require(try Self.json(["results", "--group-by", "optimizer.lr", "--sort", key, "--format", "json",
                                                 "--state-dir", directory]).arrayValue)
        #expect(groups.count == Self.rates.count)
        let reader = StateReader(directory: directory)
        for rate in Self.rates {
            // Recomputed from the result files themselves.
            let values = try Self.repeats.map { index -> Double in
                let stored = try #require(try reader.result("rep.lr-\(rate).repeat-\(index)"))
                return try #require(ResultsValue.number(stored.json[key]))
            }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
            let group = try #require(groups.first { $0["group"]?["optimizer.lr"] == .number(Double(rate)!) })
            #expect(group["count"] == .integer(5) && group["key"] == .string(key))
            let reportedMean = try #require(group["mean"]?.doubleValue)
            let reportedStd = try #require(group["std"]?.doubleValue)
            #expect(abs(reportedMean - mean) <= 1e-12 * max(1, abs(mean)))
            #expect(abs(reportedStd - variance.squareRoot()) <= 1e-12 * max(1, variance.squareRoot()))
        }
        // A misspelt axis is refused, naming the axes there are.
        let misspelt = try LossdProcess.run(["results", "--group-by", "optimizer.rl", "--state-dir", directory])
        #expect(misspelt.status == 64 && misspelt.stderr.contains("--group-by optimizer.rl: no result has this study axis or field (the results' study axes: optimizer.lr, repeat)"),
                "\(misspelt.stderr)")
        // The table (the default with --group-by): a header and one line per learning rate.
        let table = try LossdProcess.run(["results", "--group-by", "optimizer.lr", "--sort", key, "--state-dir", directory])
        let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.first == "OPTIMIZER.LR COUNT MEAN \(key.uppercased()) STD \(key.uppercased())" && lines.count == 3, "\(table.stdout)")
        // CSV: the same numbers, full precision.
        let csv = try CSVReader(string: try LossdProcess.run(["results", "--group-by", "optimizer.lr", "--sort", key, "--format", "csv",
                                                              "--state-dir", directory]).stdout, hasHeaderRow: true)
        #expect(csv.headerRow == ["optimizer.lr", "count", "mean_\(key)", "std_\(key)"])
    }

    @Test func groupByRefusesRawLossesOfDifferentLossFunctions() throws {
        let directory = try Self.state([
            (Self.record("a", study: "s", axes: [("repeat", .integer(1))], loss: 1, lossFunction: "mse"), 0.5),
            (Self.record("b", study: "s", axes: [("repeat", .integer(1))], loss: 2, lossFunction: "l1"), 0.25),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let refused = try LossdProcess.run(["results", "--group-by", "repeat", "--state-dir", directory])
        #expect(refused.status == 64 && refused.stderr.contains("group repeat=1") && refused.stderr.contains("--sort metrics."), "\(refused.stderr)")
        let byMetric = try #require(try Self.json(["results", "--group-by", "repeat", "--sort", "mae", "--format", "json",
                                                   "--state-dir", directory]).arrayValue)
        #expect(byMetric.first?["mean"] == .number(0.375) && byMetric.first?["key"] == .string("metrics.mae"))
    }

    @Test func bestIsPerStudyAndRefusesRawLossesOfDifferentLosses() throws {
        let directory = try Self.state([
            (Self.record("one.lr-1", study: "one", axes: [("optimizer.lr", .number(1))], loss: 0.3), 0.4),
            (Self.record("one.lr-2", study: "one", axes: [("optimizer.lr", .number(2))], loss: 0.2), 0.6),
            (Self.record("mixed.loss-mse", study: "mixed", axes: [("loss", .string("mse"))], loss: 0.9, lossFunction: "mse"), 0.1),
            (Self.record("mixed.loss-l1", study: "mixed", axes: [("loss", .string("l1"))], loss: 0.05, lossFunction: "l1"), 0.7),
            (Self.record("alone", study: nil, axes: [], loss: 5), nil),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let refused = try LossdProcess.run(["results", "--best", "--state-dir", directory])
        #expect(refused.status == 64 && refused.stderr.contains("study mixed") && refused.stderr.contains("--sort metrics.mae"), "\(refused.stderr)")
        let byLoss = try #require(try Self.json(["results", "one.*", "alone", "--best", "--state-dir", directory]).arrayValue)
        #expect(byLoss.map { $0["name"] } == [.string("alone"), .string("one.lr-2")])
        let byMetric = try #require(try Self.json(["results", "--best", "--sort", "mae", "--state-dir", directory]).arrayValue)
        // `alone` has no mae: its study is left out (with a warning).
        #expect(byMetric.map { $0["name"] } == [.string("mixed.loss-mse"), .string("one.lr-1")])
        let warned = try LossdProcess.run(["results", "--best", "--sort", "mae", "--state-dir", directory])
        #expect(warned.stderr.contains("study alone left out"), "\(warned.stderr)")
        let top = try #require(try Self.json(["results", "--best", "--sort", "mae", "--top", "1", "--state-dir", directory]).arrayValue)
        #expect(top.map { $0["name"] } == [.string("mixed.loss-mse")])
        #expect(try LossdProcess.run(["results", "--best", "--group-by", "repeat", "--state-dir", directory]).status == 64)
        let allRuns = try LossdProcess.run(["results", "--all-runs", "--group-by", "repeat", "--sort", "mae", "--state-dir", directory])
        #expect(allRuns.status == 64 && allRuns.stderr.contains("--group-by cannot be combined with --all-runs"), "\(allRuns.stderr)")
    }

    @Test(arguments: [false, true])
    func csvHasConfigColumnsAndLeavesLargeTensorsOut(withOutput: Bool) throws {
        let directory = try Self.state([
            (Self.record("small", study: "s", axes: [("optimizer.lr", .number(0.5))], loss: 1, initial: 3), 0.5),
            (Self.record("large", study: "s", axes: [("optimizer.lr", .number(0.25))], loss: 1, initial: 40), nil),
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try LossdProcess.run(["results", "--format", "csv", "--state-dir", directory] + (withOutput ? ["--with-output"] : []))
        #expect(result.status == 0, "\(result.stderr)")
        let reader = try CSVReader(string: result.stdout, hasHeaderRow: true)
        let header = try #require(reader.headerRow)
        #expect(Array(header.prefix(ResultsColumnsExpectation.legacy.count)) == ResultsColumnsExpectation.legacy)
        for column in ["config.loss.name", "config.loss.options.reduction", "config.optimizer.options.lr", "config.init", "config.max_steps",
                       "study.name", "study.optimizer.lr", "metrics.mae"] {
            #expect(header.contains(column), "\(column) in \(header)")
        }
        var rows: [String: [String: String]] = [:]
        while reader.next() != nil { rows[reader["name"]!] = Dictionary(uniqueKeysWithValues: header.map { ($0, reader[$0] ?? "") }) }
        #expect(rows["small"]?["config.init"] == "[0.0, 1.0, 2.0]" && rows["small"]?["output"] == "[0.0, 1.0, 2.0]")
        #expect(rows["small"]?["config.optimizer.options.lr"] == "0.5" && rows["small"]?["metrics.mae"] == "0.5")
        #expect(rows["large"]?["study.optimizer.lr"] == "0.25" && rows["large"]?["metrics.mae"] == "")
        #expect((rows["large"]?["config.init"]?.isEmpty ?? false) == !withOutput)
        #expect((rows["large"]?["output"]?.isEmpty ?? false) == !withOutput)
    }

    @Test func tableShowsMetricsAndAxes() throws {
        let directory = try Self.repeatStudy()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try LossdProcess.run(["results", "--format", "table", "--sort", "loss", "--top", "3", "--state-dir", directory])
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.first == "JOB STATUS STEPS LOSS FUNCTION LOSS BEST LOSS STUDY.OPTIMIZER.LR STUDY.REPEAT", "\(result.stdout)")
        #expect(lines.count == 4 && lines[1].hasPrefix("rep.lr-0.1.repeat-1 max_steps 10 mse 0.113 0.113 0.1 1"), "\(result.stdout)")
    }

    /// A state directory whose last daemon ran only `a` (status.json), with results for `a` and `b`.
    static func staleState(reload: ReloadOutcomeFixture?) throws -> String {
        let directory = try Self.state([(Self.record("a", study: nil, axes: [], loss: 1), nil),
                                        (Self.record("b", study: nil, axes: [], loss: 2), nil)])
        let status = DaemonStatus(pid: 999_999, mode: .serve, config: "lossd.yaml", state: .stopped, startedAt: 1_700_000_000,
                                  updatedAt: 1_700_000_002, reportIntervalSeconds: 1, summary: "1 job",
                                  jobs: [Self.record("a", study: nil, axes: [], loss: 1)])
        try AtomicFile.write(status.json.serialized() + "\n", to: directory + "/status.json")
        if let reload {
            try AtomicFile.write("{\"pid\": \(reload.pid), \"sequence\": 1, \"started_usec\": 1, \"finished_usec\": 2, "
                                 + "\"outcome\": \"rejected\", \"message\": \"lossd.yaml:3:5: error: unknown key 'lsos'\"}\n",
                                 to: directory + "/reload.json")
        }
        return directory
    }

    struct ReloadOutcomeFixture: Sendable { var pid: Int }

    @Test(arguments: [999_999, 4])
    func statusMarksStaleJobsAndARejectedReload(reloadPid: Int) throws {
        let directory = try Self.staleState(reload: ReloadOutcomeFixture(pid: reloadPid))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let table = try LossdProcess.run(["status", "--state-dir", directory])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("stale (not in the daemon's configuration; lossd results --prune-stale archives them): b\n"), "\(table.stdout)")
        // Only a reload of the daemon that wrote status.json is shown.
        #expect(table.stdout.contains("last reload: rejected") == (reloadPid == 999_999), "\(table.stdout)")
        #expect(table.stdout.contains("unknown key 'lsos'") == (reloadPid == 999_999))
        let json = try Self.json(["status", "--json", "--state-dir", directory])
        let jobs = try #require(json["jobs"]?.arrayValue)
        #expect(jobs.first { $0["name"] == .string("b") }?["stale"] == .bool(true))
        #expect(jobs.first { $0["name"] == .string("a") }?["stale"] == nil)
        #expect((json["reload_rejected"] != nil) == (reloadPid == 999_999))
    }

    @Test func pruneStaleArchivesNeverDeletes() throws {
        let directory = try Self.staleState(reload: nil)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let before = try #require(FileManager.default.contents(atPath: directory + "/results/b.json"))
        let hash = try #require(try StateReader(directory: directory).result("b")?.record.configHash)
        let pruned = try LossdProcess.run(["results", "--prune-stale", "--state-dir", directory])
        #expect(pruned.status == 0 && pruned.stdout == "b: archived to archive/b/\(hash)/ (result.json)\n", "\(pruned.stdout)\(pruned.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/results/b.json"))
        #expect(FileManager.default.contents(atPath: "\(directory)/archive/b/\(hash)/result.json") == before)
        let names = try #require(try Self.json(["results", "--state-dir", directory]).arrayValue).map { $0["name"] }
        #expect(names == [.string("a")])
        let all = try #require(try Self.json(["results", "--all-runs", "--state-dir", directory]).arrayValue)
        #expect(all.contains { $0["name"] == .string("b") && $0["run"] == .string("archived") })
        let status = try LossdProcess.run(["status", "--state-dir", directory])
        #expect(!status.stdout.contains("stale ("), "\(status.stdout)")
        #expect(try LossdProcess.run(["results", "--prune-stale", "--state-dir", directory]).stdout == "no stale jobs\n")
        // Without a status file, staleness cannot be told.
        try FileManager.default.removeItem(atPath: directory + "/status.json")
        #expect(try LossdProcess.run(["results", "--prune-stale", "--state-dir", directory]).status == 64)
    }
}

/// The CSV columns every result has had, in order (scripts read them).
enum ResultsColumnsExpectation {
    static let legacy = ["name", "status", "status_detail", "status_code", "steps", "loss", "best_loss", "grad_norm", "lr", "loss_function",
                         "loss_options", "optimizer", "optimizer_options", "scheduler", "started_at", "finished_at", "elapsed_seconds",
                         "resumed", "config_hash", "shape", "output"]
}

/// A JSON number, as the results' documents hold them.
enum ResultsValue {
    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .integer(let n)?: Double(n)
        case .number(let x)?: x
        default: nil
        }
    }
}
