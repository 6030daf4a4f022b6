// SPDX-License-Identifier: Apache-2.0

import Logging
@testable import LossdDaemon
import LossdEngine
import LossdJSON
import LossdState
import LossdSync
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
        log(JobEventLog(logger: Logger(label: "test") { _ in JournalLogHandler(identifier: "lossd", sink: journal) },
                        budget: JournalBudget(now: { 0 })))
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

    @Test("a job's metrics are LOSSD_METRIC_<NAME> fields", arguments: Metric.allCases)
    func metricsAreFields(_ metric: Metric) {
        var job = Self.job(.running, steps: 30, loss: 0.5, gradientNorm: 1, learningRate: 0.1)
        job.metrics = .object([(metric.name, .number(0.375)), ("rmse-typo", .number(1))])
        let progress = Self.entry { $0.progress(job) }
        #expect(progress["LOSSD_METRIC_" + metric.name.uppercased()] == "0.375", "\(progress)")
        #expect(progress.keys.filter { $0.hasPrefix("LOSSD_METRIC_") }.count == 1, "only known metrics: \(progress)")
        job.status = .maxSteps
        job.metrics = .object([(metric.name, .number(.nan))])
        #expect(Self.entry { $0.finished(job) }[metric.journalField] == "NaN")
        #expect(Self.entry { $0.started(job) }[metric.journalField] == nil, "a start carries no number it does not know")
    }

    @Test func aModelJobsEntriesCarryItsLatestEpoch() {
        var job = Self.job(.running, steps: 30, loss: 0.5, gradientNorm: 1, learningRate: 0.1)
        job.epoch = EpochRecord(epoch: 3, step: 30, trainLoss: 0.625, validationLoss: 0.75, accuracy: 0.875, learningRate: 0.1)
        let progress = Self.entry { $0.progress(job) }
        #expect(progress["LOSSD_EPOCH"] == "3" && progress["LOSSD_TRAIN_LOSS"] == "0.625" && progress["LOSSD_VAL_LOSS"] == "0.75"
            && progress["LOSSD_ACCURACY"] == "0.875", "\(progress)")
        #expect(progress["MESSAGE"]?.hasSuffix("epoch 3 train loss 0.625 val loss 0.75 accuracy 0.875") == true, "\(progress)")
        job.status = .maxSteps
        job.epoch?.validationLoss = nil
        job.epoch?.accuracy = nil
        let end = Self.entry { $0.finished(job) }
        #expect(end["MESSAGE_ID"] == MessageID.jobMaxSteps.hex && end["LOSSD_EPOCH"] == "3")
        #expect(end["LOSSD_VAL_LOSS"] == nil && end["LOSSD_ACCURACY"] == nil, "\(end)")
        // A free-tensor job's entries have none of them.
        let free = Self.entry { $0.progress(Self.job(.running, steps: 1, loss: 1, gradientNorm: 1, learningRate: 0.1)) }
        #expect(free.keys.filter { ["LOSSD_EPOCH", "LOSSD_TRAIN_LOSS", "LOSSD_VAL_LOSS", "LOSSD_ACCURACY"].contains($0) }.isEmpty)
    }

    @Test func aPluginCrashIsAnErrorNamingThePlugin() {
        let reason = "crashed in plugin /usr/lib/liblossd-bad.so (loss bad) at step 3"
        let fields = Self.entry { $0.crashed(Self.job(.failed(code: .pluginCrashed, reason: reason), steps: 2), plugin: "/usr/lib/liblossd-bad.so") }
        #expect(fields["MESSAGE_ID"] == MessageID.pluginCrashed.hex)
        #expect(fields["PRIORITY"] == "3" && fields["LOSSD_ERROR_CODE"] == "pluginCrashed" && fields["LOSSD_PLUGIN"] == "/usr/lib/liblossd-bad.so")
        #expect(fields["MESSAGE"]?.contains(reason) == true, "\(fields)")
    }
}

