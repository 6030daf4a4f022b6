// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
public import LossKit
public import LossdConfig
public import LossdEngine
import LossdSystemd
import LossdSync

/// Runs the configured jobs on the engine and keeps the state directory in step with them.
///
/// - Start: a job whose result exists for the same effective config (hash) is not run again; a
///   job with a checkpoint for the same config resumes from it; any other starts afresh.
/// - End of a job: `results/<job>.json` and `history/<job>.csv` are written, its checkpoint removed.
/// - Reload: new and changed jobs start, removed ones stop with a checkpoint, unchanged ones run on.
/// - Stop: every unfinished job pauses at a step boundary and is checkpointed.
public final class Supervisor: Sendable {
    /// One configured job and what the supervisor knows of it.
    struct Managed: Sendable {
        var config: JobConfiguration
        var handle: JobHandle?
        var finished: JobRecord?
        /// Wall-clock start of the job's first run (kept across restarts).
        var startedAt: Double
        /// Training seconds before this process's run of the job.
        var elapsedBefore: Double
        /// When this process started (or resumed) the job.
        var runStart: Double
        var resumed: Bool
        var resumedAtStep: Int
        var announced = false
    }

    struct State: Sendable {
        var jobs: [String: Managed] = [:]
        var order: [String] = []
        /// Engine job ids are unique per submission (`name`, then `name~2`, ...): a job restarted
        /// by a reload gets a fresh id, so late events of its previous run are told apart.
        var byEngineID: [String: String] = [:]
        var submissions: [String: Int] = [:]
        /// Events of a submission that arrived before its handle was stored (a quick job can end
        /// between `submit` and `insert`); replayed right after the insert.
        var early: [String: [JobEvent]] = [:]
        var stopping = false
        /// Round-robin position for per-job progress entries.
        var reportCursor = 0
    }

    public let engine: TrainingEngine
    public let store: StateStore
    /// What jobs are built from; a reload with plugins replaces the losses.
    private let currentRegistries: Locked<TrainingRegistries>
    var registries: TrainingRegistries { currentRegistries.withLock { $0 } }
    let log: JobEventLog
    let logger: Logger
    private let state = Locked(State())
    private let finalizing = Locked<[String: Task<Void, Never>]>([:])

