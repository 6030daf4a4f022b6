// SPDX-License-Identifier: Apache-2.0

import Logging
import LossdConfig
import LossdEngine
import LossdState
import LossdSystemd

/// What a starting job does with the state it left: a job whose result exists for the same
/// effective configuration (hash) is not run again; a job with a checkpoint for the same
/// configuration resumes from it; any other starts afresh. Unreadable files are set aside. A
/// result written for another configuration (the job was edited) is archived first, under its
/// config hash (``StateStore/archiveRun(_:hash:)``), so the new run never overwrites it. The
/// files of a run whose configuration changed (its result, history, chart and model file, or
/// its checkpoint) are moved into `results/archive/<job>/` under that run's hash before the new
/// run writes anything (see ``StateStore/archiveRun(_:hash:checkpoint:)``): nothing is lost.
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
            archive(job.name, hash: record.configHash,
                    [store.resultPath(job.name), store.historyPath(job.name), store.chartPath(job.name), store.modelPath(job.name)]) { () throws(AtomicFile.WriteError) in
                try store.archiveRun(job.name, hash: record.configHash)
            }
        case .corrupt(let renamed, let reason):
            reportSetAside(job.name, renamed, reason)
        case .missing:
            break
        }
        switch store.readCheckpoint(job.name) {
        case .found(let stored) where stored.configHash == hash:
            return .resume(stored)
        case .found(let stored):
            logger.info("job \(job.name): its config changed since the checkpoint; starting afresh", metadata: ["LOSSD_JOB": "\(job.name)"])
            archive(job.name, hash: stored.configHash, [store.checkpointPath(job.name)]) { () throws(AtomicFile.WriteError) in
                try store.archiveCheckpoint(job.name, hash: stored.configHash)
            }
        case .corrupt(let renamed, let reason):
            reportSetAside(job.name, renamed, reason)
        case .missing:
            break
        }
        return .fresh
    }

    /// Runs `move` (an archive of the job's earlier run); a move that fails is logged and the
    /// files it left in place are set aside rather than overwritten.
    private func archive(_ job: String, hash: String, _ paths: [String], _ move: () throws(AtomicFile.WriteError) -> Void) {
        do throws(AtomicFile.WriteError) {
            try move()
            logger.info("job \(job): its config changed; the earlier run is archived in results/archive/\(job)/\(hash).*",
                        metadata: ["LOSSD_JOB": "\(job)"])
        } catch {
            for path in paths { AtomicFile.setAside(path) }
            logger.warning("job \(job): cannot archive its earlier run (\(error)); its files are set aside as .corrupt",
                           metadata: ["LOSSD_JOB": "\(job)"])
        }
    }

    /// Moves the earlier result of an edited job into its archive; a failure is logged (the
    /// new run then replaces the result when it ends).
    private func archive(_ job: String, _ record: JobRecord) {
        do throws(AtomicFile.WriteError) {
            let path = try store.archiveRun(job, hash: record.configHash)
            logger.notice("job \(job): its config changed since its result; the earlier run is archived as \(path)",
                          metadata: ["LOSSD_JOB": "\(job)"])
        } catch {
            logger.error("job \(job): its config changed, but its earlier result could not be archived (\(error)); the new run replaces it",
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
