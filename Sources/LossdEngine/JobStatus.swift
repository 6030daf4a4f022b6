// SPDX-License-Identifier: Apache-2.0

/// Where a job is in its life. `converged`, `maxSteps`, `diverged`, `failed`, `cancelled` and `pruned` are final.
///
/// The one place that spells the status names (`queued`, `running`, `paused`, `converged`,
/// `max_steps`, `diverged`, `failed`, `cancelled`, `pruned`): state files, journal fields and reports take
/// them from ``name``, and read them back with ``init(name:detail:code:)``.
///
/// Codable as the three fields the state files use: `status` (the name), `status_detail` (the
/// convergence rule or the failure's reason, else null) and `status_code` (the failure's
/// ``EngineError/Code``, else null).
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
    /// The job could not be built or run: what kind of error, and a sentence for people.
    case failed(code: EngineError.Code, reason: String)
    /// Stopped on request; it cannot resume (a checkpoint can be resumed as a new job).
    case cancelled
    /// Stopped by its study's early-stopping rule at a rung: ranked below the jobs that go on.
    case pruned

    /// Which stopping rule fired.
    public enum Convergence: String, Sendable, Hashable {
        case tolerance
        case plateau
    }

    /// The statuses' names, one per case, in the order of a job's life.
    private enum Name: String, CaseIterable {
        case queued, running, paused, converged
        case maxSteps = "max_steps"
        case diverged, failed, cancelled, pruned
    }

    private var caseName: Name {
        switch self {
        case .queued: .queued
        case .running: .running
        case .paused: .paused
        case .converged: .converged
        case .maxSteps: .maxSteps
        case .diverged: .diverged
        case .failed: .failed
        case .cancelled: .cancelled
        case .pruned: .pruned
        }
    }

    /// Whether the job is over.
    public var isFinal: Bool {
        switch self {
        case .queued, .running, .paused: false
        case .converged, .maxSteps, .diverged, .failed, .cancelled, .pruned: true
        }
    }

    /// Whether the job ended without a usable output (`diverged` or `failed`).
    public var isFailure: Bool {
        switch self {
        case .diverged, .failed: true
        default: false
        }
    }

    /// The snake_case name used in reports: `converged`, `max_steps`, ...
    public var name: String { caseName.rawValue }

    /// Every status name, in the order of a job's life (`queued` ... `cancelled`).
    public static var allNames: [String] { Name.allCases.map(\.rawValue) }

    /// The convergence rule (`tolerance`, `plateau`) or the failure's reason; nil otherwise.
    public var detail: String? {
        switch self {
        case .converged(let rule): rule.rawValue
        case .failed(_, let reason): reason
        default: nil
        }
    }

    /// The failure's code; nil for every other status.
    public var code: EngineError.Code? {
        if case .failed(let code, _) = self { return code }
        return nil
    }

    /// The status called `name`, with its detail and code as ``detail`` and ``code`` give them;
    /// nil for an unknown name. A convergence without a known rule reads as `tolerance`, a
    /// failure without a code as `invalidJob`.
    public init?(name: String, detail: String?, code: String?) {
        guard let known = Name(rawValue: name) else { return nil }
        switch known {
        case .queued: self = .queued
        case .running: self = .running
        case .paused: self = .paused
        case .converged: self = .converged(detail.flatMap(Convergence.init(rawValue:)) ?? .tolerance)
        case .maxSteps: self = .maxSteps
        case .diverged: self = .diverged
        case .failed: self = .failed(code: code.flatMap(EngineError.Code.init(rawValue:)) ?? .invalidJob, reason: detail ?? "unknown")
        case .cancelled: self = .cancelled
        case .pruned: self = .pruned
        }
    }

    public var description: String {
        switch self {
        case .converged(let rule): "converged (\(rule.rawValue))"
        case .failed(let code, let reason): "failed (\(code)): \(reason)"
        default: name
        }
    }
}

// MARK: - Codable

extension JobStatus: Codable {
    /// The field names, also those of result files.
    public enum CodingKeys: String, CodingKey {
        case name = "status"
        case detail = "status_detail"
        case code = "status_code"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        guard let status = JobStatus(name: name, detail: try container.decodeIfPresent(String.self, forKey: .detail),
                                     code: try container.decodeIfPresent(String.self, forKey: .code)) else {
            throw DecodingError.dataCorruptedError(forKey: .name, in: container, debugDescription: "unknown status '\(name)'")
        }
        self = status
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(detail, forKey: .detail)
        try container.encode(code?.description, forKey: .code)
    }
}