    public init(engine: TrainingEngine, store: StateStore, registries: TrainingRegistries, logger: Logger) {
        self.engine = engine
        self.store = store
        self.currentRegistries = Locked(registries)
        self.logger = logger
        self.log = JobEventLog(logger: logger)
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    // MARK: - Starting jobs

    /// Schedules every enabled job of `configuration` (see the type's documentation).
    public func start(_ configuration: LossdConfiguration) {
        for job in configuration.jobs where job.enabled { schedule(job) }
    }

    private func schedule(_ job: JobConfiguration) {
        let hash = job.hash.description
        var managed = Managed(config: job, startedAt: Self.now(), elapsedBefore: 0, runStart: Self.now(), resumed: false, resumedAtStep: 0)
        if let unavailable = job.unavailable {
            failUnavailable(managed, unavailable)
            return
        }
        switch store.readResult(job.name) {
        case .found(let record) where record.configHash == hash:
            managed.finished = record
            store.removeCheckpoint(job.name)
            logger.info("job \(job.name) already finished (\(record.status)); not run again", metadata: ["LOSSD_JOB": "\(job.name)"])
            insert(managed)
            return
        case .corrupt(let renamed, let reason):
            setAsideReport(job.name, renamed, reason)
        default:
            break
        }
        var checkpoint: JobCheckpoint?
        switch store.readCheckpoint(job.name) {
        case .found(let stored) where stored.configHash == hash:
            checkpoint = stored.checkpoint
            managed.startedAt = stored.startedAt
            managed.elapsedBefore = stored.elapsedSeconds
            managed.resumed = true
            managed.resumedAtStep = stored.checkpoint.step
        case .found:
            logger.info("job \(job.name): its config changed since the checkpoint; starting afresh", metadata: ["LOSSD_JOB": "\(job.name)"])
            store.removeCheckpoint(job.name)
        case .corrupt(let renamed, let reason):
            setAsideReport(job.name, renamed, reason)
        case .missing:
            break
        }
        let registries = self.registries
        let spec = job.spec(losses: registries.losses)
        var handle = engine.submit(spec, id: nextEngineID(job.name), resumingFrom: checkpoint, registries: registries)
        if checkpoint != nil, case .failed(let reason) = handle.status {
            // A checkpoint the engine refuses (another version, a mismatch) is set aside too.
            let renamed = AtomicFile.setAside(store.checkpointPath(job.name)) ?? store.checkpointPath(job.name)
            setAsideReport(job.name, renamed, reason)
            managed.resumed = false
            managed.elapsedBefore = 0
            managed.startedAt = Self.now()
            handle = engine.submit(spec, id: nextEngineID(job.name), registries: registries)
        }
        managed.handle = handle
        insert(managed)
        for event in state.withLock({ $0.early.removeValue(forKey: handle.id) }) ?? [] { self.handle(event) }
    }

    /// A job whose loss is unknown because its plugin failed to load: it ends `failed` at once,
    /// with the located error, and is never submitted.
    private func failUnavailable(_ managed: Managed, _ error: ConfigError) {
        var managed = managed
        let job = managed.config
        let progress = JobProgress(step: 0, loss: .nan, gradientNorm: .nan, learningRate: .nan, bestLoss: .nan)
        let now = Self.now()
        let record = JobRecord(
            name: job.name, status: "failed", statusDetail: error.description, steps: 0, loss: .nan, bestLoss: .nan,
            gradientNorm: .nan, learningRate: .nan, output: Tensor(repeating: .nan, shape: job.initial.shape),
            lossFunction: job.loss.name, lossOptions: job.loss.options, optimizer: job.optimizer.name,
            optimizerOptions: job.optimizer.options, scheduler: job.scheduler?.name, startedAt: now, finishedAt: now,
            elapsedSeconds: 0, resumed: false, configHash: job.hash.description)
        store.removeCheckpoint(job.name)
        do throws(AtomicFile.WriteError) { try store.writeResult(record) } catch {
            logger.error("cannot write the result of job \(job.name): \(error)", metadata: ["LOSSD_JOB": "\(job.name)"])
        }
        managed.finished = record
        insert(managed)
        log.finished(snapshot(job, progress, status: "failed"), detail: error.description)
    }

    private func nextEngineID(_ name: String) -> String {
        state.withLock { s in
            let count = (s.submissions[name] ?? 0) + 1
            s.submissions[name] = count
            let id = count == 1 ? name : "\(name)~\(count)"
            s.byEngineID[id] = name
            return id
        }
    }

    private func insert(_ managed: Managed) {
        state.withLock { s in
            if s.jobs[managed.config.name] == nil { s.order.append(managed.config.name) }
            s.jobs[managed.config.name] = managed
        }
    }

    private func setAsideReport(_ job: String, _ renamed: String, _ reason: String) {
        logger.warning("state file of job \(job) is unreadable (\(reason)); set aside as \(renamed), the job starts afresh",
                       metadata: ["MESSAGE_ID": "\(MessageID.stateSetAside.hex)", "LOSSD_JOB": "\(job)"])
    }

    // MARK: - Events

    /// Consumes the engine's status events until the stream ends: announces starts and writes
    /// each finished job's result and history.
    public func consumeEvents() async {
        for await event in engine.events {
            handle(event)
        }
    }

    func handle(_ event: JobEvent) {
        let found = state.withLock { s -> (String, Managed)? in
            guard let name = s.byEngineID[event.job] else { return nil }
            guard let managed = s.jobs[name], managed.handle?.id == event.job else {
                // Only the newest submission of a job is waiting for its insert; older ones are retired.
                let count = s.submissions[name] ?? 0
                if event.job == (count == 1 ? name : "\(name)~\(count)") { s.early[event.job, default: []].append(event) }
                return nil
            }
            return (name, managed)
        }
        guard let (name, managed) = found, let handle = managed.handle else { return }
        if event.status == .running, !managed.announced {
            state.withLock { $0.jobs[name]?.announced = true }
            log.started(snapshot(managed.config, event.progress, status: "running"), resumed: managed.resumed)
        }
        switch event.status {
        case .converged, .maxSteps, .diverged, .failed:
            let task = Task { await self.finalize(name, handle) }
            finalizing.withLock { $0[name] = task }
        default:
            break
        }
    }

    /// Writes the result and history of a job that ended, then drops its checkpoint.
    func finalize(_ name: String, _ handle: JobHandle) async {
        let result = await handle.result()
        guard let managed = state.withLock({ $0.jobs[name] }), managed.handle === handle else { return }
        let finishedAt = Self.now()
        let config = managed.config
        var detail: String?
        if case .failed(let reason) = result.status { detail = reason }
        if case .converged(let rule) = result.status { detail = rule.rawValue }
        let output = result.parameters ?? Tensor(repeating: .nan, shape: config.initial.shape)
        let record = JobRecord(
            name: name, status: Self.statusName(result.status), statusDetail: detail, steps: result.progress.step,
            loss: result.progress.loss,
            // The engine updates its best loss after the stopping rules, so a converging step's loss can be lower.
            bestLoss: result.progress.loss.isFinite ? min(result.progress.bestLoss, result.progress.loss) : result.progress.bestLoss, gradientNorm: result.progress.gradientNorm,
            learningRate: result.progress.learningRate, output: output, lossFunction: config.loss.name,
            lossOptions: config.loss.options, optimizer: config.optimizer.name, optimizerOptions: config.optimizer.options,
            scheduler: config.scheduler?.name, startedAt: managed.startedAt, finishedAt: finishedAt,
            elapsedSeconds: managed.elapsedBefore + (finishedAt - managed.runStart), resumed: managed.resumed,
            configHash: config.hash.description)
        writeHistory(name, Array(result.history), final: result.progress)
        writeChart(record)
        do throws(AtomicFile.WriteError) {
            try store.writeResult(record)
            store.removeCheckpoint(name)
        } catch {
            logger.error("cannot write the result of job \(name): \(error)", metadata: ["LOSSD_JOB": "\(name)"])
        }
        // The record replaces the handle: the engine lets go of a job that ended, so dropping the
        // handle frees its tensors, optimizer state and history.
        state.withLock { s in
            s.jobs[name]?.finished = record
            s.jobs[name]?.handle = nil
        }
        log.finished(snapshot(config, result.progress, status: record.status), detail: detail)
    }

    /// `history/<job>.csv` from the engine's recorded points plus the latest progress.
    func writeHistory(_ name: String, _ history: [HistoryRow], final: JobProgress) {
        var rows = history
        if final.step > 0, rows.last?.step != final.step {
            rows.append(HistoryRow(step: final.step, loss: final.loss, gradientNorm: final.gradientNorm, learningRate: final.learningRate))
        }
        do throws(AtomicFile.WriteError) { try store.writeHistory(name, rows) } catch {
            logger.error("cannot write the history of job \(name): \(error)", metadata: ["LOSSD_JOB": "\(name)"])
        }
    }

    static func statusName(_ status: JobStatus) -> String { status.name }

    func snapshot(_ config: JobConfiguration, _ progress: JobProgress, status: String) -> JobEventLog.Snapshot {
        JobEventLog.Snapshot(job: config.name, step: progress.step, loss: progress.loss, gradientNorm: progress.gradientNorm,
                             learningRate: progress.learningRate, lossFunction: config.loss.name,
                             optimizer: config.optimizer.name, status: status)
    }

    // MARK: - Checkpoints and stop

    /// Checkpoints every unfinished job that is running (they keep running).
    public func checkpointRunning() async {
        for (name, managed) in unfinished() {
            guard let handle = managed.handle, !handle.status.isFinal else { continue }
            await saveCheckpoint(name, managed, handle)
        }
    }

    private func saveCheckpoint(_ name: String, _ managed: Managed, _ handle: JobHandle) async {
        guard let checkpoint = try? await handle.checkpoint() else { return }
        // A job that ended while we waited is finalised by its event instead.
        guard !JobStatus.isFinalName(checkpoint.status) else { return }
        let stored = StateStore.StoredCheckpoint(
            configHash: managed.config.hash.description, startedAt: managed.startedAt,
            elapsedSeconds: managed.elapsedBefore + (Self.now() - managed.runStart), checkpoint: checkpoint)
        do throws(AtomicFile.WriteError) {
            try store.writeCheckpoint(name, stored)
        } catch {
            logger.error("cannot checkpoint job \(name): \(error)", metadata: ["LOSSD_JOB": "\(name)"])
        }
        // The job may have ended while the checkpoint was written: its result supersedes it.
        if handle.status.isFinal, handle.status != .cancelled {
            store.removeCheckpoint(name)
            return
        }
        writeHistory(name, checkpoint.history, final: handle.progress)
    }

    /// Pauses every unfinished job at its next step boundary and checkpoints it; waits for
    /// results of jobs that were ending at that moment.
    public func stopAll() async {
        state.withLock { $0.stopping = true }
        let jobs = unfinished()
        for (_, managed) in jobs { managed.handle?.pause() }
        for (name, managed) in jobs {
            guard let handle = managed.handle else { continue }
            let status = await handle.settled()
            if status == .paused { await saveCheckpoint(name, managed, handle) }
        }
        let pending = finalizing.withLock { Array($0.values) }
        for task in pending { await task.value }
    }

    private func unfinished() -> [(String, Managed)] {
        state.withLock { s in s.order.compactMap { name in s.jobs[name].flatMap { $0.finished == nil ? (name, $0) : nil } } }
    }

    // MARK: - Reload

    /// What a reload changed.
    public struct ReloadSummary: Sendable, CustomStringConvertible {
        public var added: [String] = []
        public var changed: [String] = []
        public var removed: [String] = []
        public var unchanged = 0
        public var description: String {
            "\(added.count) added, \(changed.count) changed, \(removed.count) removed, \(unchanged) unchanged"
        }
    }

    /// Applies a new, already validated configuration (see the type's documentation). `losses`,
    /// when given, is the registry the configuration was checked against (with its plugins):
    /// new and changed jobs are built from it; running jobs keep the losses they have.
    public func reload(_ configuration: LossdConfiguration, losses: LossRegistry? = nil) async -> ReloadSummary {
        if let losses { currentRegistries.withLock { $0.losses = losses } }
        var summary = ReloadSummary()
        let wanted = Dictionary(configuration.jobs.filter(\.enabled).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let current = state.withLock { s in s.order.compactMap { name in s.jobs[name].map { (name, $0) } } }
        for (name, managed) in current {
            if let job = wanted[name] {
                if job.hash == managed.config.hash { summary.unchanged += 1; continue }
                summary.changed.append(name)
                await retire(name, managed, keepCheckpoint: false)
                store.removeCheckpoint(name)
                AtomicFile.remove(store.resultPath(name))
                schedule(job)
            } else {
                summary.removed.append(name)
                await retire(name, managed, keepCheckpoint: true)
            }
        }
        for job in configuration.jobs where job.enabled && !current.contains(where: { $0.0 == job.name }) {
            summary.added.append(job.name)
            schedule(job)
        }
        return summary
    }

    /// Stops a job for good (checkpointing it first when asked) and forgets it.
    private func retire(_ name: String, _ managed: Managed, keepCheckpoint: Bool) async {
        if let handle = managed.handle, managed.finished == nil, !handle.status.isFinal {
            handle.pause()
            if await handle.settled() == .paused, keepCheckpoint { await saveCheckpoint(name, managed, handle) }
            handle.cancel()
        }
        state.withLock { s in
            s.jobs[name] = nil
            s.order.removeAll { $0 == name }
        }
    }

    // MARK: - Observation

    /// Counts and the best loss, for `STATUS=` and the terminal.
    public struct Summary: Sendable, Hashable {
        public var running = 0
        public var queued = 0
        public var done = 0
        public var converged = 0
        public var failed = 0
        public var bestJob: String?
        public var bestLoss = Double.infinity
        public var totalSteps = 0

        /// 950, 12.3k, 4.56M: three significant digits.
        static func count(_ value: Int) -> String {
            switch value {
            case ..<1000: String(value)
            case ..<1_000_000: String(format: "%.3gk", Double(value) / 1e3)
            case ..<1_000_000_000: String(format: "%.3gM", Double(value) / 1e6)
            default: String(format: "%.3gG", Double(value) / 1e9)
            }
        }

        /// One line for `systemctl status`.
        public var statusLine: String {
            var line = "\(running) running, \(done) done (\(converged) converged), \(failed) failed"
            if queued > 0 { line = "\(queued) queued, " + line }
            if let bestJob { line += "; best \(bestJob) loss \(JobEventLog.short(bestLoss))" }
            return line + "; \(Self.count(totalSteps)) steps"
        }
    }

    /// A consistent-enough snapshot of every job (progress is sampled without locks).
    public func summary() -> Summary {
        var summary = Summary()
        for row in rows() {
            summary.totalSteps += row.step
            switch row.status {
            case "running", "paused": summary.running += 1
            case "queued": summary.queued += 1
            case "converged", "max_steps": summary.done += 1
            default: summary.failed += 1
            }
            if row.status == "converged" { summary.converged += 1 }
            if row.loss.isFinite, row.loss < summary.bestLoss, row.status != "failed" {
                summary.bestLoss = row.loss
                summary.bestJob = row.name
            }
        }
        return summary
    }

    /// One job's line in reports.
    public struct Row: Sendable, Hashable {
        public var name: String
        public var status: String
        public var step: Int
        public var maxSteps: Int
        public var loss: Double
        public var gradientNorm: Double
        public var learningRate: Double
        public var lossFunction: String
        public var optimizer: String
        /// The best loss so far (+inf before the first step).
        public var bestLoss: Double = .infinity
        /// Training seconds so far, summed over restarts.
        public var elapsedSeconds: Double = 0
        /// Wall-clock start of the job's first run.
        public var startedAt: Double = .nan
    }

    /// Every job, in configuration order.
    public func rows() -> [Row] {
        let jobs = state.withLock { s in s.order.compactMap { s.jobs[$0] } }
        return jobs.map { managed in
            let config = managed.config
            if let record = managed.finished {
                return Row(name: config.name, status: record.status, step: record.steps, maxSteps: config.stopping.maxSteps,
                           loss: record.loss, gradientNorm: record.gradientNorm, learningRate: record.learningRate,
                           lossFunction: config.loss.name, optimizer: config.optimizer.name, bestLoss: record.bestLoss,
                           elapsedSeconds: record.elapsedSeconds, startedAt: record.startedAt)
            }
            let status = managed.handle?.status ?? .queued
            let progress = managed.handle?.progress
            var name = status.name
            if status.isFinal, name != "cancelled" { name = "running" }  // being finalised
            return Row(name: config.name, status: name, step: progress?.step ?? 0, maxSteps: config.stopping.maxSteps,
                       loss: progress?.loss ?? .nan, gradientNorm: progress?.gradientNorm ?? .nan,
                       learningRate: progress?.learningRate ?? .nan, lossFunction: config.loss.name, optimizer: config.optimizer.name,
                       bestLoss: progress?.bestLoss ?? .infinity, elapsedSeconds: managed.elapsedBefore + (Self.now() - managed.runStart),
                       startedAt: managed.startedAt)
        }
    }

    /// Whether every job has ended and its result is written.
    public var allFinished: Bool {
        state.withLock { s in s.order.allSatisfy { s.jobs[$0]?.finished != nil } }
    }

    /// Whether any job ended diverged or failed.
    public var anyFailed: Bool {
        state.withLock { s in s.jobs.values.contains { ["diverged", "failed"].contains($0.finished?.status ?? "") } }
    }

    /// Logs one progress entry for up to `budget` running jobs, rotating through them so that
    /// every job is reported in turn; returns how many jobs were running.
    public func reportProgress(budget: Int) -> Int {
        let running = state.withLock { s in
            s.order.compactMap { name -> Managed? in
                guard let managed = s.jobs[name], managed.finished == nil, managed.handle?.status == .running else { return nil }
                return managed
            }
        }
        guard !running.isEmpty else { return 0 }
        let start = state.withLock { s in
            let cursor = s.reportCursor % running.count
            s.reportCursor = cursor + min(budget, running.count)
            return cursor
        }
        for offset in 0..<min(budget, running.count) {
            let managed = running[(start + offset) % running.count]
            guard let handle = managed.handle else { continue }
            log.progress(snapshot(managed.config, handle.progress, status: "running"))
        }
        return running.count
    }
}

extension JobStatus {
    /// Whether a status name (as stored in a checkpoint) is a final one.
    static func isFinalName(_ name: String) -> Bool {
        ["converged", "max_steps", "diverged", "failed", "cancelled"].contains(name)
    }
}
