// SPDX-License-Identifier: Apache-2.0

/// The `daemon:` section: how lossd runs, as opposed to what it trains.
public struct DaemonSettings: Sendable, Hashable {
    /// How many worker threads run jobs.
    public enum Workers: Sendable, Hashable, CustomStringConvertible {
        /// One per CPU (`workers: auto`, the default).
        case auto
        /// A fixed count, 1 to 1024.
        case count(Int)

        public var description: String {
            switch self {
            case .auto: "auto"
            case .count(let count): String(count)
            }
        }
    }

    public var workers: Workers = .auto
    /// Progress cadence to journald, sd_notify and the terminal (default 1 s).
    public var reportInterval: Duration = .seconds(1)
    /// How often each job's state is saved (default 10 s).
    public var checkpointInterval: Duration = .seconds(10)
    /// Absolute path. Default: the first entry of `$STATE_DIRECTORY` (set by systemd's
    /// `StateDirectory=`), otherwise `state` beside the configuration file.
    public var stateDirectory: String
    /// Absolute path of the drop-in directory, or nil for none.
    public var jobsDirectory: String?
    /// Loss plugins, in the order written: absolute paths, or bare names for the plugin search path.
    public var plugins: [PluginReference] = []
    /// `memory_limit`: what the jobs may need together, or nil when not set (the loader then uses
    /// ``MemoryLimit/machine``).
    public var memoryLimit: MemoryLimit?

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }
}

/// Everything a configuration file (and its drop-ins) says, resolved and checked.
public struct LossdConfiguration: Sendable, Hashable {
    /// The main file, as given to the loader.
    public var file: String
    /// The drop-in files read, in reading (lexical) order.
    public var dropIns: [String]
    public var daemon: DaemonSettings
    /// Every job, sweeps expanded, in file order (main file first, then drop-ins).
    public var jobs: [JobConfiguration]
    /// Plugins of `daemon.plugins` that failed to load, located at their list item. Only a loader
    /// with ``ConfigLoader/pluginProblemsFailJobsOnly`` returns them; otherwise they are errors.
    public var pluginProblems: [ConfigError]
    /// The memory the enabled jobs need together (``MemoryEstimate``, data shared by several
    /// jobs counted once) and the limit it was checked against.
    public var memory: MemoryBudget
    /// The shard `--shard` kept (``ConfigLoader/shard``), nil without one.
    public var shard: ShardReport?

    public init(file: String, dropIns: [String], daemon: DaemonSettings, jobs: [JobConfiguration], pluginProblems: [ConfigError] = [],
                memory: MemoryBudget = MemoryBudget(estimate: 0, limit: MemoryLimit(bytes: nil, origin: .none))) {
        self.file = file
        self.memory = memory
        self.dropIns = dropIns
        self.daemon = daemon
        self.jobs = jobs
        self.pluginProblems = pluginProblems
    }
}
