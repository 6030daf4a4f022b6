// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import LossdJSON
import LossdSystemd

/// The structured journal entries of job and daemon events: one place that knows the field names.
///
/// Fields: `MESSAGE_ID` (see `systemd/lossd.catalog`), `LOSSD_JOB`, `LOSSD_STEP`, `LOSSD_LOSS`,
/// `LOSSD_GRAD_NORM`, `LOSSD_LR`, `LOSSD_LOSS_FUNCTION`, `LOSSD_OPTIMIZER`, `LOSSD_STATUS`.
struct JobEventLog: Sendable {
    let logger: Logger

    struct Snapshot: Sendable {
        var job: String
        var step: Int
        var loss: Double
        var gradientNorm: Double
        var learningRate: Double
        var lossFunction: String
        var optimizer: String
        var status: String
    }

    func metadata(_ id: MessageID, _ snapshot: Snapshot) -> Logger.Metadata {
        [
            "MESSAGE_ID": "\(id.hex)",
            "LOSSD_JOB": "\(snapshot.job)",
            "LOSSD_STEP": "\(snapshot.step)",
            "LOSSD_LOSS": "\(JSONValue.format(snapshot.loss))",
            "LOSSD_GRAD_NORM": "\(JSONValue.format(snapshot.gradientNorm))",
            "LOSSD_LR": "\(JSONValue.format(snapshot.learningRate))",
            "LOSSD_LOSS_FUNCTION": "\(snapshot.lossFunction)",
            "LOSSD_OPTIMIZER": "\(snapshot.optimizer)",
            "LOSSD_STATUS": "\(snapshot.status)",
        ]
    }

    func started(_ s: Snapshot, resumed: Bool) {
        if resumed {
            logger.info("job \(s.job) resumed from its checkpoint at step \(s.step)", metadata: metadata(.jobResumed, s))
        } else {
            logger.info("job \(s.job) started (\(s.lossFunction), \(s.optimizer))", metadata: metadata(.jobStarted, s))
        }
    }

    func progress(_ s: Snapshot) {
        logger.info("job \(s.job) step \(s.step) loss \(Self.short(s.loss)) lr \(Self.short(s.learningRate))", metadata: metadata(.jobProgress, s))
    }

    func finished(_ s: Snapshot, detail: String?) {
        switch s.status {
        case "converged":
            logger.notice("job \(s.job) converged at step \(s.step), loss \(Self.short(s.loss))", metadata: metadata(.jobConverged, s))
        case "max_steps":
            logger.notice("job \(s.job) reached max_steps (\(s.step)), loss \(Self.short(s.loss))", metadata: metadata(.jobMaxSteps, s))
        case "diverged":
            logger.warning("job \(s.job) diverged at step \(s.step): loss or gradient not finite", metadata: metadata(.jobDiverged, s))
        default:
            logger.error("job \(s.job) failed: \(detail ?? "unknown reason")", metadata: metadata(.jobFailed, s))
        }
    }

    /// Four significant digits, for messages (fields carry the exact value).
    static func short(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : JSONValue.format(value)
    }
}
