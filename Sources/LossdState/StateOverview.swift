// SPDX-License-Identifier: Apache-2.0

public import LossdEngine

/// Every job of a state directory and where it stands, merged from the daemon's `status.json`,
/// the results (through `results.index`, see ``ResultIndex``) and the checkpoints: what
/// `lossd status` prints.
///
/// - A result of the job's current run (finished at or after the run started) wins: the job has ended.
/// - Otherwise, while the daemon that wrote `status.json` runs, its line is the job's live state.
/// - Otherwise the job is `stopped` and resumes from its checkpoint when a daemon starts again
///   (its step is the checkpoint's); a job known only from its history is `unknown`.
///
/// Jobs appear in the daemon's configuration order, then the others by name; those others are
/// stale when a daemon has written `status.json` (its configuration no longer has them).
public struct StateOverview: Sendable {
    /// Where a job stands as far as the state directory tells.
    public enum Standing: Sendable, Hashable {
        /// The job's status from its result or the running daemon's line.
        case job(JobStatus)
        /// Not running: it resumes from its checkpoint (or, without one, starts again) when a daemon starts.
        case stopped
        /// Known only from its history.
        case unknown

        /// The status's name, `stopped` or `unknown`.
        public var name: String {
            switch self {
            case .job(let status): status.name
            case .stopped: Kind.stopped.rawValue
            case .unknown: Kind.unknown.rawValue
            }
        }

        private enum Kind: String { case stopped, unknown }

        /// The order of ``StateOverview/summary``: live statuses, `stopped`, final statuses, `unknown`.
        static var summaryOrder: [String] {
            [JobStatus.running.name, JobStatus.queued.name, JobStatus.paused.name, Standing.stopped.name]
                + JobStatus.allNames.filter { name in JobStatus(name: name, detail: nil, code: nil)?.isFinal == true }
                + [Standing.unknown.name]
        }
    }

    /// Where a job's line comes from.
    public enum Source: String, Sendable, Hashable {
        case result, daemon, checkpoint, history
    }

    /// One job's line: a view merged from the files of the directory, with what they do not
    /// tell left out (nil), where a ``JobRecord`` is what one file or the daemon says.
    public struct Job: Sendable, Hashable {
        public var name: String
        public var standing: Standing
        public var step: Int?
        public var maxSteps: Int?
        public var loss: Double?
        public var bestLoss: Double?
        public var elapsedSeconds: Double?
        /// Seconds to reach `max_steps` at the job's average rate so far (running jobs only).
        public var etaSeconds: Double?
        public var startedAt: Double?
        public var finishedAt: Double?
        public var source: Source
        /// Why the daemon could not write the job's newer state (its result, or a checkpoint past
        /// the one shown): it resumes from its last checkpoint on disk, or starts over without one.
        public var unsaved: StateWriteProblem? = nil
        /// A model job's latest finished epoch, from its result or the running daemon's line.
        public var epoch: EpochRecord? = nil
        /// The last daemon's configuration no longer has the job (its files are left from an
        /// earlier one; `lossd results --prune-stale` archives them). False when no daemon has
        /// written a status file.
        public var stale = false
    }

    public var directory: String
    /// The last `status.json`, if any daemon wrote one.
    public var daemon: DaemonStatus?
    /// Whether that daemon still runs.
    public var daemonRunning: Bool
    public var jobs: [Job]
    /// Files that could not be read (and were skipped).
    public var warnings: [String]

    public init(directory: String, daemon: DaemonStatus? = nil, daemonRunning: Bool, jobs: [Job], warnings: [String]) {
        self.directory = directory
        self.daemon = daemon
        self.daemonRunning = daemonRunning
        self.jobs = jobs
        self.warnings = warnings
    }

