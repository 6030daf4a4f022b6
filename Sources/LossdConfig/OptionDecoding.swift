// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine

/// Reads the options of a loss, optimizer or scheduler: `{name: adam, lr: 0.05}` or the bare
/// name `adam`. Option names and types come from the descriptors; PyTorch's defaults fill in the rest.
extension JobDecoder {
    /// A component mapping split into its name and its option entries.
    struct NamedMapping {
        var name: String
        var nameNode: ConfigNode
        var options: [MappingView.Entry]
    }

    /// `name` or `{name: NAME, OPTION: VALUE, ...}`.
    func named(_ node: ConfigNode, _ path: KeyPath, what: String) -> NamedMapping? {
        if node.scalar != nil {
            guard let name = diagnostics.string(node, path, what: what) else { return nil }
            return NamedMapping(name: name, nameNode: node, options: [])
        }
        guard let map = diagnostics.mapping(node, path, what: what) else { return nil }
        guard let nameEntry = map.entry("name") else {
            diagnostics.report(.missingKey, at: node, path: path, "\(what) needs a 'name' (for example {name: \(what == "loss" ? "mse" : what == "optimizer" ? "sgd" : "step_lr"), ...})")
            return nil
        }
        guard let name = diagnostics.string(nameEntry.value, path.key("name"), what: "\(what) name") else { return nil }
        return NamedMapping(name: name, nameNode: nameEntry.value, options: map.entries.filter { $0.key != "name" })
    }

    /// The values of option entries checked against `specs`, with the nodes they were written at;
    /// nil when any is unknown (reported with `unknown(key)`) or does not fit its kind.
    func options(_ entries: [MappingView.Entry], specs: [OptionSpec], _ path: KeyPath, owner: String,
                 unknown: (String) -> String) -> (values: [String: OptionValue], nodes: [String: ConfigNode])? {
        var values: [String: OptionValue] = [:]
        var nodes: [String: ConfigNode] = [:]
        var valid = true
        for option in entries {
            let optionPath = path.key(option.key)
            guard let spec = specs.first(where: { $0.name == option.key }) else {
                diagnostics.report(.unknownOption, at: option.keyNode, path: optionPath, unknown(option.key))
                valid = false
                continue
            }
            guard let value = optionValue(option.value, spec: spec, optionPath, owner: owner) else {
                valid = false
                continue
            }
            values[option.key] = value
            nodes[option.key] = option.value
        }
        return valid ? (values, nodes) : nil
    }

    /// The value of one option, checked against its kind; nil (reported) when it does not fit.
    func optionValue(_ node: ConfigNode, spec: OptionSpec, _ path: KeyPath, owner: String) -> OptionValue? {
        let what = "\(owner) option '\(spec.name)'"
        switch spec.kind {
        case .bool:
            return diagnostics.bool(node, path, what: what).map(OptionValue.bool)
        case .integer:
            return diagnostics.integer(node, path, what: what).map(OptionValue.integer)
        case .number:
            return diagnostics.number(node, path, what: what).map(OptionValue.number)
        case .choice(let allowed):
            if spec.defaultValue == .null, let scalar = node.scalar, ScalarValue(resolving: scalar, tag: node.tag) == .null {
                return .null  // None, the PyTorch default of this choice
            }
            guard let text = diagnostics.string(node, path, what: what) else { return nil }
            guard allowed.contains(text) else {
                diagnostics.report(.invalidValue, at: node, path: path,
                                   "\(what): '\(text)' is not one of \(allowed.map { "'\($0)'" }.joined(separator: ", "))"
                                       + Suggestions.didYouMean(text, among: allowed))
                return nil
            }
            return .string(text)
        case .mappings:
            // A composite scheduler's children: each one decoded, checked and located as a
            // scheduler of its own, then kept as {name, complete options}.
            guard let items = diagnostics.sequence(node, path, what: what) else { return nil }
            var children: [[String: OptionValue]] = []
            for (index, item) in items.enumerated() {
                guard let child = component(item, path.index(index), kind: .scheduler) else { continue }
                children.append(child.options.merging(["name": .string(child.name)]) { $1 })
            }
            return children.count == items.count ? .mappings(children) : nil
        case .optionalTensor:
            if let scalar = node.scalar, ScalarValue(resolving: scalar, tag: node.tag) == .null { return .null }
            // Milestones are a list, not a tensor: none at all is meaningful (SequentialLR with
            // one scheduler, MultiStepLR that never decays), as in PyTorch.
            if spec.name == "milestones", case .sequence(let items) = node.content, items.isEmpty { return .tensor(Tensor([])) }
            guard case .literal(let tensor)? = tensors.tensor(node, path, what: what, allowRandom: false) else { return nil }
            return .tensor(tensor)
        }
    }

