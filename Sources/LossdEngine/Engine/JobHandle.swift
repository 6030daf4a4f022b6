// SPDX-License-Identifier: Apache-2.0

public import LossKit
import LossdSync
import Synchronization

/// A job submitted to a ``TrainingEngine``: its status, its progress, and control.
///
/// - ``progress`` samples the latest published numbers without locking (published by the
///   worker after every batch of steps, a fraction of a millisecond of work).
/// - ``pause()``, ``resume()`` and ``cancel()`` take effect at a step boundary: at once for a
///   job waiting in the queue, within one batch for a running one (well under 100 ms).
/// - ``checkpoint()`` captures the job at a step boundary without stopping it.
/// - ``result()`` waits for the final status.
public final class JobHandle: Sendable {
    /// The job's id (unique among its engine's jobs that have not ended).
    public let id: String

    private struct Control {
        var status: JobStatus
        /// A worker holds the kernel (running a slice).
        var owned = false
        /// The run queue holds an entry for this job (possibly stale, skipped when popped).
        var inQueue = false
        var pauseRequested = false
        var cancelRequested = false
        var pruneRequested = false
        /// The step the job pauses at by itself (exactly: no batch runs past it); nil: none.
        var stopStep: Int?
        /// The job is paused because it reached ``stopStep``.
        var atStopStep = false
        /// Steps per batch, adapted to the batch duration.
        var batch = 1
        var checkpointWaiters: [CheckedContinuation<JobCheckpoint, Never>] = []
        var settleWaiters: [CheckedContinuation<JobStatus, Never>] = []
        var finishWaiters: [CheckedContinuation<JobStatus, Never>] = []
    }

    private let prepared: PreparedJob?
    private let control: Locked<Control>
    private let cell = ProgressCell()
    /// A model job's finished epochs as of the latest published batch (nil for free-tensor jobs).
    private let publishedEpochs: Locked<[EpochRecord]>?
    /// The configured metrics as last measured, published after every slice (nil without metrics).
    private let publishedMetrics: Locked<[String: Double]>?
    /// Set when a request waits for the running worker; checked once per batch.
    private let attention = Atomic<Bool>(false)
    private let pool: WorkerPool
    /// The engine's list of live jobs, which this job leaves when it ends (weak: the engine owns it).
    private weak let directory: JobDirectory?
    private let events: EventSink
    private let sliceNanos: UInt64
    private let batchNanos: UInt64

    init(id: String, prepared: PreparedJob?, failure: EngineError?, pool: WorkerPool, directory: JobDirectory?, events: EventSink,
         slice: Duration, batch: Duration, pausingAt stopStep: Int? = nil) {
        self.id = id
        self.prepared = prepared
        self.pool = pool
        self.directory = directory
        self.events = events
        sliceNanos = WorkerThread.nanoseconds(slice)
        batchNanos = Swift.max(WorkerThread.nanoseconds(batch), 1)
        let status: JobStatus
        if let failure { status = .failed(code: failure.code, reason: failure.message) } else if let final = prepared?.kernel.status, final.isFinal { status = final } else { status = .queued }
        control = Locked(Control(status: status, stopStep: stopStep))
        publishedEpochs = prepared?.layout == nil ? nil : Locked(prepared?.kernel.epochs ?? [])
        publishedMetrics = prepared?.measurement.metrics == nil ? nil : Locked(prepared?.latestMetrics() ?? [:])
        if let prepared { cell.publish(prepared.kernel.progress) }
    }

    /// Queues the job (or reports its final status). Called once by the engine; a handle refused
    /// for its duplicate id is not announced (its id belongs to another job).
    func start(announce: Bool) {
        let enqueue: Bool = control.withLock { c in
            if announce { events.emit(id, c.status, cell.sample()) }
            guard c.status == .queued else { return false }
            c.inQueue = true
            return true
        }
        if enqueue { pool.enqueue(self) }
    }

    // MARK: - Observation

    /// The current status.
    public var status: JobStatus { control.withLock { $0.status } }

    /// The latest published progress (lock-free).
    public var progress: JobProgress { cell.sample() }

    /// A model job's finished epochs, oldest first, as of the latest published batch of steps
    /// (lock-protected, never waits for the worker); [] for free-tensor jobs. A reporter that
    /// polls it sees every epoch, however many ended between two polls.
    public var epochs: [EpochRecord] { publishedEpochs?.withLock { $0 } ?? [] }

    /// Waits until the job is paused or over, and returns that status.
    public func settled() async -> JobStatus {
        await withCheckedContinuation { continuation in
            control.withLock { c in
                if c.status == .paused || c.status.isFinal { continuation.resume(returning: c.status) } else { c.settleWaiters.append(continuation) }
            }
        }
    }

