// SPDX-License-Identifier: Apache-2.0

import Logging
import LossdConfig
import LossdEngine
import LossdState
import LossdSystemd

/// What a starting job does with the state it left: a job whose result exists for the same
/// effective configuration (hash) is not run again; a job with a checkpoint for the same
/// configuration resumes from it; any other starts afresh. Unreadable files are set aside.
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
        case .corrupt(let renamed, let reason):
            reportSetAside(job.name, renamed, reason)
        default:
            break
        }
        switch store.readCheckpoint(job.name) {
        case .found(let stored) where stored.configHash == hash:
            return .resume(stored)
        case .found:
            logger.info("job \(job.name): its config changed since the checkpoint; starting afresh", metadata: ["LOSSD_JOB": "\(job.name)"])
            store.removeCheckpoint(job.name)
        case .corrupt(let renamed, let reason):
            reportSetAside(job.name, renamed, reason)
        case .missing:
            break
        }
        return .fresh
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
