// SPDX-License-Identifier: Apache-2.0

public import LossdSystemd

/// A journal that keeps its entries in memory, for tests: with `JournalLogHandler` in front of it,
/// each entry holds exactly the fields journald would receive.
public final class InMemoryJournal: JournalSink {
    /// One entry: field name -> value.
    public typealias Entry = [String: String]

    public let recorder = Recorder<Entry>()

    public init() {}

    public func send(_ fields: [JournalField]) {
        recorder.append(Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }))
    }

    /// Every entry sent so far, oldest first.
    public var entries: [Entry] { recorder.items }

    /// Every entry with this `MESSAGE_ID`.
    public func entries(_ id: MessageID) -> [Entry] { entries.filter { $0["MESSAGE_ID"] == id.hex } }

    /// The first entry with this `MESSAGE_ID` (and, when given, for this job), waiting for it.
    @discardableResult
    public func entry(_ id: MessageID, job: String? = nil) async -> Entry {
        await recorder.first { $0["MESSAGE_ID"] == id.hex && (job == nil || $0["LOSSD_JOB"] == job) }
    }
}
