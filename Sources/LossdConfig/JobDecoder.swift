// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdEngine

/// Turns job mappings into ``JobConfiguration``s: applies `defaults`, expands sweeps, reads and
/// checks every key, and checks the tensors against the loss. Problems go to ``Diagnostics``;
/// a job with any problem yields nothing.
final class JobDecoder {
    let diagnostics: Diagnostics
    /// The losses, optimizers and schedulers jobs may use; the plugin hook extends the losses
    /// once the `daemon` section is read.
    var registries: TrainingRegistries
    /// Plugins that failed to load (daemon mode): a job whose loss is unknown is then kept as
    /// unavailable rather than reported, so that only it fails.
    var unavailablePlugins: [String]?
    let limits: ConfigLimits
    var tensors: TensorDecoder
    /// The `defaults` entries of the main file.
    var defaults: [MappingView.Entry] = []
    /// Literal tensor elements of all jobs decoded so far.
    private(set) var totalElements = 0
    private var reportedTotal = false
    /// ``madeOptimizer(_:)``'s cache.
    private var optimizers: [JobSpec.Component: any TrainingOptimizer] = [:]

    /// Every key a job may have.
    static let jobKeys = [
        "name", "enabled", "loss", "init", "target", "inputs", "optimizer", "scheduler",
        "max_steps", "tolerance", "patience", "min_delta", "seed", "sweep", "metrics",
    ] + modelKeys
    /// The keys of free-tensor jobs only.
    static let freeTensorKeys = ["init", "target", "inputs"]
    /// The keys of model jobs only (a job with `model` is a model job).
    static let modelKeys = ["model", "data", "batch_size", "shuffle", "drop_last", "epochs"]
    /// Keys `defaults` may set: every job key but `name` and `sweep`.
    static let defaultKeys = jobKeys.filter { $0 != "name" && $0 != "sweep" }

    /// Reads the datasets of model jobs (each file once per load, shared by the jobs).
    let datasets: DatasetLoader
    /// Relative data and `model.init` paths are taken from the directory of the file that holds
    /// them, which is relative to this.
    let workingDirectory: String
    /// False: model jobs are decoded but their data is not loaded, and they are left out (see ``ConfigLoader/loadsData``).
    let loadsData: Bool
    /// Data loaded in this load, by what was asked: jobs that share data are checked once.
    var loadedCache: [DataRequest: Result<[LoadedData], DataProblem>] = [:]
    /// Data already checked to hold class indices for a class count.
    var checkedClassIndices: Set<ClassCheck> = []

    init(diagnostics: Diagnostics, registries: TrainingRegistries, limits: ConfigLimits,
         datasets: DatasetLoader = DatasetLoader(), workingDirectory: String = ".", loadsData: Bool = true) {
        self.diagnostics = diagnostics
        self.registries = registries
        self.limits = limits
        self.datasets = datasets
        self.workingDirectory = workingDirectory
        self.loadsData = loadsData
        tensors = TensorDecoder(diagnostics: diagnostics, limits: limits)
    }

    // MARK: - Jobs as written

    /// A job name a list item stands for, with the job when it decoded without problems.
    /// Names are checked for uniqueness even when their job has other problems.
    struct Decoded {
        var name: String
        var nameNode: ConfigNode
        var generated: Bool
        var job: JobConfiguration?
    }

