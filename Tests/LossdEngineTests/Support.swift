// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine

/// Jobs shared by the tests.
enum Jobs {
    /// The seed job: [10, 10, 10] toward [30, 20, 50] with MSE.
    static func seed(_ optimizer: String = "sgd", _ options: [String: OptionValue] = ["lr": .number(0.1)],
                     scheduler: JobSpec.Component? = nil, stopping: StoppingRules = StoppingRules(maxSteps: 1000)) -> JobSpec {
        JobSpec(initialization: .tensor(Tensor([10, 10, 10])), target: Tensor([30, 20, 50]),
                loss: JobSpec.Component("mse"), optimizer: JobSpec.Component(optimizer, options: options),
                scheduler: scheduler, stopping: stopping)
    }

    /// A wide element-wise job: `count` random values toward a random target, in chunks of `chunkSize`.
    static func wide(_ loss: String = "mse", count: Int = 10_000, chunkSize: Int = 1000, optimizer: String = "adam",
                     options: [String: OptionValue] = ["lr": .number(0.05)], scheduler: JobSpec.Component? = nil,
                     steps: Int = 60, seed: UInt64 = 7) -> JobSpec {
        var generator = SeededGenerator(seed: seed &+ 1000)
        let target = Tensor(shape: [count], scalars: generator.values(count, from: .uniform(low: -3, high: 3)))
        return JobSpec(initialization: .random(shape: [count], distribution: .normal(mean: 0, std: 2), seed: seed),
                       target: target, loss: JobSpec.Component(loss), optimizer: JobSpec.Component(optimizer, options: options),
                       scheduler: scheduler, stopping: StoppingRules(maxSteps: steps, patience: 1000, minDelta: 1e-12),
                       chunkSize: chunkSize, historyInterval: 7, historyCapacity: 5)
    }

    /// A cross-entropy job (evaluated whole): logits of 4 samples, 3 classes, toward class indices.
    static func crossEntropy(_ optimizer: String = "rmsprop", _ options: [String: OptionValue] = ["lr": .number(0.01), "momentum": .number(0.5)],
                             steps: Int = 80) -> JobSpec {
        JobSpec(initialization: .random(shape: [4, 3], distribution: .uniform(low: -1, high: 1), seed: 3),
                target: Tensor(shape: [4], scalars: [0, 2, 1, 2], dtype: .int64), loss: JobSpec.Component("cross_entropy", options: ["label_smoothing": .number(0.1)]),
                optimizer: JobSpec.Component(optimizer, options: options),
                scheduler: JobSpec.Component("cosine_annealing_lr", options: ["T_max": .integer(15)]),
                stopping: StoppingRules(maxSteps: steps))
    }

    /// A model job: an MLP classifying 23 rows in shuffled batches of 5 (the last of 3), 4 epochs.
    static func model(_ optimizer: String, _ options: [String: OptionValue]) -> JobSpec {
        JobSpec(model: ModelJob(layers: ModelJobTests.mlp, train: ModelJobTests.blobs(rows: 23, seed: 4), batchSize: 5, shuffle: true,
                                epochs: 4, seed: 2),
                loss: JobSpec.Component("cross_entropy"), optimizer: JobSpec.Component(optimizer, options: options),
                stopping: StoppingRules(maxSteps: .max))
    }

