// SPDX-License-Identifier: Apache-2.0

import Foundation
public import LossdJSON
public import Logging
import LossdSync

#if canImport(Glibc)
import Glibc
#endif

/// `status.json` in the state directory: what the daemon is doing, rewritten atomically at every
/// report interval (at most 4 times a second), when it becomes ready and when it stops.
/// `lossd status` reads it, so that running jobs show their live step, `max_steps` and ETA
/// between checkpoints.
///
/// Fields: `version` (1), `pid`, `mode` (`run` or `serve`), `config`, `state` (`running`, or
/// `stopped` once the daemon has finished or checkpointed everything on a signal), `started_at`,
/// `updated_at` (RFC 3339 UTC), `report_interval_seconds`, `summary` (the `STATUS=` line) and
/// `jobs`: per job in configuration order, its line (see ``JobRecord/statusJSON``), and `only`
/// (the `--only` patterns of `lossd run`; absent when every job of the file runs): jobs these
/// do not select are not stale, only not run.
public struct DaemonStatus: Sendable, Hashable {
    /// Which command wrote the file.
    public enum Mode: String, Sendable, Hashable {
        case run, serve
    }

    /// Whether the daemon was running when it wrote the file.
    public enum State: String, Sendable, Hashable {
        case running, stopped
    }

    public static let version = 1

    public var pid: Int32
    public var mode: Mode
    public var config: String
    public var state: State
    public var startedAt: Double
    public var updatedAt: Double
    public var reportIntervalSeconds: Double
    public var summary: String
    public var jobs: [JobRecord]
    /// `lossd run --only` patterns; empty when every job of the configuration runs.
    public var only: [String] = []

    public init(pid: Int32, mode: Mode, config: String, state: State, startedAt: Double, updatedAt: Double,
                reportIntervalSeconds: Double, summary: String, jobs: [JobRecord]) {
        self.pid = pid
        self.mode = mode
        self.config = config
        self.state = state
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.reportIntervalSeconds = reportIntervalSeconds
        self.summary = summary
        self.jobs = jobs
    }

    // MARK: - JSON

    public var json: JSONValue {
        .object([
            ("version", .integer(Self.version)),
            ("pid", .integer(Int(pid))),
            ("mode", .string(mode.rawValue)),
            ("config", .string(config)),
            ("state", .string(state.rawValue)),
            ("started_at", .string(Timestamp.rfc3339(startedAt))),
            ("updated_at", .string(Timestamp.rfc3339(updatedAt))),
            ("report_interval_seconds", .number(reportIntervalSeconds)),
            ("summary", .string(summary)),
            ("jobs", .array(jobs.map(\.statusJSON))),
        ] + (only.isEmpty ? [] : [("only", JSONValue.array(only.map(JSONValue.string)))]))
    }

    /// Reads the document back; nil when it is not a version-1 status file.
    public init?(json: JSONValue) {
        guard json["version"] == .integer(Self.version), let pid = json["pid"]?.integerValue,
              let mode = json["mode"]?.stringValue.flatMap(Mode.init(rawValue:)),
              let state = json["state"]?.stringValue.flatMap(State.init(rawValue:)),
              let items = json["jobs"]?.arrayValue else { return nil }
        var jobs: [JobRecord] = []
        for item in items {
            guard let job = JobRecord(statusEntry: item) else { return nil }
            jobs.append(job)
        }
        self.init(pid: Int32(clamping: pid), mode: mode, config: json["config"]?.stringValue ?? "", state: state,
                  startedAt: Timestamp.seconds(json["started_at"]?.stringValue),
                  updatedAt: Timestamp.seconds(json["updated_at"]?.stringValue),
                  reportIntervalSeconds: json["report_interval_seconds"]?.doubleValue ?? .nan,
                  summary: json["summary"]?.stringValue ?? "", jobs: jobs)
        only = json["only"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    // MARK: - Liveness

    /// Whether the daemon that wrote this file still runs: it did not record a stop, its pid
    /// exists, and (where `/proc` tells) that process is a `lossd`, not an unrelated process that
    /// got the pid after a crash.
    public var isLive: Bool {
        state == .running && Self.processIsLossd(pid)
    }

    static func processIsLossd(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let comm = AtomicFile.read("/proc/\(pid)/comm") else { return true }
        return String(decoding: comm, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "lossd"
    }
}

/// Writes ``DaemonStatus`` documents for one daemon process.
public final class StatusFile: Sendable {
    public let path: String
    let mode: DaemonStatus.Mode
    let config: String
    let only: [String]
    let startedAt: Double
    let logger: Logger
    private let failed = Locked(false)
    private let lastWrite = Locked<ContinuousClock.Instant?>(nil)
    /// At most this often while running, whatever `report_interval` says (it may be 10ms): the
    /// file is a live view for people and scripts, not worth a write and two fsyncs per tick.
    static let minimumInterval = Duration.milliseconds(250)

    public init(directory: String, mode: DaemonStatus.Mode, config: String, only: [String] = [], logger: Logger) {
        self.path = directory + "/status.json"
        self.mode = mode
        self.only = only
        self.config = config.hasPrefix("/") ? config : FileManager.default.currentDirectoryPath + "/" + config
        self.startedAt = Timestamp.now()
        self.logger = logger
    }

    /// Writes `jobs` and the `STATUS=` line `summary`; `running: false` records that the daemon
    /// has stopped (always written). A failure is logged once (until a write succeeds again),
    /// never thrown.
    public func write(jobs: @autoclosure () -> [JobRecord], summary: @autoclosure () -> String, reportInterval: Duration,
                      running: Bool) {
        let now = ContinuousClock.now
        let due = lastWrite.withLock { last in
            guard !running || last.map({ now - $0 >= Self.minimumInterval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        let (seconds, attoseconds) = reportInterval.components
        var status = DaemonStatus(pid: getpid(), mode: mode, config: config, state: running ? .running : .stopped,
                                  startedAt: startedAt, updatedAt: Timestamp.now(),
                                  reportIntervalSeconds: Double(seconds) + Double(attoseconds) / 1e18,
                                  summary: summary(), jobs: jobs())
        status.only = only
        do throws(AtomicFile.WriteError) {
            try AtomicFile.write(status.json.serialized() + "\n", to: path)
            failed.withLock { $0 = false }
        } catch {
            let first = failed.withLock { old in defer { old = true }; return !old }
            if first { logger.warning("cannot write \(path): \(error)") }
        }
    }
}
