// SPDX-License-Identifier: Apache-2.0

import LossKit

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
            guard let text = diagnostics.string(node, path, what: what) else { return nil }
            guard allowed.contains(text) else {
                diagnostics.report(.invalidValue, at: node, path: path,
                                   "\(what): '\(text)' is not one of \(allowed.map { "'\($0)'" }.joined(separator: ", "))"
                                       + Suggestions.didYouMean(text, among: allowed))
                return nil
            }
            return .string(text)
        case .optionalTensor:
            if let scalar = node.scalar, ScalarValue(resolving: scalar, tag: node.tag) == .null { return .null }
            guard case .literal(let tensor)? = tensors.tensor(node, path, what: what, allowRandom: false) else { return nil }
            return .tensor(tensor)
        }
    }

    // MARK: - Loss

    /// A job's loss as decoded.
    enum DecodedLoss {
        /// Found, options checked, created: with its complete options.
        case loaded(any Loss, LossConfiguration)
        /// Unknown while a plugin failed to load (daemon mode): the job fails with this error.
        case unavailable(LossConfiguration, ConfigError)
    }

    /// The loss: looked up in the registry, options checked and the loss created (its own range
    /// checks run). Returns the loss with its complete options.
    func loss(_ node: ConfigNode, _ path: KeyPath) -> DecodedLoss? {
        guard let named = named(node, path, what: "loss") else { return nil }
        let entry: LossRegistry.Entry
        do throws(LossError) {
            entry = try vocabulary.losses.entry(named: named.name)
        } catch {
            let at = node.scalar != nil ? path : path.key("name")
            if let failed = unavailablePlugins {
                let message = error.message + "; plugins that failed to load: " + failed.joined(separator: ", ")
                return .unavailable(LossConfiguration(name: named.name, options: [:]),
                                    diagnostics.error(.unknownLoss, at: named.nameNode.location, path: at, message))
            }
            diagnostics.report(.unknownLoss, at: named.nameNode, path: at, error.message)
            return nil
        }
        let descriptor = entry.descriptor
        var values: [String: OptionValue] = [:]
        var valueNodes: [String: ConfigNode] = [:]
        var valid = true
        for option in named.options {
            let optionPath = path.key(option.key)
            guard let spec = descriptor.options.first(where: { $0.name == option.key }) else {
                // LossKit words the message (suggestions, deprecated PyTorch arguments).
                var message = "\(descriptor.name) has no option '\(option.key)'"
                do throws(LossError) { _ = try LossOptions([option.key: .null], for: descriptor) } catch { message = error.message }
                diagnostics.report(.unknownOption, at: option.keyNode, path: optionPath, message)
                valid = false
                continue
            }
            guard let value = optionValue(option.value, spec: spec, optionPath, owner: descriptor.name) else {
                valid = false
                continue
            }
            values[option.key] = value
            valueNodes[option.key] = option.value
        }
        guard valid else { return nil }
        do throws(LossError) {
            let options = try LossOptions(values, for: descriptor)
            let loss = try entry.make(options)
            var complete: [String: OptionValue] = [:]
            for spec in descriptor.options { complete[spec.name] = options.values[spec.name] ?? spec.defaultValue }
            return .loaded(loss, LossConfiguration(name: descriptor.name, options: complete))
        } catch {
            let at = valueNodes[error.subject] ?? node
            diagnostics.report(error.code == .unknownOption ? .unknownOption : .outOfRange, at: at,
                               path: valueNodes[error.subject] != nil ? path.key(error.subject) : path,
                               "\(descriptor.name): \(error.message)")
            return nil
        }
    }

    // MARK: - Optimizer and scheduler

    enum ComponentKind: String {
        case optimizer, scheduler
    }

    /// An optimizer or scheduler: looked up in the vocabulary, options checked, defaults filled in,
    /// range checks run.
    func component(_ node: ConfigNode, _ path: KeyPath, kind: ComponentKind) -> ComponentConfiguration? {
        guard let named = named(node, path, what: kind.rawValue) else { return nil }
        let known = kind == .optimizer ? vocabulary.optimizers : vocabulary.schedulers
        let found = kind == .optimizer ? vocabulary.optimizer(named: named.name) : vocabulary.scheduler(named: named.name)
        guard let descriptor = found else {
            // Registry names first; PyTorch class names only when no registry name is close.
            var suggestion = Suggestions.didYouMean(named.name, among: known.map(\.name))
            if suggestion.isEmpty { suggestion = Suggestions.didYouMean(named.name, among: known.map(\.pytorchName)) }
            diagnostics.report(kind == .optimizer ? .unknownOptimizer : .unknownScheduler, at: named.nameNode,
                               path: node.scalar != nil ? path : path.key("name"),
                               "unknown \(kind.rawValue) '\(named.name)'" + suggestion
                                   + " (known: \(known.map(\.name).joined(separator: ", ")))")
            return nil
        }
        var values: [String: OptionValue] = [:]
        var valueNodes: [String: ConfigNode] = [:]
        var valid = true
        let optionNames = descriptor.options.map(\.name)
        for option in named.options {
            let optionPath = path.key(option.key)
            guard let spec = descriptor.option(option.key) else {
                diagnostics.report(.unknownOption, at: option.keyNode, path: optionPath,
                                   "\(descriptor.name) has no option '\(option.key)'" + Suggestions.didYouMean(option.key, among: optionNames)
                                       + " (options: \(optionNames.joined(separator: ", ")))")
                valid = false
                continue
            }
            guard let value = optionValue(option.value, spec: spec, optionPath, owner: descriptor.name) else {
                valid = false
                continue
            }
            values[option.key] = value
            valueNodes[option.key] = option.value
        }
        var missing = false
        for name in descriptor.required where values[name] == nil || values[name] == .null {
            if valueNodes[name] == nil {
                diagnostics.report(.missingKey, at: node, path: path,
                                   "\(descriptor.name) needs the option '\(name)': \(descriptor.option(name)?.summary ?? "")")
            }
            missing = true
        }
        guard !missing else { return nil }
        // Range checks run on the options that did parse, so that one bad option does not hide another.
        var complete: [String: OptionValue] = [:]
        for spec in descriptor.options { complete[spec.name] = values[spec.name] ?? spec.defaultValue }
        let problems = descriptor.check(complete)
        for problem in problems {
            let at = valueNodes[problem.option] ?? node
            diagnostics.report(.outOfRange, at: at, path: valueNodes[problem.option] != nil ? path.key(problem.option) : path,
                               "\(descriptor.name) option '\(problem.option)' \(problem.message)")
        }
        guard valid, problems.isEmpty else { return nil }
        return ComponentConfiguration(name: descriptor.name, options: complete)
    }
}