    /// The jobs one list item stands for: one, or one per sweep combination.
    func jobs(from node: ConfigNode, _ path: KeyPath, file: String, remaining: Int) -> [Decoded] {
        guard let map = diagnostics.mapping(node, path, what: "a job", allowed: JobDecoder.jobKeys, hints: optionHints) else { return [] }
        guard let nameEntry = map.entry("name") else {
            diagnostics.report(.missingKey, at: node, path: path, "a job needs a 'name'")
            return []
        }
        guard let name = diagnostics.string(nameEntry.value, path.key("name"), what: "name"),
              checkName(name, nameEntry.value, path.key("name")) else { return [] }
        var entries = map.entries.filter { $0.key != "name" && $0.key != "sweep" }
        var ownKeys = Set(entries.map(\.key))
        for entry in defaults where !map.has(entry.key) { entries.append(entry) }
        let source = ConfigLocation(file: file, mark: node.location.mark)
        guard let sweepEntry = map.entry("sweep") else {
            let job = decode(entries, ownKeys: ownKeys, name: name, nameNode: nameEntry.value, node: node, path, source: source, sweep: nil)
            return [Decoded(name: name, nameNode: nameEntry.value, generated: false, job: job)]
        }
        let jobSeed = entries.first { $0.key == "seed" }?.value
        guard let sweep = Sweep(sweepEntry.value, path.key("sweep"), diagnostics: diagnostics, limits: limits, remaining: remaining,
                                jobSeed: jobSeed) else { return [] }
        let stopping = sweep.earlyStopping.map { diagnostics.earlyStopping($0, path.key("sweep")) }
        if case .some(nil) = stopping { return [] }
        for axis in sweep.axes { ownKeys.insert(axis.parts[0]) }
        if sweep.repeatNode != nil { ownKeys.insert("seed") }
        var decoded: [Decoded] = []
        for combination in sweep.combinations() {
            guard !diagnostics.isFull else { break }
            let generated = sweep.name(base: name, combination)
            guard checkName(generated, nameEntry.value, path.key("name"), generated: true) else { break }
            var job: JobConfiguration?
            if let concrete = sweep.apply(combination, to: entries, diagnostics: diagnostics) {
                let origin = SweepOrigin(template: name, assignments: sweep.assignments(combination), earlyStopping: stopping ?? nil)
                job = decode(concrete, ownKeys: ownKeys, name: generated, nameNode: nameEntry.value, node: node, path, source: source, sweep: origin)
            }
            decoded.append(Decoded(name: generated, nameNode: nameEntry.value, generated: true, job: job))
        }
        if let entry = sweep.earlyStopping, let rule = stopping ?? nil {
            checkEarlyStopping(rule, entry, decoded.compactMap(\.job), path.key("sweep").key("early_stopping"))
        }
        return decoded
    }

    /// Advice for a job key that is really an option: `lr` belongs in `optimizer`.
    private var optionHints: [String: String] {
        var hints: [String: String] = [:]
        for entry in registries.schedulers.entries { for option in entry.descriptor.options { hints[option.name] = "an option of the scheduler: write it inside scheduler: {name: ..., \(option.name): ...}" } }
        for entry in registries.losses.entries { for option in entry.descriptor.options { hints[option.name] = "an option of the loss: write it inside loss: {name: ..., \(option.name): ...}" } }
        for entry in registries.optimizers.entries { for option in entry.descriptor.options { hints[option.name] = "an option of the optimizer: write it inside optimizer: {name: ..., \(option.name): ...}" } }
        return hints
    }

    /// Letters, digits, `.`, `_`, `-`; starting with a letter or a digit; not too long.
    func checkName(_ name: String, _ node: ConfigNode, _ path: KeyPath, generated: Bool = false) -> Bool {
        func alphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        let allowed = name.unicodeScalars.allSatisfy { alphanumeric($0) || "._-".unicodeScalars.contains($0) }
        let first = name.unicodeScalars.first.map(alphanumeric) ?? false
        let label = generated ? "generated job name" : "job name"
        guard allowed, first else {
            diagnostics.report(.invalidName, at: node, path: path,
                               "\(label) '\(name)' may only hold letters, digits, '.', '_' and '-', and must start with a letter or digit")
            return false
        }
        guard name.count <= limits.maxNameLength else {
            diagnostics.report(.invalidName, at: node, path: path, "\(label) '\(name.prefix(40))...' is longer than \(limits.maxNameLength) characters")
            return false
        }
        return true
    }

    // MARK: - One concrete job

