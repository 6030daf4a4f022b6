// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdEngine
import Testing

/// Interrupt a job anywhere, checkpoint it through JSON bytes, resume it as a new job: the end
/// is bit-identical to the uninterrupted run (parameters, optimizer state, counters, history).
@Suite("Checkpoint and resume")
struct CheckpointTests {
    static let specs: [(String, JobSpec)] = [
        ("seed adam + cosine + patience", Jobs.seed("adam", ["lr": .number(0.7), "amsgrad": .bool(true)],
                                                    scheduler: JobSpec.Component("cosine_annealing_lr", options: ["T_max": .integer(9)]),
                                                    stopping: StoppingRules(maxSteps: 150, patience: 40, minDelta: 1e-9))),
        ("seed sgd momentum, converges", Jobs.seed("sgd", ["lr": .number(0.2), "momentum": .number(0.5), "dampening": .number(0.1)],
                                                  stopping: StoppingRules(maxSteps: 1000, tolerance: 1e-8))),
        ("wide l1 sgd (chunked)", Jobs.wide("l1", count: 2_500, chunkSize: 300, optimizer: "sgd",
                                            options: ["lr": .number(0.3), "momentum": .number(0.9)], steps: 90)),
        ("wide mse rmsprop", Jobs.wide("mse", count: 1_000, chunkSize: 128, optimizer: "rmsprop",
                                       options: ["lr": .number(0.02), "momentum": .number(0.3), "centered": .bool(true)], steps: 70)),
        ("cross entropy (whole) + cosine", Jobs.crossEntropy("adagrad", ["lr": .number(0.5), "initial_accumulator_value": .number(0.1)])),
        ("seed lbfgs, history of 2", Jobs.seed("lbfgs", ["lr": .number(0.5), "max_iter": .integer(3), "history_size": .integer(2)],
                                               stopping: StoppingRules(maxSteps: 40))),
        ("cross entropy lbfgs strong_wolfe + cosine", Jobs.crossEntropy("lbfgs", ["line_search_fn": .string("strong_wolfe"),
                                                                                  "max_iter": .integer(3), "history_size": .integer(3)],
                                                                          steps: 30)),
        ("wide mse lbfgs strong_wolfe (one piece)", Jobs.wide("mse", count: 700, chunkSize: 64, optimizer: "lbfgs",
                                                                options: ["line_search_fn": .string("strong_wolfe"), "max_iter": .integer(2)],
                                                                steps: 25)),
        ("wide huber adafactor", Jobs.wide("huber", count: 500, chunkSize: 64, optimizer: "adafactor",
                                           options: ["lr": .number(0.05), "weight_decay": .number(0.01)], steps: 50)),
        ("cross entropy adafactor (factored) + cosine", Jobs.crossEntropy("adafactor", ["lr": .number(0.05), "beta2_decay": .number(-0.5)])),
        ("model lbfgs strong_wolfe, mini-batches", Jobs.model("lbfgs", ["line_search_fn": .string("strong_wolfe"), "max_iter": .integer(3)])),
        ("model adafactor (weights factored)", Jobs.model("adafactor", ["lr": .number(0.05)])),
    ]

    /// Interruption points: every step near the start, then spread to past the end.
    static func points(upTo end: Int) -> [Int] {
        Array(Set(Array(0...12) + stride(from: 13, through: end + 3, by: Swift.max(1, end / 17)).map { $0 } + [end - 1, end, end + 1]))
            .filter { $0 >= 0 }.sorted()
    }

    @Test("resuming from any step ends bit-identical", arguments: specs.indices)
    func resumeAnywhere(_ index: Int) throws {
        let (_, spec) = Self.specs[index]
        let reference = try TrainingJob(spec)
        let final = reference.run()
        #expect(final.isFinal)
        let expected = try reference.checkpoint().encoded()
        let steps = reference.progress.step
        for point in Self.points(upTo: steps) {
            let first = try TrainingJob(spec)
            first.run(steps: point)
            let bytes = try first.checkpoint().encoded()
            let resumed = try TrainingJob(spec, resumingFrom: JobCheckpoint(decoding: bytes))
            #expect(resumed.progress.bits == first.progress.bits, "progress after restore at \(point)")
            let status = resumed.run()
            #expect(status == final, "status after resuming at \(point)")
            #expect(resumed.parameters.bits == reference.parameters.bits, "parameters after resuming at \(point)")
            #expect(resumed.history == reference.history, "history after resuming at \(point)")
            #expect(try resumed.checkpoint().encoded() == expected, "state after resuming at \(point)")
        }
    }

