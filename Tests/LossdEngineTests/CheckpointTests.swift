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
        ("seed sgd + constant", Jobs.seed("sgd", ["lr": .number(0.05)],
                                          scheduler: Self.scheduler("constant_lr", ["factor": .number(0.5), "total_iters": .integer(7)]),
                                          stopping: StoppingRules(maxSteps: 40))),
        ("seed adam + polynomial", Jobs.seed("adam", ["lr": .number(0.5)],
                                             scheduler: Self.scheduler("polynomial_lr", ["total_iters": .integer(30), "power": .number(1.5)]),
                                             stopping: StoppingRules(maxSteps: 40))),
        ("seed rmsprop + warm restarts", Jobs.seed("rmsprop", ["lr": .number(0.3)],
                                                   scheduler: Self.scheduler("cosine_annealing_warm_restarts",
                                                                             ["T_0": .integer(3), "T_mult": .integer(2)]),
                                                   stopping: StoppingRules(maxSteps: 40))),
        ("seed sgd + cyclic, momentum cycled", Jobs.seed("sgd", ["lr": .number(0.01)],
                                                         scheduler: Self.scheduler("cyclic_lr", ["base_lr": .number(0.001), "max_lr": .number(0.02),
                                                                                                "step_size_up": .integer(4), "mode": .string("triangular2")]),
                                                         stopping: StoppingRules(maxSteps: 40))),
        ("wide mse adamw + one cycle, beta1 cycled", Jobs.wide("mse", count: 900, chunkSize: 100, optimizer: "adamw",
                                                               options: ["lr": .number(0.05)],
                                                               scheduler: Self.scheduler("one_cycle_lr", ["max_lr": .number(0.1), "total_steps": .integer(40),
                                                                                                          "three_phase": .bool(true)]),
                                                               steps: 40)),
        ("seed sgd + plateau", Jobs.seed("sgd", ["lr": .number(0.6), "momentum": .number(0.5)],
                                         scheduler: Self.scheduler("reduce_lr_on_plateau", ["patience": .integer(1), "cooldown": .integer(2),
                                                                                            "factor": .number(0.5)]),
                                         stopping: StoppingRules(maxSteps: 40))),
        ("seed adam + sequential, warm restarts child", Jobs.seed("adam", ["lr": .number(0.5)],
                                             scheduler: Self.scheduler("sequential_lr", [
                                                 "schedulers": .mappings([["name": .string("linear_lr"), "start_factor": .number(0.1), "total_iters": .integer(5)],
                                                                          ["name": .string("cosine_annealing_lr"), "T_max": .integer(10)],
                                                                          ["name": .string("cosine_annealing_warm_restarts"), "T_0": .integer(3),
                                                                           "T_mult": .integer(2)]]),
                                                 "milestones": .tensor(Tensor([5, 15]))]),
                                             stopping: StoppingRules(maxSteps: 40))),
        ("seed sgd + chained", Jobs.seed("sgd", ["lr": .number(0.05)],
                                         scheduler: Self.scheduler("chained_scheduler", [
                                             "schedulers": .mappings([["name": .string("exponential_lr"), "gamma": .number(0.98)],
                                                                      ["name": .string("step_lr"), "step_size": .integer(10), "gamma": .number(0.5)]])]),
                                         stopping: StoppingRules(maxSteps: 40))),
        // Scalar optimizer state (mu_product; eta and mu, which lag the scheduled lr by a step).
        ("wide mse nadam (chunked), decoupled decay", Jobs.wide("mse", count: 1_000, chunkSize: 128, optimizer: "nadam",
                                                               options: ["lr": .number(0.05), "weight_decay": .number(0.01),
                                                                         "decoupled_weight_decay": .bool(true)], steps: 60)),
        ("wide l1 asgd (chunked) + step_lr", Jobs.wide("l1", count: 900, chunkSize: 100, optimizer: "asgd",
                                                      options: ["lr": .number(0.2), "lambd": .number(0.01), "t0": .number(4)],
                                                      scheduler: JobSpec.Component("step_lr", options: ["step_size": .integer(5), "gamma": .number(0.7)]),
                                                      steps: 50)),
        ("cross entropy (whole) nadam + cosine", Jobs.crossEntropy("nadam", ["lr": .number(0.05), "momentum_decay": .number(0.01)])),
        ("seed adadelta", Jobs.seed("adadelta", ["lr": .number(2), "rho": .number(0.8)], stopping: StoppingRules(maxSteps: 80))),
        ("seed adamax + exponential", Jobs.seed("adamax", ["lr": .number(0.3), "weight_decay": .number(0.01)],
                                                scheduler: JobSpec.Component("exponential_lr", options: ["gamma": .number(0.98)]),
                                                stopping: StoppingRules(maxSteps: 80))),
        ("wide mse nadam (chunked) + one cycle, beta1 cycled", cycledNAdam),
        ("wide mse radam (chunked)", Jobs.wide("mse", count: 700, chunkSize: 64, optimizer: "radam",
                                               options: ["lr": .number(0.1)], steps: 40)),
        ("seed rprop + linear_lr", Jobs.seed("rprop", ["lr": .number(0.5), "etas": .tensor(Tensor([0.4, 1.3]))],
                                             scheduler: JobSpec.Component("linear_lr", options: [:]),
                                             stopping: StoppingRules(maxSteps: 80))),
        ("seed adam, decoupled decay", Jobs.seed("adam", ["lr": .number(0.5), "weight_decay": .number(0.1),
                                                          "decoupled_weight_decay": .bool(true)], stopping: StoppingRules(maxSteps: 80))),
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

    /// Scalar state (mu_product) and a cycled beta1 together: each step's mu takes the beta1 the
    /// scheduler set, so a checkpoint must carry both.
    static let cycledNAdam = Jobs.wide("mse", count: 1_000, chunkSize: 96, optimizer: "nadam",
                                       options: ["lr": .number(0.05), "weight_decay": .number(0.01), "momentum_decay": .number(0.01)],
                                       scheduler: scheduler("one_cycle_lr", ["max_lr": .number(0.1), "total_steps": .integer(45),
                                                                             "base_momentum": .number(0.8), "max_momentum": .number(0.95)]),
                                       steps: 45)

    static func scheduler(_ name: String, _ options: [String: OptionValue]) -> JobSpec.Component {
        JobSpec.Component(name, options: options)
    }

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

    @Test("nadam with a cycled beta1 (one_cycle_lr, chunked) resumes bit-identical from every step")
    func cycledNAdamEveryStep() throws {
        let reference = try TrainingJob(Self.cycledNAdam)
        let final = reference.run()
        #expect(final.isFinal)
        let expected = try reference.checkpoint().encoded()
        let steps = reference.progress.step
        #expect(steps == 45)
        for point in 0...steps {
            let first = try TrainingJob(Self.cycledNAdam)
            first.run(steps: point)
            let checkpoint = first.checkpoint()
            #expect(checkpoint.optimizerScalars.map(\.name) == ["mu_product"])
            #expect(checkpoint.schedulerState?.momentum != nil, "cycled beta1 at \(point)")
            let resumed = try TrainingJob(Self.cycledNAdam, resumingFrom: JobCheckpoint(decoding: checkpoint.encoded()))
            #expect(resumed.run() == final, "status after resuming at \(point)")
            #expect(resumed.parameters.bits == reference.parameters.bits, "parameters after resuming at \(point)")
            #expect(try resumed.checkpoint().encoded() == expected, "state after resuming at \(point)")
        }
    }

    @Test("a checkpoint without schedulerState (written before it existed) still resumes a stateless scheduler")
    func withoutSchedulerState() throws {
        let spec = Self.specs[0].1
        let reference = try TrainingJob(spec)
        reference.run()
        let first = try TrainingJob(spec)
        first.run(steps: 20)
        var old = first.checkpoint()
        #expect(old.schedulerState == JobCheckpoint.SchedulerStateRecord(epoch: 20, momentum: nil, values: [:]))
        old.schedulerState = nil
        let bytes = try old.encoded()
        #expect(!String(decoding: bytes, as: UTF8.self).contains("schedulerState"))
        let resumed = try TrainingJob(spec, resumingFrom: JobCheckpoint(decoding: bytes))
        resumed.run()
        #expect(try resumed.checkpoint().encoded() == reference.checkpoint().encoded())
    }

    @Test("a scheduler state that does not fit the job is refused")
    func schedulerStateMismatch() throws {
        let plateau = Self.specs.first { $0.0 == "seed sgd + plateau" }!.1
        let job = try TrainingJob(plateau)
        job.run(steps: 5)
        var checkpoint = job.checkpoint()
        #expect(checkpoint.schedulerState?.values.keys.sorted() == ["best", "cooldown_counter", "num_bad_epochs"])
        checkpoint.schedulerState?.values["T_i"] = 3
        #expect(throws: EngineError.self) { try TrainingJob(plateau, resumingFrom: checkpoint) }
        checkpoint = job.checkpoint()
        checkpoint.schedulerState?.momentum = 0.9
        #expect(throws: EngineError.self) { try TrainingJob(plateau, resumingFrom: checkpoint) }
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

    @Test("scalar optimizer state is named in the checkpoint, and only there when the optimizer has some")
    func optimizerScalars() throws {
        let nadam = try TrainingJob(Jobs.seed("nadam", ["lr": .number(0.1)], stopping: StoppingRules(maxSteps: 10)))
        nadam.run(steps: 4)
        let checkpoint = nadam.checkpoint()
        #expect(checkpoint.optimizerScalars.map(\.name) == ["mu_product"])
        #expect(checkpoint.optimizerScalars.first.map { $0.value > 0 && $0.value < 1 } == true)
        let text = String(decoding: try checkpoint.encoded(), as: UTF8.self)
        #expect(text.contains("\"optimizerScalars\""))
        #expect(try JobCheckpoint(decoding: checkpoint.encoded()) == checkpoint)
        // Without its scalars the checkpoint does not restore into the job.
        var stripped = checkpoint
        stripped.optimizerScalars = []
        #expect(!String(decoding: try stripped.encoded(), as: UTF8.self).contains("optimizerScalars"))
        do {
            _ = try TrainingJob(Jobs.seed("nadam", ["lr": .number(0.1)], stopping: StoppingRules(maxSteps: 10)),
                                resumingFrom: JobCheckpoint(decoding: stripped.encoded()))
            Issue.record("a nadam checkpoint without mu_product was accepted")
        } catch {
            #expect(error.code == .invalidCheckpoint && error.subject == "optimizer scalars", "\(error)")
        }
        // An optimizer without scalar state writes the layout it always did.
        let adam = try TrainingJob(Jobs.seed("adam", ["lr": .number(0.1)], stopping: StoppingRules(maxSteps: 10)))
        adam.run(steps: 3)
        #expect(adam.checkpoint().optimizerScalars.isEmpty)
        #expect(!String(decoding: try adam.checkpoint().encoded(), as: UTF8.self).contains("optimizerScalars"))
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