    /// Reads `reader`'s directory; `isLive` tells whether the daemon of a status file still runs.
    /// `selects(patterns, name)` tells whether the daemon's `--only` patterns select a job (the
    /// config's job filter): one they do not select is not stale.
    public static func read(_ reader: StateReader, isLive: (DaemonStatus) -> Bool = { $0.isLive },
                            selects: ([String], String) -> Bool = { patterns, _ in patterns.isEmpty }) throws(StateReader.ReadError) -> StateOverview {
        try reader.check()
        var warnings: [String] = []
        var daemon: DaemonStatus?
        do throws(StateReader.ReadError) { daemon = try reader.status() } catch {
            if error.kind == .permission { throw error }
            warnings.append(error.description)
        }
        let running = daemon.map(isLive) ?? false
        let files = try reader.jobNames()
        let catalog = try reader.resultCatalog(documents: false)
        let entries = Dictionary((daemon?.jobs ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var order = daemon?.jobs.map(\.name) ?? []
        order += files.filter { entries[$0] == nil }

        var jobs: [Job] = []
        for name in order {
            let entry = entries[name]
            var result = catalog.summary(name)
            var checkpoint: StateReader.CheckpointSummary?
            if result == nil {
                do throws(StateReader.ReadError) {
                    result = try reader.result(name)?.record
                } catch {
                    if error.kind == .permission { throw error }
                    warnings.append(error.description)
                }
            }
            if let record = result, let entry, !entry.status.isFinal,
               !((record.finishedAt ?? .nan) >= entry.startedAt) {
                result = nil  // a result left by an earlier configuration of a job that now runs again
            }
            if let record = result {
                jobs.append(Job(name: name, standing: .job(record.status), step: record.steps, maxSteps: entry?.maxSteps,
                                loss: record.loss, bestLoss: record.bestLoss, elapsedSeconds: record.elapsedSeconds,
                                startedAt: record.startedAt, finishedAt: record.finishedAt, source: .result, epoch: record.epoch))
                continue
            }
            if let entry, running {
                jobs.append(Job(name: name, standing: .job(entry.status), step: entry.steps, maxSteps: entry.maxSteps,
                                loss: finite(entry.loss), bestLoss: finite(entry.bestLoss), elapsedSeconds: entry.elapsedSeconds,
                                etaSeconds: eta(entry), startedAt: entry.startedAt, source: .daemon, unsaved: entry.unsaved,
                                epoch: entry.epoch))
                continue
            }
            do throws(StateReader.ReadError) {
                checkpoint = try reader.checkpoint(name)
            } catch {
                if error.kind == .permission { throw error }
                warnings.append(error.description)
            }
            if let checkpoint {
                jobs.append(Job(name: name, standing: .stopped, step: checkpoint.step, maxSteps: entry?.maxSteps,
                                loss: finite(checkpoint.loss), bestLoss: finite(checkpoint.bestLoss),
                                elapsedSeconds: checkpoint.elapsedSeconds, startedAt: checkpoint.startedAt, source: .checkpoint,
                                unsaved: entry?.unsaved))
            } else if let entry, entry.unsaved != nil {
                // The daemon's last state of the job never reached the disk: it starts over.
                jobs.append(Job(name: name, standing: .stopped, maxSteps: entry.maxSteps, startedAt: entry.startedAt,
                                source: .daemon, unsaved: entry.unsaved))
            } else if let entry {
                jobs.append(Job(name: name, standing: entry.status.isFinal ? .job(entry.status) : .stopped, step: entry.steps,
                                maxSteps: entry.maxSteps, loss: finite(entry.loss), bestLoss: finite(entry.bestLoss),
                                elapsedSeconds: entry.elapsedSeconds, startedAt: entry.startedAt, source: .daemon))
            } else {
                var last: HistoryRow?
                do throws(StateReader.ReadError) { last = try reader.history(name)?.last } catch {
                    if error.kind == .permission { throw error }
                    warnings.append(error.description)
                }
                jobs.append(Job(name: name, standing: .unknown, step: last?.step, loss: last.flatMap { finite($0.loss) }, source: .history))
            }
        }
        if let daemon {
            for index in jobs.indices where entries[jobs[index].name] == nil && selects(daemon.only, jobs[index].name) {
                jobs[index].stale = true
            }
        }
        return StateOverview(directory: reader.directory, daemon: daemon, daemonRunning: running, jobs: jobs, warnings: warnings)
    }

    /// `(max_steps - step) × elapsed / step`: the time left at the job's average rate so far.
    static func eta(_ entry: JobRecord) -> Double? {
        guard entry.status == .running, entry.steps > 0, let maxSteps = entry.maxSteps, maxSteps > entry.steps,
              entry.elapsedSeconds > 0 else { return nil }
        return Double(maxSteps - entry.steps) * entry.elapsedSeconds / Double(entry.steps)
    }

    static func finite(_ value: Double) -> Double? { value.isNaN || value == .infinity ? nil : value }

    /// Counts by status, as `systemctl status` shows them.
    public var summary: String {
        var counts: [String: Int] = [:]
        for job in jobs { counts[job.standing.name, default: 0] += 1 }
        let parts = Standing.summaryOrder.compactMap { status in counts[status].map { "\($0) \(status)" } }
        return "\(jobs.count) job\(jobs.count == 1 ? "" : "s")" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }
}
