// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
public import LossdConfig
import LossdEngine
import LossdState
public import LossdSystemd
public import ServiceLifecycle
import LossdSync
import UnixSignals

/// `lossd run` and `lossd serve` as one swift-service-lifecycle service.
///
/// Order: the configuration is loaded and checked by the caller; here the jobs are scheduled,
/// then `READY=1` is sent, and from then on `STOPPING=1` is sent on every way out. While running:
/// progress reports, `STATUS=` and checkpoints every interval (on a thread of its own, see
/// ``DedicatedThread``), `WATCHDOG=1` at half the watchdog interval while no worker is stuck (see
/// ``Watchdog``), reloads on SIGHUP (serve). Graceful shutdown (SIGTERM, SIGINT) pauses every
/// job at a step boundary and checkpoints it; a job whose worker is stuck inside a step is
/// abandoned after ``abandonAfter`` (it resumes from its last checkpoint at the next start).
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
    let stopRequested = Locked(false)
    /// Appended to every `STATUS=` line until the next successful reload ("last reload rejected: ...").
    let statusNote = Locked<String?>(nil)
    /// `status.json` in the state directory, for `lossd status`.
    let statusFile: StatusFile
    /// Test hook: freezes the reporter's view of progress (see `LOSSD_TEST_*` in the README).
    let progressBudget: Int
    /// How long the stop waits for a worker to reach a step boundary before abandoning its job.
    /// Slices last milliseconds, so 5 s only ever expires for a worker stuck in a plugin call;
    /// it stays far below the shipped unit's `TimeoutStopSec=60s`.
    let abandonAfter: Duration
    /// Runs the report loop, away from the Swift concurrency pool.
    let reportThread = DedicatedThread(name: "lossd-report")
    /// Runs the checkpoint sweeps, so that writing thousands of checkpoints never delays a report.
    let checkpointThread = DedicatedThread(name: "lossd-checkpoints")
    /// The latest checkpoint sweep; the stop waits for it (it ends after the checkpoint it is
    /// writing), so that two writers never race on one job's checkpoint.
    let sweep = Locked<(task: Task<Void, Never>?, running: Bool)>((nil, false))
    /// The first of: all jobs done (run), or a stop request.
    let ending: AsyncCondition

    public init(mode: Mode, configuration: LossdConfiguration, configPath: String, loader: ConfigLoader,
                supervisor: Supervisor, notifier: any ServiceNotifier, logger: Logger, display: TerminalDisplay?,
                clock: some Clock<Duration>, progressBudget: Int = 20, abandonAfter: Duration = .seconds(5)) {
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
        self.abandonAfter = abandonAfter
        let stopRequested = self.stopRequested
        ending = AsyncCondition { [mode] in stopRequested.withLock { $0 } || (mode == .run && supervisor.allFinished) }
        self.statusFile = StatusFile(directory: supervisor.store.directory, mode: mode, config: configPath, only: loader.only.patterns,
                                     logger: logger)
    }

    /// Whether the daemon stopped on a signal rather than by finishing its jobs.
    public var wasStopped: Bool { stopRequested.withLock { $0 } }

    /// Asks for a graceful stop (SIGTERM, SIGINT): at once if the service runs, else as soon as
    /// it starts.
    public func requestStop() {
        stopRequested.withLock { $0 = true }
        ending.signal()
    }

    public func run() async throws {
        // SIGHUP is trapped before READY=1: a reload requested right after start must not kill us.
        let hangups = mode == .serve ? await Self.hangups() : nil
        let rows = supervisor.rows()
        let summary = supervisor.summary(of: rows)
        statusFile.write(jobs: rows, summary: summary.statusLine, reportInterval: settings.withLock { $0.reportInterval }, running: true)
        notifier.send(.ready(status: summary.statusLine))
        logger.notice("lossd ready: \(rows.count) jobs from \(configPath), \(supervisor.engine.workerCount) workers",
                      metadata: ["MESSAGE_ID": "\(MessageID.daemonReady.hex)", "LOSSD_JOBS": "\(rows.count)",
                                 "LOSSD_CONFIG": "\(configPath)"])
        let watchdog = notifier.watchdogInterval.map { interval in
            Watchdog(interval: interval, notifier: notifier, logger: logger, snapshot: { [engine = supervisor.engine] in engine.workerSnapshot() })
        }
        watchdog?.start()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.supervisor.consumeEvents() }
                let reporting = Task(executorPreference: self.reportThread) { await self.reportLoop() }
                if let hangups {
                    group.addTask { await self.reloadLoop(hangups) }
                }
                if self.mode == .run {
                    group.addTask {
                        await self.supervisor.waitUntilAllFinished()
                        self.ending.signal()
                    }
                }
                await self.ending.wait()
                // The report loop ends first: a checkpoint it is writing must not race the stop's
                // checkpoint of the same job, nor its STATUS= lines the stop's.
                reporting.cancel()
                await reporting.value
                await self.sweep.withLock { $0.task }?.value
                if self.wasStopped {
                    await self.stop()
                } else {
                    self.notifier.send(.stopping(status: self.supervisor.summary().statusLine))
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.requestStop()
        }
        watchdog?.stop()
        statusFile.write(supervisor, reportInterval: settings.withLock { $0.reportInterval }, running: false)
        display?.finish(rows: supervisor.rows())
    }

    /// Graceful stop: STOPPING=1, pause and checkpoint every unfinished job. The manager is asked
    /// for more time (10 s) once per batch of ``Supervisor/stopBatch`` checkpoints being written
    /// past the first, never while waiting: a job whose worker is stuck inside a step is abandoned after
    /// ``abandonAfter``, so the stop ends well within `TimeoutStopSec=`.
    private func stop() async {
        notifier.send(.stopping(status: "stopping: checkpointing \(supervisor.summary().running) jobs"))
        logger.notice("lossd stopping: checkpointing unfinished jobs", metadata: ["MESSAGE_ID": "\(MessageID.daemonStopping.hex)"])
        await supervisor.stopAll(giveUpAfter: abandonAfter, sleep: clock.sleep, onBatch: {
            notifier.send(.extendTimeout(microseconds: 10_000_000))
        })
    }

    /// The summary plus any standing note.
    func statusLine(_ summary: Supervisor.Summary) -> String {
        summary.statusLine + (statusNote.withLock { $0 }.map { "; \($0)" } ?? "")
    }

    // MARK: - Loops

    /// Starts a checkpoint sweep on its own thread, unless the previous one is still writing.
    private func startSweep() {
        sweep.withLock { sweep in
            guard !sweep.running else { return }
            sweep.running = true
            sweep.task = Task(executorPreference: checkpointThread) { [supervisor, stopRequested, self] in
                supervisor.checkpointRunning(while: { !stopRequested.withLock { $0 } })
                self.sweep.withLock { $0.running = false }
            }
        }
    }

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
            supervisor.finalizeMissed()
            if clock.now() - lastCheckpoint >= current.checkpointInterval {
                lastCheckpoint = clock.now()
                startSweep()
            }
        }
    }

    /// SIGHUP: from ``SignalRelay`` when `main` installed it, else trapped here.
    private static func hangups() async -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if SignalRelay.subscribe(SIGHUP, { continuation.yield() }) {
            continuation.onTermination = { _ in SignalRelay.unsubscribe(SIGHUP) }
            return stream
        }
        let trapped = await UnixSignalsSequence(trapping: .sighup)
        let relay = Task {
            for await _ in trapped { continuation.yield() }
            continuation.finish()
        }
        continuation.onTermination = { _ in relay.cancel() }
        return stream
    }

    private func reloadLoop(_ hangups: AsyncStream<Void>) async {
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
            DaemonLauncher.ensurePluginCallBoard(supervisor.store, for: registries.losses, workers: supervisor.engine.workerCount, logger: logger)
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
