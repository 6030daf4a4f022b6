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
/// A model job's entries, once it has finished an epoch, add its latest epoch: `LOSSD_EPOCH`,
/// `LOSSD_TRAIN_LOSS` (the epoch's mean batch loss), and when measured `LOSSD_VAL_LOSS` and
/// `LOSSD_ACCURACY` (a fraction, 0 to 1). Progress entries of a job with `metrics` add one
/// `LOSSD_METRIC_<NAME>` field per metric as last measured (`LOSSD_METRIC_MAE`,
/// `LOSSD_METRIC_MAX_ABS_ERROR`, ...; see ``LossdEngine/Metric/journalField``), end entries
/// its final values (those of its result).
///
/// Start and resume entries carry `LOSSD_LOSS`, `LOSSD_GRAD_NORM` and `LOSSD_LR` only when they
/// are known (finite): before the first step there is no loss yet. Progress and end entries always
/// carry them, spelled `NaN`, `Infinity` or `-Infinity` when not finite (a diverged job's news).
///
/// Start and end entries are bounded by ``JournalBudget``: past its per-second budget they are
/// counted, and one summary entry per second gives the counts (`MESSAGE_ID`
/// ``MessageID/jobEventSummary``, fields `LOSSD_STARTED`, `LOSSD_CONVERGED`, `LOSSD_MAX_STEPS`,
/// `LOSSD_DIVERGED`, `LOSSD_FAILED`). Every job's outcome is in its result file regardless.
struct JobEventLog: Sendable {
    let logger: Logger
    let budget: JournalBudget

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
        if case .object(let metrics)? = job.metrics {
            for (name, value) in metrics {
                guard let metric = Metric(rawValue: name), let number = value.doubleValue, !knownNumbersOnly || number.isFinite else { continue }
                fields[metric.journalField] = "\(JSONValue.format(number))"
            }
        }
        if let epoch = job.epoch {
            fields["LOSSD_EPOCH"] = "\(epoch.epoch)"
            for (field, value) in [("LOSSD_TRAIN_LOSS", epoch.trainLoss), ("LOSSD_VAL_LOSS", epoch.validationLoss),
                                   ("LOSSD_ACCURACY", epoch.accuracy)] {
                if let value, !knownNumbersOnly || value.isFinite { fields[field] = "\(JSONValue.format(value))" }
            }
        }
        return fields
    }

    func started(_ job: JobRecord) {
        guard admit(.started) else { return }
        if job.resumed {
            logger.info("job \(job.name) resumed from its checkpoint at step \(job.steps)",
                        metadata: metadata(.jobResumed, job, knownNumbersOnly: true))
        } else {
            logger.info("job \(job.name) started (\(job.lossFunction), \(job.optimizer))",
                        metadata: metadata(.jobStarted, job, knownNumbersOnly: true))
        }
    }

    func progress(_ job: JobRecord) {
        var text = "job \(job.name) step \(job.steps) loss \(NumberText.short(job.loss)) lr \(NumberText.short(job.learningRate))"
        if let epoch = job.epoch {
            text += " epoch \(epoch.epoch) train loss \(NumberText.short(epoch.trainLoss))"
            if let loss = epoch.validationLoss { text += " val loss \(NumberText.short(loss))" }
            if let accuracy = epoch.accuracy { text += " accuracy \(NumberText.short(accuracy))" }
        }
        logger.info("\(text)", metadata: metadata(.jobProgress, job))
    }

    func finished(_ job: JobRecord) {
        let event: JournalBudget.Event = switch job.status {
        case .converged: .converged
        case .maxSteps: .maxSteps
        case .pruned: .pruned
        case .diverged: .diverged
        default: .failed
        }
        guard admit(event) else { return }
        switch job.status {
        case .converged:
            logger.notice("job \(job.name) converged at step \(job.steps), loss \(NumberText.short(job.loss))", metadata: metadata(.jobConverged, job))
        case .maxSteps:
            logger.notice("job \(job.name) reached max_steps (\(job.steps)), loss \(NumberText.short(job.loss))", metadata: metadata(.jobMaxSteps, job))
        case .pruned:
            logger.notice("job \(job.name) pruned at step \(job.steps) by its study's early stopping, loss \(NumberText.short(job.loss))", metadata: metadata(.jobPruned, job))
        case .diverged:
            logger.warning("job \(job.name) diverged at step \(job.steps): loss or gradient not finite", metadata: metadata(.jobDiverged, job))
        default:
            logger.error("job \(job.name) failed: \(job.status.detail ?? "unknown reason")", metadata: metadata(.jobFailed, job))
        }
    }

    /// A job the previous process died in a plugin call of (its reason names the plugin and step).
    func crashed(_ job: JobRecord, plugin: String) {
        guard admit(.failed) else { return }
        var fields = metadata(.pluginCrashed, job, knownNumbersOnly: true)
        fields["LOSSD_PLUGIN"] = "\(plugin)"
        logger.error("job \(job.name) failed: \(job.status.detail ?? "crashed in a plugin"); it is not run again", metadata: fields)
    }

    // MARK: - Budget

    /// Whether an entry of `event` may be logged; logs the summary of a window that just ended.
    private func admit(_ event: JournalBudget.Event) -> Bool {
        let (admitted, ended) = budget.admit(event)
        if let ended { summary(ended) }
        return admitted
    }

    /// Logs the summary of a window with left-out entries that has ended (all of them when `force`).
    func flush(force: Bool = false) {
        if let ended = budget.flush(force: force) { summary(ended) }
    }

    /// One entry with the counts of the entries a window left out.
    func summary(_ counts: JournalBudget.Suppressed) {
        let text = "\(counts.started) started, \(counts.converged) converged, \(counts.maxSteps) reached max_steps, "
            + "\(counts.pruned) pruned, \(counts.diverged) diverged, \(counts.failed) failed"
        let metadata: Logger.Metadata = [
            "MESSAGE_ID": "\(MessageID.jobEventSummary.hex)", "LOSSD_STARTED": "\(counts.started)",
            "LOSSD_CONVERGED": "\(counts.converged)", "LOSSD_MAX_STEPS": "\(counts.maxSteps)",
            "LOSSD_PRUNED": "\(counts.pruned)", "LOSSD_DIVERGED": "\(counts.diverged)", "LOSSD_FAILED": "\(counts.failed)",
        ]
        let message: Logger.Message = "job events not logged one by one (over \(budget.limits.events) per second): \(text); every result is in results/"
        if counts.failed + counts.diverged > 0 {
            logger.error(message, metadata: metadata)
        } else {
            logger.notice(message, metadata: metadata)
        }
    }
}
