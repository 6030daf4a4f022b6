// SPDX-License-Identifier: Apache-2.0

/// Where a job is in its life. The last four cases, and `cancelled`, are final.
public enum JobStatus: Sendable, Hashable, CustomStringConvertible {
    /// Waiting for a worker.
    case queued
    /// Taking steps (or between slices of steps).
    case running
    /// Stopped at a step boundary on request; `resume()` continues it.
    case paused
    /// A step's loss met `tolerance`, or the loss stopped improving (`patience`).
    case converged(Convergence)
    /// Update `max_steps` was taken.
    case maxSteps
    /// A step's loss or gradient was not finite (reported at that step; no update was applied).
    case diverged
    /// The job could not be built or run.
    case failed(String)
    /// Stopped on request; it cannot resume (a checkpoint can be resumed as a new job).
    case cancelled

    /// Which stopping rule fired.
    public enum Convergence: String, Sendable, Hashable {
        case tolerance
        case plateau
    }

    /// Whether the job is over.
    public var isFinal: Bool {
        switch self {
        case .queued, .running, .paused: false
        case .converged, .maxSteps, .diverged, .failed, .cancelled: true
        }
    }

    /// The snake_case name used in reports: `converged`, `max_steps`, ...
    public var name: String {
        switch self {
        case .queued: "queued"
        case .running: "running"
        case .paused: "paused"
        case .converged: "converged"
        case .maxSteps: "max_steps"
        case .diverged: "diverged"
        case .failed: "failed"
        case .cancelled: "cancelled"
        }
    }

    public var description: String {
        switch self {
        case .converged(let rule): "converged (\(rule.rawValue))"
        case .failed(let reason): "failed: \(reason)"
        default: name
        }
    }
}