    /// A job's effective entries (defaults applied, sweep values set) and how to read them.
    struct JobEntries {
        var entries: [MappingView.Entry]
        /// The keys the job writes itself (or its sweep sets), as opposed to those from `defaults`.
        var ownKeys: Set<String>
        var node: ConfigNode
        var path: KeyPath
        /// `job 'NAME'` (with the sweep that generated it), for messages.
        var label: String

        /// The value of `key`; a null value counts as not set (except for `loss`, where it is an error).
        func value(_ key: String) -> ConfigNode? {
            guard let found = entries.first(where: { $0.key == key })?.value else { return nil }
            if let scalar = found.scalar, ScalarValue(resolving: scalar, tag: found.tag) == .null, key != "loss" { return nil }
            return found
        }

        /// The entry of `key` when the job itself writes it (not null).
        func ownEntry(_ key: String) -> MappingView.Entry? {
            guard ownKeys.contains(key), value(key) != nil else { return nil }
            return entries.first { $0.key == key }
        }
    }

    /// The keys every kind of job has.
    struct CommonKeys {
        var valid: Bool
        var enabled: Bool
        var loss: (loss: any Loss, configuration: JobSpec.Component)?
        var unavailable: (configuration: JobSpec.Component, error: ConfigError)?
        var optimizer: JobSpec.Component?
        var scheduler: JobSpec.Component?
        var tolerance: Double?
        var patience: Int?
        var minDelta: Double
        var seed: UInt64
        /// `metrics`, each with its node (for errors about what it measures).
        var metrics: [(metric: Metric, node: ConfigNode, path: KeyPath)] = []
    }

    /// The value of a required key, or nil (reported).
    func required(_ job: JobEntries, _ key: String, _ example: String) -> ConfigNode? {
        guard let found = job.value(key) else {
            diagnostics.report(.missingKey, at: job.node, path: job.path, "\(job.label) has no '\(key)' (set it in the job or in defaults, e.g. \(key): \(example))")
            return nil
        }
        return found
    }

