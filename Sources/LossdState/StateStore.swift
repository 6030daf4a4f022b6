// SPDX-License-Identifier: Apache-2.0

public import LossdEngine
import LossdJSON

/// The daemon's durable state, one directory:
///
///     results/<job>.json       written once when a job ends (see ``JobRecord``)
///     history/<job>.csv        step,loss,grad_norm,lr, about 1,000 rows per job (model jobs
///                              add epoch,train_loss,val_loss,accuracy), then lr_configured: see ``HistoryFile``
///     models/<job>.safetensors a model job's trained parameters, written when it ends
///     checkpoints/<job>.ckpt   the state of an unfinished job, replaced at each checkpoint
///     charts/<job>.svg         the job's loss curve, drawn when it ends (see ``JobChart``)
///     archive/<job>/<hash>/    earlier runs of jobs whose configuration changed, and stale jobs
///                              moved by `lossd results --prune-stale` (see ``archiveRun(_:hash:result:checkpoint:)``)
///     reload.json              the last reload's outcome (`applied` or `rejected`, see `ReloadRecord`)
///     status.json              the daemon's live view of its jobs (see ``StatusFile``)
///     lock                     held by the one lossd writing here (see ``StateDirectoryLock``)
///
/// Every write is atomic (``AtomicFile``). A file that cannot be read back is renamed with a
/// `.corrupt` suffix (never deleted) and reported; the job then starts afresh.
public struct StateStore: Sendable {
    public let directory: String
    /// How many temporary files of interrupted writes the opening sweep removed (see ``locked(directory:command:)``).
    public private(set) var sweptTemporaries = 0

    /// The subdirectories, made when the store opens (`charts` on first use).
    static let folders = ["results", "history", "checkpoints"]

    public init(directory: String) throws(AtomicFile.WriteError) {
        self.directory = directory
        try recreateDirectories(charts: false)
    }

    /// Takes the directory's lock (``StateDirectoryLock``), then opens the directory and removes
    /// the temporary files that writers killed mid-write (`kill -9`) left in it and in every
    /// subdirectory (``sweptTemporaries`` counts them): what `lossd run` and `lossd serve` do, so
    /// that only the directory's one writer sweeps and writes.
    public static func locked(directory: String, command: [String]) throws(StateDirectoryLock.Failure)
        -> (store: StateStore, lock: StateDirectoryLock) {
        let lock = try StateDirectoryLock(directory: directory, command: command)
        do throws(AtomicFile.WriteError) {
            var store = try StateStore(directory: directory)
            store.sweptTemporaries = store.removeTemporaries()
            return (store, lock)
        } catch {
            throw .unusable(error)
        }
    }

    /// The subdirectories made on first use.
    static let laterFolders = ["charts", "models"]

    /// Creates the directory and its subdirectories where they are missing (after the directory
    /// was removed under a running daemon, before its writes are retried).
    public func recreateDirectories(charts: Bool = true) throws(AtomicFile.WriteError) {
        for folder in Self.folders + (charts ? ["charts"] : []) {
            try AtomicFile.makeDirectory("\(directory)/\(folder)")
        }
    }

    /// Removes the temporary files of interrupted writes in the directory and each subdirectory;
    /// only its lock's holder may call this. Returns how many were removed.
    public func removeTemporaries() -> Int {
        ([directory] + (Self.folders + Self.laterFolders).map { "\(directory)/\($0)" }).reduce(0) { $0 + AtomicFile.removeTemporaries(in: $1) }
    }

    public func resultPath(_ job: String) -> String { "\(directory)/results/\(job).json" }
    public func historyPath(_ job: String) -> String { "\(directory)/history/\(job).csv" }
    public func checkpointPath(_ job: String) -> String { "\(directory)/checkpoints/\(job).ckpt" }
    public func chartPath(_ job: String) -> String { "\(directory)/charts/\(job).svg" }
    public func modelPath(_ job: String) -> String { "\(directory)/\(Self.modelFile(job))" }

    /// A model file's path relative to the state directory, as results name it.
    public static func modelFile(_ job: String) -> String { "models/\(job).safetensors" }

    /// What reading a state file found.
    public enum Read<Value> {
        case missing
        case found(Value)
        /// Unreadable: set aside under the returned name.
        case corrupt(setAsideAs: String, reason: String)
    }

    // MARK: - Results

    /// Writes `results/<job>.json`; `syncingDirectory: false` leaves the sync of `results/` to
    /// the caller (see ``AtomicFile/write(_:to:syncingDirectory:)``), as for the other writes below.
    public func writeResult(_ record: JobRecord, syncingDirectory: Bool = true) throws(AtomicFile.WriteError) {
        try AtomicFile.write(record.resultJSON.serialized() + "\n", to: resultPath(record.name), syncingDirectory: syncingDirectory)
    }