    // MARK: - Loss

    /// A job's loss as decoded.
    enum DecodedLoss {
        /// Found, options checked, created: with its complete options.
        case loaded(any Loss, JobSpec.Component)
        /// Unknown while a plugin failed to load (daemon mode): the job fails with this error.
        case unavailable(JobSpec.Component, ConfigError)
    }

    /// The loss: looked up in the registry, options checked and the loss created (its own range
    /// checks run). Returns the loss with its complete options.
    func loss(_ node: ConfigNode, _ path: KeyPath) -> DecodedLoss? {
        guard let named = named(node, path, what: "loss") else { return nil }
        let entry: LossRegistry.Entry
        do throws(LossError) {
            entry = try registries.losses.entry(named: named.name)
        } catch {
            let at = node.scalar != nil ? path : path.key("name")
            if let failed = unavailablePlugins {
                let message = error.message + "; plugins that failed to load: " + failed.joined(separator: ", ")
                return .unavailable(JobSpec.Component(named.name),
                                    diagnostics.error(.unknownLoss, at: named.nameNode.location, path: at, message))
            }
            diagnostics.report(.unknownLoss, at: named.nameNode, path: at, error.message)
            return nil
        }
        let descriptor = entry.descriptor
        let read = options(named.options, specs: descriptor.options, path, owner: descriptor.name) { key in
            // LossKit words the message (suggestions, deprecated PyTorch arguments).
            do throws(LossError) { _ = try LossOptions([key: .null], for: descriptor) } catch { return error.message }
            return "\(descriptor.name) has no option '\(key)'"
        }
        guard let (values, valueNodes) = read else { return nil }
        do throws(LossError) {
            let options = try LossOptions(values, for: descriptor)
            let loss = try entry.make(options)
            var complete: [String: OptionValue] = [:]
            for spec in descriptor.options {
                let value = options.values[spec.name] ?? spec.defaultValue
                if spec.isListed(at: value) { complete[spec.name] = value }
            }
            return .loaded(loss, JobSpec.Component(descriptor.name, options: complete))
        } catch {
            let at = valueNodes[error.subject] ?? node
            diagnostics.report(error.code == .unknownOption ? .unknownOption : .outOfRange, at: at,
                               path: valueNodes[error.subject] != nil ? path.key(error.subject) : path,
                               "\(descriptor.name): \(error.message)")
            return nil
        }
    }

    // MARK: - Optimizer and scheduler

    /// Whether a scheduler that cycles the momentum (`cycle_momentum`, true by default) has an
    /// optimizer with a momentum or betas to cycle, as PyTorch's CyclicLR and OneCycleLR check;
    /// reported at the option (or the scheduler, for the default) when not.
    func cycledMomentumFits(_ scheduler: JobSpec.Component, _ optimizer: JobSpec.Component,
                            _ node: ConfigNode, _ path: KeyPath) -> Bool {
        guard let made = try? registries.schedulers.make(scheduler.name, options: scheduler.options), made.cyclesMomentum,
              let entry = try? registries.optimizers.entry(named: optimizer.name), entry.cycledMomentum == nil else { return true }
        let given = named(node, path, what: "scheduler")?.options.first { $0.key == "cycle_momentum" }
        diagnostics.report(.outOfRange, at: given?.value ?? node, path: given != nil ? path.key("cycle_momentum") : path,
                           "\(scheduler.name): cycle_momentum needs an optimizer with momentum or betas; \(entry.descriptor.name) has neither (set cycle_momentum: false)")
        return false
    }