/// Start and end entries past the per-second budget become one summary entry per second.
@Suite("Journal budget")
struct JournalBudgetTests {
    /// A log whose budget reads `clock` (seconds), writing to `journal`.
    static func log(_ journal: InMemoryJournal, _ clock: Locked<Double>) -> JobEventLog {
        JobEventLog(logger: Logger(label: "test") { _ in JournalLogHandler(identifier: "lossd", sink: journal) },
                    budget: JournalBudget(now: { clock.withLock { $0 } }))
    }

    static func count(_ journal: InMemoryJournal, _ id: MessageID) -> Int {
        journal.entries.filter { $0["MESSAGE_ID"] == id.hex }.count
    }

    @Test(arguments: [10, 500, 5_000])
    func aBurstIsSummarisedWithItsCounts(jobs: Int) {
        let journal = InMemoryJournal(), clock = Locked(0.0)
        let log = Self.log(journal, clock)
        let limits = log.budget.limits
        for index in 0..<jobs {
            log.started(JobEventLogTests.job(.running))
            log.finished(JobEventLogTests.job(index % 10 == 0 ? .failed(code: .lossFailed, reason: "bad") : .maxSteps))
        }
        let failures = (jobs + 9) / 10
        #expect(Self.count(journal, .jobStarted) + Self.count(journal, .jobMaxSteps) == min(2 * jobs - failures, limits.events))
        #expect(Self.count(journal, .jobFailed) == min(failures, limits.failures))
        #expect(Self.count(journal, .jobEventSummary) == 0, "no summary before the second is over")
        clock.withLock { $0 = 1.5 }
        log.flush()
        let summaries = journal.entries.filter { $0["MESSAGE_ID"] == MessageID.jobEventSummary.hex }
        guard 2 * jobs > limits.events + limits.failures else {
            #expect(summaries.isEmpty)
            return
        }
        #expect(summaries.count == 1)
        let left = ["LOSSD_STARTED", "LOSSD_MAX_STEPS", "LOSSD_FAILED"].map { Int(summaries[0][$0] ?? "") ?? -1 }
        #expect(left[0] + left[1] + Self.count(journal, .jobStarted) + Self.count(journal, .jobMaxSteps) == 2 * jobs - failures)
        #expect(left[2] + Self.count(journal, .jobFailed) == failures)
        #expect(summaries[0]["PRIORITY"] == (failures > limits.failures ? "3" : "5"))
    }

    /// 100,000 jobs starting and ending within 30 s, with progress reports every 10 ms: every
    /// entry of 30 s together stays under journald's default burst (10,000 per 30 s).
    @Test func oneHundredThousandJobsStayUnderTheDefaultBurst() {
        let journal = InMemoryJournal(), clock = Locked(0.0)
        let log = Self.log(journal, clock)
        let reporter = ProgressReporter(log: log)
        let running = (0..<100).map { _ in JobEventLogTests.job(.running, steps: 5, loss: 1, gradientNorm: 1, learningRate: 0.1) }
        var job = 0
        for tick in 0..<3_000 {  // 10 ms ticks: 30 s
            clock.withLock { $0 = Double(tick) / 100 }
            for _ in 0..<34 where job < 100_000 {
                log.started(JobEventLogTests.job(.running))
                log.finished(JobEventLogTests.job(job % 2 == 0 ? .converged(.tolerance) : .failed(code: .lossFailed, reason: "bad")))
                job += 1
            }
            _ = reporter.report(running, budget: 20)
        }
        log.flush(force: true)
        #expect(job == 100_000)
        #expect(journal.entries.count < 10_000, "\(journal.entries.count) entries in 30 s")
        let summaries = journal.entries.filter { $0["MESSAGE_ID"] == MessageID.jobEventSummary.hex }
        let logged = journal.entries.count - summaries.count - Self.count(journal, .jobProgress)
        let counted = summaries.reduce(0) { total, entry in
            total + ["LOSSD_STARTED", "LOSSD_CONVERGED", "LOSSD_MAX_STEPS", "LOSSD_DIVERGED", "LOSSD_FAILED"].reduce(0) { $0 + (Int(entry[$1] ?? "") ?? 0) }
        }
        #expect(logged + counted == 200_000, "every start and end is logged or counted")
        #expect(Self.count(journal, .jobProgress) <= 30 * log.budget.limits.progress + log.budget.limits.progress)
    }
}
