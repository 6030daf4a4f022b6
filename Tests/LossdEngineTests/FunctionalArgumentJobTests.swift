// SPDX-License-Identifier: Apache-2.0

import LossKit
@testable import LossdEngine
import LossdTestSupport
import Testing

/// Training jobs with the functional loss arguments (`weight` of l1/mse/huber, a plain-number
/// `var` of gaussian_nll): they run the whole-loss loop (the fused one knows no weight) and follow
/// PyTorch 2.15's trajectories. The expected losses and parameters are torch's, in float64, for
/// `opt.zero_grad(); loss = F.<loss>(x, ...); loss.backward(); opt.step()` from the same start.
@Suite("Jobs with functional loss arguments")
struct FunctionalArgumentJobTests {
    static func job(_ loss: JobSpec.Component, initial: Tensor, target: Tensor, arguments: [String: Tensor] = [:],
                    optimizer: JobSpec.Component, stopping: StoppingRules) -> JobSpec {
        var spec = JobSpec(initialization: .tensor(initial), target: target, arguments: arguments, loss: loss,
                           optimizer: optimizer, stopping: stopping)
        spec.historyInterval = 1
        return spec
    }

    @Test("a weighted loss gets the whole-loss loop", arguments: ["l1", "mse", "huber"])
    func wholeLossKernel(_ name: String) throws {
        let spec = Self.job(JobSpec.Component(name, options: ["weight": .tensor(Tensor([1.0, 2.0, 3.0]))]),
                            initial: Tensor([1.0, 2.0, 3.0]), target: Tensor([0.0, 0, 0]),
                            optimizer: JobSpec.Component("sgd", options: ["lr": .number(0.1)]), stopping: StoppingRules(maxSteps: 5))
        #expect("\(type(of: try PreparedJob(spec, registries: .builtins).kernel))".hasPrefix("WholeLossKernel<"))
    }

    /// mse with weight [1, 1, 3] (mean over sum(w) = 5), SGD lr 0.5: torch stops at step 58.
    @Test func weightedMSE() throws {
        let job = try TrainingJob(Self.job(JobSpec.Component("mse", options: ["weight": .tensor(Tensor([1.0, 1.0, 3.0]))]),
                                           initial: Tensor([10, 10, 10]), target: Tensor([30, 20, 50]),
                                           optimizer: JobSpec.Component("sgd", options: ["lr": .number(0.5)]),
                                           stopping: StoppingRules(maxSteps: 1000, tolerance: 1e-9)))
        var status = JobStatus.running
        while status == .running { status = job.run(steps: 100) }
        #expect(status == .converged(.tolerance))
        #expect(job.progress.step == 58)
        #expect(Closeness.firstMismatch(actual: [job.progress.loss], expected: [8.958978968531346e-10], rtol: 1e-9) == nil)
    }

    /// huber, delta 2, weight [[0.5, 1], [2, 0]] (mean over N = 4), SGD lr 0.5.
    @Test func weightedHuber() throws {
        let job = try TrainingJob(Self.job(JobSpec.Component("huber", options: ["delta": .number(2), "weight": .tensor(Tensor(shape: [2, 2], scalars: [0.5, 1, 2, 0]))]),
                                           initial: Tensor(repeating: 0, shape: [2, 2]), target: Tensor(shape: [2, 2], scalars: [4, -3, 1, 100]),
                                           optimizer: JobSpec.Component("sgd", options: ["lr": .number(0.5)]),
                                           stopping: StoppingRules(maxSteps: 50)))
        job.run(steps: 50)
        let losses = Dictionary(uniqueKeysWithValues: job.history.map { ($0.step, $0.loss) })
        let expected: [Int: Double] = [1: 2.0, 2: 1.734375, 10: 0.6016972156103293, 50: 0.0035352094111959944]
        for (step, loss) in expected {
            #expect(Closeness.firstMismatch(actual: [losses[step] ?? .nan], expected: [loss], rtol: 1e-9) == nil, "step \(step)")
        }
        #expect(Closeness.firstMismatch(actual: job.parameters.scalars,
                                        expected: [3.7771290864466796, -2.995700673429969, 0.9999994336783435, 0.0], rtol: 1e-9) == nil)
    }

    /// gaussian_nll with var 0.5 as a plain number on a (2, 3) input, Adam lr 0.1.
    @Test func gaussianPlainVar() throws {
        let job = try TrainingJob(Self.job(JobSpec.Component("gaussian_nll"),
                                           initial: Tensor(repeating: 0, shape: [2, 3]), target: Tensor(shape: [2, 3], scalars: [1, 2, 3, -1, -2, -3]),
                                           arguments: ["var": Tensor(plainNumber: 0.5, dtype: .float64)],
                                           optimizer: JobSpec.Component("adam", options: ["lr": .number(0.1)]),
                                           stopping: StoppingRules(maxSteps: 20)))
        job.run(steps: 20)
        let losses = Dictionary(uniqueKeysWithValues: job.history.map { ($0.step, $0.loss) })
        let expected: [Int: Double] = [1: 4.320093076386694, 5: 2.8848635968793594, 20: 0.18747136262766947]
        for (step, loss) in expected {
            #expect(Closeness.firstMismatch(actual: [losses[step] ?? .nan], expected: [loss], rtol: 1e-9) == nil, "step \(step)")
        }
        let x = [1.2711540884767194, 1.7775475463078048, 1.8806395040115154]
        #expect(Closeness.firstMismatch(actual: job.parameters.scalars, expected: x + x.map { -$0 }, rtol: 1e-9) == nil)
    }
}