    /// Reads one job's effective entries (defaults applied, sweep values set): a model job when
    /// it has `model`, else a free-tensor job.
    func decode(_ entries: [MappingView.Entry], ownKeys: Set<String>, name: String, nameNode: ConfigNode, node: ConfigNode, _ path: KeyPath,
                source: ConfigLocation, sweep: SweepOrigin?) -> JobConfiguration? {
        let label = sweep == nil ? "job '\(name)'" : "job '\(name)' (from the sweep of '\(sweep!.template)')"
        let job = JobEntries(entries: entries, ownKeys: ownKeys, node: node, path: path, label: label)
        if job.value("model") != nil {
            let common = commonKeys(job)
            guard var decoded = decodeModelJob(job, common: common, name: name, source: source, sweep: sweep) else { return nil }
            let classes = decoded.model?.classIndexTargets ?? false
            guard checkMetrics(common.metrics, classTargets: classes,
                               why: classes ? "this model job's targets are class indices" : "this model job's targets are values, not class indices")
            else { return nil }
            decoded.metrics = common.metrics.map(\.metric)
            return decoded
        }
        // A free-tensor job: its keys are read in the order they always were, so that errors at
        // one position (missing keys) keep their order.
        var initialNode: ConfigNode?, targetNode: ConfigNode?
        var initial: TensorSpec?, target: TensorSpec?
        var inputs: [String: TensorSpec]? = [:]
        var maxSteps: Int?
        let common = commonKeys(job, afterLoss: { loss in
            initialNode = required(job, "init", "[10, 10, 10]")
            initial = initialNode.flatMap { tensors.tensor($0, path.key("init"), what: "init") }
            targetNode = required(job, "target", "[30, 20, 50]")
            target = targetNode.flatMap { tensors.tensor($0, path.key("target"), what: "target") }
            if let node = job.value("inputs") { inputs = self.inputs(node, path.key("inputs"), loss: loss) }
        }, afterScheduler: {
            maxSteps = required(job, "max_steps", "1000").flatMap { self.maxSteps($0, path.key("max_steps")) }
        })
        var valid = common.valid
        for key in JobDecoder.modelKeys {
            guard let entry = job.ownEntry(key) else { continue }
            let advice = key == "data" ? "'data' without 'model': a model job needs model.layers (model: {layers: [...]})"
                : "'\(key)' applies to model jobs only (jobs with 'model'); this job fits 'init' toward 'target'"
            diagnostics.report(.unknownKey, at: entry.keyNode, path: path.key(key), advice)
            valid = false
        }
        guard valid, common.loss != nil || common.unavailable != nil, let initial, let target, let inputs,
              let optimizer = common.optimizer, let maxSteps, let initialNode, let targetNode else { return nil }

        // Bound the checking work of all jobs' literal tensors together (random ones are bounded
        // by memory, see MemoryBudget), then check the tensors against the loss.
        let literals = ([initial, target] + inputs.values).reduce(0) { $0 + $1.literalCount }
        totalElements += literals
        guard totalElements <= limits.maxTotalTensorElements else {
            if !reportedTotal {
                diagnostics.report(.limit, at: node, path: path,
                                   "the literal tensors of all jobs hold more than \(limits.maxTotalTensorElements) elements (reached at \(label))")
                reportedTotal = true
            }
            return nil
        }
        var nodes: [String: ConfigNode] = ["init": initialNode, "target": targetNode]
        if let inputsNode = job.value("inputs"), case .mapping(let pairs) = inputsNode.content {
            for pair in pairs { if let key = pair.key.scalar?.text { nodes["inputs." + key] = pair.value } }
        }
        // A tensor option checked against the tensors (a `weight` of the input's shape) is reported at its value.
        if let lossNode = job.value("loss"), case .mapping(let pairs) = lossNode.content {
            for pair in pairs { if let key = pair.key.scalar?.text, key != "name" { nodes["loss." + key] = pair.value } }
        }
        var memory = MemoryEstimate()
        if let made = madeOptimizer(optimizer) {
            memory = .freeTensor(loss: common.loss?.loss, optimizer: made, parameterShape: initial.shape, target: target.count,
                                 inputs: inputs.values.reduce(0) { MemoryEstimate.sum([$0, $1.count]) })
        }
        // A job that cannot fit alone is refused by MemoryBudget (if it is to run); its random
        // tensors are not stood in for by placeholders here, which could exhaust the memory.
        let fits = tensors.memoryLimit.bytes.map { memory.total <= $0 } ?? true
        if let loss = common.loss, fits {
            guard checkArguments(loss.loss, initial: initial, target: target, inputs: inputs, nodes: nodes,
                                 job: node, path, label: label) else { return nil }
        }
        // The engine's rule (Metric.refusal), so that check refuses what the engine would.
        if let loss = common.loss?.loss {
            let descriptor = loss.descriptor
            let targetName = descriptor.arguments.count > 1 ? descriptor.arguments[LossRoles(descriptor).target].name : nil
            var applies = true
            for (metric, node, path) in common.metrics {
                guard let reason = metric.refusal(loss: descriptor, targetName: targetName, fittedShape: initial.shape,
                                                  targetShape: target.shape) else { continue }
                diagnostics.report(.invalidValue, at: node, path: path, reason)
                applies = false
            }
            guard applies else { return nil }
        }
        var configuration = JobConfiguration(
            name: name, enabled: common.enabled, loss: common.loss?.configuration ?? common.unavailable!.configuration,
            initial: initial, target: target, inputs: inputs, optimizer: optimizer, scheduler: common.scheduler,
            stopping: StoppingRules(maxSteps: maxSteps, tolerance: common.tolerance, patience: common.patience, minDelta: common.minDelta),
            seed: common.seed, source: source, sweep: sweep, unavailable: common.unavailable?.error)
        configuration.metrics = common.metrics.map(\.metric)
        configuration.memory = memory
        return configuration
    }