    /// A mix of narrow, wide and whole-loss jobs covering every optimizer and scheduler. The wide
    /// jobs have 5 to 20 chunks (one with a short last chunk) of tens to hundreds of elements:
    /// enough to spread every step over 8 workers, small enough to run the mix many times.
    static var mix: [JobSpec] {
        [
            seed("sgd", ["lr": .number(0.1), "momentum": .number(0.9), "nesterov": .bool(true)], stopping: StoppingRules(maxSteps: 300, tolerance: 1e-20)),
            seed("adamw", ["lr": .number(0.5)], scheduler: JobSpec.Component("step_lr", options: ["step_size": .integer(50)]),
                 stopping: StoppingRules(maxSteps: 400)),
            wide("mse", count: 2_000, chunkSize: 200, optimizer: "adam", options: ["lr": .number(0.05), "amsgrad": .bool(true)],
                 scheduler: JobSpec.Component("linear_lr")),
            wide("l1", count: 1_801, chunkSize: 100, optimizer: "sgd", options: ["lr": .number(0.5), "momentum": .number(0.9)],
                 scheduler: JobSpec.Component("exponential_lr", options: ["gamma": .number(0.98)])),
            wide("mse", count: 1_000, chunkSize: 50, optimizer: "rmsprop", options: ["lr": .number(0.01), "centered": .bool(true)],
                 scheduler: JobSpec.Component("multi_step_lr", options: ["milestones": .tensor(Tensor([10, 20]))])),
            wide("mse", count: 600, chunkSize: 140, optimizer: "adagrad", options: ["lr": .number(0.3), "lr_decay": .number(0.01)]),
            // Scalar optimizer state (mu_product; eta and mu), advanced once per step whatever the threads.
            wide("mse", count: 900, chunkSize: 90, optimizer: "nadam", options: ["lr": .number(0.05)]),
            wide("l1", count: 700, chunkSize: 70, optimizer: "asgd", options: ["lr": .number(0.2), "t0": .number(3)],
                 scheduler: JobSpec.Component("exponential_lr", options: ["gamma": .number(0.97)])),
            crossEntropy(),
            // Diverges: the step it is reported at must not depend on threads either.
            wide("mse", count: 800, chunkSize: 60, optimizer: "sgd", options: ["lr": .number(1e5)], steps: 500),
            wide("mse", count: 700, chunkSize: 90, optimizer: "rmsprop", options: ["lr": .number(0.01)],
                 scheduler: JobSpec.Component("one_cycle_lr", options: ["max_lr": .number(0.02), "total_steps": .integer(60)])),
            wide("l1", count: 500, chunkSize: 80, optimizer: "sgd", options: ["lr": .number(0.3), "momentum": .number(0.5)],
                 scheduler: JobSpec.Component("reduce_lr_on_plateau", options: ["patience": .integer(2)])),
            seed("adam", ["lr": .number(0.3)], scheduler: JobSpec.Component("chained_scheduler", options: ["schedulers": .mappings([
                ["name": .string("constant_lr")], ["name": .string("cosine_annealing_lr"), "T_max": .integer(20)],
            ])]), stopping: StoppingRules(maxSteps: 120)),
            // Whole-vector optimizers: one piece whatever the chunks and workers.
            wide("huber", count: 900, chunkSize: 100, optimizer: "lbfgs", options: ["line_search_fn": .string("strong_wolfe"), "max_iter": .integer(3)],
                 steps: 40),
            crossEntropy("adafactor", ["lr": .number(0.05), "weight_decay": .number(0.01)]),
        ]
    }
}

/// A loss from outside LossKit (as a plugin's): MSE that fails when `refusal` finds fault with
/// its input (the message it returns).
struct OutsideMSE: FallibleLoss {
    let refusal: @Sendable (Tensor) -> String?
    let mse = try! MSELoss(options: LossOptions([:], for: MSELoss.descriptor))

    init(refusing refusal: @escaping @Sendable (Tensor) -> String?) {
        self.refusal = refusal
    }

    /// Fails on batches of `failingRows` rows.
    init(failingRows: Int?) {
        refusal = { input in input.shape[0] == failingRows ? "refused \(failingRows!) rows" : nil }
    }

    var descriptor: LossDescriptor {
        LossDescriptor(name: "outside_mse", pytorchName: "OutsideMSE", summary: "MSE from outside LossKit",
                       arguments: LossDescriptor.inputTarget, options: [])
    }

    func validate(_ arguments: LossArguments) throws(LossError) -> [Int] { try mse.validate(arguments) }

    func tryEvaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients,
                     workspace: inout [Double]) throws(LossError) {
        if let message = refusal(arguments[0]) { throw LossError(.evaluationFailed, subject: "outside_mse", message) }
        mse.evaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
    }
}

extension Tensor {
    /// The exact bits, for bit-identity checks.
    var bits: [UInt64] { scalars.map(\.bitPattern) }
}

extension JobProgress {
    /// The exact bits of every number.
    var bits: [UInt64] { [UInt64(step), loss.bitPattern, gradientNorm.bitPattern, learningRate.bitPattern, bestLoss.bitPattern] }
}
