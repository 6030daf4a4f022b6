// SPDX-License-Identifier: Apache-2.0

public import Logging
import LossKit
import LossdConfig
public import LossdEngine
public import LossdState
import LossdSync

/// Runs the configured jobs on the engine and keeps the state directory in step with them.
///
/// - Start: a job resumes from what it left in the state directory (see ``ResumePolicy``).
/// - End of a job: `history/<job>.csv`, `charts/<job>.svg` and `results/<job>.json` are written,
///   then its checkpoint removed (see ``ResultWriter``). A write that fails keeps the job's
///   result in memory and its checkpoint on disk, to be written again (see ``PendingWrites``).
/// - Reload: new and changed jobs start, removed ones stop with a checkpoint, unchanged ones run
///   on (see ``ReloadPlan``).
/// - Stop: every unfinished job pauses at a step boundary and is checkpointed.
///
/// Durations (`elapsed_seconds`) are measured on `clock`, a monotonic clock; only the
/// `started_at` and `finished_at` timestamps read the wall clock.
public final class Supervisor: Sendable {
    /// One configured job and what the supervisor knows of it.
    struct Managed: Sendable {
        var config: JobConfiguration
        var handle: JobHandle?
        var finished: JobRecord?
        /// Wall-clock start of the job's first run (kept across restarts).
        var startedAt: Double
        /// Training seconds before this process's run of the job.
        var elapsedBefore: Double = 0
        /// When this process started (or resumed) the job, in seconds of the supervisor's clock.
        var runStart: Double
        var resumed = false
        var announced = false

        /// The job as its configuration and `progress` describe it.
        func record(_ status: JobStatus, _ progress: JobProgress?, elapsed: Double) -> JobRecord {
            var record = JobRecord(
                name: config.name, status: status, maxSteps: config.stopping.maxSteps, lossFunction: config.loss.name,
                lossOptions: config.loss.options, optimizer: config.optimizer.name, optimizerOptions: config.optimizer.options,
                scheduler: config.scheduler?.name, startedAt: startedAt, elapsedSeconds: elapsed, resumed: resumed,
                configHash: config.hash.description)
            if let progress { record.update(progress) }
            return record
        }
    }

    struct State: Sendable {
        var jobs: [String: Managed] = [:]
        var order: [String] = []
        var ids = EngineIDs()
        /// Events of a submission that arrived before its handle was stored (a quick job can end
        /// between `submit` and `insert`); replayed right after the insert.
        var early: [String: [JobEvent]] = [:]

        var allFinished: Bool { order.allSatisfy { jobs[$0]?.finished != nil } }
    }

    public let engine: TrainingEngine
    public let store: StateStore
    /// What jobs are built from; a reload with plugins replaces the losses.
    let currentRegistries: Locked<TrainingRegistries>
    var registries: TrainingRegistries { currentRegistries.withLock { $0 } }
    let logger: Logger
    let log: JobEventLog
    let writer: ResultWriter
    /// Writes that failed, to retry; what the status line says is not on disk.
    let pending = PendingWrites()
    let policy: ResumePolicy
    let reporter: ProgressReporter
    let state = Locked(State())
    /// Jobs a previous process died in a plugin call of, by job name (see ``noteCrashes(_:)``).
    let pluginCrashes = Locked<[String: PluginCallBoard.Record]>([:])
    private let finalizing = Locked<[String: Task<Void, Never>]>([:])
    private let finishedCondition: AsyncCondition
    /// Seconds on the supervisor's clock since it was made.
    private let clockSeconds: @Sendable () -> Double

    public init(engine: TrainingEngine, store: StateStore, registries: TrainingRegistries, logger: Logger,
                clock: any Clock<Duration> = ContinuousClock()) {
        self.engine = engine
        self.store = store
        self.currentRegistries = Locked(registries)
        self.logger = logger
        let clockSeconds = Self.seconds(since: clock)
        self.clockSeconds = clockSeconds
        self.log = JobEventLog(logger: logger, budget: JournalBudget(now: clockSeconds))
        self.writer = ResultWriter(store: store)
        self.policy = ResumePolicy(store: store, logger: logger)
        self.reporter = ProgressReporter(log: log)
        let state = self.state
        self.finishedCondition = AsyncCondition { state.withLock { $0.allFinished } }
    }

    private static func seconds<C: Clock<Duration>>(since clock: C) -> @Sendable () -> Double {
        let start = clock.now
        return {
            let (seconds, attoseconds) = start.duration(to: clock.now).components
            return Double(seconds) + Double(attoseconds) / 1e18
        }
    }

    /// Training seconds of `managed` so far, summed over restarts.
    func elapsed(_ managed: Managed) -> Double { managed.elapsedBefore + (clockSeconds() - managed.runStart) }

    /// The supervisor's clock now, in seconds: the start of a run.
    func now() -> Double { clockSeconds() }

    // MARK: - Events

    /// Consumes the engine's status events until the stream ends: announces starts and writes
    /// each finished job's result and history.
    public func consumeEvents() async {
        for await event in engine.events {
            handle(event)
        }
    }

    func handle(_ event: JobEvent) {
        let found = state.withLock { s -> (Managed, announce: Bool)? in
            guard let name = s.ids.job(of: event.job) else { return nil }
            guard let managed = s.jobs[name], managed.handle?.id == event.job else {
                // Only the newest submission of a job is waiting for its insert; older ones are retired.
                if s.ids.isNewest(event.job) { s.early[event.job, default: []].append(event) }
                return nil
            }
            let announce = event.status == .running && !managed.announced
            if announce { s.jobs[name]?.announced = true }
            return (managed, announce)
        }
        guard let (managed, announce) = found, let handle = managed.handle else { return }
        if announce { log.started(managed.record(.running, event.progress, elapsed: 0)) }
        if event.status.isFinal, event.status != .cancelled {
            let name = managed.config.name
            let task = Task { await self.finalize(name, handle) }
            finalizing.withLock { $0[name] = task }
        }
    }

