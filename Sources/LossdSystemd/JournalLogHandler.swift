// SPDX-License-Identifier: Apache-2.0

public import Logging

/// A swift-log handler that writes structured journald entries.
///
/// Each entry carries `MESSAGE`, `PRIORITY` (syslog levels), `SYSLOG_IDENTIFIER`, the call site
/// as `CODE_FILE`/`CODE_LINE`/`CODE_FUNC`, and every metadata item as a field of its own: keys
/// are made valid field names (`job` -> `JOB`), so lossd logs with keys such as `LOSSD_JOB`,
/// `LOSSD_STEP`, `MESSAGE_ID` and `journalctl LOSSD_JOB=seed-mse` finds them.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let sink: any JournalSink
    private let identifier: String

    public init(identifier: String = "lossd", sink: any JournalSink = SystemdJournal()) {
        self.identifier = identifier
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// syslog(3) priority for a swift-log level.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public func log(event: LogEvent) {
        var fields: [JournalField] = [
            JournalField("MESSAGE", event.message.description),
            JournalField("PRIORITY", String(Self.priority(event.level))),
            JournalField("SYSLOG_IDENTIFIER", identifier),
            JournalField("CODE_FILE", event.file),
            JournalField("CODE_LINE", String(event.line)),
            JournalField("CODE_FUNC", event.function),
        ]
        if let error = event.error { fields.append(JournalField("ERROR", String(describing: error))) }
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        for key in merged.keys.sorted() {
            fields.append(JournalField(key, Self.text(merged[key]!)))
        }
        sink.send(fields)
    }

    static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(text).joined(separator: ",")
        case .dictionary(let values): values.keys.sorted().map { "\($0)=\(text(values[$0]!))" }.joined(separator: ",")
        }
    }
}
