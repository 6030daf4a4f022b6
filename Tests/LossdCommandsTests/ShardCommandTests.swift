// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdState
import LossdTestSupport
import Testing

/// `--shard` through the built `lossd`: shards run apart and merged equal one run bit for bit;
/// `results`, `status` and `plot` read several state directories as one; `results merge`
/// refuses conflicting duplicates and is idempotent.
@Suite("Sharded runs and merged results")
struct ShardCommandTests {
    static let config = """
        daemon: {workers: 1}
        jobs:
          - name: grid
            loss: mse
            init: [10, 10, 10]
            target: [30, 20, 50]
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 120
            sweep: {seed: [0, 1, 2, 3, 4, 5], optimizer.lr: [0.01, 0.1]}
          - name: noisy
            loss: huber
            init: {random: normal, shape: [64], seed: 3}
            target: {random: uniform, shape: [64], seed: 4}
            optimizer: {name: adam, lr: 0.05}
            max_steps: 80
            sweep: {seed: [1, 2, 3]}
          - name: wide
            loss: l1
            init: {random: uniform, shape: [2000], seed: 1}
            target: {random: uniform, shape: [2000], seed: 2}
            optimizer: {name: rmsprop, lr: 0.01}
            max_steps: 60

        """

    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "lossd-shard-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try config.write(toFile: path + "/sweep.yaml", atomically: true, encoding: .utf8)
        return path
    }

    /// Every result of `state`: name -> (output bits, loss bits, steps).
    static func results(_ state: String) throws -> [String: [UInt64]] {
        let reader = StateReader(directory: state)
        var found: [String: [UInt64]] = [:]
        for name in try reader.jobNames() {
            guard let record = try reader.result(name)?.record else { continue }
            found[name] = [record.loss.bitPattern, UInt64(record.steps)] + (record.output?.scalars.map(\.bitPattern) ?? [])
        }
        return found
    }

    @Test("Three shards run apart, merged, equal one run bit for bit; merging again changes nothing")
    func shardsMergeBitIdentical() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let single = try await LossdProcess.finish(["run", directory + "/sweep.yaml", "--state-dir", directory + "/single"])
        #expect(single.status == 0, "\(single.stderr)")
        var counts: [Int] = []
        for index in 0..<3 {
            let shard = try await LossdProcess.finish(["run", directory + "/sweep.yaml", "--shard", "\(index)/3", "--state-dir", directory + "/sharded"])
            #expect(shard.status == 0, "\(shard.stderr)")
            counts.append(try Self.results(directory + "/sharded/shard-\(index)").count)
        }
        #expect(counts.reduce(0, +) == 16 && counts.allSatisfy { $0 > 0 }, "\(counts)")
        let merge = try LossdProcess.run(["results", "merge", directory + "/merged", directory + "/sharded/shard-*"])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stdout.hasPrefix("merged 16 results from 3 directories"), "\(merge.stdout)")
        let expected = try Self.results(directory + "/single")
        #expect(expected.count == 16)
        #expect(try Self.results(directory + "/merged") == expected)
        // The histories came along, and the merged directory is indexed like any other.
        #expect(FileManager.default.fileExists(atPath: directory + "/merged/history/wide.csv"))
        #expect(FileManager.default.fileExists(atPath: directory + "/merged/results.index"))
        let again = try LossdProcess.run(["results", "merge", directory + "/merged", directory + "/sharded/shard-*"])
        #expect(again.status == 0 && again.stdout.hasPrefix("merged 0 results from 3 directories") && again.stdout.contains("(16 already there)"),
                "\(again.stdout)\(again.stderr)")
        // Read in place, the shards are one state directory.
        let csv = try LossdProcess.run(["results", "--state-dir", directory + "/sharded/shard-*", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.split(separator: "\n").count == 17)
        let status = try LossdProcess.run(["status", "--state-dir", directory + "/sharded/shard-0", "--state-dir", directory + "/sharded/shard-1",
                                           "--state-dir", directory + "/sharded/shard-2", "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\"state_directories\"") && status.stdout.contains("\"summary\": \"16 jobs: 16 max_steps\""), "\(status.stdout)")
        let plot = try LossdProcess.run(["plot", "--state-dir", directory + "/sharded/shard-*", "grid", "-o", directory + "/grid.svg"])
        #expect(plot.status == 0, "\(plot.stderr)")
    }

    @Test("lossd results merge refuses the same job with different configurations, naming both places, and writes nothing")
    func mergeRefusesConflicts() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let a = try await LossdProcess.finish(["run", directory + "/sweep.yaml", "--only", "wide", "--state-dir", directory + "/a"])
        let b = try await LossdProcess.finish(["run", directory + "/sweep.yaml", "--only", "wide", "jobs.wide.max_steps=30", "--state-dir", directory + "/b"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        let merge = try LossdProcess.run(["results", "merge", directory + "/out", directory + "/a", directory + "/b"])
        #expect(merge.status == 65)
        #expect(merge.stderr.contains("job wide: config hash") && merge.stderr.contains(" in \(directory)/a,") && merge.stderr.contains(" in \(directory)/b"),
                "\(merge.stderr)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: directory + "/out/results")) ?? []).isEmpty, "nothing merged")
        let read = try LossdProcess.run(["results", "--state-dir", directory + "/a", "--state-dir", directory + "/b"])
        #expect(read.status == 65 && read.stderr.contains("job wide has different results in"), "\(read.stderr)")
        let same = try LossdProcess.run(["results", "merge", directory + "/out", directory + "/a", directory + "/a/"])
        #expect(same.status == 0 && same.stdout.hasPrefix("merged 1 result from 1 directory"), "\(same.stdout)\(same.stderr)")
    }

    @Test("lossd check --shard lists the shard's jobs, its share of the work and its state directory")
    func checkListsShard() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var listed = 0
        for index in 0..<4 {
            let check = try LossdProcess.run(["check", directory + "/sweep.yaml", "--shard", "\(index)/4"])
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.contains("  state directory: \(directory)/state/shard-\(index)\n"), "\(check.stdout)")
            #expect(check.stdout.contains("  shard \(index)/4: "), "\(check.stdout)")
            listed += check.stdout.split(separator: "\n").filter { $0.hasPrefix("grid.") || $0.hasPrefix("noisy.") || $0.hasPrefix("wide ") }.count
        }
        #expect(listed == 16)
    }

    @Test("Bad --shard arguments are usage errors that say what to give", arguments: [
        (["--shard", "4/4"], "shard 4 does not exist"),
        (["--shard", "auto"], "neither SLURM_ARRAY_TASK_ID"),
        (["--shards", "3"], "--shards needs --shard"),
        (["--shard", "two"], "expected I/N"),
    ])
    func badArguments(_ arguments: [String], _ message: String) throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        for key in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] { environment[key] = nil }
        let run = try LossdProcess.run(["run", directory + "/sweep.yaml"] + arguments, environment: environment)
        #expect(run.status == 64)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test("Under a Slurm array task, --shard auto runs that task's shard into its own directory")
    func slurmEnvironment() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_ARRAY_TASK_ID"] = "11"
        environment["SLURM_ARRAY_TASK_MIN"] = "10"
        environment["SLURM_ARRAY_TASK_COUNT"] = "2"
        let run = try await LossdProcess.finish(["run", directory + "/sweep.yaml", "--shard", "auto", "--state-dir", directory + "/s"],
                                                environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let check = try LossdProcess.run(["check", directory + "/sweep.yaml", "--shard", "1/2"])
        let expected = Set(check.stdout.split(separator: "\n").compactMap { line -> String? in
            let name = line.split(separator: " ").first.map(String.init) ?? ""
            return name.hasPrefix("grid.") || name.hasPrefix("noisy.") || name == "wide" ? name : nil
        })
        #expect(Set(try Self.results(directory + "/s/shard-1").keys) == expected)
        #expect(!FileManager.default.fileExists(atPath: directory + "/s/shard-0"))
    }

    @Test("A shard stopped by SIGTERM before its jobs ended exits 75 and its merge names the unfinished job; without --shard the same stop exits 0")
    func stoppedShardIsNotDone() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let long = ["jobs.wide.max_steps=1000000", "+daemon.checkpoint_interval=\"10ms\"", "+daemon.report_interval=\"10ms\""]
        let child = try LossdChild(["run", directory + "/sweep.yaml", "--only", "wide", "--shard", "0/1", "--state-dir", directory + "/s"] + long,
                                   logPath: directory + "/run.log")
        let checkpoint = directory + "/s/shard-0/checkpoints/wide.ckpt"
        let sent = await child.signal(SIGTERM) { FileManager.default.fileExists(atPath: checkpoint) }
        #expect(sent)
        #expect(await child.exit() == 75)
        let log = (try? String(contentsOfFile: directory + "/run.log", encoding: .utf8)) ?? ""
        #expect(log.contains("exit 75: run it again to resume"), "\(log)")
        // Merged now, the unfinished job is named and left out.
        let merge = try LossdProcess.run(["results", "merge", directory + "/out", directory + "/s/shard-0"])
        #expect(merge.status == 0 && merge.stdout.hasPrefix("merged 0 results from 1 directory"), "\(merge.stdout)\(merge.stderr)")
        #expect(merge.stderr.contains("1 unfinished job left out (no result yet): wide (\(directory)/s/shard-0)"), "\(merge.stderr)")
        // Without --shard, a stop after checkpointing is still a success (exit 0).
        let plain = try LossdChild(["run", directory + "/sweep.yaml", "--only", "wide", "--state-dir", directory + "/p"] + long,
                                   logPath: directory + "/plain.log")
        #expect(await plain.signal(SIGTERM) { FileManager.default.fileExists(atPath: directory + "/p/checkpoints/wide.ckpt") })
        #expect(await plain.exit() == 0)
    }
}
