// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Steps every child scheduler at every step, in order (PyTorch `ChainedScheduler`), registry
/// name `chained_scheduler`.
///
///     scheduler: {name: chained_scheduler, schedulers: [{name: exponential_lr, gamma: 0.98}, {name: step_lr, step_size: 10, gamma: 0.5}]}
///
/// torch's construction and `step()`: the children are constructed in list order, each one's
/// initial step (`get_lr` at epoch 0) applied to the rate the previous one left; every step
/// calls each child's `step()` in list order, each one's `get_lr` applied to the rate the
/// previous one set (the children share the base rate; each keeps its own state).
///
/// - Options: `schedulers` (required, see ``ChildSchedulers``). PyTorch's `optimizer`
///   argument is the job's optimizer.
/// - State: each child's `last_epoch` and state.
public struct ChainedScheduler: LRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "chained_scheduler", pytorchName: "ChainedScheduler", summary: "apply every child scheduler at every step, in order",
        options: [ChildSchedulers.spec])

    let children: ChildSchedulers

    public init(options: ComponentOptions) throws(EngineError) {
        children = try ChildSchedulers(options)
    }

    public var stateNames: [String] { children.stateNames }

    public func start(_ progress: inout SchedulerProgress) {
        children.constructed(&progress)
    }

    public func step(_ progress: inout SchedulerProgress) -> String? {
        for index in 0..<children.count {
            let failure = children.with(index, &progress) { scheduler, own in
                own.epoch += 1
                return scheduler.step(&own)
            }
            if let failure { return failure }
        }
        return nil
    }
}
