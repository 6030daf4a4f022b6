// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
public import LossdConfig
import LossdEngine
import LossdState
public import LossdSystemd
public import ServiceLifecycle
import LossdSync
import Synchronization
import UnixSignals

/// `lossd run` and `lossd serve` as one swift-service-lifecycle service.
///
/// Order: the configuration is loaded and checked by the caller; here the jobs are scheduled,
/// then `READY=1` is sent, and from then on `STOPPING=1` is sent on every way out. While running:
/// progress reports, `STATUS=` and checkpoints every interval, `WATCHDOG=1` at half the watchdog
/// interval while workers progress, reloads on SIGHUP (serve). Graceful shutdown (SIGTERM,
/// SIGINT) pauses every job at a step boundary and checkpoints it.
///
/// Its collaborators are passed in: the service manager (`notifier`), the log (`logger`, whose
/// handler decides where entries go: journald, a terminal, or memory in tests) and the `clock`
/// that paces the report, checkpoint and watchdog loops (a test clock makes them step on demand).
public final class DaemonService: Service, Sendable {
    public enum Mode: Sendable {
        /// Run every job to its end, then return.
        case run
        /// Stay up, reload on SIGHUP.
        case serve
    }

    public let supervisor: Supervisor
    let mode: Mode
    let loader: ConfigLoader
    let configPath: String
    let notifier: any ServiceNotifier
    let logger: Logger
    /// Paces the report loop (and the checkpoints it takes), the watchdog loop and the stop's
    /// timeout extensions.
    let clock: Pacer
    let settings: Locked<DaemonSettings>
    let display: TerminalDisplay?
    let stopRequested = Atomic<Bool>(false)
    /// Appended to every `STATUS=` line until the next successful reload ("last reload rejected: ...").
    let statusNote = Locked<String?>(nil)
    /// `status.json` in the state directory, for `lossd status`.
    let statusFile: StatusFile
    /// Test hook: freezes the reporter's view of progress (see `LOSSD_TEST_*` in the README).
    let progressBudget: Int

    public init(mode: Mode, configuration: LossdConfiguration, configPath: String, loader: ConfigLoader,
                supervisor: Supervisor, notifier: any ServiceNotifier, logger: Logger, display: TerminalDisplay?,
                clock: some Clock<Duration>, progressBudget: Int = 20) {
        self.mode = mode
        self.supervisor = supervisor
        self.loader = loader
        self.configPath = configPath
        self.notifier = notifier
        self.logger = logger
        self.clock = Pacer(clock)
        self.settings = Locked(configuration.daemon)
        self.display = display
        self.progressBudget = progressBudget
        self.statusFile = StatusFile(directory: supervisor.store.directory, mode: mode, config: configPath, logger: logger)
    }

    /// Whether the daemon stopped on a signal rather than by finishing its jobs.
    public var wasStopped: Bool { stopRequested.load(ordering: .relaxed) }

    public func run() async throws {
        // SIGHUP is trapped before READY=1: a reload requested right after start must not kill us.
        let hangups = mode == .serve ? await UnixSignalsSequence(trapping: .sighup) : nil
        let summary = supervisor.summary()
        statusFile.write(supervisor, reportInterval: settings.withLock { $0.reportInterval }, running: true)
        notifier.send(.ready(status: summary.statusLine))
        logger.notice("lossd ready: \(supervisor.rows().count) jobs from \(configPath), \(supervisor.engine.workerCount) workers",
                      metadata: ["MESSAGE_ID": "\(MessageID.daemonReady.hex)", "LOSSD_JOBS": "\(supervisor.rows().count)",
                                 "LOSSD_CONFIG": "\(configPath)"])
        // The first of: all jobs done (run), or a stop request.
        let ending = AsyncCondition {
            self.stopRequested.load(ordering: .relaxed) || (self.mode == .run && self.supervisor.allFinished)
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.supervisor.consumeEvents() }
                group.addTask { await self.watchdogLoop() }
                let reporting = Task { await self.reportLoop() }
                if let hangups {
                    group.addTask { await self.reloadLoop(hangups) }
                }
                if self.mode == .run {
                    group.addTask {
                        await self.supervisor.waitUntilAllFinished()
                        ending.signal()
                    }
                }
                await ending.wait()
                // The report loop ends first: a checkpoint it is writing must not race the stop's
                // checkpoint of the same job, nor its STATUS= lines the stop's.
                reporting.cancel()
                await reporting.value
                if self.stopRequested.load(ordering: .relaxed) {
                    await self.stop()
                } else {
                    self.notifier.send(.stopping(status: self.supervisor.summary().statusLine))
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopRequested.store(true, ordering: .relaxed)
            ending.signal()
        }
        statusFile.write(supervisor, reportInterval: settings.withLock { $0.reportInterval }, running: false)
        display?.finish(rows: supervisor.rows())
    }

    /// Graceful stop: STOPPING=1, pause and checkpoint every unfinished job, asking the manager
    /// for more time while that runs long.
    private func stop() async {
        notifier.send(.stopping(status: "stopping: checkpointing \(supervisor.summary().running) jobs"))
        logger.notice("lossd stopping: checkpointing unfinished jobs", metadata: ["MESSAGE_ID": "\(MessageID.daemonStopping.hex)"])
        let extender = Task {
            while !Task.isCancelled {
                try? await clock.sleep(.seconds(2))
                if Task.isCancelled { break }
                notifier.send(.extendTimeout(microseconds: 10_000_000))
            }
        }
        await supervisor.stopAll()
        extender.cancel()
    }

    /// The summary plus any standing note.
    func statusLine(_ summary: Supervisor.Summary) -> String {
        summary.statusLine + (statusNote.withLock { $0 }.map { "; \($0)" } ?? "")
    }

