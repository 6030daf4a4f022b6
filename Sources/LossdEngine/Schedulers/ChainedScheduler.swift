// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Steps every child scheduler at every step, in order (PyTorch `ChainedScheduler`), registry
/// name `chained_scheduler`.
///
///     scheduler: {name: chained_scheduler, schedulers: [{name: exponential_lr, gamma: 0.98}, {name: step_lr, step_size: 10, gamma: 0.5}]}
///
/// torch's construction and `step()`: the children are constructed in list order, each one's
/// initial step (`get_lr` at epoch 0) applied to the rate the previous one left; every step
/// calls each child's `step()` in list order, each child's recursive `get_lr` applied to the
/// rate the previous one set (all children share the epoch and the base rate).
///
/// - Options: `schedulers` (required, see ``ChildSchedulers``). PyTorch's `optimizer`
///   argument is the job's optimizer.
public struct ChainedScheduler: LRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "chained_scheduler", pytorchName: "ChainedScheduler", summary: "apply every child scheduler at every step, in order",
        options: [ChildSchedulers.spec])

    public let children: [any RecursiveLRScheduler]

    public init(options: ComponentOptions) throws(EngineError) {
        children = try ChildSchedulers.make(options)
    }

    public func start(_ progress: inout SchedulerProgress) {
        for child in children { progress.learningRate = child.initialLearningRate(base: progress.learningRate) }
    }

    public func step(_ progress: inout SchedulerProgress) -> String? {
        for child in children {
            progress.learningRate = child.learningRate(epoch: progress.epoch, current: progress.learningRate, base: progress.base)
        }
        return nil
    }
}
