// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdEngine
@testable import LossdConfig
import Testing

@Suite("Memory limit and estimates")
struct MemoryLimitTests {
    @Test("Sizes as written", arguments: [
        ("4096", 4096), ("512K", 512 << 10), ("512k", 512 << 10), ("8G", 8 << 30), ("1.5G", 3 << 29), ("2T", 2 << 40), ("100M", 100 << 20),
    ])
    func parses(_ text: String, _ bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test("Sizes refused", arguments: ["", "G", "0", "-1G", "1.G", ".5G", "1e9", "8GB", "1..2M", "99999999999T", "8 G"])
    func refuses(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test("Sizes as printed", arguments: [
        (812, "812 B"), (4096, "4.0 KiB"), (800_000_000, "763 MiB"), (2_400_000_000, "2.2 GiB"), (1 << 30, "1.0 GiB"), (24 << 30, "24 GiB"),
    ])
    func formats(_ bytes: Int, _ text: String) {
        #expect(ByteSize.format(bytes) == text)
    }

    /// A fake `/proc` and cgroup tree.
    func tree(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lossd-memory-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test("The default: the lowest memory.max of the cgroup and its ancestors, else 80% of MemTotal")
    func systemDefault() throws {
        let meminfo = "MemTotal:       1000000 kB\nMemFree:  5 kB\n"
        let v2 = try tree(["proc/self/cgroup": "0::/a/b\n", "proc/meminfo": meminfo,
                           "cg/a/b/memory.max": "max\n", "cg/a/memory.max": "2147483648\n", "cg/memory.max": "4294967296\n"])
        defer { try? FileManager.default.removeItem(at: v2) }
        let limit = MemoryLimit.system(proc: v2.path + "/proc", cgroupRoot: v2.path + "/cg")
        #expect(limit.bytes == 2 << 30)
        #expect(limit.origin == .cgroup(v2.path + "/cg/a/memory.max"))

        let v1 = try tree(["proc/self/cgroup": "5:devices:/\n4:memory:/job\n0::/\n", "proc/meminfo": meminfo,
                           "cg/memory/job/memory.limit_in_bytes": "1073741824\n", "cg/memory/memory.limit_in_bytes": "9223372036854771712\n"])
        defer { try? FileManager.default.removeItem(at: v1) }
        #expect(MemoryLimit.system(proc: v1.path + "/proc", cgroupRoot: v1.path + "/cg").bytes == 1 << 30)

        let unlimited = try tree(["proc/self/cgroup": "0::/\n", "proc/meminfo": meminfo, "cg/memory.max": "max\n"])
        defer { try? FileManager.default.removeItem(at: unlimited) }
        let physical = MemoryLimit.system(proc: unlimited.path + "/proc", cgroupRoot: unlimited.path + "/cg")
        #expect(physical.bytes == 1_024_000_000 / 5 * 4)
        #expect(physical.description == "781 MiB (80% of 977 MiB of physical memory)")
    }

    func load(_ text: String, limit: MemoryLimit = MemoryLimit(bytes: 1 << 30, origin: .physical(5 << 30))) -> Result<LossdConfiguration, ConfigErrors> {
        var loader = ConfigLoader(workingDirectory: "/tmp")
        loader.defaultMemoryLimit = limit
        do throws(ConfigErrors) { return .success(try loader.load(bytes: Array(text.utf8), name: "jobs.yaml")) } catch { return .failure(error) }
    }

    static let wide = """
          workers: 1
        jobs:
          - name: small
            loss: mse
            init: [1, 2, 3]
            target: [0, 0, 0]
            optimizer: sgd
            max_steps: 10
          - name: wide
            loss: mse
            init: {random: normal, shape: [4000000]}
            target: {random: uniform, shape: [4000000]}
            optimizer: adam
            max_steps: 3

        """

    @Test("A job over the limit is refused at its item, with its estimate by part and the limit's origin")
    func refusesWideJob() throws {
        let errors = try #require(load("daemon:\n  memory_limit: 100M\n" + Self.wide).failure)
        #expect(errors.errors.count == 1)
        let error = try #require(errors.errors.first)
        #expect(error.code == .limit)
        #expect("\(error.file):\(error.mark)" == "jobs.yaml:11:5")
        #expect(error.message == "job 'wide' needs about 122 MiB (parameters 31 MiB, target 31 MiB, optimizer state 61 MiB, bookkeeping 4.0 KiB) "
            + "and 183 MiB more while its checkpoint is written: more than the memory limit 100 MiB (daemon.memory_limit at jobs.yaml:2:17); lower the sizes or the number of jobs, or raise daemon.memory_limit")
        // The same job fits a larger limit, set in the file or by default, and the total is reported.
        let configuration = try load("daemon:\n  memory_limit: 400M\n" + Self.wide).get()
        // Resident: both jobs; reserved: writing the wide job's checkpoint (one worker).
        #expect(configuration.memory.estimate == 128_000_000 + 48 + 2 * MemoryEstimate.perJobOverhead + 192_000_000)
        #expect(configuration.memory.limit.bytes == 400 << 20)
        #expect(try load("daemon:\n" + Self.wide, limit: MemoryLimit(bytes: 400 << 20, origin: .physical(3 << 30))).get().memory.limit.bytes == 400 << 20)
        #expect(try load("daemon:\n  memory_limit: none\n" + Self.wide).get().memory.limit.bytes == nil)
    }

    @Test("A sweep that grows past the limit is refused at the job that declares it, with the running total")
    func refusesSweep() throws {
        let text = """
            daemon: {memory_limit: 30M, workers: 1}
            jobs:
              - name: grid
                loss: mse
                init: {random: normal, shape: [400000]}
                target: {random: normal, shape: [400000]}
                optimizer: sgd
                max_steps: 1
                sweep: {seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}

            """
        let error = try #require(load(text).failure?.errors.first)
        #expect("\(error.file):\(error.mark)" == "jobs.yaml:3:5")
        #expect(error.message.hasPrefix("the 4 enabled jobs up to job 'grid.seed-4' (from the sweep of 'grid') need about 31 MiB together, "
            + "6.1 MiB of it for writing checkpoints (this one 6.1 MiB (parameters 3.1 MiB, target 3.1 MiB, bookkeeping 4.0 KiB)): more than the memory limit 30 MiB"))
        // Disabled jobs and jobs --only leaves out do not count.
        #expect((try? load(text.replacingOccurrences(of: "max_steps: 1", with: "max_steps: 1\n    enabled: false")).get()) != nil)
    }