    /// Waits until the job is over and returns its result.
    public func result() async -> JobResult {
        let status: JobStatus = await withCheckedContinuation { continuation in
            control.withLock { c in
                if c.status.isFinal { continuation.resume(returning: c.status) } else { c.finishWaiters.append(continuation) }
            }
        }
        // Over: no worker owns the kernel any more.
        let (parameters, history, epochs, named) = control.withLock { _ in
            (prepared?.parameters, JobHistory(prepared?.kernel.control.history), prepared?.kernel.epochs ?? [], prepared?.namedParameters)
        }
        return JobResult(status: status, progress: cell.sample(), parameters: parameters, history: history,
                         epochs: epochs, namedParameters: named)
    }

    // MARK: - Control

    /// Stops the job at the next step boundary; ``resume()`` continues it.
    public func pause() {
        control.withLock { c in
            guard !c.status.isFinal, c.status != .paused else { return }
            c.pauseRequested = true
            if c.owned {
                attention.store(true, ordering: .releasing)
            } else {
                settle(&c, .paused)
            }
        }
    }

    /// The step the job paused at by itself (``resume(pausingAt:)``, ``TrainingEngine/submit``'s
    /// `pausingAt`) while it is paused there; nil otherwise.
    public var pausedAtStep: Int? {
        control.withLock { c in c.status == .paused && c.atStopStep ? c.stopStep : nil }
    }

    /// Continues a paused job (it rejoins the end of the run queue).
    public func resume() {
        resume(pausingAt: nil, keepStop: true)
    }

    /// Continues a paused job, which then pauses by itself exactly after step `step` (the
    /// kernel never runs a batch past it; a job already there pauses at once); nil: no such stop.
    public func resume(pausingAt step: Int?) {
        resume(pausingAt: step, keepStop: false)
    }

    private func resume(pausingAt step: Int?, keepStop: Bool) {
        let enqueue: Bool = control.withLock { c in
            if !keepStop {
                // Only a paused job takes a new stop step (a repeated request changes nothing).
                guard c.status == .paused else { return false }
                c.stopStep = step
            }
            c.atStopStep = false
            c.pauseRequested = false
            guard c.status == .paused else { return false }
            c.status = .running
            events.emit(id, .running, cell.sample())
            guard !c.inQueue else { return false }
            c.inQueue = true
            return true
        }
        if enqueue { pool.enqueue(self) }
    }

    /// Ends the job as `cancelled` at the next step boundary.
    public func cancel() {
        control.withLock { c in
            guard !c.status.isFinal else { return }
            c.cancelRequested = true
            if c.owned {
                attention.store(true, ordering: .releasing)
            } else {
                finish(&c, .cancelled)
            }
        }
    }

    /// Ends the job as `pruned` (its study's early stopping ranked it out): at once when no
    /// worker runs it (paused, queued), else at the next step boundary.
    public func prune() {
        control.withLock { c in
            guard !c.status.isFinal else { return }
            c.pruneRequested = true
            if c.owned {
                attention.store(true, ordering: .releasing)
            } else {
                finish(&c, .pruned)
            }
        }
    }

    /// The job's state at a step boundary; a running job keeps running.
    public func checkpoint() async throws(EngineError) -> JobCheckpoint {
        guard let prepared else {
            throw EngineError(.invalidJob, subject: id, "job '\(id)' was never built: \(status)")
        }
        return await withCheckedContinuation { continuation in
            control.withLock { c in
                if c.owned {
                    c.checkpointWaiters.append(continuation)
                    attention.store(true, ordering: .releasing)
                } else {
                    continuation.resume(returning: prepared.checkpoint())
                }
            }
        }
    }

    /// The job's state now if no worker is running it (queued, paused or between slices), else nil:
    /// never waits, so a caller can go on to the next job while a worker is stuck in this one.
    public func checkpointIfIdle() throws(EngineError) -> JobCheckpoint? {
        guard let prepared else {
            throw EngineError(.invalidJob, subject: id, "job '\(id)' was never built: \(status)")
        }
        return control.withLock { c in c.owned ? nil : prepared.checkpoint() }
    }

    /// The fitted tensor (a model job's flat parameters) and a model job's parameters by name,
    /// now, if no worker is running the job (paused, queued or over); nil otherwise. For a
    /// metric of a job paused at a step (``pausedAtStep``).
    public func parametersIfIdle() -> (parameters: Tensor, named: [(name: String, tensor: Tensor)]?)? {
        guard let prepared else { return nil }
        return control.withLock { c in c.owned ? nil : (prepared.parameters, prepared.namedParameters) }
    }

    /// The configured metrics (``JobSpec/metrics``) as the run last measured them, by name: at
    /// a free-tensor job's latest recorded history point, after a model job's latest epoch. Updated
    /// after every time slice, so it can be read while a worker runs the job (unlike
    /// ``metricValues()``); empty without metrics or before the first measurement.
    public var latestMetrics: [String: Double] { publishedMetrics?.withLock { $0 } ?? [:] }

    /// Whether the job is paused or over (what ``settled()`` waits for).
    public var isSettled: Bool { control.withLock { $0.status == .paused || $0.status.isFinal } }

