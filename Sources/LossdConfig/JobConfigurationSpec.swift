// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdEngine

extension JobConfiguration {
    /// About this many history rows are kept per job, however long it runs.
    public static let historyRows = 1000

    /// Every `max(1, max_steps / 1000)` steps: about ``historyRows`` rows per job.
    public static func historyInterval(maxSteps: Int) -> Int {
        max(1, maxSteps / historyRows)
    }

    /// The job as the engine runs it, its random tensors drawn.
    ///
    /// Random tensors are drawn deterministically from the job's `seed`: `init` from the engine's
    /// generator seeded with `seed`, the target from `seed + 1`, and each further input (in the
    /// order of the loss's arguments in `losses`) from `seed + 2`, `seed + 3`, ... so a job's
    /// tensors never depend on the other jobs, the worker count or a restart. A random tensor
    /// with its own `seed` is drawn from that seed instead, whatever the job's seed.
    ///
    /// A model job gives the engine its ``ModelJob`` (the datasets as loaded, shared with every
    /// job on the same data); its `init` and `target` are unused.
    public func spec(losses: LossRegistry) -> JobSpec {
        if let model {
            var spec = JobSpec(model: model.modelJob(seed: seed), loss: loss, optimizer: optimizer, scheduler: scheduler,
                               stopping: stopping, historyInterval: Self.historyInterval(maxSteps: stopping.maxSteps),
                               historyCapacity: Self.historyRows + 2)
            spec.metrics = metrics
            return spec
        }
        let initialization: Initialization
        switch initial {
        case .literal(let tensor): initialization = .tensor(tensor)
        case .random(let random): initialization = .random(shape: random.shape, distribution: random.distribution, seed: random.seed ?? seed)
        }
        var arguments: [String: Tensor] = [:]
        let order = (try? losses.entry(named: loss.name).descriptor.arguments.map(\.name)) ?? []
        let names = inputs.keys.sorted { (order.firstIndex(of: $0) ?? .max, $0) < (order.firstIndex(of: $1) ?? .max, $1) }
        for (offset, name) in names.enumerated() {
            arguments[name] = inputs[name]!.materialize(seed: seed &+ 2 &+ UInt64(offset))
        }
        var spec = JobSpec(
            initialization: initialization,
            target: target.materialize(seed: seed &+ 1),
            arguments: arguments,
            loss: loss,
            optimizer: optimizer,
            scheduler: scheduler,
            stopping: stopping,
            historyInterval: Self.historyInterval(maxSteps: stopping.maxSteps),
            historyCapacity: Self.historyRows + 2
        )
        spec.metrics = metrics
        return spec
    }
}

extension TensorSpec {
    /// The tensor: the literal, or `shape` values drawn from the engine's generator seeded with
    /// the tensor's own seed, else `seed`.
    func materialize(seed: UInt64) -> Tensor {
        switch self {
        case .literal(let tensor):
            return tensor
        case .random(let random):
            var generator = SeededGenerator(seed: random.seed ?? seed)
            let count = random.shape.reduce(1, *)
            return Tensor(shape: random.shape, scalars: generator.values(count, from: random.distribution))
        }
    }
}