    @Test("running in pieces equals running at once")
    func pieces() throws {
        let spec = Self.specs[0].1
        let whole = try TrainingJob(spec)
        whole.run()
        let pieces = try TrainingJob(spec)
        var size = 1
        while !pieces.run(steps: size).isFinal { size = size % 7 + 1 }
        #expect(try pieces.checkpoint().encoded() == whole.checkpoint().encoded())
    }

    @Test("doubles round-trip exactly through JSON, non-finite ones included")
    func exactDoubles() throws {
        var generator = SeededGenerator(seed: 5)
        var values: [Double] = [0, -0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude,
                                .infinity, -.infinity, 0.1, 1.0 / 3, .pi, Double.leastNormalMagnitude / 3]
        for _ in 0..<2000 {
            let value = Double(bitPattern: generator.next())
            if !value.isNaN { values.append(value) }
        }
        let job = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 3)))
        var checkpoint = job.checkpoint()
        checkpoint.parameters = values
        checkpoint.lastLoss = .nan
        let decoded = try JobCheckpoint(decoding: checkpoint.encoded())
        #expect(decoded.parameters.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(decoded.lastLoss.isNaN)
        #expect(String(decoding: try checkpoint.encoded(), as: UTF8.self).contains("\"lastLoss\": NaN"))
    }

    @Test("non-finite numbers as earlier checkpoints wrote them still read", arguments: [
        ("\"nan\"", Double.nan), ("\"inf\"", .infinity), ("\"-inf\"", -.infinity), ("NaN", .nan), ("-Infinity", -.infinity),
    ])
    func legacyNonFiniteNumbers(_ written: String, _ value: Double) throws {
        var checkpoint = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 3))).checkpoint()
        checkpoint.bestLoss = 0.25
        let text = String(decoding: try checkpoint.encoded(), as: UTF8.self)
        let edited = text.replacingOccurrences(of: "\"bestLoss\": 0.25", with: "\"bestLoss\": \(written)")
        #expect(edited != text)
        let decoded = try JobCheckpoint(decoding: Array(edited.utf8))
        #expect(decoded.bestLoss.bitPattern == value.bitPattern || (decoded.bestLoss.isNaN && value.isNaN))
    }

    @Test("a checkpoint only restores into the same kind of job")
    func mismatch() throws {
        let checkpoint = try TrainingJob(Jobs.seed("adam", ["lr": .number(0.1)])).checkpoint()
        let cases: [(JobSpec, String)] = [
            (Jobs.seed("sgd"), "optimizer"),
            (Jobs.seed("adam", ["lr": .number(0.1), "amsgrad": .bool(true)]), "optimizer state"),
            (Jobs.seed("adam", ["lr": .number(0.1)], scheduler: JobSpec.Component("linear_lr")), "scheduler"),
            (Jobs.wide(count: 3, chunkSize: 4, optimizer: "adam"), "chunk size"),
        ]
        for (spec, subject) in cases {
            #expect(throws: EngineError.self) { try TrainingJob(spec, resumingFrom: checkpoint) }
            do {
                _ = try TrainingJob(spec, resumingFrom: checkpoint)
            } catch {
                #expect(error.code == .invalidCheckpoint)
                #expect(error.subject == subject)
            }
        }
        #expect(throws: EngineError.self) { try JobCheckpoint(decoding: Array("{}".utf8)) }
    }

    @Test("a final job's checkpoint resumes as final")
    func finalStatus() throws {
        let job = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 10, tolerance: 700)))
        #expect(job.run() == .converged(.tolerance))
        let resumed = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 10, tolerance: 700)), resumingFrom: job.checkpoint())
        #expect(resumed.status == .converged(.tolerance))
        #expect(resumed.run() == .converged(.tolerance))
        #expect(resumed.progress.step == 1)
    }
}