    // MARK: - Loops

    /// Every report interval: `STATUS=`, `status.json`, progress entries, and a checkpoint of the
    /// running jobs once the checkpoint interval has passed.
    private func reportLoop() async {
        var lastCheckpoint = clock.now()
        while !Task.isCancelled {
            let current = settings.withLock { $0 }
            if let display {
                // The terminal redraws more often than journald hears of progress.
                let ticks = max(1, Int(current.reportInterval / .milliseconds(200)))
                for _ in 0..<ticks {
                    display.render(rows: supervisor.rows())
                    try? await clock.sleep(.milliseconds(200))
                    if Task.isCancelled { return }
                }
            } else {
                try? await clock.sleep(current.reportInterval)
                if Task.isCancelled { return }
            }
            let summary = supervisor.summary()
            notifier.send(.status(statusLine(summary)))
            statusFile.write(supervisor, reportInterval: current.reportInterval, running: true)
            if display == nil {
                let running = supervisor.reportProgress(budget: progressBudget)
                if running > progressBudget {
                    logger.info("progress: \(summary.statusLine)", metadata: [
                        "MESSAGE_ID": "\(MessageID.progressSummary.hex)", "LOSSD_RUNNING": "\(summary.running)",
                        "LOSSD_DONE": "\(summary.done)", "LOSSD_FAILED": "\(summary.failed)",
                    ])
                }
            }
            await supervisor.retryPendingWrites()  // when due: 1 s after a failure, doubling to 60 s
            if clock.now() - lastCheckpoint >= current.checkpointInterval {
                lastCheckpoint = clock.now()
                await supervisor.checkpointRunning()
            }
        }
    }

    /// Pings `WATCHDOG=1` at half the interval, but only while every busy worker keeps finishing
    /// slices of steps: a worker found inside the same slice at two ticks in a row is stuck (slices
    /// last milliseconds), the pings stop and systemd restarts lossd.
    private func watchdogLoop() async {
        guard let interval = notifier.watchdogInterval else { return }
        let period = interval / 2
        var previous = supervisor.engine.workerSnapshot()
        while !Task.isCancelled {
            try? await clock.sleep(period)
            if Task.isCancelled { return }
            let current = supervisor.engine.workerSnapshot()
            if current.stuckWorkers(since: previous) == 0 {
                notifier.send(.watchdog)
            } else {
                logger.warning("a worker made no progress for \(period); withholding the watchdog ping")
            }
            previous = current
        }
    }

    private func reloadLoop(_ hangups: UnixSignalsSequence) async {
        for await _ in hangups {
            if Task.isCancelled { return }
            await reload()
        }
    }

    /// SIGHUP: RELOADING=1 with MONOTONIC_USEC, load and check the file, apply or reject, READY=1.
    /// Plugins added to `daemon.plugins` are loaded; those already loaded stay as they are.
    /// Each reload ends by writing `STATE/reload.json` (``ReloadRecord``) for `lossd reload --wait`.
    public func reload() async {
        let started = MonotonicClock.microseconds
        notifier.send(.reloading(monotonicMicroseconds: started, status: "reloading \(configPath)"))
        let record = { [directory = supervisor.store.directory, logger] (outcome: ReloadRecord.Outcome, message: String) in
            do throws(AtomicFile.WriteError) {
                try ReloadRecord.write(in: directory, started: started, outcome: outcome, message: message)
            } catch {
                logger.warning("cannot write the reload record: \(error); lossd reload --wait will time out")
            }
        }
        do throws(ConfigErrors) {
            let (configuration, registries) = try loader.loadWithRegistries(path: configPath)
            DaemonLauncher.logPlugins(configuration, registries.losses, logger: logger)
            let changes = await supervisor.reload(configuration, losses: registries.losses)
            let previous = settings.withLock { old in
                defer { old.reportInterval = configuration.daemon.reportInterval; old.checkpointInterval = configuration.daemon.checkpointInterval }
                return old
            }
            if previous.workers != configuration.daemon.workers || previous.stateDirectory != configuration.daemon.stateDirectory {
                logger.notice("daemon.workers and daemon.state_directory take effect at the next restart")
            }
            logger.notice("reloaded \(configPath): \(changes)", metadata: [
                "MESSAGE_ID": "\(MessageID.daemonReloaded.hex)", "LOSSD_CONFIG": "\(configPath)",
                "LOSSD_ADDED": "\(changes.added.joined(separator: ","))", "LOSSD_CHANGED": "\(changes.changed.joined(separator: ","))",
                "LOSSD_REMOVED": "\(changes.removed.joined(separator: ","))",
            ])
            statusNote.withLock { $0 = nil }
            record(.applied, "reloaded \(configPath): \(changes)")
            notifier.send(.ready(status: "reloaded: \(changes); " + supervisor.summary().statusLine))
        } catch {
            let first = error.errors.first?.description ?? "invalid configuration"
            logger.error("reload rejected, keeping the previous configuration:\n\(error.description)", metadata: [
                "MESSAGE_ID": "\(MessageID.reloadRejected.hex)", "LOSSD_CONFIG": "\(configPath)",
            ])
            statusNote.withLock { $0 = "last reload rejected: \(first)" }
            record(.rejected, error.description)
            notifier.send(.ready(status: statusLine(supervisor.summary())))
        }
    }
}

extension DaemonService {
    /// The injected clock, reduced to what the loops use (so that the service is not generic).
    struct Pacer: Sendable {
        /// Time since the service was made.
        let now: @Sendable () -> Duration
        let sleep: @Sendable (Duration) async throws -> Void

        init<C: Clock<Duration>>(_ clock: C) {
            let origin = clock.now
            now = { origin.duration(to: clock.now) }
            sleep = { try await clock.sleep(for: $0) }
        }
    }
}
