// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdConfig
import Testing

/// `--shard I/N`: the documented assignment (``ShardPlan``), its balance, stability,
/// disjointness and coverage, and how `--shard auto` reads Slurm's and Kubernetes' variables.
@Suite("Shard assignment")
struct ShardPlanTests {
    @Test("The name hash is 64-bit FNV-1a", arguments: [
        ("", 0xcbf2_9ce4_8422_2325 as UInt64), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8),
    ])
    func fnv1a(_ name: String, _ expected: UInt64) {
        #expect(ShardPlan.nameHash(name) == expected)
    }

    /// One row of `Fixtures/shards/golden.tsv`, written by an independent Python implementation
    /// of the documented algorithm (`gen-golden.py` beside it).
    struct GoldenRow: Sendable, CustomTestStringConvertible {
        var name: String
        var work: UInt64
        var shards: [Int: Int]
        var testDescription: String { name }
    }

    static let golden: [GoldenRow] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/shards/golden.tsv").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let cells = line.split(separator: "\t").map(String.init)
            return GoldenRow(name: cells[0], work: UInt64(cells[1])!, shards: [1: Int(cells[2])!, 3: Int(cells[3])!, 4: Int(cells[4])!])
        }
    }()

    @Test("Every job goes to the shard the golden list names, for 1, 3 and 4 shards", arguments: [1, 3, 4])
    func stability(_ count: Int) {
        #expect(Self.golden.count == 25)
        let assigned = ShardPlan.assign(Self.golden.map { ShardPlan.Item(name: $0.name, work: $0.work) }, shards: count)
        for (row, shard) in zip(Self.golden, assigned) {
            #expect(shard == row.shards[count], "\(row.name) of \(count) shards")
        }
    }

    @Test("The order of the jobs in the configuration does not change any job's shard")
    func orderIndependent() {
        let items = Self.golden.map { ShardPlan.Item(name: $0.name, work: $0.work) }
        let forward = Dictionary(uniqueKeysWithValues: zip(items.map(\.name), ShardPlan.assign(items, shards: 4)))
        let reversed = Array(items.reversed())
        let backward = Dictionary(uniqueKeysWithValues: zip(reversed.map(\.name), ShardPlan.assign(reversed, shards: 4)))
        #expect(forward == backward)
    }

    /// 1,000 jobs of mixed sizes (elements 1 to 10^5, steps 10 to 10^4, from a fixed generator).
    static let mixed: [ShardPlan.Item] = {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (0..<1000).map { index in
            let elements = [1, 3, 100, 1000, 10_000, 100_000][Int(next() % 6)]
            let steps = [10, 100, 1000, 10_000][Int(next() % 4)]
            return ShardPlan.Item(name: "study.job-\(index)", work: UInt64(elements * steps))
        }
    }()

    @Test("On a 1,000-job sweep of mixed sizes the largest shard is within 10% of the mean", arguments: [2, 3, 4, 8, 16])
    func balance(_ count: Int) {
        let assigned = ShardPlan.assign(Self.mixed, shards: count)
        var loads = [UInt64](repeating: 0, count: count)
        for (item, shard) in zip(Self.mixed, assigned) { loads[shard] += item.work }
        let mean = Double(loads.reduce(0, +)) / Double(count)
        let largest = Double(loads.max()!)
        #expect(largest <= mean * 1.10, "loads \(loads), mean \(mean)")
        // Counting jobs instead would not balance them: a plain hash split is far off here.
        var hashed = [UInt64](repeating: 0, count: count)
        for item in Self.mixed { hashed[Int(ShardPlan.nameHash(item.name) % UInt64(count))] += item.work }
        #expect(Double(hashed.max()!) > largest)
    }

    static let sweep = """
        jobs:
          - name: grid
            loss: mse
            init: [10, 10, 10]
            target: [30, 20, 50]
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 100
            sweep: {seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], optimizer.lr: [0.01, 0.1, 0.5]}
          - name: wide
            loss: l1
            init: {random: uniform, shape: [4000], seed: 1}
            target: {random: uniform, shape: [4000], seed: 2}
            optimizer: adam
            max_steps: 50
          - name: off
            enabled: false
            loss: mse
            init: [1, 2]
            target: [0, 0]
            optimizer: sgd
            max_steps: 10

        """

    static func load(shard: ShardSelection?, only: [String] = []) throws -> LossdConfiguration {
        var loader = ConfigLoader(workingDirectory: "/srv/lossd")
        loader.shard = shard
        loader.only = JobFilter(only)
        return try loader.load(bytes: Array(sweep.utf8), name: "sweep.yaml")
    }

    @Test("Through the loader, the shards of a configuration are disjoint and cover every job", arguments: [1, 2, 3, 5, 40, 50])
    func disjointAndCovering(_ count: Int) throws {
        let all = try Self.load(shard: nil).jobs.map(\.name)
        #expect(all.count == 38)
        var seen: [String: Int] = [:]
        for index in 0..<count {
            let configuration = try Self.load(shard: try ShardSelection(index: index, count: count))
            let report = try #require(configuration.shard)
            #expect(report.jobs == configuration.jobs.count && report.totalJobs == all.count)
            for job in configuration.jobs {
                #expect(seen[job.name] == nil, "\(job.name) in shards \(seen[job.name] ?? -1) and \(index)")
                seen[job.name] = index
            }
        }
        #expect(Set(seen.keys) == Set(all), "every job in a shard")
    }

    @Test("--only selects among the shard's jobs; a pattern that matches jobs of other shards only is not an error")
    func onlyWithinShard() throws {
        let shards = try (0..<4).map { index in try Self.load(shard: try ShardSelection(index: index, count: 4), only: ["wide"]) }
        #expect(shards.map(\.jobs.count).reduce(0, +) == 1)
        #expect(shards.allSatisfy { $0.jobs.allSatisfy { $0.name == "wide" } })
    }

    @Test("The largest job's work is its elements times max_steps")
    func work() throws {
        let configuration = try Self.load(shard: nil)
        let wide = try #require(configuration.jobs.first { $0.name == "wide" })
        #expect(ShardPlan.work(wide) == 4000 * 50)
        let grid = try #require(configuration.jobs.first { $0.name.hasPrefix("grid.") })
        #expect(ShardPlan.work(grid) == 3 * 100)
    }

    struct AutoCase: Sendable, CustomTestStringConvertible {
        var environment: [String: String]
        var shards: Int?
        var expected: String  // "I/N", or the start of the error
        var testDescription: String { environment.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ") + (shards.map { " --shards \($0)" } ?? "") }
    }

    @Test("--shard auto reads the Slurm array task or the Kubernetes completion index", arguments: [
        AutoCase(environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"], expected: "2/4"),
        AutoCase(environment: ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "5"], expected: "2/4"),
        AutoCase(environment: ["SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_STEP": "2"], expected: "3/4"),
        AutoCase(environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"], shards: 4, expected: "3/4"),
        AutoCase(environment: ["JOB_COMPLETION_INDEX": "1"], shards: 3, expected: "1/3"),
        AutoCase(environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"], shards: 8, expected: "--shards 8 disagrees"),
        AutoCase(environment: ["SLURM_ARRAY_TASK_ID": "3"], expected: "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not"),
        AutoCase(environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"], expected: "--shard auto: array task 4"),
        AutoCase(environment: ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"], expected: "--shard auto: SLURM_ARRAY_TASK_ID='x'"),
        AutoCase(environment: ["JOB_COMPLETION_INDEX": "1"], expected: "--shard auto: JOB_COMPLETION_INDEX is set"),
        AutoCase(environment: ["JOB_COMPLETION_INDEX": "3"], shards: 3, expected: "--shard auto: JOB_COMPLETION_INDEX=3 with --shards 3"),
        AutoCase(environment: [:], expected: "--shard auto: neither SLURM_ARRAY_TASK_ID"),
    ])
    func automatic(_ test: AutoCase) {
        do throws(ShardSelection.Problem) {
            let selection = try ShardSelection.resolve("auto", shards: test.shards, environment: test.environment)
            #expect(selection.description == test.expected)
        } catch {
            #expect(error.description.hasPrefix(test.expected), "\(error)")
        }
    }

    @Test("--shard I/N is checked", arguments: [
        ("0/1", "0/1"), ("3/4", "3/4"), ("4/4", "--shard '4/4': shard 4 does not exist"), ("-1/4", "--shard '-1/4': shard -1"),
        ("1/0", "--shard '1/0': the number of shards"), ("1", "--shard '1': expected I/N"), ("a/b", "--shard 'a/b': expected I/N"),
    ])
    func explicit(_ argument: String, _ expected: String) {
        do throws(ShardSelection.Problem) {
            #expect(try ShardSelection.resolve(argument, shards: nil, environment: [:]).description == expected)
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error)")
        }
    }

    @Test("A shard's state directory is BASE/shard-I")
    func stateDirectory() throws {
        let shard = try ShardSelection(index: 2, count: 4)
        #expect(shard.stateDirectory(base: "/shared/sweep") == "/shared/sweep/shard-2")
        #expect(shard.stateDirectory(base: "/shared/sweep/") == "/shared/sweep/shard-2")
    }
}
