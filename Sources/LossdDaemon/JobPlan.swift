// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdConfig
public import LossdEngine

/// Turns a configured job into the engine's job specification.
///
/// Random tensors are drawn deterministically from the job's `seed`: `init` from the engine's
/// generator seeded with `seed`, the target from `seed + 1`, and each further input (in the
/// order of the loss's arguments) from `seed + 2`, `seed + 3`, ... so a job's tensors never
/// depend on the other jobs, the worker count or a restart.
public enum JobPlan {
    /// About this many history rows are kept per job, however long it runs.
    public static let historyRows = 1000

    public static func spec(for job: JobConfiguration, registry: LossRegistry) -> JobSpec {
        let initialization: Initialization
        switch job.initial {
        case .literal(let tensor): initialization = .tensor(tensor)
        case .random(let random): initialization = .random(shape: random.shape, distribution: distribution(random), seed: job.seed)
        }
        var arguments: [String: Tensor] = [:]
        let order = (try? registry.entry(named: job.loss.name).descriptor.arguments.map(\.name)) ?? []
        let names = job.inputs.keys.sorted { (order.firstIndex(of: $0) ?? .max, $0) < (order.firstIndex(of: $1) ?? .max, $1) }
        for (offset, name) in names.enumerated() {
            arguments[name] = materialize(job.inputs[name]!, seed: job.seed &+ 2 &+ UInt64(offset))
        }
        let maxSteps = job.stopping.maxSteps
        return JobSpec(
            initialization: initialization,
            target: materialize(job.target, seed: job.seed &+ 1),
            arguments: arguments,
            loss: .init(job.loss.name, options: job.loss.options),
            optimizer: .init(job.optimizer.name, options: job.optimizer.options),
            scheduler: job.scheduler.map { .init($0.name, options: $0.options) },
            stopping: LossdEngine.StoppingRules(
                maxSteps: maxSteps, tolerance: job.stopping.tolerance,
                patience: job.stopping.patience, minDelta: job.stopping.minDelta),
            historyInterval: historyInterval(maxSteps: maxSteps),
            historyCapacity: historyRows + 2
        )
    }

    /// Every `max(1, max_steps / 1000)` steps: about 1,000 rows per job.
    public static func historyInterval(maxSteps: Int) -> Int {
        max(1, maxSteps / historyRows)
    }

    static func distribution(_ random: RandomTensor) -> RandomDistribution {
        switch random.distribution {
        case .normal(let mean, let std): .normal(mean: mean, std: std)
        case .uniform(let low, let high): .uniform(low: low, high: high)
        }
    }

    static func materialize(_ spec: TensorSpec, seed: UInt64) -> Tensor {
        switch spec {
        case .literal(let tensor):
            return tensor
        case .random(let random):
            var generator = SeededGenerator(seed: seed)
            let count = random.shape.reduce(1, *)
            return Tensor(shape: random.shape, scalars: generator.values(count, from: distribution(random)))
        }
    }
}
