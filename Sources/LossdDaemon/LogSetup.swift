// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
public import LossdSystemd

/// Where lossd's log goes: journald when standard error is already the journal (under systemd),
/// the live display on a terminal, plain lines otherwise. Loggers are made here and passed
/// explicitly; nothing is bootstrapped globally.
public enum LogSetup {
    /// The logger for this environment; journal entries go to `journal`.
    public static func logger(display: TerminalDisplay?, environment: [String: String], journal: any JournalSink) -> Logger {
        if JournalStream.isStandardErrorJournal(environment: environment) || environment["LOSSD_LOG_TARGET"] == "journal" {
            return journalLogger(journal)
        }
        if let display {
            return Logger(label: "lossd") { _ in TerminalLogHandler(display: display) }
        }
        return Logger(label: "lossd") { _ in PlainLogHandler() }
    }

    /// A logger whose entries, with every metadata item as a field, go to `journal`
    /// (`SYSLOG_IDENTIFIER=lossd`).
    public static func journalLogger(_ journal: any JournalSink) -> Logger {
        Logger(label: "lossd") { _ in JournalLogHandler(identifier: "lossd", sink: journal) }
    }
}

/// `lossd: LEVEL: message` lines on standard error; structured fields are left to journald.
public struct PlainLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        FileHandle.standardError.write(Data("lossd: \(event.level): \(event.message)\n".utf8))
    }
}
