// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import Foundation
import LossdState
import LossdJSON
import LossdEngine
import LossdConfig
import LossdDaemon

extension Lossd {
    /// `lossd status`: a table of the jobs in a state directory, live while a daemon runs.
    public struct Status: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Show every job of a state directory: status, step, loss, elapsed time and ETA.",
            discussion: """
                Reads the state directory only (never the daemon itself), so it works while
                lossd runs and after it stopped. A running daemon rewrites status.json there
                at every report interval: running jobs then show their live step out of
                max_steps and an ETA (the time to reach max_steps at the job's average rate so
                far; a job may converge sooner). Finished jobs show their result. When a model
                job has finished an epoch, the table adds EPOCH, VAL LOSS and ACCURACY (its
                latest epoch's; '-' when not measured) and --json adds epoch, train_loss,
                val_loss and accuracy. When no
                daemon runs, an unfinished job is 'stopped' at the step of its checkpoint,
                where it resumes. Jobs the last daemon's configuration no longer has are
                listed as stale (lossd results --prune-stale archives them), and a rejected
                last reload is shown with its error.

                The state directory is --state-dir, else the one --config's daemon uses, else
                $STATE_DIRECTORY, else /var/lib/lossd if it exists (lossd.service), else
                ./state.

                Exit status: 0 success (unreadable files are skipped with a warning), 64 usage
                error or no job matches, 66 no state directory, 77 permission denied, 78 the
                --config file is invalid.

                Examples:
                  lossd status --config configs/seed.yaml
                  sudo lossd status                       # lossd.service, /var/lib/lossd
                  lossd status --state-dir /var/lib/lossd/NAME --json | jq '.jobs[].loss'
                  watch -n1 lossd status --state-dir /tmp/seed-state
                """
        )

        @Argument(help: ArgumentHelp("Jobs to show: names, sweep names or shell patterns (default: all).", valueName: "job"), completion: .custom(JobSelection.complete))
        var jobs: [String] = []

        @OptionGroup var location: StateLocation

        @Flag(help: "Print one JSON document (for scripts) instead of the table.")
        var json = false

        public init() {}

        public func run() throws {
            var overviews: [StateOverview] = []
            do throws(CommandError) {
                let set = try location.stateSet()
                for reader in set.readers {
                    do throws(StateReader.ReadError) { overviews.append(try StateOverview.read(reader, selects: { JobFilter($0).selects($1) })) } catch {
                        throw StateLocation.commandError(error, directory: reader.directory)
                    }
                }
                if overviews.count > 1 {
                    // A job in several directories is shown once, from the one StateSet reads it from.
                    let found = try set.jobs(documents: false)
                    for index in overviews.indices { overviews[index].jobs.removeAll { found.owner[$0.name] != index } }
                }
                if !jobs.isEmpty {
                    let chosen = Set(try JobSelection(patterns: jobs).select(overviews.flatMap { $0.jobs.map(\.name) }))
                    for index in overviews.indices { overviews[index].jobs.removeAll { !chosen.contains($0.name) } }
                }
            } catch {
                throw Console.fail(error)
            }
            for warning in overviews.flatMap(\.warnings) { Console.warning("skipped \(warning)") }
            let now = Date().timeIntervalSince1970
            if overviews.count == 1, let overview = overviews.first {
                let reload = ReloadRecord.read(in: overview.directory)
                print(json ? StatusReport.json(overview, now: now, reload: reload).serialized()
                           : StatusReport.table(overview, now: now, reload: reload), terminator: json ? "\n" : "")
            } else {
                print(json ? StatusReport.json(several: overviews, now: now).serialized() : StatusReport.table(several: overviews, now: now),
                      terminator: json ? "\n" : "")
            }
        }
    }
}

/// The two renderings of a ``StateOverview``.
enum StatusReport {
    // MARK: - Table

    /// Several directories as one: each directory's daemon line, then one table of their jobs.
    static func table(several overviews: [StateOverview], now: Double) -> String {
        var text = ""
        for overview in overviews {
            text += "state directory: \(overview.directory)\n  daemon: \(daemonLine(overview, now: now))\n"
            if let line = reloadLine(overview, ReloadRecord.read(in: overview.directory)) { text += "  " + line + "\n" }
        }
        let merged = StateOverview(directory: overviews.map(\.directory).joined(separator: ", "), daemon: nil, daemonRunning: false,
                                   jobs: overviews.flatMap(\.jobs), warnings: [])
        return text + (merged.jobs.isEmpty ? "no jobs\n" : jobTable(merged))
    }

    /// Several directories as one document: `state_directories` (each with its daemon), then
    /// the jobs of all, as for one directory.
    static func json(several overviews: [StateOverview], now: Double) -> JSONValue {
        let merged = StateOverview(directory: "", daemon: nil, daemonRunning: false, jobs: overviews.flatMap(\.jobs),
                                   warnings: overviews.flatMap(\.warnings))
        let directories = overviews.map { overview in
            JSONValue.object([("state_directory", .string(overview.directory)), ("daemon", json(overview, now: now)["daemon"] ?? .null)])
        }
        guard case .object(let fields) = json(merged, now: now) else { return .null }
        return .object([("state_directories", .array(directories))] + fields.filter { !["state_directory", "daemon"].contains($0.0) })
    }

    static func table(_ overview: StateOverview, now: Double, reload: ReloadRecord? = nil) -> String {
        var text = "state directory: \(overview.directory)\n"
        text += "daemon: \(daemonLine(overview, now: now))\n"
        if let line = reloadLine(overview, reload) { text += line + "\n" }
        guard !overview.jobs.isEmpty else {
            let nested = overview.daemon == nil ? StateReader(directory: overview.directory).nestedStateDirectories() : []
            guard let first = nested.first else { return text + "no jobs\n" }
            return text + "no jobs; state directories inside: \(nested.joined(separator: ", ")) "
                + "(lossd status --state-dir \(overview.directory)/\(first))\n"
        }
        return text + jobTable(overview)
    }

