// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdConfig
import LossdData
import LossdEngine
import Logging
import LossdState
public import LossdSync

/// Starting, restarting and retiring jobs.
extension Supervisor {
    /// How many jobs are submitted to the engine at once (their results not yet written); the
    /// others wait, in configuration order, holding only their configuration. A study with
    /// early stopping is submitted whole (its members wait for each other at rungs).
    public static let admissionWindow = 1024

    /// Schedules every enabled job of `configuration` (see the type's documentation).
    public func start(_ configuration: LossdConfiguration) {
        rungs.register(configuration.jobs.filter(\.enabled))
        for job in configuration.jobs where job.enabled { enqueue(job) }
        admitWaiting()
    }

    /// Adds `job` to the jobs waiting for the admission window (a study member with early
    /// stopping is scheduled at once).
    func enqueue(_ job: JobConfiguration) {
        guard job.sweep?.earlyStopping == nil else { return schedule(job) }
        state.withLock { s in
            s.put(Managed(config: job, startedAt: Timestamp.now(), runStart: now()))
            s.waiting.append(job.name)
        }
        jobsChanged()
    }

    /// Schedules waiting jobs while the admission window has room: at the start, and whenever a
    /// windowed job's result is written or a job is removed; never once the stop began.
    func admitWaiting() {
        while !stopping.withLock({ $0 }), let job = state.withLock({ $0.nextAdmission(window: Self.admissionWindow) }) { schedule(job) }
    }

    /// Remembers the plugin calls a previous process died in (``PluginCallBoard/open(path:)``):
    /// each such job, when scheduled, ends `failed` with code `pluginCrashed` instead of running.
    public func noteCrashes(_ records: [PluginCallBoard.Record]) {
        pluginCrashes.withLock { crashes in
            for record in records { crashes[EngineIDs.jobName(ofID: record.job)] = record }
        }
    }

    /// Submits `job` to the engine, resuming it or not as the ``ResumePolicy`` decides.
    func schedule(_ job: JobConfiguration) {
        var managed = Managed(config: job, startedAt: Timestamp.now(), runStart: now())
        managed.windowed = state.withLock { $0.jobs[job.name]?.windowed ?? false }
        if let unavailable = job.unavailable {
            failUnavailable(managed, unavailable)
            return
        }
        if let crash = pluginCrashes.withLock({ $0.removeValue(forKey: job.name) }) {
            failCrashed(managed, crash)
            return
        }
        var checkpoint: JobCheckpoint?
        switch policy.decide(job) {
        case .finished(let record):
            managed.finished = record
            insert(managed)
            applyRungs(rungs.leave(job))
            return
        case .resume(let stored):
            checkpoint = stored.checkpoint
            managed.startedAt = stored.startedAt
            managed.elapsedBefore = stored.elapsedSeconds
            managed.resumed = true
        case .fresh:
            break
        }
        let registries = self.registries
        var spec = job.spec(losses: registries.losses)
        managed.model = spec.model.map {
            ModelSummary(layers: $0.layers, features: $0.train.featureNames, targets: $0.train.targetNames)
        }
        var refusal: String?
        if let resumed = checkpoint {
            spec.historyOutput = streamHistory(&managed, spec, keepingRows: resumed.historyRecorded - resumed.history.count)
            if spec.historyOutput == nil, managed.history != nil { refusal = "its history file lacks the rows its checkpoint counts" }
        } else {
            spec.historyOutput = streamHistory(&managed, spec, keepingRows: 0)
        }
        var handle = refusal == nil ? engine.submit(spec, id: nextEngineID(job.name), resumingFrom: checkpoint, registries: registries,
                                                    pausingAt: rungs.firstPause(job, from: checkpoint?.step ?? 0)) : nil
        if refusal == nil, case .failed(_, let reason)? = handle?.status { refusal = reason }
        if checkpoint != nil, let reason = refusal {
            policy.refused(job.name, reason: reason)
            managed.resumed = false
            managed.elapsedBefore = 0
            managed.startedAt = Timestamp.now()
            spec.historyOutput = streamHistory(&managed, spec, keepingRows: 0)
            handle = engine.submit(spec, id: nextEngineID(job.name), registries: registries, pausingAt: rungs.firstPause(job, from: 0))
        }
        managed.handle = handle
        insert(managed)
        guard let handle else { return }
        if managed.resumed, let step = checkpoint?.step { state.withLock { $0.checkpointedStep[job.name] = step } }
        for event in state.withLock({ $0.early.removeValue(forKey: handle.id) }) ?? [] { self.handle(event) }
    }

