// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Runs child schedulers one after the other, switching at milestones (PyTorch `SequentialLR`),
/// registry name `sequential_lr`.
///
///     scheduler: {name: sequential_lr, milestones: [5],
///                 schedulers: [{name: linear_lr, start_factor: 0.1, total_iters: 5}, {name: cosine_annealing_lr, T_max: 40}]}
///
/// torch's construction and `step()`, base = the optimizer's lr, each child with its own
/// `last_epoch` and state (bisect_right as Python's):
///
///     construction:  every child constructed in turn (each one's initial step on the rate the
///                    previous left), then lr = base, every child's last_epoch -= 1, and child
///                    i0 = bisect_right(milestones, 0) takes its initial step (last_epoch 0)
///     step e:        i = bisect_right(milestones, e)
///                    if i > 0 and milestones[i-1] == e:  child i's `_update_lr(0)`: last_epoch
///                        0 and its closed form at epoch 0 from base (``LRScheduler/restart(_:)``)
///                    else:  child i's `step()` (its last_epoch + 1, `get_lr` from lr)
///
/// - Options: `schedulers` (required, see ``ChildSchedulers``), `milestones` (required,
///   integers, one fewer than the schedulers, as PyTorch checks; lossd also needs them in
///   non-decreasing order, the only order in which they mean what PyTorch documents).
/// - State: each child's `last_epoch` and state.
public struct SequentialLR: LRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "sequential_lr", pytorchName: "SequentialLR", summary: "run child schedulers in turn, switching at the milestones",
        options: [
            ChildSchedulers.spec,
            OptionSpec("milestones", .optionalTensor, default: .null, "steps at which the next scheduler takes over (required)"),
        ])

    let children: ChildSchedulers
    public let milestones: [Int]

    public init(options: ComponentOptions) throws(EngineError) {
        children = try ChildSchedulers(options)
        guard let values = try options.list("milestones") else {
            throw EngineError(.missingOption, subject: "milestones", "sequential_lr needs the option 'milestones' (PyTorch has no default)")
        }
        var milestones: [Int] = []
        for value in values {
            try options.check(value.rounded() == value && abs(value) < 1e15, "milestones", "must hold integers, got \(value)")
            milestones.append(Int(value))
        }
        try options.check(milestones.count == children.count - 1, "milestones",
                          "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers \(children.count) and the number of milestones to be equal to \(milestones.count)")
        try options.check(zip(milestones, milestones.dropFirst()).allSatisfy { $0 <= $1 }, "milestones",
                          "must be in non-decreasing order, got \(milestones)")
        self.milestones = milestones
    }

    public var stateNames: [String] { children.stateNames }

    /// Python's `bisect_right(milestones, epoch)`.
    private func child(at epoch: Int) -> Int {
        var low = 0, high = milestones.count
        while low < high {
            let middle = (low + high) / 2
            if epoch < milestones[middle] { high = middle } else { low = middle + 1 }
        }
        return low
    }

    public func start(_ progress: inout SchedulerProgress) {
        children.constructed(&progress)
        progress.learningRate = progress.base
        for offset in children.offsets { progress.state.values[offset] -= 1 }
        children.with(child(at: 0), &progress) { scheduler, own in
            own.epoch = 0
            scheduler.start(&own)
        }
    }

    public func step(_ progress: inout SchedulerProgress) -> String? {
        let index = child(at: progress.epoch)
        let milestone = index > 0 && milestones[index - 1] == progress.epoch
        return children.with(index, &progress) { scheduler, own in
            if milestone {
                own.epoch = 0
                scheduler.restart(&own)
                return nil
            }
            own.epoch += 1
            return scheduler.step(&own)
        }
    }
}
