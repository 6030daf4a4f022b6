// SPDX-License-Identifier: Apache-2.0

import Logging
import LossdConfig
import LossdEngine
import LossdState
import LossdSystemd

/// What a starting job does with the state it left: a job whose result exists for the same
/// effective configuration (hash) is not run again; a job with a checkpoint for the same
/// configuration resumes from it; any other starts afresh, its files from another configuration
/// archived first (`archive/<job>/<hash>/`). Unreadable files are set aside.
struct ResumePolicy {
    enum Decision {
        /// Ended before with this configuration: its record.
        case finished(JobRecord)
        /// Resume from this checkpoint.
        case resume(StateStore.StoredCheckpoint)
        /// Start from step 0.
        case fresh
    }

    let store: StateStore
    let logger: Logger

    func decide(_ job: JobConfiguration) -> Decision {
        let hash = job.hash.description
        switch store.readResult(job.name) {
        case .found(let record) where record.configHash == hash:
            store.removeCheckpoint(job.name)
            logger.info("job \(job.name) already finished (\(record.status.name)); not run again", metadata: ["LOSSD_JOB": "\(job.name)"])
            return .finished(record)
        case .found(let record):
            archive(job.name, hash: record.configHash, result: true, what: "its earlier result")
        case .corrupt(let renamed, let reason):
            reportSetAside(job.name, renamed, reason)
        case .missing:
            break
        }
        switch store.readCheckpoint(job.name) {
        case .found(let stored) where stored.configHash == hash:
            return .resume(stored)
        case .found(let stored):
            archive(job.name, hash: stored.configHash, result: false, what: "the checkpoint of its unfinished run")
        case .corrupt(let renamed, let reason):
            reportSetAside(job.name, renamed, reason)
        case .missing:
            break
        }
        return .fresh
    }

    /// Keeps the files of a run made with another configuration under `archive/<job>/<hash>/`
    /// (``StateStore/archiveRun(_:hash:result:checkpoint:)``) before the job starts afresh.
    private func archive(_ job: String, hash: String, result: Bool, what: String) {
        let folder = store.archivePath(job, hash: hash)
        do throws(AtomicFile.WriteError) {
            let moved = try store.archiveRun(job, hash: hash, result: result, checkpoint: !result)
            guard !moved.isEmpty else { return }
            logger.notice("job \(job): its config changed; \(what) is kept in \(folder) and the job starts afresh",
                          metadata: ["LOSSD_JOB": "\(job)"])
        } catch {
            logger.error("job \(job): its config changed but \(what) could not be archived to \(folder): \(error); the job starts afresh",
                         metadata: ["LOSSD_JOB": "\(job)"])
        }
    }

    /// A checkpoint the engine refused (another version, a mismatch) is set aside too.
    func refused(_ job: String, reason: String) {
        let renamed = AtomicFile.setAside(store.checkpointPath(job)) ?? store.checkpointPath(job)
        reportSetAside(job, renamed, reason)
    }

    private func reportSetAside(_ job: String, _ renamed: String, _ reason: String) {
        logger.warning("state file of job \(job) is unreadable (\(reason)); set aside as \(renamed), the job starts afresh",
                       metadata: ["MESSAGE_ID": "\(MessageID.stateSetAside.hex)", "LOSSD_JOB": "\(job)"])
    }
}