    /// The optimizer a job's estimate asks for its state size, made once per name and options.
    func madeOptimizer(_ component: JobSpec.Component) -> (any TrainingOptimizer)? {
        if let made = optimizers[component] { return made }
        let made = try? registries.optimizers.entry(named: component.name).make(options: component.options)
        optimizers[component] = made
        return made
    }

    /// `metrics: [mae, ...]`: known names, each at most once.
    func metrics(_ node: ConfigNode, _ path: KeyPath) -> [(metric: Metric, node: ConfigNode, path: KeyPath)]? {
        guard let items = diagnostics.sequence(node, path, what: "metrics") else { return nil }
        var found: [(metric: Metric, node: ConfigNode, path: KeyPath)] = []
        var valid = true
        let names = Metric.allCases.map(\.rawValue)
        for (index, item) in items.enumerated() {
            guard let name = diagnostics.string(item, path.index(index), what: "a metric") else { valid = false; continue }
            guard let metric = Metric(rawValue: name) else {
                diagnostics.report(.invalidValue, at: item, path: path.index(index),
                                   "unknown metric '\(name)'\(Suggestions.didYouMean(name, among: names)) (metrics: \(names.joined(separator: ", ")))")
                valid = false
                continue
            }
            guard !found.contains(where: { $0.metric == metric }) else {
                diagnostics.report(.invalidValue, at: item, path: path.index(index), "metric '\(name)' is listed twice")
                valid = false
                continue
            }
            found.append((metric, item, path.index(index)))
        }
        return valid ? found : nil
    }

    /// Reports a metric that does not apply to the job's targets: `accuracy` needs class indices,
    /// the element-wise metrics need element-wise targets.
    func checkMetrics(_ metrics: [(metric: Metric, node: ConfigNode, path: KeyPath)], classTargets: Bool, why: String) -> Bool {
        var valid = true
        for (metric, node, path) in metrics where metric.readsClasses != classTargets {
            let needs = metric.readsClasses ? "class-index targets (one class per row of a 2-d output)" : "targets of the output's elements"
            diagnostics.report(.invalidValue, at: node, path: path, "metric '\(metric.rawValue)' needs \(needs); \(why)")
            valid = false
        }
        return valid
    }

    /// `max_steps`: an integer >= 1.
    func maxSteps(_ node: ConfigNode, _ path: KeyPath) -> Int? {
        diagnostics.integer(node, path, what: "max_steps").flatMap { steps in
            diagnostics.require(steps >= 1, node, path, "max_steps must be >= 1, got \(steps)") ? steps : nil
        }
    }

