// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import LossdPlugins
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// At run time a plugin that reports an error or writes NaN/infinity fails only the job (or the
/// evaluation) that hit it; these plugins pass the gradient check, their defect shows later.
@Suite("Plugin failures at run time")
struct PluginRuntimeTests {
    static func registry(_ sandbox: PluginSandbox, _ defects: [String]) -> LossRegistry {
        var builder = LossRegistry.Builder.builtins
        let failures = PluginLoaderTests.loader(sandbox).register(defects.map(sandbox.broken), into: &builder)
        #expect(failures.isEmpty, "\(failures.map(\.error.message))")
        return builder.build()
    }

    @Test func anErrorReturnFailsTheEvaluationWithThePluginsMessage() throws {
        let sandbox = PluginSandbox("runtime-error")
        defer { sandbox.remove() }
        let registry = Self.registry(sandbox, ["error"])
        let loss = try registry.makeLoss("unit_interval")
        let fine = try LossEvaluation(loss: loss, arguments: ["input": Tensor([0.5, 0.25]), "target": Tensor([0, 1])])
        #expect(fine.value.scalars == [(0.25 + 0.5625) / 2])
        #expect { _ = try LossEvaluation(loss: loss, arguments: ["input": Tensor([0.5, 2]), "target": Tensor([0, 1])]) } throws: { error in
            let error = error as? LossError
            return error?.code == .evaluationFailed
                && error?.message == "plugin loss 'unit_interval' (plugin \(sandbox.path("broken-error.so")) 0.1) failed: input[1] = 2 is outside [0, 1]"
        }
    }

    @Test func nonFiniteOutputForFiniteInputsFailsTheEvaluation() throws {
        let sandbox = PluginSandbox("runtime-nan")
        defer { sandbox.remove() }
        let loss = try Self.registry(sandbox, ["nan"]).makeLoss("naive_logcosh")
        let small = try LossEvaluation(loss: loss, arguments: ["input": Tensor([1, 2]), "target": Tensor([0, 0])])
        #expect(small.value.scalars[0].isFinite)
        #expect { _ = try LossEvaluation(loss: loss, arguments: ["input": Tensor([1, 800]), "target": Tensor([0, 0])]) } throws: { error in
            let error = error as? LossError
            return error?.code == .evaluationFailed && error?.message.contains("returned inf in output for finite inputs") == true
        }
        // Through the non-throwing entry point the failure reads as NaN, never as a stale value.
        var output = [0.0]
        var gradients = LossGradients([[0, 0], []], wanted: [true, false])
        var workspace: [Double] = []
        loss.evaluate(LossArguments([Tensor([1, 800]), Tensor([0, 0])]), output: &output, gradients: &gradients, workspace: &workspace)
        #expect(output[0].isNaN && gradients.buffers[0].allSatisfy(\.isNaN))
    }

    @Test func aFailingPluginFailsOnlyItsJob() async throws {
        let sandbox = PluginSandbox("runtime-jobs")
        defer { sandbox.remove() }
        let registries = TrainingRegistries(losses: Self.registry(sandbox, ["error", "nan"]))
        let engine = TrainingEngine(EngineConfiguration(workers: 2, registries: registries))
        defer { engine.shutdown() }
        func spec(_ loss: String, _ initial: [Double], _ target: [Double], lr: Double = 0.1) -> JobSpec {
            JobSpec(initialization: .tensor(Tensor(initial)), target: Tensor(target), loss: .init(loss),
                    optimizer: .init("sgd", options: ["lr": .number(lr)]), stopping: StoppingRules(maxSteps: 200))
        }
        // unit_interval: the first step leaves [0, 1]; naive_logcosh: fine until |x - y| > 710.
        let error = engine.submit(spec("unit_interval", [0.5, 0.9], [3, 3], lr: 5), id: "error")
        let nan = engine.submit(spec("naive_logcosh", [1000, 0], [0, 0]), id: "nan")
        let good = engine.submit(spec("mse", [10, 10, 10], [30, 20, 50]), id: "good")
        let errorResult = await error.result(), nanResult = await nan.result(), goodResult = await good.result()
        // Step 1 at [0.5, 0.9] is fine; its update (gradient x - y, lr 5) moves input[0] to 13.
        #expect(errorResult.status == .failed(code: .lossFailed, reason: "step 2: plugin loss 'unit_interval' (plugin \(sandbox.path("broken-error.so")) 0.1) failed: input[0] = 13 is outside [0, 1]"),
                "\(errorResult.status)")
        guard case .failed(.lossFailed, let reason) = nanResult.status else {
            Issue.record("expected failed, got \(nanResult.status)")
            return
        }
        #expect(reason.hasPrefix("step 1: plugin loss 'naive_logcosh'") && reason.contains("returned inf in output for finite inputs"), "\(reason)")
        #expect(goodResult.status == .maxSteps)
    }

    @Test func aDivergedInputIsNotPassedToThePlugin() throws {
        let sandbox = PluginSandbox("runtime-diverged")
        defer { sandbox.remove() }
        var builder = LossRegistry.Builder.builtins
        #expect(PluginLoaderTests.loader(sandbox).register([sandbox.stage("lossd-logcosh")], into: &builder).isEmpty)
        let job = try TrainingJob(JobSpec(
            initialization: .tensor(Tensor([1e308, 0])), target: Tensor([0, 0]), loss: .init("logcosh", options: ["reduction": .string("sum")]),
            optimizer: .init("sgd", options: ["lr": .number(1e308), "maximize": .bool(true)]), stopping: StoppingRules(maxSteps: 50)),
            registries: TrainingRegistries(losses: builder.build()))
        // Update 1 (ascending) overflows input[0] to infinity; step 2 reads NaN: diverged, not failed.
        #expect(job.run() == .diverged)
        #expect(job.progress.step == 2)
    }
}
