// SPDX-License-Identifier: Apache-2.0

import Foundation
public import LossdJSON
import LossdState
import LossdSystemd

/// What the daemon's last reload did, written atomically to `STATE/reload.json` when a reload
/// ends, so that `lossd reload --wait` can tell when a reload it asked for is over:
///
///     {"pid": 812, "sequence": 3, "started_usec": 5123456789, "finished_usec": 5123460123,
///      "outcome": "applied", "message": "reloaded /etc/lossd/lossd.yaml: 1 added, ..."}
///
/// `started_usec` is CLOCK_MONOTONIC (as `MONOTONIC_USEC=`) when the reload began, before the
/// file was read: a reload that started after a SIGHUP was sent read the file as it was then.
/// `sequence` counts the reloads of the process `pid` (1 for its first).
public struct ReloadRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// The file was read and applied.
        case applied
        /// The file was invalid; the previous configuration keeps running.
        case rejected
    }

    public var pid: Int32
    public var sequence: Int
    public var startedMicroseconds: UInt64
    public var finishedMicroseconds: UInt64
    public var outcome: Outcome
    public var message: String

    public init(pid: Int32, sequence: Int, startedMicroseconds: UInt64, finishedMicroseconds: UInt64, outcome: Outcome, message: String) {
        self.pid = pid
        self.sequence = sequence
        self.startedMicroseconds = startedMicroseconds
        self.finishedMicroseconds = finishedMicroseconds
        self.outcome = outcome
        self.message = message
    }

    /// The record's file in `directory`.
    public static func path(in directory: String) -> String { directory + "/reload.json" }

    public var json: JSONValue {
        .object([
            ("pid", .integer(Int(pid))), ("sequence", .integer(sequence)),
            ("started_usec", .integer(Int(startedMicroseconds))), ("finished_usec", .integer(Int(finishedMicroseconds))),
            ("outcome", .string(outcome.rawValue)), ("message", .string(message)),
        ])
    }

    /// The record in `json`, or nil when it is not one.
    public init?(json: JSONValue) {
        guard case .integer(let pid)? = json["pid"], case .integer(let sequence)? = json["sequence"],
              case .integer(let started)? = json["started_usec"], case .integer(let finished)? = json["finished_usec"],
              case .string(let outcomeName)? = json["outcome"], let outcome = Outcome(rawValue: outcomeName),
              case .string(let message)? = json["message"], let pid32 = Int32(exactly: pid), started >= 0, finished >= 0 else { return nil }
        self.init(pid: pid32, sequence: sequence, startedMicroseconds: UInt64(started), finishedMicroseconds: UInt64(finished),
                  outcome: outcome, message: message)
    }

    /// The record in `directory`, or nil when there is none (or it cannot be read).
    public static func read(in directory: String) -> ReloadRecord? {
        guard let bytes = AtomicFile.read(path(in: directory)),
              let json = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)) else { return nil }
        return ReloadRecord(json: json)
    }

    /// Writes the record of a reload of this process that began at `started` (CLOCK_MONOTONIC
    /// microseconds) and ended now, numbered after the previous one of this process.
    static func write(in directory: String, started: UInt64, outcome: Outcome, message: String) throws(AtomicFile.WriteError) {
        let pid = getpid()
        let previous = read(in: directory).flatMap { $0.pid == pid ? $0.sequence : nil } ?? 0
        let record = ReloadRecord(pid: pid, sequence: previous + 1, startedMicroseconds: started,
                                  finishedMicroseconds: MonotonicClock.microseconds, outcome: outcome, message: message)
        try AtomicFile.write(record.json.serialized() + "\n", to: path(in: directory))
    }
}
