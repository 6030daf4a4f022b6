// SPDX-License-Identifier: Apache-2.0

import Logging
import LossdEngine
import LossdJSON
import LossdState
import LossdSystemd

/// The structured journal entries of job and daemon events: one place that knows the field names.
///
/// Fields: `MESSAGE_ID` (see `systemd/lossd.catalog`), `LOSSD_JOB`, `LOSSD_STEP`, `LOSSD_LOSS`,
/// `LOSSD_GRAD_NORM`, `LOSSD_LR`, `LOSSD_LOSS_FUNCTION`, `LOSSD_OPTIMIZER`, `LOSSD_STATUS`, and
/// for a failed job `LOSSD_ERROR_CODE` (the failure's code, as in its result's `status_code`).
///
/// Start and resume entries carry `LOSSD_LOSS`, `LOSSD_GRAD_NORM` and `LOSSD_LR` only when they
/// are known (finite): before the first step there is no loss yet. Progress and end entries always
/// carry them, spelled `NaN`, `Infinity` or `-Infinity` when not finite (a diverged job's news).
struct JobEventLog: Sendable {
    let logger: Logger

    /// The entry's fields; `knownNumbersOnly` leaves out the numbers that are not finite.
    func metadata(_ id: MessageID, _ job: JobRecord, knownNumbersOnly: Bool = false) -> Logger.Metadata {
        var fields: Logger.Metadata = [
            "MESSAGE_ID": "\(id.hex)",
            "LOSSD_JOB": "\(job.name)",
            "LOSSD_STEP": "\(job.steps)",
            "LOSSD_LOSS_FUNCTION": "\(job.lossFunction)",
            "LOSSD_OPTIMIZER": "\(job.optimizer)",
            "LOSSD_STATUS": "\(job.status.name)",
        ]
        for (field, value) in [("LOSSD_LOSS", job.loss), ("LOSSD_GRAD_NORM", job.gradientNorm), ("LOSSD_LR", job.learningRate)]
        where !knownNumbersOnly || value.isFinite {
            fields[field] = "\(JSONValue.format(value))"
        }
        if let code = job.status.code { fields["LOSSD_ERROR_CODE"] = "\(code)" }
        return fields
    }

    func started(_ job: JobRecord) {
        if job.resumed {
            logger.info("job \(job.name) resumed from its checkpoint at step \(job.steps)",
                        metadata: metadata(.jobResumed, job, knownNumbersOnly: true))
        } else {
            logger.info("job \(job.name) started (\(job.lossFunction), \(job.optimizer))",
                        metadata: metadata(.jobStarted, job, knownNumbersOnly: true))
        }
    }

    func progress(_ job: JobRecord) {
        logger.info("job \(job.name) step \(job.steps) loss \(NumberText.short(job.loss)) lr \(NumberText.short(job.learningRate))",
                    metadata: metadata(.jobProgress, job))
    }

    func finished(_ job: JobRecord) {
        switch job.status {
        case .converged:
            logger.notice("job \(job.name) converged at step \(job.steps), loss \(NumberText.short(job.loss))", metadata: metadata(.jobConverged, job))
        case .maxSteps:
            logger.notice("job \(job.name) reached max_steps (\(job.steps)), loss \(NumberText.short(job.loss))", metadata: metadata(.jobMaxSteps, job))
        case .diverged:
            logger.warning("job \(job.name) diverged at step \(job.steps): loss or gradient not finite", metadata: metadata(.jobDiverged, job))
        default:
            logger.error("job \(job.name) failed: \(job.status.detail ?? "unknown reason")", metadata: metadata(.jobFailed, job))
        }
    }
}
