// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdEngine
import Testing

/// The step loop of whole-vector optimizers (LBFGS, Adafactor): one piece per job, the memory in
/// checkpoints, failures inside a step, model jobs.
@Suite("Whole-vector optimizers")
struct WholeVectorKernelTests {
    @Test("the chunk size does not cut the vector: every chunk size gives the same bits", arguments: ["lbfgs", "adafactor"])
    func chunkSizeIsIrrelevant(_ optimizer: String) throws {
        let options: [String: OptionValue] = optimizer == "lbfgs" ? ["line_search_fn": .string("strong_wolfe"), "max_iter": .integer(3)]
                                                                  : ["lr": .number(0.05)]
        var results: [[UInt64]] = []
        for chunkSize in [1, 64, 700, 5_000] {
            let job = try TrainingJob(Jobs.wide("huber", count: 700, chunkSize: chunkSize, optimizer: optimizer, options: options, steps: 20))
            #expect(job.run() == .maxSteps)
            results.append(job.parameters.bits)
        }
        #expect(Set(results).count == 1)
    }

    @Test("a loss failing inside a step fails the job at that step, at the last step boundary")
    func failureInsideAStep() throws {
        var builder = LossRegistry.Builder(LossRegistry.builtins)
        let bounded = OutsideMSE { input in input.scalars.first { $0 > 25 }.map { "input \($0) above 25" } }
        try builder.register(descriptor: bounded.descriptor, origin: "test") { _ in bounded }
        let registries = TrainingRegistries(losses: builder.build())
        var spec = Jobs.seed("lbfgs", ["line_search_fn": .string("strong_wolfe")], stopping: StoppingRules(maxSteps: 10))
        spec.loss = JobSpec.Component("outside_mse")
        // The first evaluation (at 10, 10, 10) passes; the line search extrapolates along -g
        // to the minimum (30, 20, 50), past 25.
        let job = try TrainingJob(spec, registries: registries)
        let status = job.run()
        #expect(status == .failed(code: .lossFailed, reason: "step 1: input 29.999999999999996 above 25"), "\(status)")
        #expect(job.parameters.scalars == [10, 10, 10])
        let memory = try #require(job.checkpoint().optimizerMemory)
        #expect(memory.first { $0.name == "func_evals" }?.values == [0])
    }

    @Test("a checkpoint's optimizer memory must fit the job")
    func memoryMustFit() throws {
        let spec = Jobs.seed("lbfgs", ["history_size": .integer(2)], stopping: StoppingRules(maxSteps: 30))
        let job = try TrainingJob(spec)
        job.run(steps: 5)
        let checkpoint = job.checkpoint()
        let memory = try #require(checkpoint.optimizerMemory)
        #expect(memory.map(\.name) == ["d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "n_iter", "func_evals"])
        #expect(try TrainingJob(spec, resumingFrom: JobCheckpoint(decoding: checkpoint.encoded())).checkpoint() == checkpoint)
        var broken: [JobCheckpoint] = []
        var missing = checkpoint
        missing.optimizerMemory = nil
        broken.append(missing)
        var short = checkpoint
        short.optimizerMemory![0].values.removeLast()
        broken.append(short)
        var tooLong = checkpoint
        tooLong.optimizerMemory![2].values += tooLong.optimizerMemory![2].values + tooLong.optimizerMemory![2].values
        tooLong.optimizerMemory![3].values = tooLong.optimizerMemory![2].values
        tooLong.optimizerMemory![4].values = [1, 2, 3]
        broken.append(tooLong)
        var elementwise = try TrainingJob(Jobs.seed("adam")).checkpoint()
        elementwise.optimizerMemory = memory
        for bad in broken {
            #expect(throws: EngineError.self) { try TrainingJob(spec, resumingFrom: bad) }
        }
        do {
            _ = try TrainingJob(Jobs.seed("adam"), resumingFrom: elementwise)
            Issue.record("an element-wise job took an optimizer memory")
        } catch {
            #expect(error.code == .invalidCheckpoint && error.subject == "optimizer memory", "\(error)")
        }
    }

    @Test("a model job's whole-vector step evaluates its own batch again; a failure names the step", arguments: ["lbfgs", "adafactor"])
    func modelJobs(_ optimizer: String) throws {
        var builder = LossRegistry.Builder(LossRegistry.builtins)
        // Fails once an output exceeds 3 in magnitude: never at the start, soon under LBFGS's lr 500.
        let bounded = OutsideMSE { input in input.scalars.first { Swift.abs($0) > 3 }.map { "output \($0)" } }
        try builder.register(descriptor: bounded.descriptor, origin: "test") { _ in bounded }
        let registries = TrainingRegistries(losses: builder.build())
        let data = ModelJobTests.blobs(rows: 12, features: 2, seed: 3)
        let train = Dataset(source: "r", rows: 12, featureNames: data.featureNames, features: data.features.map { $0 * 0.1 },
                            targetNames: ["y"], targets: data.targets.map { $0 * 0.1 })
        func spec(_ loss: String, lr: Double) -> JobSpec {
            JobSpec(model: ModelJob(layers: [JobSpec.Component("linear", options: ["in_features": .integer(2), "out_features": .integer(3)]),
                                             JobSpec.Component("tanh"),
                                             JobSpec.Component("linear", options: ["in_features": .integer(3), "out_features": .integer(1)])],
                                    train: train, batchSize: 4, epochs: 5, seed: 1),
                    loss: JobSpec.Component(loss), optimizer: JobSpec.Component(optimizer, options: ["lr": .number(lr)]),
                    stopping: StoppingRules(maxSteps: .max))
        }
        let job = try TrainingJob(spec("mse", lr: 0.1))
        #expect(job.run() == .maxSteps)
        #expect(job.progress.step == 15)
        #expect(job.epochs.count == 5 && job.epochs.allSatisfy { $0.trainLoss.isFinite })
        let outside = try TrainingJob(spec("outside_mse", lr: 0.1), registries: registries)
        #expect(outside.run() == .maxSteps)
        #expect(outside.parameters.bits == job.parameters.bits)
        guard optimizer == "lbfgs" else { return }  // Adafactor's relative steps stay small whatever lr
        let failing = try TrainingJob(spec("outside_mse", lr: 500), registries: registries)
        guard case .failed(.lossFailed, let reason) = failing.run() else {
            Issue.record("\(failing.status)")
            return
        }
        #expect(reason.hasPrefix("step ") && reason.contains(": output "), "\(reason)")
    }
}