    public func readResult(_ job: String) -> Read<JobRecord> {
        let path = resultPath(job)
        guard let bytes = AtomicFile.read(path) else { return .missing }
        do throws(JSONSyntaxError) {
            let json = try JSONValue(parsing: String(decoding: bytes, as: UTF8.self))
            if let record = JobRecord(result: json), record.name == job { return .found(record) }
            return setAside(path, "not a lossd result")
        } catch {
            return setAside(path, "\(error)")
        }
    }

    // MARK: - Checkpoints

    /// A checkpoint tagged with the hash of the job's effective config and the run time so far.
    public struct StoredCheckpoint: Sendable {
        public var configHash: String
        public var startedAt: Double
        public var elapsedSeconds: Double
        public var checkpoint: JobCheckpoint

        public init(configHash: String, startedAt: Double, elapsedSeconds: Double, checkpoint: JobCheckpoint) {
            self.configHash = configHash
            self.startedAt = startedAt
            self.elapsedSeconds = elapsedSeconds
            self.checkpoint = checkpoint
        }
    }

    static let checkpointMagic = "lossd-checkpoint 1"

    public func writeCheckpoint(_ job: String, _ stored: StoredCheckpoint) throws(AtomicFile.WriteError) {
        let body: [UInt8]
        do throws(EngineError) { body = try stored.checkpoint.encoded() }
        catch { throw AtomicFile.WriteError(path: checkpointPath(job), reason: "cannot encode: \(error)") }
        let header = "\(Self.checkpointMagic) \(stored.configHash) \(JSONValue.format(stored.startedAt)) \(JSONValue.format(stored.elapsedSeconds))\n"
        try AtomicFile.write(Array(header.utf8) + body, to: checkpointPath(job))
    }

    public func readCheckpoint(_ job: String) -> Read<StoredCheckpoint> {
        let path = checkpointPath(job)
        guard let bytes = AtomicFile.read(path) else { return .missing }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return setAside(path, "truncated header") }
        let header = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 5, "\(header[0]) \(header[1])" == Self.checkpointMagic,
              let started = Double(header[3]), let elapsed = Double(header[4]) else {
            return setAside(path, "not a lossd checkpoint")
        }
        do throws(EngineError) {
            let checkpoint = try JobCheckpoint(decoding: Array(bytes[(newline + 1)...]))
            return .found(StoredCheckpoint(configHash: String(header[2]), startedAt: started, elapsedSeconds: elapsed, checkpoint: checkpoint))
        } catch {
            return setAside(path, "\(error)")
        }
    }

    public func removeCheckpoint(_ job: String, syncingDirectory: Bool = true) {
        AtomicFile.remove(checkpointPath(job), syncingDirectory: syncingDirectory)
    }

    // MARK: - History

    /// Writes `history/<job>.csv` (see ``HistoryFile``): `epochs` nil for a free-tensor job.
    /// `configuredLearningRate` adds the `lr_configured` column, `metrics` (names) one column each.
    public func writeHistory(_ job: String, _ rows: [HistoryRow], epochs: [EpochRecord]? = nil, configuredLearningRate: Double? = nil,
                             metrics: [String] = [], syncingDirectory: Bool = true) throws(AtomicFile.WriteError) {
        try AtomicFile.write(HistoryFile.text(rows, epochs: epochs, configuredLearningRate: configuredLearningRate, metrics: metrics),
                             to: historyPath(job),
                             syncingDirectory: syncingDirectory)
    }

    // MARK: - Models

    /// Writes `models/<job>.safetensors` (the folder is made on first use): `bytes` is the
    /// encoded file, written atomically like every other state file.
    public func writeModel(_ job: String, bytes: [UInt8], syncingDirectory: Bool = true) throws(AtomicFile.WriteError) {
        try AtomicFile.makeDirectory("\(directory)/models")
        try AtomicFile.write(bytes, to: modelPath(job), syncingDirectory: syncingDirectory)
    }

    // MARK: - Charts

    /// Writes `charts/<job>.svg` (the folder is made on first use).
    public func writeChart(_ job: String, svg: String, syncingDirectory: Bool = true) throws(AtomicFile.WriteError) {
        try AtomicFile.makeDirectory("\(directory)/charts")
        try AtomicFile.write(svg, to: chartPath(job), syncingDirectory: syncingDirectory)
    }

    private func setAside<Value>(_ path: String, _ reason: String) -> Read<Value> {
        let renamed = AtomicFile.setAside(path) ?? path
        return .corrupt(setAsideAs: renamed, reason: reason)
    }
}

/// One row of a job's loss curve (`history/<job>.csv`): the engine's recorded point.
public typealias HistoryRow = HistoryPoint
