// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdData
public import LossdEngine

/// Loads a lossd configuration file and its drop-ins into a checked ``LossdConfiguration``.
///
/// Every problem is reported, located (`FILE:LINE:COLUMN`), in one pass (up to
/// ``ConfigLimits/maxErrors``). No input makes it crash, hang or use unbounded memory: see
/// ``ConfigLimits``. The loader holds no state; each call reads the files anew.
/// ```swift
/// let configuration = try ConfigLoader(environment: ProcessInfo.processInfo.environment).load(path: "lossd.yaml")
/// ```
/// Names and options of losses, optimizers and schedulers are checked by the engine's registries
/// (``registries``), so the loader reports exactly what the engine would refuse, in its words.
/// `lossd check`, `run` and `serve` use ``production(plugins:environment:losses:)``.
public struct ConfigLoader: Sendable {
    /// The losses, optimizers and schedulers jobs may use (the plugin hook adds losses).
    public var registries: TrainingRegistries
    public var limits: ConfigLimits
    /// Read for `STATE_DIRECTORY` (the default state directory under systemd).
    public var environment: [String: String]
    /// Relative configuration paths are taken from here (default: the process's).
    public var workingDirectory: String
    /// Whether `daemon.jobs_directory` is read (true). The fuzz target turns it off so that
    /// generated inputs never make it read the machine's directories.
    public var readsDropIns = true
    /// Whether model jobs' data and `model.init` files are read and synthetic data generated
    /// (true). The fuzz target turns it off: model jobs are then decoded and checked as written,
    /// and left out of the configuration, so that generated inputs never read the machine's files
    /// nor generate large datasets.
    public var loadsData = true
    /// Reads the datasets of model jobs. Keep one loader across reloads: a file that has not
    /// changed (same size and modification time) is then shared with the running jobs rather
    /// than read into a second copy, and a changed file is read afresh.
    public var datasets: DatasetLoader
    /// Loads the plugins of `daemon.plugins` (after the `daemon` section is read, before any job)
    /// on top of the given losses and returns the losses the jobs are checked against. Nil:
    /// plugins are listed but not loaded, and jobs are checked against ``registries`` alone.
    public var resolvePlugins: (@Sendable ([PluginReference], LossRegistry) -> PluginResolution)?
    /// False (`lossd check`): a plugin that does not load is an error of the file. True (the
    /// daemon): it is reported in ``LossdConfiguration/pluginProblems``, and a job whose loss is
    /// then unknown is kept with ``JobConfiguration/unavailable`` set, so that only it fails.
    public var pluginProblemsFailJobsOnly = false
    /// Command-line overrides (`KEY=VALUE`, `+KEY=VALUE`), applied in order to the main file's
    /// tree before it is read (see `ConfigOverride`); each is named `override N 'TEXT'` in errors.
    /// Empty for `lossd serve`.
    public var overrides: [String] = []
    /// `--only`: the jobs kept after every job is checked; a pattern that selects no job is an error.
    public var only = JobFilter([])
    /// `--shard I/N`: only the shard's jobs (``ShardPlan``) are kept, before `--only` applies.
    public var shard: ShardSelection?
    /// The memory limit when `daemon.memory_limit` is not set (default: ``MemoryLimit/machine``).
    public var defaultMemoryLimit = MemoryLimit.machine

    public init(registries: TrainingRegistries = .builtins, limits: ConfigLimits = .default,
                environment: [String: String] = [:], workingDirectory: String? = nil, datasets: DatasetLoader = DatasetLoader()) {
        self.registries = registries
        self.datasets = datasets
        self.limits = limits
        self.environment = environment
        self.workingDirectory = workingDirectory ?? FileSystem.currentDirectory()
    }

    /// The main sections of a configuration file.
    static let rootKeys = ["daemon", "defaults", "jobs"]

    /// Loads the file at `path` and the drop-ins it names.
    public func load(path: String) throws(ConfigErrors) -> LossdConfiguration {
        try Session(loader: self, name: path).run(bytes: nil)
    }

    /// Loads the file at `path` and returns it with the registries its jobs were checked
    /// against and are to be built with (``registries``, losses extended by ``resolvePlugins``).
    public func loadWithRegistries(path: String) throws(ConfigErrors) -> (configuration: LossdConfiguration, registries: TrainingRegistries) {
        let session = Session(loader: self, name: path)
        let configuration = try session.run(bytes: nil)
        return (configuration, session.decoder.registries)
    }