    /// Reads the keys both kinds of job have: enabled, loss, optimizer, scheduler, the stopping
    /// rules but `max_steps`, and the seed; `afterLoss` and `afterScheduler` read a free-tensor
    /// job's own keys in between.
    private func commonKeys(_ job: JobEntries, afterLoss: ((any Loss)?) -> Void = { _ in }, afterScheduler: () -> Void = {}) -> CommonKeys {
        let path = job.path
        var keys = CommonKeys(valid: true, enabled: true, minDelta: 0, seed: 0)
        if let node = job.value("enabled") {
            if let flag = diagnostics.bool(node, path.key("enabled"), what: "enabled") { keys.enabled = flag } else { keys.valid = false }
        }
        switch required(job, "loss", "mse").flatMap({ self.loss($0, path.key("loss")) }) {
        case .loaded(let found, let configuration)?: keys.loss = (found, configuration)
        case .unavailable(let configuration, let error)?: keys.unavailable = (configuration, error)
        case nil: break
        }
        afterLoss(keys.loss?.loss)
        keys.optimizer = required(job, "optimizer", "{name: sgd, lr: 0.1}").flatMap { component($0, path.key("optimizer"), kind: .optimizer) }
        if let schedulerNode = job.value("scheduler") {
            keys.scheduler = component(schedulerNode, path.key("scheduler"), kind: .scheduler)
            if keys.scheduler == nil { keys.valid = false }
            if let scheduler = keys.scheduler, let optimizer = keys.optimizer,
               !cycledMomentumFits(scheduler, optimizer, schedulerNode, path.key("scheduler")) {
                keys.valid = false
            }
        }
        afterScheduler()
        if let node = job.value("tolerance") {
            keys.tolerance = diagnostics.number(node, path.key("tolerance"), what: "tolerance")
            if let found = keys.tolerance, !diagnostics.require(found >= 0, node, path.key("tolerance"), "tolerance must be >= 0, got \(ScalarValue.format(found))") { keys.tolerance = nil }
            if keys.tolerance == nil { keys.valid = false }
        }
        if let node = job.value("patience") {
            keys.patience = diagnostics.integer(node, path.key("patience"), what: "patience")
            let unit = job.value("model") == nil ? "step" : "epoch"
            if let found = keys.patience, !diagnostics.require(found >= 1, node, path.key("patience"), "patience must be >= 1 \(unit), got \(found)") { keys.patience = nil }
            if keys.patience == nil { keys.valid = false }
        }
        if let node = job.value("min_delta") {
            if let found = diagnostics.number(node, path.key("min_delta"), what: "min_delta"),
               diagnostics.require(found >= 0, node, path.key("min_delta"), "min_delta must be >= 0, got \(ScalarValue.format(found))") {
                keys.minDelta = found
            } else {
                keys.valid = false
            }
        }
        if let node = job.value("metrics") {
            if let found = metrics(node, path.key("metrics")) { keys.metrics = found } else { keys.valid = false }
        }
        if let node = job.value("seed") {
            if let found = diagnostics.integer(node, path.key("seed"), what: "seed"),
               diagnostics.require(found >= 0, node, path.key("seed"), "seed must be >= 0, got \(found)") {
                keys.seed = UInt64(found)
            } else {
                keys.valid = false
            }
        }
        return keys
    }

    /// `inputs`: the loss's other tensor arguments by PyTorch name.
    private func inputs(_ node: ConfigNode, _ path: KeyPath, loss: (any Loss)?) -> [String: TensorSpec]? {
        guard let map = diagnostics.mapping(node, path, what: "inputs") else { return nil }
        var result: [String: TensorSpec] = [:]
        var valid = true
        let roles = loss.map { LossRoles($0.descriptor) }
        for entry in map.entries {
            let entryPath = path.key(entry.key)
            if let roles, let descriptor = loss?.descriptor {
                if entry.key == descriptor.arguments[0].name || entry.key == descriptor.arguments[roles.target].name {
                    let jobKey = entry.key == descriptor.arguments[0].name ? "init" : "target"
                    diagnostics.report(.unknownKey, at: entry.keyNode, path: entryPath,
                                       "'\(entry.key)' of \(descriptor.name) is the job's '\(jobKey)', not an entry of inputs")
                    valid = false
                    continue
                }
                guard roles.others.contains(where: { descriptor.arguments[$0].name == entry.key }) else {
                    let names = roles.others.map { descriptor.arguments[$0].name }
                    diagnostics.report(.unknownKey, at: entry.keyNode, path: entryPath,
                                       "\(descriptor.name) takes no tensor '\(entry.key)'" + Suggestions.didYouMean(entry.key, among: names)
                                           + " (its inputs: \(names.isEmpty ? "none besides init and target" : names.joined(separator: ", ")))")
                    valid = false
                    continue
                }
            }
            if let tensor = tensors.tensor(entry.value, entryPath, what: "inputs.\(entry.key)") {
                result[entry.key] = tensor
            } else {
                valid = false
            }
        }
        return valid ? result : nil
    }
}

/// Which loss argument each job key feeds: `init` the first, `target` the one named `target`
/// (or `targets`; otherwise the second), `inputs` the rest.
struct LossRoles {
    var target: Int
    var others: [Int]

    init(_ descriptor: LossDescriptor) {
        let count = descriptor.arguments.count
        target = descriptor.argumentIndex("target") ?? descriptor.argumentIndex("targets") ?? min(1, count - 1)
        let target = self.target
        others = (0..<count).filter { $0 != 0 && $0 != target }
    }
}
