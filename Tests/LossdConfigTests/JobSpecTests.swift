// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdConfig
import LossdEngine
import Testing

/// A configured job as the engine runs it, and the hashes results are keyed by.
@Suite("Configured jobs become engine jobs")
struct JobSpecTests {
    /// The hashes of the shipped examples as earlier releases computed them: a state directory
    /// written by one of them must resume, and its results are keyed by these hashes.
    @Test("Job hashes stay those of earlier releases", arguments: [
        ("seed.yaml", ["seed-l1": "697f9a2aa69c90dd", "seed-mse": "c9f44499aabdce37",
                       "seed-cross-entropy": "c2c108b706953e60", "seed-cross-entropy-probabilities": "a4d4e85a308e6f8f"]),
        ("random.yaml", ["random-mse": "136f15b3d8ada773", "random-logits": "d55353eb5222cd5e"]),
        ("scheduler.yaml", ["l1-step": "712453cbb8cb525b", "l1-milestones": "31461a7e0e987865", "l1-exponential": "779009f51e7b9de6",
                            "l1-cosine": "cc66c58cffe773e8", "mse-warmup": "3e9f4e4be5031ea8"]),
    ])
    func stableHashes(_ file: String, _ expected: [String: String]) throws {
        let configuration = try ConfigLoader(workingDirectory: FixturePaths.configs.path).load(path: file)
        let hashes = Dictionary(uniqueKeysWithValues: configuration.jobs.map { ($0.name, $0.hash.description) })
        #expect(hashes == expected)
    }

