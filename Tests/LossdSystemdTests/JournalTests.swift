// SPDX-License-Identifier: Apache-2.0

import Logging
import LossdSystemd
import LossdTestSupport
import Testing

@Suite("Journal fields and the journald log handler")
struct JournalTests {
    @Test(arguments: [
        ("LOSSD_JOB", "LOSSD_JOB"), ("job", "JOB"), ("loss.lr", "LOSS_LR"), ("_PID", "PID"),
        ("1st", "X1ST"), ("", "X"), (String(repeating: "A", count: 80), String(repeating: "A", count: 64)),
    ])
    func fieldNames(raw: String, valid: String) {
        #expect(JournalField(raw, "v").name == valid)
    }

    @Test func logHandlerWritesStructuredFields() {
        let journal = InMemoryJournal()
        var logger = Logger(label: "test") { _ in JournalLogHandler(identifier: "lossd", sink: journal) }
        logger[metadataKey: "LOSSD_JOB"] = "seed-mse"
        logger.warning("job seed-mse diverged", metadata: ["MESSAGE_ID": "\(MessageID.jobDiverged.hex)", "LOSSD_STEP": "12"])
        let entry = journal.entries.last!
        #expect(entry["MESSAGE"] == "job seed-mse diverged")
        #expect(entry["PRIORITY"] == "4")
        #expect(entry["SYSLOG_IDENTIFIER"] == "lossd")
        #expect(entry["LOSSD_JOB"] == "seed-mse")
        #expect(entry["LOSSD_STEP"] == "12")
        #expect(entry["MESSAGE_ID"] == MessageID.jobDiverged.hex)
        #expect(entry["CODE_FILE"]?.hasSuffix("JournalTests.swift") == true)
        #expect(entry["CODE_FUNC"]?.hasPrefix("logHandlerWritesStructuredFields") == true)
        #expect(Int(entry["CODE_LINE"] ?? "") != nil)
    }

    @Test func priorities() {
        #expect(JournalLogHandler.priority(.error) == 3)
        #expect(JournalLogHandler.priority(.info) == 6)
        #expect(JournalLogHandler.priority(.debug) == 7)
    }

    @Test func messageIDsAreUniqueAndWellFormed() {
        let ids = MessageID.allCases.map(\.hex)
        #expect(Set(ids).count == ids.count)
        for id in ids { #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }) }
    }

    @Test func notifyMessages() {
        #expect(NotifyMessage.ready(status: "3 jobs\nrunning").description == "READY=1\nSTATUS=3 jobs running")
        #expect(NotifyMessage.reloading(monotonicMicroseconds: 42, status: "reloading").description
                == "RELOADING=1\nMONOTONIC_USEC=42\nSTATUS=reloading")
        #expect(NotifyMessage.watchdog.description == "WATCHDOG=1")
        #expect(NotifyMessage.extendTimeout(microseconds: 5_000_000).description == "EXTEND_TIMEOUT_USEC=5000000")
    }

    @Test func monotonicClockAdvances() {
        let first = MonotonicClock.microseconds
        let second = MonotonicClock.microseconds
        #expect(second >= first && first > 0)
    }
}
