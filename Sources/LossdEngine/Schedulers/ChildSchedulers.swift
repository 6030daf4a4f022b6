// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The children of SequentialLR and ChainedScheduler: the `schedulers` option, a list of
/// `{name: ..., option: ...}` mappings, each created from the built-in registry, and where each
/// child's `last_epoch` and state sit in the composite's state.
///
/// A child is step_lr, multi_step_lr, constant_lr, linear_lr, exponential_lr, polynomial_lr,
/// cosine_annealing_lr or cosine_annealing_warm_restarts: PyTorch refuses ReduceLROnPlateau, and
/// lossd also refuses the schedulers that replace the optimizer's rate or momentum when they
/// are created (cyclic_lr, one_cycle_lr) and nested composites.
///
/// The children share the learning rate, the base rate and the momentum; each has its own
/// `last_epoch` and state, kept in the composite's state as `_schedulers[i].last_epoch`, then
/// `_schedulers[i].<name>` for each of the child's ``LRScheduler/stateNames``.
struct ChildSchedulers: Sendable {
    /// The `schedulers` option spec.
    static let spec = OptionSpec("schedulers", .mappings("scheduler"), default: .null,
                                 "the child schedulers, each {name: ..., option: ...} (required, at least one)")

    let children: [any LRScheduler]
    /// Where child i's `last_epoch` sits in the composite's state; its own state follows.
    let offsets: [Int]
    let stateNames: [String]

    var count: Int { children.count }

    /// The children, created and checked; errors name `schedulers` and the child's index.
    init(_ options: ComponentOptions) throws(EngineError) {
        guard let items = options.mappings("schedulers") else {
            throw EngineError(.missingOption, subject: "schedulers",
                              "\(options.component) needs the option 'schedulers' (PyTorch has no default)")
        }
        try options.check(!items.isEmpty, "schedulers", "expects at least one scheduler, but got no scheduler")
        var children: [any LRScheduler] = [], offsets: [Int] = [], names: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let name)? = item["name"] else {
                throw EngineError.option("schedulers", of: options.component, "schedulers[\(index)] needs a 'name'")
            }
            let child: any LRScheduler
            do throws(EngineError) {
                child = try SchedulerRegistry.builtins.make(name, options: item.filter { $0.key != "name" })
            } catch {
                throw EngineError.option("schedulers", of: options.component, "schedulers[\(index)] (\(name)): \(error.message)")
            }
            if let reason = Self.refusal(child) {
                throw EngineError.option("schedulers", of: options.component,
                                         "schedulers[\(index)] is \(child.descriptor.name): \(options.component) \(reason)")
            }
            offsets.append(names.count)
            names.append("_schedulers[\(index)].last_epoch")
            names += child.stateNames.map { "_schedulers[\(index)].\($0)" }
            children.append(child)
        }
        self.children = children
        self.offsets = offsets
        stateNames = names
    }

    /// Why `child` cannot be a child, or nil.
    private static func refusal(_ child: any LRScheduler) -> String? {
        switch child {
        case is any RecursiveLRScheduler, is CosineAnnealingWarmRestarts: nil
        case is ReduceLROnPlateau: "does not support reduce_lr_on_plateau (its step needs the metric), as in PyTorch"
        default:
            "takes in lossd only step_lr, multi_step_lr, constant_lr, linear_lr, exponential_lr, polynomial_lr, "
                + "cosine_annealing_lr and cosine_annealing_warm_restarts"
        }
    }

    /// The composite's state right after every child's construction: each `last_epoch` 0 and
    /// each child's state as its `start` left it; the learning rate as the last one left it.
    func constructed(_ progress: inout SchedulerProgress) {
        var values: [Double] = []
        values.reserveCapacity(stateNames.count)
        for child in children {
            var own = SchedulerProgress(learningRate: progress.learningRate, base: progress.base, momentum: progress.momentum)
            child.start(&own)
            progress.learningRate = own.learningRate
            values.append(0)
            values += own.state.values
        }
        progress.state = SchedulerState(values: values)
    }

    /// Runs `body` on child `index` with its own `last_epoch` and state and the shared rate.
    func with<Result>(_ index: Int, _ progress: inout SchedulerProgress,
                      _ body: (any LRScheduler, inout SchedulerProgress) -> Result) -> Result {
        let offset = offsets[index], size = children[index].stateNames.count
        var own = SchedulerProgress(
            epoch: Int(progress.state.values[offset]), learningRate: progress.learningRate, base: progress.base,
            momentum: progress.momentum, metric: progress.metric,
            state: SchedulerState(values: size == 0 ? [] : Array(progress.state.values[(offset + 1)...(offset + size)])))
        let result = body(children[index], &own)
        progress.learningRate = own.learningRate
        progress.state.values[offset] = Double(own.epoch)
        for slot in 0..<size { progress.state.values[offset + 1 + slot] = own.state.values[slot] }
        return result
    }
}