    @Test("The spec carries the job's components, stopping rules and history cadence")
    func components() throws {
        let job = try #require(loaded("""
            jobs:
              - name: a
                loss: {name: HuberLoss, delta: 0.5}
                init: [1, 2, 3]
                target: [0.0, 0, 0]   # real literals: huber refuses a Long target, as PyTorch does
                optimizer: {name: Adam, lr: 0.01}
                scheduler: {name: step_lr, step_size: 10}
                max_steps: 25000
                patience: 7
            """)?.jobs.first)
        let spec = job.spec(losses: .builtins)
        #expect(spec.loss == job.loss && spec.optimizer == job.optimizer && spec.scheduler == job.scheduler)
        #expect(spec.optimizer.name == "adam" && spec.loss.name == "huber")
        #expect(spec.stopping == StoppingRules(maxSteps: 25000, patience: 7))
        #expect(spec.initialization == .tensor(Tensor([1, 2, 3])) && spec.target == Tensor([0, 0, 0]))
        #expect(spec.historyInterval == 25 && spec.historyCapacity == JobConfiguration.historyRows + 2)
        // The engine accepts the spec as it is.
        #expect(throws: Never.self) { _ = try TrainingJob(spec) }
    }

    /// init from `seed`, the target from `seed + 1`, further inputs from `seed + 2`, ...
    @Test("Random tensors are drawn from the job's seed, one stream per tensor", arguments: [UInt64(0), 7, UInt64(Int.max)])
    func randomTensors(_ seed: UInt64) throws {
        let job = try #require(loaded("""
            jobs:
              - name: a
                loss: gaussian_nll
                init: {random: normal, shape: [2, 3], mean: 1, std: 2}
                target: {random: uniform, shape: [2, 3], low: -1, high: 1}
                inputs: {var: {random: uniform, shape: [2, 3], low: 0.5, high: 1}}
                optimizer: sgd
                max_steps: 10
                seed: \(seed)
            """)?.jobs.first)
        let spec = job.spec(losses: .builtins)
        #expect(spec.initialization == .random(shape: [2, 3], distribution: .normal(mean: 1, std: 2), seed: job.seed))
        var target = SeededGenerator(seed: job.seed &+ 1)
        #expect(spec.target == Tensor(shape: [2, 3], scalars: target.values(6, from: .uniform(low: -1, high: 1))))
        var variance = SeededGenerator(seed: job.seed &+ 2)
        #expect(spec.arguments["var"] == Tensor(shape: [2, 3], scalars: variance.values(6, from: .uniform(low: 0.5, high: 1))))
        // The same job draws the same tensors every time.
        #expect(job.spec(losses: .builtins).target == spec.target)
    }

    /// The loader creates optimizers and schedulers through the engine: it accepts what the
    /// engine (and PyTorch) accepts and refuses the rest with the engine's message.
    @Test("The loader agrees with the engine on optimizer and scheduler options", arguments: [
        ("optimizer: {name: sgd, lr: 0.1, momentum: 0.9, dampening: 1.5}", nil),
        ("optimizer: {name: sgd, lr: 0.1, nesterov: true}", "option 'nesterov' of sgd: Nesterov momentum requires a momentum and zero dampening"),
        ("optimizer: {name: adam, betas: [0.9, 1]}", "option 'betas' of adam: beta2 must be in [0, 1), got 1.0"),
        ("optimizer: sgd\n    scheduler: {name: multi_step_lr, milestones: [30, 10, 10]}", nil),
        ("optimizer: sgd\n    scheduler: {name: linear_lr, total_iters: 0}", nil),
        ("optimizer: sgd\n    scheduler: {name: linear_lr, start_factor: 0}", "option 'start_factor' of linear_lr: must be in (0, 1], got 0.0"),
        ("optimizer: sgd\n    scheduler: {name: exponential_lr}", "exponential_lr needs the option 'gamma' (PyTorch has no default)"),
        ("optimizer: {name: lbfgs, line_search_fn: strong_wolfe, max_eval: 7, history_size: 3}", nil),
        ("optimizer: {name: LBFGS, line_search_fn: null, max_eval: null, maximize: true}", nil),
        ("optimizer: {name: lbfgs, history_size: 0}", "option 'history_size' of lbfgs: must be >= 1, got 0"),
        ("optimizer: {name: lbfgs, lr: -1}", "option 'lr' of lbfgs: must be >= 0, got -1.0"),
        ("optimizer: {name: lbfgs, max_eval: 2.5}", "option 'max_eval' of lbfgs: must be an integer or null, got 2.5"),
        ("optimizer: {name: lbfgs, line_search_fn: strong_wolfe, max_iter: 2, max_eval: 0}",
         "option 'max_eval' of lbfgs: must be >= 1 with line_search_fn 'strong_wolfe', got 0"),
        ("optimizer: {name: lbfgs, line_search_fn: strong_wolfe, max_iter: 0}", nil),
        ("optimizer: {name: lbfgs, line_search_fn: backtracking}",
         "lbfgs option 'line_search_fn': 'backtracking' is not one of 'strong_wolfe'"),
        ("optimizer: {name: adafactor, eps: [1e-30, 0.01], d: 2, beta2_decay: -0.5, weight_decay: 0.1}", nil),
        ("optimizer: {name: Adafactor, d: 0.5}", "option 'd' of adafactor: must be >= 1, got 0.5"),
        ("optimizer: {name: adafactor, beta2_decay: 0.2}", "option 'beta2_decay' of adafactor: must be <= 0, got 0.2"),
        ("optimizer: {name: adafactor, eps: [0.001]}", "option 'eps' of adafactor: must be a list of two numbers [eps1, eps2], got 1 values"),
        ("optimizer: {name: adafactor, eps: [1e-30, -1]}", "option 'eps' of adafactor: eps2 must be >= 0, got -1.0"),
    ] as [(String, String?)])
    func agreesWithTheEngine(_ components: String, _ message: String?) {
        let text = "jobs:\n  - name: a\n    loss: mse\n    init: [1]\n    target: [2]\n    max_steps: 5\n    " + components + "\n"
        switch load(text) {
        case .success(let configuration):
            #expect(message == nil, "accepted")
            let spec = configuration.jobs[0].spec(losses: .builtins)
            #expect(throws: Never.self) { _ = try TrainingJob(spec) }
        case .failure(let errors):
            #expect(errors.errors.map(\.message) == [message].compactMap { $0 })
        }
    }

    @Test("A bad LBFGS or Adafactor option is reported at its value", arguments: [
        ("{name: lbfgs, history_size: 0}", "history_size", 44),
        ("{name: adafactor, beta2_decay: 0.5}", "beta2_decay", 47),
    ])
    func locatedRefusal(_ optimizer: String, _ option: String, _ column: Int) {
        let text = "jobs:\n  - name: a\n    loss: mse\n    init: [1]\n    target: [2]\n    max_steps: 5\n    optimizer: " + optimizer + "\n"
        guard case .failure(let errors) = load(text) else {
            Issue.record("accepted")
            return
        }
        #expect(errors.errors.count == 1)
        let error = errors.errors[0]
        #expect(error.code == .outOfRange)
        #expect(error.path == "jobs[0].optimizer.\(option)")
        #expect(error.mark.line == 7 && error.mark.column == column, "\(error)")
    }
}
