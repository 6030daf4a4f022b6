// SPDX-License-Identifier: Apache-2.0

import Logging
import LossdEngine
public import LossdState
import LossdSystemd

/// Writes that fail (disk full, read-only, removed directory, I/O error, permissions) lose
/// nothing: a result stays in memory and its job's checkpoint on disk until the result is
/// written; the journal says so once per job and once per retry round, never per tick.
extension Supervisor {
    /// One job whose work is not on disk, and why.
    public struct UnsavedJob: Sendable, Hashable, CustomStringConvertible {
        public var job: String
        /// Its result (it ended) or only its checkpoint (unfinished).
        public var isResult: Bool
        public var problem: StateWriteProblem

        public var description: String { "\(job) (\(isResult ? "result" : "checkpoint"): \(problem))" }
    }

    // MARK: - Results

    /// Writes `job`'s files on the writer thread (with the jobs ending at the same time); keeps
    /// it as unsaved when a write fails.
    func commit(_ job: PendingResult) async {
        let writer = self.writer
        if let failure = await writer.commitOnWriterThread(job) { keepUnsaved(job, failure) }
    }

    /// Keeps `job` to write again; logs its first failure at `err`.
    func keepUnsaved(_ job: PendingResult, _ failure: AtomicFile.WriteError) {
        let name = job.record.name
        guard pending.keep(job, failure.problem, now: now()) else { return }
        logger.error("cannot write the files of job \(name): \(failure); kept in memory and retried; its last checkpoint, if any, is kept",
                     metadata: Self.failureFields(failure, job: name))
    }

    /// Writes the results kept after a failure when their retry is due (or at once when
    /// `force`), recreating the state directory's folders first. Logs a notice for the writes
    /// that now succeeded and one summary for those that still fail. Returns whether any result
    /// is still unsaved.
    @discardableResult
    public func retryPendingWrites(force: Bool = false) async -> Bool {
        let writer = self.writer
        if pending.results.isEmpty, pending.directoryMissing {
            // Only checkpoints failed, for want of the directory: make it again for the next interval.
            await writer.onWriterThread { try? writer.store.recreateDirectories() }
        }
        guard force || pending.retryDue(now: now()) else { return !pending.results.isEmpty }
        let jobs = pending.results
        guard !jobs.isEmpty else { return false }
        let outcome = await writer.onWriterThread { () -> (written: [String], failure: AtomicFile.WriteError?, failed: Int) in
            var written: [String] = []
            var firstFailure: AtomicFile.WriteError?
            var failed = 0
            do throws(AtomicFile.WriteError) { try writer.store.recreateDirectories() } catch { firstFailure = error }
            for (job, failure) in zip(jobs, writer.commit(jobs)) {
                if let failure {
                    firstFailure = firstFailure ?? failure
                    failed += 1
                } else {
                    written.append(job.record.name)
                }
            }
            return (written, firstFailure, failed)
        }
        for name in outcome.written { pending.saved(name) }
        if !outcome.written.isEmpty {
            let listed = outcome.written.prefix(10).joined(separator: ", ") + (outcome.written.count > 10 ? ", ..." : "")
            var fields: Logger.Metadata = ["MESSAGE_ID": "\(MessageID.stateWriteRecovered.hex)", "LOSSD_JOBS": "\(outcome.written.count)"]
            if outcome.written.count == 1 { fields["LOSSD_JOB"] = "\(outcome.written[0])" }
            logger.notice("wrote the files of \(outcome.written.count) job(s) that could not be saved before: \(listed)", metadata: fields)
        }
        guard outcome.failed > 0, let failure = outcome.failure else { return false }
        let delay = pending.roundFailed(now: now())
        var fields = Self.failureFields(failure, job: nil)
        fields["LOSSD_JOBS"] = "\(outcome.failed)"
        let next = force ? "" : "; next try in \(Int(delay)) s"
        logger.error("\(outcome.failed) result(s) still not saved (\(failure.problem)): \(failure)\(next)", metadata: fields)
        return true
    }

    /// At the end of a run: tries the unsaved results `attempts` times, `pause` apart.
    public func flushPendingWrites(attempts: Int, pause: Duration) async {
        for attempt in 0..<attempts where !pending.results.isEmpty {
            if attempt > 0 { try? await Task.sleep(for: pause) }
            await retryPendingWrites(force: true)
        }
    }

    /// Every job whose result or checkpoint is not on disk, in configuration order.
    public func unsavedJobs() -> [UnsavedJob] {
        rows().compactMap { row in
            row.unsaved.map { UnsavedJob(job: row.name, isResult: row.status.isFinal, problem: $0) }
        }
    }

    // MARK: - Checkpoints

    /// A checkpoint that failed: logged at its first failure only (until one succeeds again).
    func checkpointFailed(_ job: String, _ failure: AtomicFile.WriteError) {
        guard pending.checkpointFailed(job, failure.problem) else { return }
        logger.error("cannot checkpoint job \(job): \(failure); the previous checkpoint is kept, retried at the next interval",
                     metadata: Self.failureFields(failure, job: job))
    }

    /// A checkpoint that was written: a notice when it had failed before.
    func checkpointSaved(_ job: String) {
        guard pending.checkpointSaved(job) else { return }
        logger.notice("checkpoint of job \(job) written again", metadata: [
            "MESSAGE_ID": "\(MessageID.stateWriteRecovered.hex)", "LOSSD_JOB": "\(job)",
        ])
    }

    static func failureFields(_ failure: AtomicFile.WriteError, job: String?) -> Logger.Metadata {
        var fields: Logger.Metadata = [
            "MESSAGE_ID": "\(MessageID.stateWriteFailed.hex)", "LOSSD_PATH": "\(failure.path)",
            "LOSSD_REASON": "\(failure.problem)", "LOSSD_ERROR": "\(failure.reason)", "ERRNO": "\(failure.code)",
        ]
        if let job { fields["LOSSD_JOB"] = "\(job)" }
        return fields
    }
}
