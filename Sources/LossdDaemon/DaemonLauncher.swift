// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import LossKit
import LossdConfig
import LossdEngine
import LossdPlugins
import LossdState
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

        public init(mode: DaemonService.Mode, configPath: String, stateDirectory: String? = nil, workers: Int? = nil) {
            self.mode = mode
            self.configPath = configPath
            self.stateDirectory = stateDirectory
            self.workers = workers
        }
    }

    /// Exit statuses: 0 done (run: every job converged or reached max_steps; or stopped by a
    /// signal with every unfinished job checkpointed, except jobs abandoned because their worker
    /// was stuck inside a step: those keep their previous checkpoint and resume from it, which is
    /// what a restart after any stop does, so the stop itself succeeded), 1 a job diverged or failed (run),
    /// 73 the state directory cannot be created or another lossd holds its lock, 78 the configuration is invalid.
    public static func run(_ options: Options) async -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        var loader = ConfigLoader.production(plugins: PluginLoader(environment: environment), environment: environment)
        // daemon.plugins extend the loss registry; one that fails fails only the jobs using it.
        loader.pluginProblemsFailJobsOnly = true
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
        let stateDirectory = options.stateDirectory.map { absolute($0) } ?? configuration.daemon.stateDirectory
        let store: StateStore, lock: StateDirectoryLock
        do throws(StateDirectoryLock.Failure) {
            (store, lock) = try StateStore.locked(directory: stateDirectory, command: CommandLine.arguments)
        } catch {
            logger.error("\(error)")
            notifier.send(.stopping(status: "\(error)"))
            return 73
        }
        defer { withExtendedLifetime(lock) {} }
        var workers: Int?
        if case .count(let count) = configuration.daemon.workers { workers = count }
        if let override = options.workers { workers = override }
        let engine = TrainingEngine(EngineConfiguration(workers: workers, registries: registries))
        let supervisor = Supervisor(engine: engine, store: store, registries: registries, logger: logger)
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
        shutDown(engine, logger: logger)
        if options.mode == .run, !service.wasStopped, supervisor.anyFailed { return 1 }
        return 0
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
