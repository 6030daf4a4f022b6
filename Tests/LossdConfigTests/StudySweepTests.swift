// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdConfig
import LossdEngine
import Testing

/// Search spaces beyond the grid: zip groups, repeats, sampled keys; per-tensor seeds.
@Suite("Sweeps: zip, repeat, sampled keys")
struct StudySweepTests {
    @Test("A zip group pairs each init with its target (not the cartesian product)")
    func zipPairsInitAndTarget() throws {
        let configuration = try #require(loaded("""
            jobs:
              - name: problems
                loss: mse
                optimizer: {name: sgd, lr: 0.1}
                max_steps: 10
                sweep:
                  loss: [mse, l1]
                  zip:
                    - init: [[1, 1], [2, 2], [3, 3]]
                      target: [[10, 10], [20, 20], [30, 30]]
            """))
        #expect(configuration.jobs.count == 6)
        for job in configuration.jobs {
            guard case .literal(let initial) = job.initial, case .literal(let target) = job.target else {
                Issue.record("\(job.name): not literal tensors")
                continue
            }
            #expect(target.scalars.map { $0 / 10 } == initial.scalars, "\(job.name) pairs \(initial.scalars) with \(target.scalars)")
        }
        // Tensors get numbers, shown once per group (the first key's).
        #expect(configuration.jobs.map(\.name) == [
            "problems.loss-mse.init-1", "problems.loss-mse.init-2", "problems.loss-mse.init-3",
            "problems.loss-l1.init-1", "problems.loss-l1.init-2", "problems.loss-l1.init-3",
        ])
        let origin = try #require(configuration.jobs[4].sweep)
        #expect(origin.assignments.map(\.key) == ["loss", "init", "target"])
        #expect(origin.assignments[0].value == "l1")
    }

    @Test("A zip group of named values shows each of its keys", arguments: [
        ("{optimizer: [sgd, adam], optimizer.lr: [0.1, 0.01]}", ["z.optimizer-sgd.lr-0.1", "z.optimizer-adam.lr-0.01"]),
        ("[{max_steps: [5, 6]}, {seed: [1, 2]}]", ["z.max_steps-5.seed-1", "z.max_steps-5.seed-2", "z.max_steps-6.seed-1", "z.max_steps-6.seed-2"]),
    ])
    func zipNames(_ zip: String, _ names: [String]) throws {
        let configuration = try #require(loaded("jobs:\n  - name: z\n" + seedBody + "\n    sweep:\n      zip: \(zip)\n"))
        #expect(configuration.jobs.map(\.name) == names)
    }

    @Test("repeat: N makes N copies with seeds seed, seed + 1, ... and a 'repeat' assignment", arguments: [nil, 0, 41] as [Int?])
    func repeatGivesDistinctSeeds(_ seed: Int?) throws {
        let seedLine = seed.map { "    seed: \($0)\n" } ?? ""
        let configuration = try #require(loaded("""
            jobs:
              - name: rep
                loss: mse
                init: {random: normal, shape: [3]}
                target: {random: normal, shape: [3], seed: 99}
                optimizer: {name: sgd, lr: 0.1}
                max_steps: 10
            \(seedLine)    sweep:
                  repeat: 5
            """))
        let base = UInt64(seed ?? 0)
        #expect(configuration.jobs.map(\.name) == (1...5).map { "rep.repeat-\($0)" })
        #expect(configuration.jobs.map(\.seed) == (0..<5).map { base + UInt64($0) })
        #expect(Set(configuration.jobs.map(\.hash)).count == 5)
        #expect(configuration.jobs.map { $0.sweep?.assignments ?? [] } == (1...5).map { [SweepOrigin.Assignment(key: "repeat", value: String($0))] })
        // The start varies with the copy, the problem (its own seed) does not.
        let specs = configuration.jobs.map { $0.spec(losses: .builtins) }
        let starts = specs.map { spec -> [Double] in
            guard case .random(_, let distribution, let seed) = spec.initialization else { return [] }
            var generator = SeededGenerator(seed: seed)
            return generator.values(3, from: distribution)
        }
        #expect(Set(starts).count == 5)
        #expect(Set(specs.map { $0.target?.scalars ?? [] }).count == 1)
    }

    static let sampledStudy = """
        jobs:
          - name: s
            loss: mse
            init: [1, 2, 3]
            target: [3, 2, 1]
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 5
            sweep:
              optimizer.lr: {loguniform: [0.001, 0.5]}
              optimizer.momentum: {uniform: [0, 0.9]}
              max_steps: {int: [3, 7]}
              optimizer.nesterov: {choice: [false]}
              samples: 50
              seed: 2026
        """

    @Test("A sampled study of 50 jobs is the same on every load, and is the documented recipe")
    func sampledStudyIsReproducible() throws {
        let first = try #require(loaded(Self.sampledStudy))
        let second = try #require(loaded(Self.sampledStudy))
        #expect(first.jobs.count == 50)
        #expect(first.jobs == second.jobs)
        #expect(Set(first.jobs.map(\.name)) == Set((1...50).map { "s.sample-\($0)" }))
        // The recipe of docs/configuration.md, written out here.
        var generator = SplitMix64(seed: 2026)
        for job in first.jobs {
            let u = (0..<4).map { _ in Double(generator.next() >> 11) * 0x1p-53 }
            let lr = exp(log(0.001) + (log(0.5) - log(0.001)) * u[0])
            #expect(job.optimizer.options["lr"] == .number(lr), "\(job.name)")
            #expect(job.optimizer.options["momentum"] == .number(0.9 * u[1]), "\(job.name)")
            #expect(job.stopping.maxSteps == 3 + Int((u[2] * 5).rounded(.down)), "\(job.name)")
            #expect((0.001..<0.5).contains(lr) && (3...7).contains(job.stopping.maxSteps))
            #expect(job.sweep?.assignments.map(\.key) == ["optimizer.lr", "optimizer.momentum", "max_steps", "optimizer.nesterov"])
            #expect(job.sweep?.assignments.first?.value == String(lr))
        }
        // Another seed, other points.
        let other = try #require(loaded(Self.sampledStudy.replacingOccurrences(of: "seed: 2026", with: "seed: 2027")))
        #expect(other.jobs.map(\.hash) != first.jobs.map(\.hash))
    }

    @Test("A sampled scalar tensor takes each drawn value (not the first one for every job)")
    func sampledTensorValues() throws {
        let configuration = try #require(loaded("""
            jobs:
              - name: t
                loss: mse
                init: 0.0
                optimizer: {name: sgd, lr: 0.1}
                max_steps: 5
                sweep:
                  target: {uniform: [1, 2]}
                  samples: 5
            """))
        let targets = configuration.jobs.map { job -> Double in
            guard case .literal(let tensor) = job.target else { return .nan }
            return tensor.scalars[0]
        }
        #expect(Set(targets).count == 5)
        #expect(targets.allSatisfy { (1..<2).contains($0) })
    }

    @Test("Without sweep.seed the job's seed seeds the sampled keys")
    func samplesSeededByJobSeed() throws {
        let text = Self.sampledStudy.replacingOccurrences(of: "      seed: 2026\n", with: "").replacingOccurrences(of: "    max_steps: 5\n", with: "    max_steps: 5\n    seed: 2026\n")
        let bySweepSeed = try #require(loaded(Self.sampledStudy))
        let byJobSeed = try #require(loaded(text))
        #expect(byJobSeed.jobs.map(\.optimizer) == bySweepSeed.jobs.map(\.optimizer))
    }

    @Test("Grid, zip, sampled points and copies multiply in the order written; names stay unique")
    func dimensionsMultiply() throws {
        let configuration = try #require(loaded("""
            jobs:
              - name: study
                loss: mse
                init: {random: normal, shape: [3]}
                target: {random: normal, shape: [3], seed: 3}
                optimizer: {name: sgd, lr: 0.1}
                max_steps: 5
                sweep:
                  loss: [mse, l1, huber]
                  optimizer.lr: {uniform: [0.01, 0.1]}
                  samples: 4
                  zip: [{optimizer.momentum: [0, 0.9], optimizer.nesterov: [false, true]}]
                  repeat: 2
            """))
        #expect(configuration.jobs.count == 3 * 4 * 2 * 2)
        #expect(Set(configuration.jobs.map(\.name)).count == configuration.jobs.count)
        #expect(configuration.jobs[0].name == "study.loss-mse.sample-1.momentum-0.nesterov-false.repeat-1")
        #expect(configuration.jobs.last?.name == "study.loss-huber.sample-4.momentum-0.9.nesterov-true.repeat-2")
        #expect(configuration.jobs[0].sweep?.assignments.map(\.key) == ["loss", "optimizer.lr", "optimizer.momentum", "optimizer.nesterov", "repeat"])
    }

    @Test("early_stopping inside sweep is not a swept key")
    func earlyStoppingIsNotAnAxis() throws {
        // Read by the early-stopping reader; the sweep itself neither sweeps nor refuses it.
        let text = "jobs:\n  - name: es\n" + seedBody + "\n    sweep:\n      optimizer.lr: [0.1, 0.2]\n      early_stopping: {method: asha}\n"
        if case .success(let configuration) = load(text) {
            #expect(configuration.jobs.map(\.name) == ["es.lr-0.1", "es.lr-0.2"])
        } else if case .failure(let errors) = load(text) {
            #expect(!errors.errors.contains { $0.message.contains("sweep over unknown key 'early_stopping'") }, "\(errors)")
        }
    }

    @Test("A random tensor's own seed fixes its values whatever the job's seed")
    func perTensorSeed() throws {
        let configuration = try #require(loaded("""
            jobs:
              - name: own
                loss: mse
                init: {random: normal, shape: [4], seed: 5}
                target: {random: uniform, shape: [4], seed: 6}
                optimizer: {name: sgd, lr: 0.1}
                max_steps: 5
                sweep:
                  seed: [0, 1, 2]
            """))
        let specs = configuration.jobs.map { $0.spec(losses: .builtins) }
        #expect(Set(specs.map { $0.target?.scalars ?? [] }).count == 1)
        for spec in specs {
            guard case .random(_, _, let seed) = spec.initialization else { Issue.record("init is not random"); continue }
            #expect(seed == 5)
        }
        #expect(configuration.jobs[0].initial == .random(RandomTensor(distribution: .normal(mean: 0, std: 1), shape: [4], seed: 5)))
        // A seed is training-relevant: it changes the hash.
        let unseeded = try #require(loaded("jobs:\n  - name: u\n    loss: mse\n    init: {random: normal, shape: [4]}\n    target: {random: uniform, shape: [4], seed: 6}\n    optimizer: {name: sgd, lr: 0.1}\n    max_steps: 5\n"))
        #expect(unseeded.jobs[0].hash != configuration.jobs[0].hash)
    }

    @Test("A random tensor without its own seed keeps the hash it always had")
    func hashWithoutTensorSeedUnchanged() throws {
        let configuration = try #require(loaded("""
            jobs:
              - name: r
                loss: mse
                init: {random: normal, shape: [4, 3], mean: 1, std: 0.5}
                target: {random: uniform, shape: [4, 3], low: -1, high: 1}
                optimizer: {name: sgd, lr: 0.1}
                seed: 7
                max_steps: 100
            """))
        // The hash lossd printed for this job before random tensors had a seed of their own.
        #expect(configuration.jobs[0].hash.description == "3dca5ceaed1ddd1b")
    }
}
