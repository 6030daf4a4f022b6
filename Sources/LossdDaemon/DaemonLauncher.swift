// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import LossKit
public import LossdConfig
import LossdEngine
import LossdPlugins
import LossdState
import LossdSync
import LossdSystemd
import ServiceLifecycle
import UnixSignals

/// Starts `lossd run` or `lossd serve` and returns the process's exit status.
public enum DaemonLauncher {
    /// What the command line chose.
    public struct Options: Sendable {
        public var mode: DaemonService.Mode
        public var configPath: String
        /// Overrides `daemon.state_directory`.
        public var stateDirectory: String?
        /// Overrides `daemon.workers`.
        public var workers: Int?
        /// Command-line overrides of the configuration (`KEY=VALUE`, `+KEY=VALUE`; see ``ConfigLoader/overrides``).
        public var overrides: [String]
        /// `--only`: the jobs to run (see ``JobFilter``).
        public var only: [String]
        /// `--shard`: only this shard's jobs, into `STATE/shard-I` (see ``ShardSelection``).
        public var shard: ShardSelection?
        /// `--lock-timeout`: how long to wait for another lossd to release the state directory.
        public var lockTimeout: Duration = .zero

        public init(mode: DaemonService.Mode, configPath: String, stateDirectory: String? = nil, workers: Int? = nil,
                    overrides: [String] = [], only: [String] = [], shard: ShardSelection? = nil) {
            self.shard = shard
            self.mode = mode
            self.configPath = configPath
            self.stateDirectory = stateDirectory
            self.workers = workers
            self.overrides = overrides
            self.only = only
        }
    }