    /// The name standard input has in messages (`lossd check -`).
    public static let standardInputName = "<stdin>"

    /// Loads a configuration read from standard input to its end (at most
    /// ``ConfigLimits/maxFileBytes``), named ``standardInputName`` in messages; relative paths
    /// (drop-ins, plugins, the state directory) resolve against ``workingDirectory``.
    public func loadStandardInputWithRegistries() throws(ConfigErrors) -> (configuration: LossdConfiguration, registries: TrainingRegistries) {
        let session = Session(loader: self, name: Self.standardInputName)
        session.readsStandardInput = true
        let configuration = try session.run(bytes: nil)
        return (configuration, session.decoder.registries)
    }

    /// Loads a configuration from memory, as if read from `name` (drop-in and other relative
    /// paths resolve against `name`'s directory).
    public func load(bytes: [UInt8], name: String) throws(ConfigErrors) -> LossdConfiguration {
        try Session(loader: self, name: name).run(bytes: bytes)
    }
}

// MARK: - One load

/// The state of one load: files read, errors, names seen.
private final class Session {
    let loader: ConfigLoader
    let name: String
    let diagnostics: Diagnostics
    let decoder: JobDecoder
    var totalBytes = 0
    var jobs: [JobConfiguration] = []
    var names: [String: ConfigLocation] = [:]
    /// The `daemon.plugins` items, for locating plugin problems.
    var pluginNodes: [ConfigNode] = []
    var pluginProblems: [ConfigError] = []
    /// The main file is standard input, not the file `name`.
    var readsStandardInput = false
    /// What `--shard` kept.
    var shardReport: ShardReport?

    init(loader: ConfigLoader, name: String) {
        self.loader = loader
        self.name = name
        diagnostics = Diagnostics(maxErrors: loader.limits.maxErrors)
        decoder = JobDecoder(diagnostics: diagnostics, registries: loader.registries, limits: loader.limits,
                             datasets: loader.datasets, workingDirectory: loader.workingDirectory, loadsData: loader.loadsData)
    }

    var limits: ConfigLimits { loader.limits }

    func run(bytes: [UInt8]?) throws(ConfigErrors) -> LossdConfiguration {
        let directory = Paths.directory(of: name)
        let absoluteDirectory = Paths.resolve(directory, against: loader.workingDirectory)
        var daemon = DaemonSettings(stateDirectory: Paths.resolve("state", against: absoluteDirectory))
        if let first = loader.environment["STATE_DIRECTORY"]?.split(separator: ":").first, !first.isEmpty {
            daemon.stateDirectory = Paths.resolve(String(first), against: absoluteDirectory)
        }
        var dropIns: [String] = []
        if let (file, parsed) = parse(name, bytes: bytes), let root = applyOverrides(to: parsed),
           let map = diagnostics.mapping(root, .root, what: "the configuration file", allowed: ConfigLoader.rootKeys) {
            var jobsDirectory: (display: String, node: ConfigNode)?
            if let node = map.value("daemon") {
                jobsDirectory = decodeDaemon(node, into: &daemon, directory: directory, absoluteDirectory: absoluteDirectory)
            }
            decoder.tensors.memoryLimit = (daemon.memoryLimit ?? loader.defaultMemoryLimit).perTensor.capped(at: limits.maxRandomTensorBytes)
            loadPlugins(daemon.plugins)
            if let node = map.value("defaults"),
               let defaults = diagnostics.mapping(node, KeyPath.root.key("defaults"), what: "defaults", allowed: JobDecoder.defaultKeys) {
                decoder.defaults = defaults.entries
            }
            if let node = map.value("jobs") { decodeJobs(node, file: file) }
            if let jobsDirectory, loader.readsDropIns { dropIns = readDropIns(jobsDirectory.display, node: jobsDirectory.node) }
        }
        filterJobs()
        let writers: Int
        switch daemon.workers {
        case .auto: writers = SystemCPUs.available
        case .count(let count): writers = count
        }
        let memory = checkMemory(limit: daemon.memoryLimit ?? loader.defaultMemoryLimit, writers: writers)
        guard diagnostics.isClean else { throw ConfigErrors(diagnostics.sortedErrors, truncated: diagnostics.truncated) }
        var configuration = LossdConfiguration(file: name, dropIns: dropIns, daemon: daemon, jobs: jobs, pluginProblems: pluginProblems, memory: memory)
        configuration.shard = shardReport
        return configuration
    }