    /// An optimizer or scheduler as registered in the engine: its names, options and constructor.
    struct RegisteredComponent {
        var descriptor: ComponentDescriptor
        /// Creates the component from explicit options as a job will (the engine's range checks).
        var create: ([String: OptionValue]) throws(EngineError) -> Void

        /// The engine's message for an option it does not have (with a suggestion and the list).
        func unknownOption(_ option: String) -> String {
            do throws(EngineError) {
                _ = try ComponentOptions([option: .null], for: descriptor)
            } catch {
                return error.message
            }
            return "\(descriptor.name) has no option '\(option)'"
        }
    }

    /// The optimizer or scheduler registered under `name` (registry or PyTorch name).
    func registered(_ name: String, kind: ComponentKind) throws(EngineError) -> RegisteredComponent {
        switch kind {
        case .optimizer: try Self.registered(name, in: registries.optimizers)
        case .scheduler: try Self.registered(name, in: registries.schedulers)
        }
    }

    /// The component registered under `name` in `registry`.
    private static func registered<Entry>(_ name: String, in registry: ComponentRegistry<Entry>) throws(EngineError) -> RegisteredComponent {
        let entry = try registry.entry(named: name)
        return RegisteredComponent(descriptor: entry.descriptor) { options throws(EngineError) in _ = try entry.make(options: options) }
    }

    /// An optimizer or scheduler: looked up in the engine's registry, option values read by the
    /// kinds its descriptor gives, then created by the engine (its range checks, its messages);
    /// returned with its complete options (PyTorch's defaults filled in).
    func component(_ node: ConfigNode, _ path: KeyPath, kind: ComponentKind) -> JobSpec.Component? {
        guard let named = named(node, path, what: kind.rawValue) else { return nil }
        let component: RegisteredComponent
        do throws(EngineError) {
            component = try registered(named.name, kind: kind)
        } catch {
            diagnostics.report(kind == .optimizer ? .unknownOptimizer : .unknownScheduler, at: named.nameNode,
                               path: node.scalar != nil ? path : path.key("name"), error.message)
            return nil
        }
        var values: [String: OptionValue] = [:]
        var valueNodes: [String: ConfigNode] = [:]
        var unreadable: Set<String> = []
        for option in named.options {
            let optionPath = path.key(option.key)
            guard let spec = component.descriptor.options.first(where: { $0.name == option.key }) else {
                diagnostics.report(.unknownOption, at: option.keyNode, path: optionPath, component.unknownOption(option.key))
                unreadable.insert(option.key)
                continue
            }
            valueNodes[option.key] = option.value
            guard let value = optionValue(option.value, spec: spec, optionPath, owner: component.descriptor.name) else {
                unreadable.insert(option.key)
                continue
            }
            values[option.key] = value
        }
        // The engine checks the options that did parse, so that one bad option does not hide
        // another's problem; an option that did not parse is reported already.
        var created = true
        do throws(EngineError) {
            try component.create(values)
        } catch {
            created = false
            if !unreadable.contains(error.subject) {
                let at = valueNodes[error.subject]
                let code: ConfigError.Code = switch error.code {
                case .missingOption: .missingKey
                case .unknownOption: .unknownOption
                default: .outOfRange
                }
                diagnostics.report(code, at: at ?? node, path: at != nil ? path.key(error.subject) : path, error.message)
            }
        }
        guard created, unreadable.isEmpty else { return nil }
        var complete: [String: OptionValue] = [:]
        for spec in component.descriptor.options {
            let value = values[spec.name] ?? spec.defaultValue
            if spec.isListed(at: value) { complete[spec.name] = value }
        }
        return JobSpec.Component(component.descriptor.name, options: complete)
    }
}