    /// Writes the history, chart and result of a job that ended (on the writer thread), then
    /// drops its checkpoint; when a write fails the job is kept as unsaved (see ``commit(_:)``).
    func finalize(_ name: String, _ handle: JobHandle) async {
        let result = await handle.result()
        guard let managed = state.withLock({ $0.jobs[name] }), managed.handle === handle else { return }
        var record = managed.record(result.status, result.progress, elapsed: elapsed(managed))
        record.finishedAt = Timestamp.now()
        record.output = result.parameters ?? Tensor(repeating: .nan, shape: managed.config.initial.shape)
        await commit(PendingResult(record: record, history: ResultWriter.rows(Array(result.history), final: result.progress)))
        // The record replaces the handle: the engine lets go of a job that ended, so dropping the
        // handle frees its tensors, optimizer state and history.
        state.withLock { s in
            s.jobs[name]?.finished = record
            s.jobs[name]?.handle = nil
        }
        finishedCondition.signal()
        log.finished(record)
        if allFinished { log.flush(force: true) }
    }

    // MARK: - Checkpoints and stop

    /// Checkpoints every unfinished job that is running (they keep running).
    public func checkpointRunning() async {
        for managed in unfinished() {
            guard let handle = managed.handle, !handle.status.isFinal else { continue }
            await saveCheckpoint(managed, handle)
        }
    }

    func saveCheckpoint(_ managed: Managed, _ handle: JobHandle) async {
        let name = managed.config.name
        guard let checkpoint = try? await handle.checkpoint() else { return }
        // A job that ended while we waited is finalised by its event instead.
        guard !checkpoint.status.isFinal else { return }
        let stored = StateStore.StoredCheckpoint(configHash: managed.config.hash.description, startedAt: managed.startedAt,
                                                 elapsedSeconds: elapsed(managed), checkpoint: checkpoint)
        do throws(AtomicFile.WriteError) {
            try store.writeCheckpoint(name, stored)
        } catch {
            checkpointFailed(name, error)
            return
        }
        // The job may have ended while the checkpoint was written: its result, once written,
        // supersedes it (a result that could not be written needs it to resume).
        if handle.status.isFinal, handle.status != .cancelled {
            if state.withLock({ $0.jobs[name]?.finished != nil }), pending.problem(name) == nil { store.removeCheckpoint(name) }
            return
        }
        do throws(AtomicFile.WriteError) {
            try store.writeHistory(name, ResultWriter.rows(checkpoint.history, final: handle.progress))
            checkpointSaved(name)
        } catch {
            checkpointFailed(name, error)
        }
    }

    /// Pauses every unfinished job at its next step boundary and checkpoints it; waits for
    /// results of jobs that were ending at that moment.
    public func stopAll() async {
        let jobs = unfinished()
        for managed in jobs { managed.handle?.pause() }
        for managed in jobs {
            guard let handle = managed.handle else { continue }
            if await handle.settled() == .paused { await saveCheckpoint(managed, handle) }
        }
        let pending = finalizing.withLock { Array($0.values) }
        for task in pending { await task.value }
    }

    func unfinished() -> [Managed] {
        state.withLock { s in s.order.compactMap { s.jobs[$0] }.filter { $0.finished == nil } }
    }

    // MARK: - Observation

    /// Every job, in configuration order: finished ones as their result, the others as their
    /// progress sampled now (without locks).
    public func rows() -> [JobRecord] {
        state.withLock { s in s.order.compactMap { s.jobs[$0] } }.map { managed in
            if var record = managed.finished {
                record.maxSteps = managed.config.stopping.maxSteps
                record.unsaved = pending.problem(managed.config.name)
                return record
            }
            var status = managed.handle?.status ?? .queued
            if status.isFinal, status != .cancelled { status = .running }  // being finalised
            var record = managed.record(status, managed.handle?.progress, elapsed: elapsed(managed))
            record.unsaved = pending.problem(managed.config.name)
            return record
        }
    }

    /// Counts and the best loss, for `STATUS=` and the terminal.
    public func summary() -> Summary { Summary(rows()) }

    /// Whether every job has ended and its result is written.
    public var allFinished: Bool { state.withLock { $0.allFinished } }

    /// Returns once every job has ended and its result is written (or the task is cancelled).
    public func waitUntilAllFinished() async { await finishedCondition.wait() }

    /// Wakes ``waitUntilAllFinished()`` if the jobs changed so that every one has ended.
    func jobsChanged() { finishedCondition.signal() }

    /// Whether any job ended diverged or failed.
    public var anyFailed: Bool {
        state.withLock { s in s.jobs.values.contains { $0.finished?.status.isFailure == true } }
    }

    /// Logs one progress entry for up to `budget` running jobs, rotating through them so that
    /// every job is reported in turn; returns how many jobs were running.
    public func reportProgress(budget: Int) -> Int {
        let running = state.withLock { s in
            s.order.compactMap { s.jobs[$0] }.filter { $0.finished == nil && $0.handle?.status == .running }
        }
        return reporter.report(running.map { $0.record(.running, $0.handle?.progress, elapsed: 0) }, budget: budget)
    }
}