    /// Runs the plugin hook and reports what did not load: as errors, or (daemon) as problems
    /// that make only the jobs whose loss is unknown fail.
    func loadPlugins(_ references: [PluginReference]) {
        guard let resolve = loader.resolvePlugins, !references.isEmpty else { return }
        let resolution = resolve(references, decoder.registries.losses)
        decoder.registries.losses = resolution.losses
        let path = KeyPath.root.key("daemon").key("plugins")
        for problem in resolution.problems where pluginNodes.indices.contains(problem.index) {
            let node = pluginNodes[problem.index]
            if loader.pluginProblemsFailJobsOnly {
                pluginProblems.append(diagnostics.error(.plugin, at: node.location, path: path.index(problem.index), problem.message))
            } else {
                diagnostics.report(.plugin, at: node, path: path.index(problem.index), problem.message)
            }
        }
        if loader.pluginProblemsFailJobsOnly, !resolution.problems.isEmpty {
            decoder.unavailablePlugins = resolution.problems.map { references[$0.index].path }
        }
    }

    /// The main file's tree with the command-line overrides applied; nil when one fails (the
    /// others are still checked, so that every bad override is reported).
    func applyOverrides(to root: ConfigNode) -> ConfigNode? {
        var root = root
        var failed = false
        for (index, text) in loader.overrides.enumerated() {
            var override = ConfigOverride(text, number: index + 1, diagnostics: diagnostics, limits: limits)
            if let updated = override.apply(to: root) { root = updated } else { failed = true }
        }
        return failed ? nil : root
    }

    /// Keeps the jobs of `--shard`'s shard, then those `--only` selects; reports a pattern that
    /// selects no job of the configuration (a shard may hold none of a pattern's jobs: it then
    /// runs nothing).
    func filterJobs() {
        if let shard = loader.shard, diagnostics.isClean {
            let works = jobs.map(ShardPlan.work)
            let shards = ShardPlan.assign(zip(jobs, works).map { ShardPlan.Item(name: $0.name, work: $1) }, shards: shard.count)
            let kept = jobs.indices.filter { shards[$0] == shard.index }
            func total(_ values: some Sequence<UInt64>) -> UInt64 {
                values.reduce(0) { $0.addingReportingOverflow($1).overflow ? .max : $0 + $1 }
            }
            shardReport = ShardReport(selection: shard, jobs: kept.count, totalJobs: jobs.count,
                                      work: total(kept.map { works[$0] }), totalWork: total(works))
            jobs = kept.map { jobs[$0] }
        }
        let filter = loader.only
        guard !filter.patterns.isEmpty, diagnostics.isClean else { return }
        for pattern in filter.patterns where !names.keys.contains(where: { JobFilter.matches($0, pattern) }) {
            let file = diagnostics.add(file: "--only '\(pattern)'", text: SourceText(Array(pattern.utf8)))
            let known = names.keys.sorted()
            diagnostics.report(.invalidValue, at: Location(file: file, line: 1, column: 1), path: .root,
                               "no job matches '\(pattern)'" + Suggestions.didYouMean(pattern, among: known)
                                   + " (jobs: \(known.isEmpty ? "none" : ConfigOverride.list(known)))")
        }
        jobs = jobs.filter { filter.selects($0.name) }
    }

    /// Checks the enabled jobs against `limit` (``MemoryBudget/check(_:limit:diagnostics:)``).
    func checkMemory(limit: MemoryLimit, writers: Int) -> MemoryBudget {
        MemoryBudget.check(jobs, limit: limit, writers: writers, diagnostics: diagnostics)
    }

    // MARK: - Files