    /// The jobs' table, the summary line and the notes under it.
    static func jobTable(_ overview: StateOverview) -> String {
        var text = ""
        // Model jobs' epoch columns, only when a job has finished an epoch.
        let epochs = overview.jobs.contains { $0.epoch != nil }
        let header = ["JOB", "STATUS", "STEP / MAX", "LOSS", "BEST LOSS"] + (epochs ? ["EPOCH", "VAL LOSS", "ACCURACY"] : [])
            + ["ELAPSED", "ETA"]
        let rows = overview.jobs.map { job -> [String] in
            var step = job.step.map(String.init) ?? "-"
            if let max = job.maxSteps { step += " / \(max)" }
            let epochCells = [job.epoch.map { String($0.epoch) } ?? "-", number(job.epoch?.validationLoss), number(job.epoch?.accuracy)]
            return [job.name, job.standing.name, step, number(job.loss), number(job.bestLoss)] + (epochs ? epochCells : [])
                + [job.elapsedSeconds.map(duration) ?? "-", job.etaSeconds.map(duration) ?? "-"]
        }
        text += TextTable.render(header: header, rows: rows, rightAligned: Set(2..<header.count))
        text += overview.summary + "\n"
        for job in overview.jobs {
            guard let problem = job.unsaved else { continue }
            text += "\(job.name): not saved (\(problem)); it resumes from its last checkpoint on disk, or starts over without one\n"
        }
        let stale = overview.jobs.filter(\.stale).map(\.name)
        if !stale.isEmpty {
            text += "stale (not in the daemon's configuration; lossd results --prune-stale archives them): \(stale.joined(separator: ", "))\n"
        }
        return text
    }

    /// `last reload: rejected (...)` when the last reload of the daemon that wrote status.json
    /// was refused (the previous configuration keeps running); nil otherwise.
    static func reloadLine(_ overview: StateOverview, _ reload: ReloadRecord?) -> String? {
        guard let reload, reload.outcome == .rejected, reload.pid == overview.daemon?.pid else { return nil }
        return "last reload: rejected, the previous configuration keeps running (\(reload.message))"
    }

    static func daemonLine(_ overview: StateOverview, now: Double) -> String {
        guard let daemon = overview.daemon else { return "none has run here yet (no status.json)" }
        let command = "lossd \(daemon.mode.rawValue) \(daemon.config)"
        let age = max(0, now - daemon.updatedAt)
        if overview.daemonRunning {
            return "running, pid \(daemon.pid) (\(command)), updated \(duration(age)) ago"
        }
        let how = daemon.state == .stopped ? "stopped" : "not running (it did not record a stop: killed or crashed)"
        return "\(how); last pid \(daemon.pid) (\(command)), last update \(duration(age)) ago"
    }

    /// Four significant digits, `-` when unknown.
    static func number(_ value: Double?) -> String {
        value.map(NumberText.short) ?? "-"
    }

    /// `0.004s`, `12.3s`, `5m02s`, `1h03m`, `2d04h`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        if seconds < 10 { return String(format: "%.3gs", seconds) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        if whole < 86400 { return String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60) }
        return String(format: "%dd%02dh", whole / 86400, whole % 86400 / 3600)
    }

    // MARK: - JSON

    static func json(_ overview: StateOverview, now: Double, reload: ReloadRecord? = nil) -> JSONValue {
        func optional(_ value: Double?) -> JSONValue { value.map { JSONValue.number($0) } ?? .null }
        func time(_ value: Double?) -> JSONValue {
            guard let value, value.isFinite else { return .null }
            return .string(Timestamp.rfc3339(value))
        }
        var daemon = JSONValue.null
        if let status = overview.daemon {
            daemon = .object([
                ("running", .bool(overview.daemonRunning)), ("state", .string(status.state.rawValue)), ("pid", .integer(Int(status.pid))),
                ("mode", .string(status.mode.rawValue)), ("config", .string(status.config)), ("started_at", time(status.startedAt)),
                ("updated_at", time(status.updatedAt)), ("summary", .string(status.summary)),
            ])
        }
        let jobs = overview.jobs.map { job in
            JSONValue.object([
                ("name", .string(job.name)), ("status", .string(job.standing.name)), ("step", job.step.map { .integer($0) } ?? .null),
                ("max_steps", job.maxSteps.map { .integer($0) } ?? .null), ("loss", optional(job.loss)),
                ("best_loss", optional(job.bestLoss)), ("elapsed_seconds", optional(job.elapsedSeconds)),
                ("eta_seconds", optional(job.etaSeconds)), ("started_at", time(job.startedAt)),
                ("finished_at", time(job.finishedAt)), ("source", .string(job.source.rawValue)),
            ] + (job.epoch.map(JobRecord.epochJSON) ?? []) + (job.unsaved.map { [("unsaved", JSONValue.string($0.description))] } ?? [])
              + (job.stale ? [("stale", JSONValue.bool(true))] : []))
        }
        return .object([
            ("state_directory", .string(overview.directory)), ("daemon", daemon), ("summary", .string(overview.summary)),
            ("jobs", .array(jobs)), ("warnings", .array(overview.warnings.map { .string($0) })),
        ] + (reloadLine(overview, reload) == nil ? [] : [("reload_rejected", JSONValue.string(reload!.message))]))
    }
}
