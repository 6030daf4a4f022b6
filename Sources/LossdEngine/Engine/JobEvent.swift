// SPDX-License-Identifier: Apache-2.0

/// A job changed status (queued, running, paused, or a final status), with its progress then.
///
/// Events of one job arrive in order through ``TrainingEngine/events``; they are rare (never per
/// step), so the queue costs the workers nothing on their hot path.
public struct JobEvent: Sendable, Hashable {
    public var job: String
    public var status: JobStatus
    public var progress: JobProgress

    public init(job: String, status: JobStatus, progress: JobProgress) {
        self.job = job
        self.status = status
        self.progress = progress
    }
}

/// Where events go: the engine's stream.
struct EventSink: Sendable {
    let continuation: AsyncStream<JobEvent>.Continuation

    func emit(_ job: String, _ status: JobStatus, _ progress: JobProgress) {
        continuation.yield(JobEvent(job: job, status: status, progress: progress))
    }
}