    /// Reads (unless given), checks and parses one file; registers it for locations.
    func parse(_ path: String, bytes given: [UInt8]?, at reference: (ConfigNode, KeyPath)? = nil) -> (file: String, root: ConfigNode)? {
        let bytes: [UInt8]
        if let given {
            bytes = given
        } else {
            let read = readsStandardInput && path == name
                ? FileSystem.readStandardInput(display: path, maxBytes: limits.maxFileBytes)
                : FileSystem.read(Paths.resolve(path, against: loader.workingDirectory), display: path, maxBytes: limits.maxFileBytes)
            switch read {
            case .success(let read): bytes = read
            case .failure(let problem):
                let file = diagnostics.add(file: path, text: SourceText([]))
                if let (node, keyPath) = reference {
                    diagnostics.report(.unreadable, at: node, path: keyPath, problem.description)
                } else {
                    diagnostics.report(.unreadable, at: Location(file: file, line: 1, column: 1), path: .root, problem.description)
                }
                return nil
            }
        }
        let text = SourceText(bytes)
        let file = diagnostics.add(file: path, text: text)
        let start = Location(file: file, line: 1, column: 1)
        guard bytes.count <= limits.maxFileBytes else {
            diagnostics.report(.unreadable, at: start, path: .root, "\(path) is \(bytes.count) bytes; the limit is \(limits.maxFileBytes) bytes")
            return nil
        }
        totalBytes += bytes.count
        guard totalBytes <= limits.maxTotalBytes else {
            diagnostics.report(.limit, at: start, path: .root, "the configuration files hold more than \(limits.maxTotalBytes) bytes together")
            return nil
        }
        if let problem = text.check(maxAliasMarkers: limits.maxAliasMarkers) {
            let mark = text.mark(ofByte: problem.offset)
            diagnostics.report(problem.code, at: Location(file: file, line: Int32(mark.line), column: Int32(mark.column)), path: .root, problem.message)
            return nil
        }
        let root: ConfigNode?
        do throws(YAMLLoadError) {
            root = try YAMLParser(bytes: bytes, file: file, limits: limits).loadSingleDocument()
        } catch {
            diagnostics.report(error.code, at: error.location, path: .root, error.message)
            return nil
        }
        guard let root else {
            diagnostics.report(.empty, at: start, path: .root,
                               "\(path) holds no YAML document (empty, or only comments); expected a mapping with 'jobs'")
            return nil
        }
        return (path, root)
    }

    // MARK: - Sections

    /// Reads `daemon:`; returns the drop-in directory (as displayed) and its node, if set.
    func decodeDaemon(_ node: ConfigNode, into daemon: inout DaemonSettings, directory: String, absoluteDirectory: String) -> (String, ConfigNode)? {
        let path = KeyPath.root.key("daemon")
        let keys = ["workers", "report_interval", "checkpoint_interval", "state_directory", "jobs_directory", "plugins", "memory_limit"]
        guard let map = diagnostics.mapping(node, path, what: "daemon", allowed: keys) else { return nil }
        if let value = map.value("workers") {
            let workersPath = path.key("workers")
            if let scalar = value.scalar, scalar.text == "auto" {
                daemon.workers = .auto
            } else if let count = diagnostics.integer(value, workersPath, what: "workers (a count or auto)"),
                      diagnostics.require((1...1024).contains(count), value, workersPath, "workers must be auto or 1 to 1024, got \(count)") {
                daemon.workers = .count(count)
            }
        }
        for (key, keyPath) in [("report_interval", \DaemonSettings.reportInterval), ("checkpoint_interval", \DaemonSettings.checkpointInterval)] {
            guard let value = map.value(key), let duration = diagnostics.duration(value, path.key(key), what: key) else { continue }
            if diagnostics.require(duration >= .milliseconds(10) && duration <= .seconds(86_400), value, path.key(key),
                                   "\(key) must be between 10ms and 24h") {
                daemon[keyPath: keyPath] = duration
            }
        }
        if let value = map.value("state_directory"), let text = pathString(value, path.key("state_directory"), what: "state_directory") {
            daemon.stateDirectory = Paths.resolve(text, against: absoluteDirectory)
        }
        if let value = map.value("memory_limit") { daemon.memoryLimit = memoryLimit(value, path.key("memory_limit")) }
        if let value = map.value("plugins"), let items = diagnostics.sequence(value, path.key("plugins"), what: "plugins") {
            for (index, item) in items.enumerated() {
                guard let text = pathString(item, path.key("plugins").index(index), what: "a plugin path or name") else { continue }
                // A path (with a '/') is made absolute; a bare name is left for the plugin search path.
                let resolved = text.contains("/") ? Paths.resolve(text, against: absoluteDirectory) : text
                daemon.plugins.append(PluginReference(path: resolved, source: ConfigLocation(file: name, mark: item.location.mark)))
                pluginNodes.append(item)
            }
        }
        guard let value = map.value("jobs_directory"), let text = pathString(value, path.key("jobs_directory"), what: "jobs_directory") else { return nil }
        daemon.jobsDirectory = Paths.resolve(text, against: absoluteDirectory)
        return (text.hasPrefix("/") ? Paths.normalize(text) : Paths.resolve(text, against: directory), value)
    }

