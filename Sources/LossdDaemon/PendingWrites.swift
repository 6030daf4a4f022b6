// SPDX-License-Identifier: Apache-2.0

import LossdState
import LossdSync

/// The state-directory writes that failed and what they were for: results kept in memory until
/// they are written, and jobs whose latest checkpoint is not on disk. Also the retry schedule of
/// the results: the first retry 1 s after a failure, then doubling to at most 60 s, back to 1 s
/// once everything is written.
///
/// Times are seconds on the supervisor's clock, passed in, so that tests step them.
final class PendingWrites: Sendable {
    static let firstDelay = 1.0
    static let longestDelay = 60.0

    private struct State {
        var results: [String: (job: PendingResult, problem: StateWriteProblem)] = [:]
        /// Results in the order they failed.
        var order: [String] = []
        var checkpoints: [String: StateWriteProblem] = [:]
        var delay = PendingWrites.firstDelay
        var nextAttempt: Double?
    }

    private let state = Locked(State())

    /// Keeps `job` to write again; returns whether it was not kept already (its first failure).
    @discardableResult
    func keep(_ job: PendingResult, _ problem: StateWriteProblem, now: Double) -> Bool {
        state.withLock { s in
            let name = job.record.name
            let first = s.results[name] == nil
            if first { s.order.append(name) }
            s.results[name] = (job, problem)
            if s.nextAttempt == nil { s.nextAttempt = now + s.delay }
            return first
        }
    }

    /// `job`'s files are on disk: forgets it (result and checkpoint).
    func saved(_ job: String) {
        state.withLock { s in
            if s.results.removeValue(forKey: job) != nil { s.order.removeAll { $0 == job } }
            s.checkpoints[job] = nil
            if s.results.isEmpty { s.nextAttempt = nil; s.delay = Self.firstDelay }
        }
    }

    /// Forgets a job that left the configuration.
    func forget(_ job: String) { saved(job) }

    /// The results waiting to be written, in the order they failed.
    var results: [PendingResult] {
        state.withLock { s in s.order.compactMap { s.results[$0]?.job } }
    }

    /// Whether a retry of the results is due at `now`.
    func retryDue(now: Double) -> Bool {
        state.withLock { s in s.nextAttempt.map { now >= $0 } ?? false }
    }

    /// After a retry round that left results unwritten: the next one after twice the delay
    /// (at most ``longestDelay``). Returns the delay until then.
    @discardableResult
    func roundFailed(now: Double) -> Double {
        state.withLock { s in
            s.delay = min(s.delay * 2, Self.longestDelay)
            s.nextAttempt = now + s.delay
            return s.delay
        }
    }

    /// Records that `job`'s checkpoint failed; returns whether it had not failed already.
    @discardableResult
    func checkpointFailed(_ job: String, _ problem: StateWriteProblem) -> Bool {
        state.withLock { s in
            defer { s.checkpoints[job] = problem }
            return s.checkpoints[job] == nil
        }
    }

    /// Records that `job`'s checkpoint was written; returns whether it had failed before.
    @discardableResult
    func checkpointSaved(_ job: String) -> Bool {
        state.withLock { $0.checkpoints.removeValue(forKey: job) != nil }
    }

    /// Why `job`'s result (when it ended) or checkpoint is not on disk; nil when it is.
    func problem(_ job: String) -> StateWriteProblem? {
        state.withLock { $0.results[job]?.problem ?? $0.checkpoints[job] }
    }

    /// Whether a checkpoint failed because the directory (or a folder) was removed.
    var directoryMissing: Bool { state.withLock { $0.checkpoints.values.contains(.missing) } }

    var isEmpty: Bool { state.withLock { $0.results.isEmpty && $0.checkpoints.isEmpty } }
}