    /// The loss and the configured metrics at the job's current parameters, by name (see
    /// ``TrainingJob/metricValues()``; `"loss"` is always there). Measured when no worker runs
    /// the job: while it is queued or paused, and after it ended. While a worker runs it, only
    /// `"loss"`, the last step's (``progress``); a job that could not be built gives NaN.
    public func metricValues() -> [String: Double] {
        guard let prepared else { return ["loss": .nan] }
        let measured: [String: Double]? = control.withLock { c in c.owned ? nil : prepared.metricValues() }
        return measured ?? ["loss": cell.sample().loss]
    }

    // MARK: - Worker side

    /// Runs one time slice on the calling worker, then requeues, pauses or finishes the job.
    func runSlice(pool: WorkerPool) {
        guard let prepared else { return }
        let start: (Int, Int?)? = control.withLock { c in
            c.inQueue = false
            guard c.status == .queued || c.status == .running else { return nil }  // stale entry
            c.owned = true
            if c.status == .queued {
                c.status = .running
                events.emit(id, .running, cell.sample())
            }
            return (c.batch, c.stopStep)
        }
        guard let (initialBatch, stopStep) = start else { return }
        var batch = initialBatch
        let kernel = prepared.kernel
        let sliceEnd = WorkerThread.now() &+ sliceNanos
        var status = JobStatus.running
        var reachedStop = stopStep.map { kernel.control.step >= $0 } ?? false
        while !reachedStop {
            let before = WorkerThread.now()
            // Never past the stop step: the job pauses exactly there.
            let steps = stopStep.map { Swift.min(batch, $0 - kernel.control.step) } ?? batch
            status = kernel.run(steps: steps, executor: pool)
            cell.publish(kernel.progress)
            if let publishedEpochs { publish(kernel.epochs, to: publishedEpochs) }
            if status.isFinal { break }
            if let stop = stopStep, kernel.control.step >= stop {
                reachedStop = true
                break
            }
            let after = WorkerThread.now()
            let elapsed = after &- before
            if elapsed < batchNanos / 2, batch < 1 << 24 {
                batch *= 2
            } else if elapsed > batchNanos * 2, batch > 1 {
                batch /= 2
            }
            if attention.load(ordering: .acquiring), serveRequests(prepared) { break }
            if after >= sliceEnd { break }
        }
        if let publishedMetrics {
            let latest = prepared.latestMetrics()
            publishedMetrics.withLock { $0 = latest }
        }
        let requeue: Bool = control.withLock { c in
            c.owned = false
            c.batch = batch
            attention.store(false, ordering: .relaxed)
            for waiter in c.checkpointWaiters { waiter.resume(returning: prepared.checkpoint()) }
            c.checkpointWaiters.removeAll()
            if status.isFinal {
                finish(&c, status)
            } else if c.cancelRequested {
                finish(&c, .cancelled)
            } else if c.pruneRequested {
                finish(&c, .pruned)
            } else if reachedStop {
                c.atStopStep = true
                settle(&c, .paused)
            } else if c.pauseRequested {
                settle(&c, .paused)
            } else {
                c.inQueue = true
                return true
            }
            return false
        }
        if requeue { pool.enqueue(self) }
    }

    /// Serves checkpoint requests mid-slice; returns whether the slice must end (pause, cancel).
    private func serveRequests(_ prepared: PreparedJob) -> Bool {
        control.withLock { c in
            attention.store(false, ordering: .relaxed)
            for waiter in c.checkpointWaiters { waiter.resume(returning: prepared.checkpoint()) }
            c.checkpointWaiters.removeAll()
            return c.pauseRequested || c.cancelRequested || c.pruneRequested
        }
    }

    /// Publishes `records` when epochs ended since the last publication (shares their storage).
    private func publish(_ records: [EpochRecord], to box: Locked<[EpochRecord]>) {
        box.withLock { published in
            if published.count != records.count { published = records }
        }
    }

    // MARK: - Transitions (under the lock)

    private func settle(_ c: inout Control, _ status: JobStatus) {
        c.status = status
        events.emit(id, status, cell.sample())
        for waiter in c.settleWaiters { waiter.resume(returning: status) }
        c.settleWaiters.removeAll()
    }

    private func finish(_ c: inout Control, _ status: JobStatus) {
        // Before anyone learns that the job ended, so that its id is free by then. Lock order:
        // a job's lock, then the directory's (the directory never waits for a job's lock).
        directory?.remove(self)
        settle(&c, status)
        for waiter in c.finishWaiters { waiter.resume(returning: status) }
        c.finishWaiters.removeAll()
    }
}

/// A finished job: how it ended, its last progress, the fitted tensor (a model job's flat
/// parameter vector) and its recorded history.
public struct JobResult: Sendable {
    public var status: JobStatus
    public var progress: JobProgress
    /// Nil when the job could not be built.
    public var parameters: Tensor?
    /// The history points the job kept (``JobSpec/historyCapacity`` at most), oldest first.
    public var history: JobHistory
    /// A model job's epochs, oldest first ([] for free-tensor jobs).
    public var epochs: [EpochRecord] = []
    /// A model job's trained parameters by `state_dict` name, shaped as PyTorch's (nil for
    /// free-tensor jobs and jobs that could not be built).
    public var namedParameters: [(name: String, tensor: Tensor)]?
}