    private func pathString(_ node: ConfigNode, _ path: KeyPath, what: String) -> String? {
        guard let text = diagnostics.string(node, path, what: what) else { return nil }
        guard !text.isEmpty, !text.utf8.contains(0) else {
            diagnostics.report(.invalidValue, at: node, path: path, "\(what) must be a non-empty path")
            return nil
        }
        return text
    }

    /// `memory_limit`: bytes (`8589934592`), a size (`8G`, `512M`), a share of the physical
    /// memory (`50%`) or `none`; nil (reported) otherwise.
    func memoryLimit(_ node: ConfigNode, _ path: KeyPath) -> MemoryLimit? {
        guard let text = diagnostics.string(node, path, what: "memory_limit") else { return nil }
        let location = ConfigLocation(file: diagnostics.fileName(of: node.location) ?? name, mark: node.location.mark)
        if text == "none" { return MemoryLimit(bytes: nil, origin: .none) }
        if text.hasSuffix("%"), let percent = Double(text.dropLast()), percent > 0, percent <= 100,
           let physical = MemoryLimit.physicalMemory(proc: "/proc") {
            let bytes = max(Int((Double(physical) * percent / 100).rounded(.down)), 1)
            return MemoryLimit(bytes: bytes, origin: .configuredShare(location, percent: percent, physical: physical))
        }
        guard let bytes = ByteSize.parse(text) else {
            diagnostics.report(.invalidValue, at: node, path: path,
                               "memory_limit must be a size in bytes, with K, M, G or T for powers of 1024 (e.g. 8G, 512M), a share of the physical memory (e.g. 50%), or none; got '\(text)'")
            return nil
        }
        return MemoryLimit(bytes: bytes, origin: .configured(location))
    }

    /// Reads a `jobs:` list of `file`.
    func decodeJobs(_ node: ConfigNode, file: String) {
        let path = KeyPath.root.key("jobs")
        guard let items = diagnostics.sequence(node, path, what: "jobs") else { return }
        for (index, item) in items.enumerated() {
            guard !diagnostics.isFull else { return }
            // Every name counts, also of jobs with errors: the work stays bounded either way.
            let remaining = limits.maxJobs - names.count
            let decoded = decoder.jobs(from: item, path.index(index), file: file, remaining: max(remaining, 0))
            for entry in decoded {
                guard names.count < limits.maxJobs else {
                    diagnostics.report(.limit, at: item, path: path.index(index), "more than \(limits.maxJobs) jobs in all")
                    return
                }
                if let first = names[entry.name] {
                    let what = entry.generated ? "the sweep generates the job name '\(entry.name)', which is taken" : "duplicate job name '\(entry.name)'"
                    diagnostics.report(.duplicateJob, at: entry.nameNode, path: path.index(index).key("name"), "\(what) (first defined at \(first))")
                    continue
                }
                names[entry.name] = ConfigLocation(file: file, mark: entry.nameNode.location.mark)
                if let job = entry.job { jobs.append(job) }
            }
        }
    }

    static let dropInHints = [
        "daemon": "set only in the main file; a drop-in file holds only a 'jobs' list",
        "defaults": "set only in the main file (they apply to drop-in jobs too); a drop-in file holds only a 'jobs' list",
    ]

    /// Reads the drop-in directory: `*.yaml` and `*.yml` files not starting with `.`, in byte order
    /// of their names. Each holds only a `jobs:` list.
    func readDropIns(_ directory: String, node: ConfigNode) -> [String] {
        let path = KeyPath.root.key("daemon").key("jobs_directory")
        let names: [String]
        switch FileSystem.list(Paths.resolve(directory, against: loader.workingDirectory), display: directory) {
        case .success(let found): names = found
        case .failure(let problem):
            diagnostics.report(.unreadable, at: node, path: path, "jobs_directory: " + problem.description)
            return []
        }
        let files = names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        guard files.count <= limits.maxDropInFiles else {
            diagnostics.report(.limit, at: node, path: path, "\(directory) holds \(files.count) drop-in files; the limit is \(limits.maxDropInFiles)")
            return []
        }
        var read: [String] = []
        for file in files {
            guard !diagnostics.isFull else { break }
            let filePath = directory == "." ? file : directory + "/" + file
            read.append(filePath)
            guard let (name, root) = parse(filePath, bytes: nil, at: (node, path)),
                  let map = diagnostics.mapping(root, .root, what: "a drop-in file", allowed: ["jobs"], hints: Session.dropInHints) else { continue }
            if let jobsNode = map.value("jobs") { decodeJobs(jobsNode, file: name) }
        }
        return read
    }
}
