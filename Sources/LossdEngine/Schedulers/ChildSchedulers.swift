// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The children of SequentialLR and ChainedScheduler: the `schedulers` option, a list of
/// `{name: ..., option: ...}` mappings, each created from the built-in registry.
///
/// A child must be a ``RecursiveLRScheduler`` (step_lr, multi_step_lr, constant_lr, linear_lr,
/// exponential_lr, polynomial_lr, cosine_annealing_lr): PyTorch refuses ReduceLROnPlateau, and
/// lossd also refuses the schedulers with state of their own or that replace the optimizer's
/// rate or momentum (cyclic_lr, one_cycle_lr, cosine_annealing_warm_restarts) and nested
/// composites.
enum ChildSchedulers {
    /// The `schedulers` option spec.
    static let spec = OptionSpec("schedulers", .mappings("scheduler"), default: .null,
                                 "the child schedulers, each {name: ..., option: ...} (required, at least one)")

    /// The children, created and checked; errors name `schedulers` and the child's index.
    static func make(_ options: ComponentOptions) throws(EngineError) -> [any RecursiveLRScheduler] {
        guard let items = options.mappings("schedulers") else {
            throw EngineError(.missingOption, subject: "schedulers",
                              "\(options.component) needs the option 'schedulers' (PyTorch has no default)")
        }
        try options.check(!items.isEmpty, "schedulers", "expects at least one scheduler, but got no scheduler")
        var children: [any RecursiveLRScheduler] = []
        for (index, item) in items.enumerated() {
            guard case .string(let name)? = item["name"] else {
                throw EngineError.option("schedulers", of: options.component, "schedulers[\(index)] needs a 'name'")
            }
            let made: any LRScheduler
            do throws(EngineError) {
                made = try SchedulerRegistry.builtins.make(name, options: item.filter { $0.key != "name" })
            } catch {
                throw EngineError.option("schedulers", of: options.component, "schedulers[\(index)] (\(name)): \(error.message)")
            }
            guard let child = made as? any RecursiveLRScheduler else {
                let reason = made is ReduceLROnPlateau
                    ? "does not support reduce_lr_on_plateau (its step needs the metric), as in PyTorch"
                    : "takes in lossd only schedulers without state of their own (step_lr, multi_step_lr, constant_lr, linear_lr, exponential_lr, polynomial_lr, cosine_annealing_lr)"
                throw EngineError.option("schedulers", of: options.component,
                                         "schedulers[\(index)] is \(made.descriptor.name): \(options.component) \(reason)")
            }
            children.append(child)
        }
        return children
    }
}
