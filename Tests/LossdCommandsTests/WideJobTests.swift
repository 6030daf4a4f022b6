// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LossKit
import LossdEngine
import LossdJSON
import LossdState
import LossdTestSupport
import Testing

/// Jobs bounded by memory rather than element caps, through the built `lossd`: a configuration
/// over `daemon.memory_limit` refused at `lossd check`, a 10^7-element job run to its result
/// (its output in a safetensors file beside it), and, with `LOSSD_SCALE_TESTS=1` (meant for a
/// release build given as `LOSSD_BINARY`), a 10^8-element job and a sweep of 10^6 jobs.
@Suite("Wide jobs and the memory limit")
struct WideJobTests {
    static let scale = ProcessInfo.processInfo.environment["LOSSD_SCALE_TESTS"] == "1"

    static func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "lossd-wide-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A job fitting `elements` uniform values toward uniform targets with plain SGD on a summed
    /// MSE at lr 0.25: each step moves every element halfway to its target, so the output stays
    /// in [0, 1].
    static func wide(_ elements: Int, optimizer: String = "{name: sgd, lr: 0.25}", steps: Int = 2, limit: String? = nil,
                     checkpoints: String = "10s") -> String {
        """
        daemon:
          workers: 1
        \(limit.map { "  memory_limit: \($0)" } ?? "  checkpoint_interval: \(checkpoints)\n  report_interval: \(checkpoints)")
        jobs:
          - name: small
            loss: mse
            init: [1, 2, 3]
            target: [0, 0, 0]
            optimizer: sgd
            max_steps: 1
          - name: wide
            loss: {name: mse, reduction: sum}
            init: {random: uniform, shape: [\(elements)], seed: 1}
            target: {random: uniform, shape: [\(elements)], seed: 2}
            optimizer: \(optimizer)
            max_steps: \(steps)

        """
    }

