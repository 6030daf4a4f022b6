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
/// `jobs`: per job in configuration order `name`, `status` (`queued`, `running`, `paused`,
/// `converged`, `max_steps`, `diverged`, `failed`, `cancelled`), `step`, `max_steps`, `loss` and
/// `best_loss` (null before the first step), `elapsed_seconds`, `started_at`, `loss_function`
/// and `optimizer`.
public struct DaemonStatus: Sendable, Hashable {
    /// One job's line.
    public struct Job: Sendable, Hashable {
        public var name: String
        public var status: String
        public var step: Int
        public var maxSteps: Int
        public var loss: Double
        public var bestLoss: Double
        public var elapsedSeconds: Double
        public var startedAt: Double
        public var lossFunction: String
        public var optimizer: String

        public init(name: String, status: String, step: Int, maxSteps: Int, loss: Double, bestLoss: Double,
                    elapsedSeconds: Double, startedAt: Double, lossFunction: String, optimizer: String) {
            self.name = name
            self.status = status
            self.step = step
            self.maxSteps = maxSteps
            self.loss = loss
            self.bestLoss = bestLoss
            self.elapsedSeconds = elapsedSeconds
            self.startedAt = startedAt
            self.lossFunction = lossFunction
            self.optimizer = optimizer
        }
    }

    public static let version = 1

    public var pid: Int32
    public var mode: String
    public var config: String
    /// `running` or `stopped`.
    public var state: String
    public var startedAt: Double
    public var updatedAt: Double
    public var reportIntervalSeconds: Double
    public var summary: String
    public var jobs: [Job]

    public init(pid: Int32, mode: String, config: String, state: String, startedAt: Double, updatedAt: Double,
                reportIntervalSeconds: Double, summary: String, jobs: [Job]) {
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
            ("mode", .string(mode)),
            ("config", .string(config)),
            ("state", .string(state)),
            ("started_at", .string(JobRecord.timestamp(startedAt))),
            ("updated_at", .string(JobRecord.timestamp(updatedAt))),
            ("report_interval_seconds", .number(reportIntervalSeconds)),
            ("summary", .string(summary)),
            ("jobs", .array(jobs.map { job in
                .object([
                    ("name", .string(job.name)),
                    ("status", .string(job.status)),
                    ("step", .integer(job.step)),
                    ("max_steps", .integer(job.maxSteps)),
                    ("loss", Self.known(job.loss)),
                    ("best_loss", Self.known(job.bestLoss)),
                    ("elapsed_seconds", .number(job.elapsedSeconds)),
                    ("started_at", .string(JobRecord.timestamp(job.startedAt))),
                    ("loss_function", .string(job.lossFunction)),
                    ("optimizer", .string(job.optimizer)),
                ])
            })),
        ])
    }

    /// Reads the document back; nil when it is not a version-1 status file.
    public init?(json: JSONValue) {
        guard json["version"] == .integer(Self.version), case .integer(let pid)? = json["pid"],
              case .array(let items)? = json["jobs"] else { return nil }
        var jobs: [Job] = []
        for item in items {
            guard case .string(let name)? = item["name"], case .string(let status)? = item["status"],
                  case .integer(let step)? = item["step"], case .integer(let maxSteps)? = item["max_steps"] else { return nil }
            jobs.append(Job(name: name, status: status, step: step, maxSteps: maxSteps, loss: Self.number(item["loss"]),
                            bestLoss: Self.number(item["best_loss"]), elapsedSeconds: Self.number(item["elapsed_seconds"]),
                            startedAt: JobRecord.parseTimestamp(Self.string(item["started_at"])),
                            lossFunction: Self.string(item["loss_function"]) ?? "", optimizer: Self.string(item["optimizer"]) ?? ""))
        }
        self.init(pid: Int32(clamping: pid), mode: Self.string(json["mode"]) ?? "", config: Self.string(json["config"]) ?? "",
                  state: Self.string(json["state"]) ?? "", startedAt: JobRecord.parseTimestamp(Self.string(json["started_at"])),
                  updatedAt: JobRecord.parseTimestamp(Self.string(json["updated_at"])),
                  reportIntervalSeconds: Self.number(json["report_interval_seconds"]), summary: Self.string(json["summary"]) ?? "",
                  jobs: jobs)
    }

    /// A loss, or null while it is not known yet (NaN before the first step, +inf best loss).
    static func known(_ value: Double) -> JSONValue {
        value.isNaN || value == .infinity ? .null : .number(value)
    }

    static func number(_ value: JSONValue?) -> Double {
        switch value {
        case .number(let number)?: number
        case .integer(let integer)?: Double(integer)
        default: .nan
        }
    }

    static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    // MARK: - Liveness

    /// Whether the daemon that wrote this file still runs: it did not record a stop, its pid
    /// exists, and (where `/proc` tells) that process is a `lossd`, not an unrelated process that
    /// got the pid after a crash.
    public var isLive: Bool {
        state == "running" && Self.processIsLossd(pid)
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
    let mode: String
    let config: String
    let startedAt: Double
    let logger: Logger
    private let failed = Locked(false)
    private let lastWrite = Locked<ContinuousClock.Instant?>(nil)
    /// At most this often while running, whatever `report_interval` says (it may be 10ms): the
    /// file is a live view for people and scripts, not worth a write and two fsyncs per tick.
    static let minimumInterval = Duration.milliseconds(250)

    public init(directory: String, mode: DaemonService.Mode, config: String, logger: Logger) {
        self.path = directory + "/status.json"
        self.mode = mode == .run ? "run" : "serve"
        self.config = config.hasPrefix("/") ? config : FileManager.default.currentDirectoryPath + "/" + config
        self.startedAt = Date().timeIntervalSince1970
        self.logger = logger
    }

    /// Writes the current state of `supervisor`'s jobs; `running: false` records that the daemon
    /// has stopped (always written). A failure is logged once (until a write succeeds again),
    /// never thrown.
    public func write(_ supervisor: Supervisor, reportInterval: Duration, running: Bool) {
        let now = ContinuousClock.now
        let due = lastWrite.withLock { last in
            guard !running || last.map({ now - $0 >= Self.minimumInterval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        let jobs = supervisor.rows().map { row in
            DaemonStatus.Job(name: row.name, status: row.status, step: row.step, maxSteps: row.maxSteps, loss: row.loss,
                             bestLoss: row.bestLoss, elapsedSeconds: row.elapsedSeconds, startedAt: row.startedAt,
                             lossFunction: row.lossFunction, optimizer: row.optimizer)
        }
        let (seconds, attoseconds) = reportInterval.components
        let status = DaemonStatus(pid: getpid(), mode: mode, config: config, state: running ? "running" : "stopped",
                                  startedAt: startedAt, updatedAt: Date().timeIntervalSince1970,
                                  reportIntervalSeconds: Double(seconds) + Double(attoseconds) / 1e18,
                                  summary: supervisor.summary().statusLine, jobs: jobs)
        do throws(AtomicFile.WriteError) {
            try AtomicFile.write(status.json.serialized() + "\n", to: path)
            failed.withLock { $0 = false }
        } catch {
            let first = failed.withLock { old in defer { old = true }; return !old }
            if first { logger.warning("cannot write \(path): \(error)") }
        }
    }
}