    @Test("A random tensor larger than the limit is refused where it is written, before any job is built")
    func refusesTensor() throws {
        let text = "daemon: {memory_limit: 1M}\njobs:\n  - {name: big, loss: mse, init: {random: normal, shape: [1000, 1000]}, target: 0, optimizer: sgd, max_steps: 1}\n"
        let error = try #require(load(text).failure?.errors.first)
        #expect(error.path == "jobs[0].init.shape")
        #expect(error.message == "init has 1000000 elements (7.6 MiB), more than the memory limit 1.0 MiB (daemon.memory_limit at jobs.yaml:1:24)")
    }

    @Test("A loader's own bound on random tensors holds whatever the file's memory_limit")
    func harnessBound() throws {
        var loader = ConfigLoader(workingDirectory: "/tmp")
        loader.limits.maxRandomTensorBytes = 1 << 20
        let text = "daemon: {memory_limit: none}\njobs:\n  - {name: big, loss: mse, init: {random: normal, shape: [1000, 1000]}, target: 0, optimizer: sgd, max_steps: 1}\n"
        #expect(throws: ConfigErrors.self) { try loader.load(bytes: Array(text.utf8), name: "jobs.yaml") }
        do throws(ConfigErrors) { _ = try loader.load(bytes: Array(text.utf8), name: "jobs.yaml") } catch {
            #expect(error.errors.first?.message == "init has 1000000 elements (7.6 MiB), more than the memory limit 1.0 MiB (the loader's bound on one random tensor)")
        }
    }

    @Test("memory_limit values", arguments: [
        ("8G", 8 << 30), ("536870912", 536_870_912), ("none", nil),
    ] as [(String, Int?)])
    func values(_ text: String, _ bytes: Int?) throws {
        let configuration = try load("daemon: {memory_limit: \(text)}\njobs: []\n").get()
        #expect(configuration.daemon.memoryLimit?.bytes == bytes)
        #expect(configuration.memory.estimate == 0)
    }

    @Test("A bad memory_limit is located")
    func badValue() throws {
        let error = try #require(load("daemon:\n  memory_limit: 8GB\njobs: []\n").failure?.errors.first)
        #expect("\(error.file):\(error.mark)" == "jobs.yaml:2:17")
        #expect(error.message.hasPrefix("memory_limit must be a size in bytes, with K, M, G or T"))
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