    /// Sets up the streamed history of a free-tensor job with history (see ``HistoryStream``) and
    /// returns it; `keepingRows`: the rows a resumed job's checkpoint counts as written. Returns
    /// nil (keeping the stream in `managed`) when the file lacks them, and for a model job.
    private func streamHistory(_ managed: inout Managed, _ spec: JobSpec, keepingRows rows: Int) -> HistoryStream? {
        managed.history = nil
        guard spec.model == nil, spec.historyInterval > 0 else { return nil }
        let stream = HistoryStream(path: store.historyPath(managed.config.name),
                                   configuredLearningRate: PendingResult.configuredLearningRate(managed.config.optimizer),
                                   metrics: managed.config.metrics.map(\.name))
        managed.history = stream
        return stream.resume(keepingRows: rows) ? stream : nil
    }

    /// A job whose loss is unknown because its plugin failed to load: it ends `failed` at once,
    /// with the located error, and is never submitted.
    private func failUnavailable(_ managed: Managed, _ error: ConfigError) {
        log.finished(failWithoutRunning(managed, .failed(code: .invalidLoss, reason: error.description)))
    }

    /// A job the previous process died in a plugin call of: it ends `failed` (`pluginCrashed`)
    /// with its result written, so that it is not run again and cannot crash the next start too.
    private func failCrashed(_ managed: Managed, _ crash: PluginCallBoard.Record) {
        let reason = "crashed in plugin \(crash.plugin) (loss \(crash.loss)) at step \(crash.step)"
        let record = failWithoutRunning(managed, .failed(code: .pluginCrashed, reason: reason), steps: max(0, crash.step - 1))
        log.crashed(record, plugin: crash.plugin)
    }

    /// Ends a job that is not submitted with `status`: its result (NaN output, `steps` taken
    /// before) is written and it joins the finished jobs; returns its record.
    private func failWithoutRunning(_ managed: Managed, _ status: JobStatus, steps: Int = 0) -> JobRecord {
        var managed = managed
        var record = managed.resultRecord(status, nil, elapsed: 0)
        record.steps = steps
        record.bestLoss = .nan
        record.finishedAt = record.startedAt
        record.output = Tensor(repeating: .nan, shape: managed.config.initial.shape)
        if let failure = writer.commit(PendingResult(record: record, history: nil)) { keepUnsaved(PendingResult(record: record, history: nil), failure) }
        managed.finished = record
        insert(managed)
        applyRungs(rungs.leave(managed.config))
        return record
    }

    private func nextEngineID(_ name: String) -> String {
        state.withLock { $0.ids.next(name) }
    }

    private func insert(_ managed: Managed) {
        state.withLock { s in s.put(managed) }
        jobsChanged()
    }

    // MARK: - Reload

    /// Applies a new, already validated configuration (see ``ReloadPlan``). `losses`, when
    /// given, is the registry the configuration was checked against (with its plugins): new and
    /// changed jobs are built from it; running jobs keep the losses they have.
    public func reload(_ configuration: LossdConfiguration, losses: LossRegistry? = nil) async -> ReloadSummary {
        if let losses { currentRegistries.withLock { $0.losses = losses } }
        let current = state.withLock { s in s.order.compactMap { s.jobs[$0] } }
        let plan = ReloadPlan(current: current.map(\.config), configuration: configuration)
        let changed = Dictionary(plan.changed.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let removed = Set(plan.removed)
        for managed in current {
            let name = managed.config.name
            if let job = changed[name] {
                // The earlier run's files (its result, or the checkpoint of an unfinished run) go
                // to results/archive/<job>/ under its hash: the new run starts afresh, nothing is lost.
                await retire(managed, keepCheckpoint: true)
                do throws(AtomicFile.WriteError) {
                    try store.archiveRun(name, hash: managed.config.hash.description, checkpoint: true)
                } catch {
                    logger.warning("job \(name): cannot archive its earlier run (\(error)); its files are set aside as .corrupt",
                                   metadata: ["LOSSD_JOB": "\(name)"])
                    let arrays = store.arraysPath(name).map { [$0] } ?? []
                    for path in [store.resultPath(name), store.outputPath(name), store.historyPath(name), store.chartPath(name), store.modelPath(name),
                                 store.checkpointPath(name)] + arrays { AtomicFile.setAside(path) }
                }
                enqueue(job)
            } else if removed.contains(name) {
                await retire(managed, keepCheckpoint: true)
                // It no longer holds up its study's rung.
                applyRungs(rungs.leave(managed.config))
            }
        }
        rungs.register(plan.added)
        for job in plan.added { enqueue(job) }
        admitWaiting()
        return plan.summary
    }

    /// Stops a job for good (checkpointing it first when asked) and forgets it.
    private func retire(_ managed: Managed, keepCheckpoint: Bool) async {
        if let handle = managed.handle, managed.finished == nil, !handle.status.isFinal {
            handle.pause()
            if await handle.settled() == .paused, keepCheckpoint { await saveCheckpoint(managed, handle) }
            handle.cancel()
        }
        let name = managed.config.name
        state.withLock { s in s.remove(name) }
        pending.forget(name)
        jobsChanged()
    }
}