    /// Exit statuses: 0 done (run: every job converged, reached max_steps or was pruned; or stopped by a
    /// signal with every unfinished job checkpointed (with `--shard`, 75 then), except jobs abandoned because their worker
    /// was stuck inside a step: those keep their previous checkpoint and resume from it, which is
    /// what a restart after any stop does, so the stop itself succeeded), 1 a job diverged or failed (run),
    /// 73 the state directory cannot be created or another lossd holds its lock,
    /// 74 (`EX_IOERR`) work is not on disk: a result that could not be written (after a few
    /// retries), or a checkpoint that could not be written at a stop; the jobs are listed on
    /// standard error and in the journal, their previous checkpoints are kept, and running again
    /// once the directory is fixed writes them; 78 the configuration is invalid.
    public static func run(_ options: Options) async -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        var loader = ConfigLoader.production(plugins: PluginLoader(environment: environment), environment: environment)
        // daemon.plugins extend the loss registry; one that fails fails only the jobs using it.
        loader.pluginProblemsFailJobsOnly = true
        loader.overrides = options.overrides
        loader.only = JobFilter(options.only)
        loader.shard = options.shard
        let configuration: LossdConfiguration
        let registries: TrainingRegistries
        do throws(ConfigErrors) {
            (configuration, registries) = try loader.loadWithRegistries(path: options.configPath)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            return 78
        }
        let display = options.mode == .run && TerminalDisplay.isAvailable
            && !JournalStream.isStandardErrorJournal(environment: ProcessInfo.processInfo.environment) ? TerminalDisplay() : nil
        // The production collaborators; tests give DaemonService doubles of each.
        let logger = LogSetup.logger(display: display, environment: ProcessInfo.processInfo.environment, journal: SystemdJournal())
        let notifier = SystemdNotifier()
        logPlugins(configuration, registries.losses, logger: logger)
        var stateDirectory = options.stateDirectory.map { absolute($0) } ?? configuration.daemon.stateDirectory
        if let shard = options.shard { stateDirectory = shard.stateDirectory(base: stateDirectory) }
        let store: StateStore, lock: StateDirectoryLock
        do throws(StateDirectoryLock.Failure) {
            (store, lock) = try lockStateDirectory(stateDirectory, timeout: options.lockTimeout, logger: logger)
        } catch {
            logger.error("\(error)")
            notifier.send(.stopping(status: "\(error)"))
            return 73
        }
        defer { withExtendedLifetime(lock) {} }
        if let report = configuration.shard {
            logger.notice("\(report.summary), state directory \(store.directory)", metadata: ["LOSSD_SHARD": "\(report.selection)"])
        }
        if store.sweptTemporaries > 0 {
            logger.notice("removed \(store.sweptTemporaries) temporary file(s) left by interrupted writes in \(store.directory)")
        }
        if store.indexRepair.indexed > 0 {
            logger.notice("indexed \(store.indexRepair.indexed) result(s) of \(store.directory)/results in results.index")
        }
        var workers: Int?
        if case .count(let count) = configuration.daemon.workers { workers = count }
        if let override = options.workers { workers = override }
        let engine = TrainingEngine(EngineConfiguration(workers: workers, registries: registries))
        let supervisor = Supervisor(engine: engine, store: store, registries: registries, logger: logger)
        openPluginCallBoard(store, supervisor: supervisor, plugins: !registries.losses.plugins.isEmpty, logger: logger)
        supervisor.start(configuration)
        let service = DaemonService(mode: options.mode, configuration: configuration, configPath: options.configPath,
                                    loader: loader, supervisor: supervisor, notifier: notifier, logger: logger, display: display,
                                    clock: ThreadClock())
        // SIGTERM and SIGINT: caught by the SignalRelay from the start of main (a signal that came
        // earlier stops the service as soon as it runs); ServiceLifecycle traps them otherwise.
        let relayed = [SIGTERM, SIGINT].allSatisfy { SignalRelay.subscribe($0) { service.requestStop() } }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: relayed ? [] : [.sigterm, .sigint],
            logger: Logger(label: "lossd.lifecycle") { _ in SwiftLogNoOpLogHandler() }))
        do {
            try await group.run()
        } catch {
            logger.critical("lossd stopped on an error: \(error)")
            notifier.send(.stopping(status: "error: \(error)"))
            shutDown(engine, logger: logger)
            return 1
        }
        // A clean stop that gave up on a worker stuck in a plugin leaves that job to resume.
        PluginCallBoard.current?.releaseAll()
        supervisor.log.flush(force: true)
        shutDown(engine, logger: logger)
        // Standard error gets the list too when the log goes to the journal.
        let logIsStandardError = logger.handler is PlainLogHandler || logger.handler is TerminalLogHandler
        if await !unsavedWorkReported(supervisor, logger: logger, toStandardError: !logIsStandardError) { return 74 }
        if options.mode == .run, !service.wasStopped, supervisor.anyFailed { return 1 }
        // A shard stopped before its jobs ended (preempted, cancelled, out of time) must not look
        // done to its scheduler: Slurm's afterok and a Kubernetes Indexed Job both read exit 0
        // as a finished shard. 75 (EX_TEMPFAIL): run it again and it resumes from its checkpoints.
        if options.mode == .run, options.shard != nil, service.wasStopped, !supervisor.allFinished {
            logger.notice("stopped before every job of shard \(options.shard!) ended; exit 75: run it again to resume from the checkpoints")
            return 75
        }
        return 0
    }

    /// Takes the state directory's lock; while another lossd holds it (a requeued cluster task
    /// whose predecessor is still stopping), waits up to `timeout`, polling every 500 ms.
    static func lockStateDirectory(_ directory: String, timeout: Duration, logger: Logger) throws(StateDirectoryLock.Failure)
        -> (StateStore, StateDirectoryLock) {
        let deadline = ContinuousClock.now + timeout
        var waiting = false
        while true {
            do throws(StateDirectoryLock.Failure) {
                return try StateStore.locked(directory: directory, command: CommandLine.arguments)
            } catch {
                guard case .inUse = error, ContinuousClock.now < deadline else { throw error }
                if !waiting {
                    logger.notice("\(error); waiting up to \(timeout) for it (--lock-timeout)")
                    waiting = true
                }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }

    /// Hands the plugin calls a previous process died in (`STATE/plugin-calls`, read under the
    /// state directory's lock) to the supervisor, before any job is scheduled, and, when plugins
    /// are loaded, maps a fresh board for this process's calls. Without plugins there is no board
    /// (no file held open for writing in the state directory); a reload that adds plugins maps one
    /// (``ensurePluginCallBoard(_:for:workers:logger:)``).
    static func openPluginCallBoard(_ store: StateStore, supervisor: Supervisor, plugins: Bool, logger: Logger) {
        let path = store.directory + "/plugin-calls"
        guard plugins else {
            supervisor.noteCrashes(PluginCallBoard.leftovers(path: path))
            return
        }
        do throws(PluginCallBoard.OpenError) {
            let (board, leftInCall) = try PluginCallBoard.open(path: path, slots: 2 * supervisor.engine.workerCount)
            supervisor.noteCrashes(leftInCall)
            PluginCallBoard.install(board)
        } catch {
            logger.warning("\(error); a crash inside a plugin will not be laid at its job's door")
        }
    }

    /// Maps a plugin-call board if `losses` has plugins and none is in use (plugins first loaded by a reload).
    static func ensurePluginCallBoard(_ store: StateStore, for losses: LossRegistry, workers: Int, logger: Logger) {
        guard !losses.plugins.isEmpty, PluginCallBoard.current == nil else { return }
        do throws(PluginCallBoard.OpenError) {
            PluginCallBoard.install(try PluginCallBoard.open(path: store.directory + "/plugin-calls", slots: 2 * workers).board)
        } catch {
            logger.warning("\(error); a crash inside a plugin will not be laid at its job's door")
        }
    }

    /// Retries the results that could not be written a few times over a few seconds; returns
    /// true when every job's work is on disk, else logs the jobs whose work is not (and prints
    /// them on standard error when the log goes elsewhere) and returns false.
    static func unsavedWorkReported(_ supervisor: Supervisor, logger: Logger, toStandardError: Bool) async -> Bool {
        await supervisor.flushPendingWrites(attempts: 4, pause: .seconds(1))
        let unsaved = supervisor.unsavedJobs()
        guard let first = unsaved.first else { return true }
        let message = "\(unsaved.count) job(s) not saved to \(supervisor.store.directory): "
            + unsaved.map(\.description).joined(separator: ", ")
            + "; their last checkpoints (if any) are kept: \(first.problem.remedy), then run lossd again to write them"
        logger.error("\(message)", metadata: [
            "MESSAGE_ID": "\(MessageID.stateWriteFailed.hex)", "LOSSD_JOBS": "\(unsaved.count)", "LOSSD_REASON": "\(first.problem)",
            "LOSSD_PATH": "\(supervisor.store.directory)",
        ])
        if toStandardError { FileHandle.standardError.write(Data("lossd: error: \(message)\n".utf8)) }
        return false
    }

    /// Stops the engine's workers, waiting at most a second: a worker stuck inside a step (a
    /// plugin call that never returns) is left behind. That is sound because the process exits
    /// next, which ends the thread; the stuck job's state in memory is dropped, and it resumes from
    /// its last checkpoint at the next start (the stop already wrote every other job's).
    static func shutDown(_ engine: TrainingEngine, logger: Logger) {
        let stuck = engine.shutdown(waitingAtMost: .seconds(1))
        if stuck > 0 { logger.warning("\(stuck) worker(s) stuck inside a step are left behind; lossd exits without them") }
    }

    /// Logs each plugin that loaded (info) and each that did not (error, `pluginRejected`).
    static func logPlugins(_ configuration: LossdConfiguration, _ losses: LossRegistry, logger: Logger) {
        for plugin in losses.plugins {
            logger.info("loaded \(plugin.origin): \(plugin.losses.joined(separator: ", "))")
        }
        for problem in configuration.pluginProblems {
            logger.error("\(problem.description); its jobs fail, the others run", metadata: [
                "MESSAGE_ID": "\(MessageID.pluginRejected.hex)", "LOSSD_CONFIG": "\(problem.file)",
            ])
        }
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
