// SPDX-License-Identifier: Apache-2.0

public import Logging
import LossKit
import LossdConfig
public import LossdEngine
public import LossdState
import LossdSync

/// Runs the configured jobs on the engine and keeps the state directory in step with them.
///
/// - Start: at most ``admissionWindow`` jobs are submitted at once; the others wait, holding
///   only their configuration. A job resumes from what it left in the state directory (see
///   ``ResumePolicy``) when it is submitted.
/// - While a job runs: a free-tensor job's `history/<job>.csv` grows block by block
///   (``HistoryStream``), synced before each of its checkpoints.
/// - End of a job: `history/<job>.csv` is completed (or, for a model job, written),
///   `charts/<job>.svg` and `results/<job>.json` are written, then its checkpoint removed (see
///   ``ResultWriter``). A write that fails keeps the job's
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
        @Boxed var config: JobConfiguration
        var handle: JobHandle?
        @Boxed var finished: JobRecord?
        /// Wall-clock start of the job's first run (kept across restarts).
        var startedAt: Double
        /// Training seconds before this process's run of the job.
        var elapsedBefore: Double = 0
        /// When this process started (or resumed) the job, in seconds of the supervisor's clock.
        var runStart: Double
        var resumed = false
        var announced = false
        /// A model job's model as its result describes it before training (layers, data columns,
        /// from its engine spec); nil for a free-tensor job.
        var model: ModelSummary?
        /// A free-tensor job's history, written while it runs (see ``HistoryStream``); nil for a
        /// model job (written at its end and at checkpoints) and before the job is submitted.
        var history: HistoryStream?
        /// Submitted through the admission window (``Supervisor/admissionWindow``): until its
        /// result is written it holds a place there.
        var windowed = false

        /// Whether it holds a place in the admission window.
        var occupiesWindow: Bool { windowed && finished == nil }

        /// The job as its configuration and `progress` describe it.
        func record(_ status: JobStatus, _ progress: JobProgress?, elapsed: Double) -> JobRecord {
            var record = JobRecord(
                name: config.name, status: status, maxSteps: config.stopping.maxSteps, lossFunction: config.loss.name,
                lossOptions: config.loss.options, optimizer: config.optimizer.name, optimizerOptions: config.optimizer.options,
                scheduler: config.scheduler?.name, startedAt: startedAt, elapsedSeconds: elapsed, resumed: resumed,
                configHash: config.hash.description)
            record.model = model
            if let progress { record.update(progress) }
            return record
        }

        /// The record of its result file: ``record(_:_:elapsed:)`` with the effective
        /// configuration and the study (built only for the result: rows do not show them).
        func resultRecord(_ status: JobStatus, _ progress: JobProgress?, elapsed: Double) -> JobRecord {
            var record = record(status, progress, elapsed: elapsed)
            record.settings = JobSettings.config(config)
            record.study = JobSettings.study(config)
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
        /// How many of `jobs` have `finished` set, kept by ``put(_:)``, ``remove(_:)`` and
        /// ``finish(_:_:)`` so that `allFinished` costs O(1) (it is asked at every job's end).
        private(set) var finishedCount = 0
        /// The step of the last checkpoint written (or resumed from) per job: a sweep skips a job
        /// that has not moved since.
        var checkpointedStep: [String: Int] = [:]
        /// Jobs waiting for a place in the admission window, in configuration order, from
        /// `waitingHead` on (a name whose job was removed or submitted since is skipped).
        var waiting: [String] = []
        var waitingHead = 0
        /// The jobs that hold a place in the admission window (``Managed/occupiesWindow``).
        private(set) var admitted = 0

        var allFinished: Bool { finishedCount == order.count }

        /// The next waiting job, given a place in the window; nil when the window is full or
        /// none waits.
        mutating func nextAdmission(window: Int) -> JobConfiguration? {
            while admitted < window, waitingHead < waiting.count {
                let name = waiting[waitingHead]
                waitingHead += 1
                if waitingHead == waiting.count {
                    waiting = []
                    waitingHead = 0
                }
                guard var managed = jobs[name], managed.handle == nil, managed.finished == nil, !managed.windowed else { continue }
                managed.windowed = true
                put(managed)
                return managed.config
            }
            return nil
        }

        /// Adds or replaces a job (keeping its place in `order`).
        mutating func put(_ managed: Managed) {
            let name = managed.config.name
            if let old = jobs[name] {
                if old.finished != nil { finishedCount -= 1 }
                if old.occupiesWindow { admitted -= 1 }
            } else {
                order.append(name)
            }
            if managed.finished != nil { finishedCount += 1 }
            if managed.occupiesWindow { admitted += 1 }
            var managed = managed
            if let record = managed.finished {
                managed.finished = Self.kept(record)
                managed.config = Self.kept(managed.config)
            }
            jobs[name] = managed
        }

        /// What the daemon keeps of a finished job's record, for its rows (``rows()``): its file
        /// has the rest (output, configuration, study, options, hash).
        static func kept(_ record: JobRecord) -> JobRecord {
            var kept = record
            kept.output = nil
            kept.settings = nil
            kept.study = nil
            kept.optimizerOptions = [:]
            kept.configHash = ""
            return kept
        }

        /// What the daemon keeps of a finished job's configuration: its name, hash, stopping
        /// rules and study, for its rows, reloads and rungs; not its tensors, options or model.
        static func kept(_ config: JobConfiguration) -> JobConfiguration {
            var kept = config
            kept.initial = .literal(Tensor(shape: [0], scalars: []))
            kept.target = kept.initial
            kept.inputs = [:]
            kept.optimizer.options = [:]
            kept.scheduler?.options = [:]
            kept.model = nil
            return kept
        }

        /// Forgets a job.
        mutating func remove(_ name: String) {
            guard let old = jobs.removeValue(forKey: name) else { return }
            if old.finished != nil { finishedCount -= 1 }
            if old.occupiesWindow { admitted -= 1 }
            order.removeAll { $0 == name }
            checkpointedStep[name] = nil
        }

        /// Records the result of a job that ended; its handle is dropped.
        mutating func finish(_ name: String, _ record: JobRecord) {
            guard jobs[name] != nil else { return }
            if jobs[name]?.finished == nil { finishedCount += 1 }
            if jobs[name]?.occupiesWindow == true { admitted -= 1 }
            guard var managed = jobs[name] else { return }
            managed.finished = Self.kept(record)
            managed.config = Self.kept(managed.config)
            managed.handle = nil
            managed.history = nil
            jobs[name] = managed
            checkpointedStep[name] = nil
        }
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
    /// The studies with early stopping: their rungs and decisions.
    let rungs: StudyRungs
    /// Jobs a previous process died in a plugin call of, by job name (see ``noteCrashes(_:)``).
    let pluginCrashes = Locked<[String: PluginCallBoard.Record]>([:])
    /// The result writing of each submission that ended, by engine id.
    private let finalizing = Locked<[String: Task<Void, Never>]>([:])
    /// Checkpoint requests of ``checkpointRunning()`` that a worker has not answered yet, by job.
    private let requests = Locked<[String: Task<Void, Never>]>([:])
    /// Set when ``stopAll(giveUpAfter:sleep:batch:onBatch:)`` begins: no waiting job is submitted after.
    let stopping = Locked(false)
    /// How long a worker may stay inside one slice of steps before its job is shown as stuck.
    let stuckAfter: Duration
    private let finishedCondition: AsyncCondition
    /// Seconds on the supervisor's clock since it was made.
    private let clockSeconds: @Sendable () -> Double

    public init(engine: TrainingEngine, store: StateStore, registries: TrainingRegistries, logger: Logger,
                clock: any Clock<Duration> = ContinuousClock(), stuckAfter: Duration = .seconds(5)) {
        self.engine = engine
        self.stuckAfter = stuckAfter
        self.store = store
        self.currentRegistries = Locked(registries)
        self.logger = logger
        let clockSeconds = Self.seconds(since: clock)
        self.clockSeconds = clockSeconds
        self.log = JobEventLog(logger: logger, budget: JournalBudget(now: clockSeconds))
        self.writer = ResultWriter(store: store)
        self.policy = ResumePolicy(store: store, logger: logger)
        self.reporter = ProgressReporter(log: log)
        self.rungs = StudyRungs(store: store)
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
        if event.status.isFinal, event.status != .cancelled { startFinalizing(managed.config.name, handle) }
        if event.status == .paused { arriveAtRung(managed.config, handle) }
    }

    /// Starts writing the result of a job that ended, once per submission.
    private func startFinalizing(_ name: String, _ handle: JobHandle) {
        finalizing.withLock { tasks in
            guard tasks[handle.id] == nil else { return }
            tasks[handle.id] = Task { await self.finalize(name, handle) }
        }
    }

    /// Finalizes the jobs that ended without their end event reaching ``handle(_:)``: the engine's
    /// event stream is bounded (`EngineConfiguration.eventBufferLimit`) and drops its oldest
    /// events when thousands of jobs start and end faster than they are consumed. Called every
    /// report interval; O(jobs).
    public func finalizeMissed() {
        let ended = state.withLock { s in
            s.order.compactMap { name -> (String, JobHandle)? in
                guard let managed = s.jobs[name], managed.finished == nil, let handle = managed.handle else { return nil }
                return (name, handle)
            }
        }.filter { _, handle in
            let status = handle.status
            return status.isFinal && status != .cancelled
        }
        for (name, handle) in ended { startFinalizing(name, handle) }
        // Study members paused at a rung whose pause event was dropped with the others.
        for managed in unfinished() { if let handle = managed.handle { arriveAtRung(managed.config, handle) } }
    }

    /// Writes the history, chart and result of a job that ended (on the writer thread), then
    /// drops its checkpoint; when a write fails the job is kept as unsaved (see ``commit(_:)``).
    func finalize(_ name: String, _ handle: JobHandle) async {
        defer { _ = finalizing.withLock { $0.removeValue(forKey: handle.id) } }
        let result = await handle.result()
        guard let managed = state.withLock({ $0.jobs[name] }), managed.handle === handle else { return }
        var record = managed.resultRecord(result.status, result.progress, elapsed: elapsed(managed))
        record.finishedAt = Timestamp.now()
        record.output = result.parameters ?? Tensor(repeating: .nan, shape: managed.config.initial.shape)
        let rows = ResultWriter.rows(Array(result.history), final: result.progress)
        // A streamed history gets its last rows now: the result waiting for the writer holds none.
        managed.history?.finish(rows)
        var job = PendingResult(record: record, history: managed.history == nil ? rows : nil,
                                configuredLearningRate: PendingResult.configuredLearningRate(managed.config.optimizer),
                                metricNames: managed.config.metrics.map(\.name))
        job.stream = managed.history
        if managed.model != nil { job.addModel(epochs: result.epochs, parameters: result.namedParameters) }
        if !managed.config.metrics.isEmpty {
            job.record.metrics = JobMetrics.now(managed.config, handle)
        }
        record = job.record
        await commit(job)
        // The record replaces the handle: the engine lets go of a job that ended, so dropping the
        // handle frees its tensors, optimizer state and history.
        state.withLock { s in s.finish(name, record) }
        admitWaiting()
        // A checkpoint write already under way when the job ended can land after `commit`
        // removed the file and before `finish` above: `storeCheckpoint` saw no record then, so the
        // superseded checkpoint is dropped here (a write landing later sees the record itself).
        // (Nothing is synced when the file is already gone.)
        if pending.problem(name) == nil { store.removeCheckpoint(name) }
        applyRungs(rungs.leave(managed.config))
        finishedCondition.signal()
        log.finished(record)
        if allFinished { log.flush(force: true) }
    }

    // MARK: - Checkpoints and stop

    /// Checkpoints every unfinished job that is running (they keep running), without ever waiting
    /// for one: a job between slices is checkpointed at once; a job whose worker is inside a slice
    /// gets one request, answered at the worker's next batch boundary and written then. A job whose
    /// request is still unanswered is skipped (a worker stuck in a plugin call never answers), so
    /// one hung job cannot hold up the others' checkpoints, nor the report loop.
    /// `continuing` is asked before each job: the sweep ends early once it says no (a stop).
    public func checkpointRunning(while continuing: () -> Bool = { true }) {
        for managed in unfinished() {
            guard continuing() else { return }
            guard let handle = managed.handle, !handle.status.isFinal, hasMoved(managed, handle) else { continue }
            let name = managed.config.name
            let asked: Bool = requests.withLock { $0[name] != nil }
            guard !asked else { continue }
            let idle: JobCheckpoint?
            do throws(EngineError) { idle = try handle.checkpointIfIdle() } catch { continue }
            if let idle { storeCheckpoint(managed, handle, idle) } else { request(managed, handle) }
        }
    }

    /// Whether `handle` has gone past its last checkpoint (or, never checkpointed, past step 0): a
    /// queued job, or one that has not run since, needs no new checkpoint (at 100,000 queued jobs
    /// a sweep would otherwise rewrite 100,000 files every interval).
    private func hasMoved(_ managed: Managed, _ handle: JobHandle) -> Bool {
        let last = state.withLock { $0.checkpointedStep[managed.config.name] } ?? 0
        return handle.progress.step > last
    }

    /// Asks a running job's worker for a checkpoint and writes it when it comes (one request per job).
    private func request(_ managed: Managed, _ handle: JobHandle) {
        let name = managed.config.name
        requests.withLock { requests in
            requests[name] = Task {
                if let checkpoint = try? await handle.checkpoint() { self.storeCheckpoint(managed, handle, checkpoint) }
                _ = self.requests.withLock { $0.removeValue(forKey: name) }
            }
        }
    }

    func saveCheckpoint(_ managed: Managed, _ handle: JobHandle) async {
        guard let checkpoint = try? await handle.checkpoint() else { return }
        storeCheckpoint(managed, handle, checkpoint)
    }

    func storeCheckpoint(_ managed: Managed, _ handle: JobHandle, _ checkpoint: JobCheckpoint) {
        let name = managed.config.name
        // A job that ended while we waited is finalised by its event instead.
        guard !checkpoint.status.isFinal else { return }
        let stored = StateStore.StoredCheckpoint(configHash: managed.config.hash.description, startedAt: managed.startedAt,
                                                 elapsedSeconds: elapsed(managed), checkpoint: checkpoint)
        do throws(AtomicFile.WriteError) {
            // The rows the checkpoint counts as written are durable before it is.
            try managed.history?.sync()
            try store.writeCheckpoint(name, stored)
        } catch {
            checkpointFailed(name, error)
            return
        }
        state.withLock { $0.checkpointedStep[name] = checkpoint.step }
        // The job may have ended while the checkpoint was written: its result, once written,
        // supersedes it (a result that could not be written needs it to resume).
        if handle.status.isFinal, handle.status != .cancelled {
            if state.withLock({ $0.jobs[name]?.finished != nil }), pending.problem(name) == nil { store.removeCheckpoint(name) }
            return
        }
        guard managed.history == nil else { return checkpointSaved(name) }
        do throws(AtomicFile.WriteError) {
            try store.writeHistory(name, ResultWriter.rows(checkpoint.history, final: handle.progress),
                                   epochs: managed.model.map { _ in checkpoint.model?.epochs ?? [] },
                                   configuredLearningRate: PendingResult.configuredLearningRate(managed.config.optimizer),
                                   metrics: managed.config.metrics.map(\.name))
            checkpointSaved(name)
        } catch {
            checkpointFailed(name, error)
        }
    }

    /// How many checkpoints the stop writes between two requests for more time (`onBatch`):
    /// about a second of writing. The first batch needs none (the stop timeout covers it).
    public static let stopBatch = 1000

    /// Pauses every unfinished job at its next step boundary and checkpoints it; waits for
    /// results of jobs that were ending at that moment.
    ///
    /// A job whose worker does not reach a step boundary within `giveUpAfter` (measured with
    /// `sleep`) is abandoned: it keeps its last checkpoint on disk and resumes from it at the next
    /// start. `onBatch` runs before each batch of `batch` checkpoints after the first is written
    /// (the daemon asks the service manager for more time there, and only there). Returns the
    /// abandoned jobs.
    @discardableResult
    public func stopAll(giveUpAfter: Duration = .seconds(5), sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                        batch: Int = stopBatch, onBatch: () -> Void = {}) async -> [String] {
        rungs.stop()
        stopping.withLock { $0 = true }
        let jobs = unfinished().filter { $0.handle != nil }
        for managed in jobs { managed.handle?.pause() }
        let unsettled = jobs.compactMap(\.handle).filter { !$0.isSettled }
        if !unsettled.isEmpty { await Self.waitUntilSettled(unsettled, atMost: giveUpAfter, sleep: sleep) }
        var abandoned: [String] = []
        var written = 0
        for managed in jobs {
            guard let handle = managed.handle else { continue }
            guard handle.isSettled else {
                abandoned.append(managed.config.name)
                continue
            }
            // A request of the report loop, answered at the pause's boundary, is written first.
            if let pending = requests.withLock({ $0[managed.config.name] }) { await pending.value }
            guard handle.status == .paused, hasMoved(managed, handle),
                  let checkpoint = try? handle.checkpointIfIdle() else { continue }
            if written > 0, written % Swift.max(1, batch) == 0 { onBatch() }
            written += 1
            storeCheckpoint(managed, handle, checkpoint)
        }
        for name in abandoned {
            logger.warning("job \(name) is stuck inside a step (its worker did not return within \(giveUpAfter)); abandoned: it resumes from its last checkpoint at the next start",
                           metadata: ["LOSSD_JOB": "\(name)"])
        }
        let pending = finalizing.withLock { Array($0.values) }
        for task in pending { await task.value }
        return abandoned
    }

    /// Returns once every job of `handles` is paused or over, or after `bound`, whichever is first.
    private static func waitUntilSettled(_ handles: [JobHandle], atMost bound: Duration,
                                         sleep: @escaping @Sendable (Duration) async throws -> Void) async {
        let expired = Locked(false)
        let done = AsyncCondition { expired.withLock { $0 } || handles.allSatisfy(\.isSettled) }
        // One waiter per job; a stuck job's waiter is left waiting (the process ends without it).
        for handle in handles {
            Task {
                _ = await handle.settled()
                done.signal()
            }
        }
        let timer = Task {
            try? await sleep(bound)
            expired.withLock { $0 = true }
            done.signal()
        }
        await done.wait()
        timer.cancel()
    }

    /// Jobs whose worker has been inside one slice for at least `stuckAfter`, with for how long.
    public func stuckJobs() -> [(name: String, duration: Duration)] {
        let stuck = engine.workerSnapshot().stuckJobs(window: stuckAfter)
        guard !stuck.isEmpty else { return [] }
        return state.withLock { s in stuck.compactMap { id, duration in s.ids.job(of: id).map { ($0, duration) } } }
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
            record.metrics = JobMetrics.latest(managed.config, managed.handle)
            return record
        }
    }

    /// Counts and the best loss, for `STATUS=` and the terminal.
    public func summary() -> Summary {
        summary(of: rows())
    }

    /// ``summary()`` of rows already taken (``rows()``).
    public func summary(of rows: [JobRecord]) -> Summary {
        var summary = Summary(rows)
        summary.stuck = stuckJobs().map { "\($0.name) \(Int($0.duration.components.seconds))s" }
        return summary
    }

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
        return reporter.report(running.map { managed in
            var record = managed.record(.running, managed.handle?.progress, elapsed: 0)
            record.metrics = JobMetrics.latest(managed.config, managed.handle)
            return record
        }, budget: budget)
    }
}