    @Test("lossd check refuses a configuration over daemon.memory_limit at the job, with the estimate and the limit")
    func refusedAtCheck() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/wide.yaml"
        try Self.wide(4_000_000, optimizer: "adam", limit: "100M").write(toFile: config, atomically: true, encoding: .utf8)
        let check = try LossdProcess.run(["check", "--no-snippets", config])
        #expect(check.status == 78)
        #expect(check.stderr.hasPrefix("\(config):11:5: error: job 'wide' needs about 122 MiB (parameters 31 MiB, target 31 MiB, "
            + "optimizer state 61 MiB, bookkeeping 4.0 KiB) and 183 MiB more while its checkpoint is written: more than the memory limit 100 MiB (daemon.memory_limit at \(config):3:17)"),
                "\(check.stderr)")
        // An override that raises the limit makes it valid; the memory line gives the total and the limit's origin.
        let raised = try LossdProcess.run(["check", config, "daemon.memory_limit=1G"])
        #expect(raised.status == 0, "\(raised.stderr)")
        #expect(raised.stdout.contains("\n  memory: about 305 MiB for the enabled jobs, limit 1.0 GiB "
            + "(daemon.memory_limit at override 1 'daemon.memory_limit=1G':1:21)\n"), "\(raised.stdout)")
    }

    /// Runs `config` with `lossd run` and returns the wide job's record, read back as `lossd results` reads it.
    func run(_ config: String, state: String, elements: Int) async throws -> JobRecord {
        let run = try await LossdProcess.finish(["run", config, "--state-dir", state])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try #require(try StateReader(directory: state).result("wide"))
        #expect(result.json["output"]?["file"] == .string("wide.output.safetensors"))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: state + "/results/wide.output.safetensors")[.size] as? Int)
        #expect(size > elements * 8 && size < elements * 8 + 256)
        return result.record
    }

    @Test("A 10^7-element job runs to its result; its output is kept in a safetensors file and read back")
    func tenMillion() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/wide.yaml"
        try Self.wide(10_000_000).write(toFile: config, atomically: true, encoding: .utf8)
        let state = directory + "/state"
        let record = try await run(config, state: state, elements: 10_000_000)
        #expect(record.status.name == "max_steps" && record.steps == 2)
        let output = try #require(record.output)
        #expect(output.shape == [10_000_000])
        #expect(output.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        // The small job's result keeps its output inline, as always.
        let small = try #require(try StateReader(directory: state).result("small"))
        #expect(small.json["output"]?.arrayValue?.count == 3)
        // A second run finds both results (the wide one through its output file) and runs nothing again.
        let again = try await LossdProcess.finish(["run", config, "--state-dir", state])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try StateReader(directory: state).result("wide")?.record.finishedAt == record.finishedAt)
        let results = try LossdProcess.run(["results", "--state-dir", state, "--format", "csv"])
        #expect(results.status == 0, "\(results.stderr)")
    }

    @Test("A wide job killed with SIGKILL after a checkpoint resumes from its checkpoint's vectors, bit-identical")
    func killNineResumesBitIdentical() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/wide.yaml"
        // Checkpoints are taken on the report tick, so both are 10 ms here; a release build runs
        // 60 steps of this job in about 0.3 s, so it is given enough steps to be killed mid-run.
        let steps = ProcessInfo.processInfo.environment["LOSSD_BINARY"] == nil ? 60 : 1_000
        try Self.wide(1_100_000, optimizer: "{name: adam, lr: 0.01}", steps: steps, checkpoints: "10ms")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let reference = try await run(config, state: directory + "/reference", elements: 1_100_000)
        let state = directory + "/killed"
        let child = try LossdChild(["run", config, "--state-dir", state], logPath: directory + "/killed.log")
        let checkpoints = state + "/checkpoints"
        let sent = await child.signal(SIGKILL) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? []
            return names.contains("wide.ckpt") && names.contains { $0.hasPrefix("wide.ckpt.") && $0.hasSuffix(".safetensors") }
        }
        await child.exit()
        #expect(sent, "killed once the wide job had a checkpoint")
        #expect(!FileManager.default.fileExists(atPath: state + "/results/wide.json"), "killed mid-run")
        let resumed = try await run(config, state: state, elements: 1_100_000)
        let wasResumed = resumed.resumed, identical = resumed.output?.scalars.map(\.bitPattern) == reference.output?.scalars.map(\.bitPattern)
        #expect(wasResumed)
        #expect(identical, "the resumed output is bit-identical to the undisturbed run's")
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkpoints).filter { $0.hasPrefix("wide.") }.isEmpty,
                "the vectors files went with the checkpoint")
    }

    @Test("A 10^8-element job runs to its result where the memory limit allows it, else is refused with its estimate",
          .enabled(if: scale, "set LOSSD_SCALE_TESTS=1 (with LOSSD_BINARY a release build)"))
    func hundredMillion() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/wide.yaml"
        try Self.wide(100_000_000, steps: 3).write(toFile: config, atomically: true, encoding: .utf8)
        let check = try LossdProcess.run(["check", config])
        guard check.status == 0 else {
            #expect(check.status == 78)
            #expect(check.stderr.contains("job 'wide' needs about 1.5 GiB (parameters 763 MiB, target 763 MiB"), "\(check.stderr)")
            print("the 10^8-element job is refused here: \(check.stderr)")
            return
        }
        #expect(check.stdout.contains("  memory: about 3.0 GiB for the enabled jobs"), "\(check.stdout)")
        let record = try await run(config, state: directory + "/state", elements: 100_000_000)
        #expect(record.status.name == "max_steps" && record.steps == 3)
        #expect(record.output?.scalars.allSatisfy { $0 >= 0 && $0 <= 1 } == true)
    }

    @Test("A sweep of 1,000,000 jobs is accepted by lossd check within the memory limit",
          .enabled(if: scale, "set LOSSD_SCALE_TESTS=1 (with LOSSD_BINARY a release build)"))
    func millionJobs() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/grid.yaml"
        let values = (0..<1000).map(String.init).joined(separator: ", ")
        let steps = (1...1000).map(String.init).joined(separator: ", ")
        try """
            jobs:
              - name: grid
                loss: mse
                init: [10, 10, 10]
                target: [30, 20, 50]
                optimizer: {name: sgd, lr: 0.1}
                max_steps: 1000
                sweep: {seed: [\(values)], max_steps: [\(steps)]}

            """.write(toFile: config, atomically: true, encoding: .utf8)
        let all = try LossdProcess.run(["check", "--quiet", config])
        #expect(all.status == 0, "\(all.stderr)")
    }
}
