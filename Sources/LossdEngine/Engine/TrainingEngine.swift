// SPDX-License-Identifier: Apache-2.0

import LossKit
import Synchronization

/// How a ``TrainingEngine`` runs.
public struct EngineConfiguration: Sendable {
    /// Worker threads; nil: the CPUs available to the process (``SystemCPUs/available``).
    public var workers: Int?
    /// How long a job runs before the next queued job gets the worker (round robin).
    public var sliceDuration: Duration
    /// The target duration of a batch of steps, between which progress is published and
    /// pause, cancel and checkpoint requests are served (bounds their latency).
    public var batchDuration: Duration
    /// The registries jobs are built from (per-submission override: ``TrainingEngine/submit(_:id:resumingFrom:registries:)``).
    public var registries: TrainingRegistries
    /// The most status events kept for a slow consumer of ``TrainingEngine/events`` (newest kept).
    public var eventBufferLimit: Int

    public init(workers: Int? = nil, sliceDuration: Duration = .milliseconds(5), batchDuration: Duration = .microseconds(500),
                registries: TrainingRegistries = .builtins, eventBufferLimit: Int = 100_000) {
        self.workers = workers
        self.sliceDuration = sliceDuration
        self.batchDuration = batchDuration
        self.registries = registries
        self.eventBufferLimit = eventBufferLimit
    }
}

/// Runs any number of training jobs on a pool of worker threads.
///
/// ```swift
/// let engine = TrainingEngine(EngineConfiguration(workers: 4))
/// let job = engine.submit(spec)                  // queued at once; errors show as .failed
/// Task { for await event in engine.events { report(event) } }
/// print(job.progress.loss)                       // lock-free sample
/// let result = await job.result()                // final status, progress, parameters
/// engine.shutdown()
/// ```
///
/// Jobs share the workers in time slices, round robin, so every job progresses. A wide job
/// (more than one chunk of ``JobSpec/chunkSize`` elements, element-wise loss) has its chunks
/// spread over idle workers every step. Results never depend on the number of workers, on
/// timing, or on pauses and checkpoints: each job's arithmetic is fixed by its spec.
public final class TrainingEngine: Sendable {
    /// The number of worker threads.
    public let workerCount: Int
    /// Status changes of every job, in order per job.
    public let events: AsyncStream<JobEvent>

    private let sink: EventSink
    private let pool: WorkerPool
    private let configuration: EngineConfiguration
    private let directory = JobDirectory()
    private let counter = Atomic<Int>(0)

    public init(_ configuration: EngineConfiguration = EngineConfiguration()) {
        self.configuration = configuration
        workerCount = Swift.max(1, configuration.workers ?? SystemCPUs.available)
        let (stream, continuation) = AsyncStream.makeStream(of: JobEvent.self,
                                                            bufferingPolicy: .bufferingNewest(Swift.max(1, configuration.eventBufferLimit)))
        events = stream
        sink = EventSink(continuation: continuation)
        pool = WorkerPool(workers: workerCount)
    }

    deinit {
        shutdown()
        sink.continuation.finish()
    }

    /// What every worker is doing now, and since when: a worker inside one slice of steps for a
    /// whole window is stuck (see ``WorkerSnapshot``).
    public func workerSnapshot() -> WorkerSnapshot {
        pool.snapshot()
    }

    /// Builds and queues a job. A job that cannot be built (or whose id is taken) is returned
    /// already `failed`, with the reason (a refused duplicate is neither listed nor announced). Ids
    /// are unique among the jobs that have not ended. `pausingAt`: the job pauses by itself exactly
    /// after that step (``JobHandle/pausedAtStep``), as ``JobHandle/resume(pausingAt:)`` sets it.
    public func submit(_ spec: JobSpec, id: String? = nil, resumingFrom checkpoint: JobCheckpoint? = nil,
                       registries: TrainingRegistries? = nil, pausingAt stopStep: Int? = nil) -> JobHandle {
        let id = id ?? "job-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)"
        var prepared: PreparedJob?
        var failure: EngineError?
        if pool.isStopped {
            failure = EngineError(.engineStopped, subject: id, "the engine is shut down")
        } else {
            do {
            var job = try PreparedJob(spec, registries: registries ?? configuration.registries)
                if let checkpoint { try job.restore(checkpoint) }
                prepared = job
            } catch {
                failure = error
            }
        }
        var handle = JobHandle(id: id, prepared: prepared, failure: failure, pool: pool, directory: directory, events: sink,
                               slice: configuration.sliceDuration, batch: configuration.batchDuration, pausingAt: stopStep)
        // A job that ended already (it could not be built) is announced but never listed.
        let added = handle.status.isFinal ? directory.job(id) == nil : directory.add(handle)
        if !added {
            handle = JobHandle(id: id, prepared: nil, failure: EngineError(.duplicateName, subject: id, "a job with id '\(id)' already exists"), pool: pool, directory: nil, events: sink,
                               slice: configuration.sliceDuration, batch: configuration.batchDuration)
        }
        handle.start(announce: added)
        return handle
    }

    /// The jobs that have not ended (queued, running or paused), in submission order. The engine
    /// lets go of a job when it ends; its handles keep its result.
    public var jobs: [JobHandle] { directory.live }

    /// The job with this id, while it has not ended.
    public func job(_ id: String) -> JobHandle? { directory.job(id) }

    /// Pauses every job and stops the workers: blocks until the running slices end (a few ms), or
    /// for at most `bound` if one is given, and returns how many workers had not exited by then
    /// (stuck inside a step, e.g. in a plugin call that never returns; they are left running).
    /// Later submissions fail; paused jobs can still be checkpointed.
    @discardableResult
    public func shutdown(waitingAtMost bound: Duration? = nil) -> Int {
        for job in jobs { job.pause() }
        return pool.stop(waitingAtMost: bound)
    }
}
