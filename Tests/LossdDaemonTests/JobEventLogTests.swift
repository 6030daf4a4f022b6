// SPDX-License-Identifier: Apache-2.0

import Logging
@testable import LossdDaemon
import LossdEngine
import LossdState
import LossdSystemd
import LossdTestSupport
import Testing

/// The journal entries of job events, as journald receives them: a number not known yet is
/// absent, a non-finite number that a step produced is written out.
@Suite("Job event journal entries")
struct JobEventLogTests {
    /// The fields of the one entry `log` makes.
    static func entry(_ log: (JobEventLog) -> Void) -> [String: String] {
        let journal = InMemoryJournal()
        log(JobEventLog(logger: Logger(label: "test") { _ in JournalLogHandler(identifier: "lossd", sink: journal) }))
        #expect(journal.entries.count == 1)
        return journal.entries.last ?? [:]
    }

    static func job(_ status: JobStatus, steps: Int = 0, loss: Double = .nan, gradientNorm: Double = .nan,
                    learningRate: Double = .nan, resumed: Bool = false) -> JobRecord {
        JobRecord(name: "seed-mse", status: status, steps: steps, loss: loss, gradientNorm: gradientNorm, learningRate: learningRate,
                  lossFunction: "mse", optimizer: "sgd", startedAt: 0, resumed: resumed)
    }

    @Test func aStartCarriesNoNumberItDoesNotKnow() {
        let fields = Self.entry { $0.started(Self.job(.running, learningRate: 0.5)) }
        #expect(fields["MESSAGE_ID"] == MessageID.jobStarted.hex)
        #expect(fields["LOSSD_JOB"] == "seed-mse" && fields["LOSSD_STEP"] == "0" && fields["LOSSD_STATUS"] == "running")
        #expect(fields["LOSSD_LOSS"] == nil && fields["LOSSD_GRAD_NORM"] == nil, "\(fields)")
        #expect(fields["LOSSD_LR"] == "0.5")
    }

    @Test func aResumeCarriesItsCheckpointsNumbers() {
        let fields = Self.entry { $0.started(Self.job(.running, steps: 12, loss: 0.25, gradientNorm: 1.5, learningRate: 0.5, resumed: true)) }
        #expect(fields["MESSAGE_ID"] == MessageID.jobResumed.hex)
        #expect(fields["LOSSD_STEP"] == "12" && fields["LOSSD_LOSS"] == "0.25" && fields["LOSSD_GRAD_NORM"] == "1.5" && fields["LOSSD_LR"] == "0.5")
    }

    @Test func aDivergedJobsNonFiniteLossIsWrittenOut() {
        let fields = Self.entry { $0.finished(Self.job(.diverged, steps: 7, loss: .nan, gradientNorm: .infinity, learningRate: 2.5)) }
        #expect(fields["MESSAGE_ID"] == MessageID.jobDiverged.hex)
        #expect(fields["LOSSD_LOSS"] == "NaN" && fields["LOSSD_GRAD_NORM"] == "Infinity" && fields["LOSSD_LR"] == "2.5")
    }
}
