// SPDX-License-Identifier: Apache-2.0

public import LossdEngine
import LossdJSON
import LossKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The daemon's durable state, one directory:
///
///     results/<job>.json       written once when a job ends (see ``JobRecord``)
///     results.index            a line per result written, for readers (see ``ResultIndex``)
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
    /// What the opening did to `results.index` (see ``locked(directory:command:)``).
    public private(set) var indexRepair = IndexRepair()

    /// The subdirectories, made when the store opens (`charts` on first use).
    static let folders = ["results", "history", "checkpoints"]

    public init(directory: String) throws(AtomicFile.WriteError) {
        self.directory = directory
        try recreateDirectories(charts: false)
    }

    /// Takes the directory's lock (``StateDirectoryLock``), then opens the directory, removes
    /// the temporary files that writers killed mid-write (`kill -9`) left in it and in every
    /// subdirectory (``sweptTemporaries`` counts them) and repairs `results.index`
    /// (``reconcileResultIndex()``, ``indexRepair``): what `lossd run` and `lossd serve` do, so
    /// that only the directory's one writer sweeps and writes.
    public static func locked(directory: String, command: [String]) throws(StateDirectoryLock.Failure)
        -> (store: StateStore, lock: StateDirectoryLock) {
        let lock = try StateDirectoryLock(directory: directory, command: command)
        do throws(AtomicFile.WriteError) {
            var store = try StateStore(directory: directory)
            store.sweptTemporaries = store.removeTemporaries()
            store.indexRepair = store.reconcileResultIndex()
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

    /// Writes `results/<job>.json` and returns the document written (without its newline), then
    /// indexes it (``indexResults(_:)``). `syncingDirectory: false` leaves the sync of `results/`
    /// to the caller (see ``AtomicFile/write(_:to:syncingDirectory:)``), as for the other writes
    /// below, and the indexing too: a result is indexed only once its file is durable.
    ///
    /// An output of more than ``OutputFile/threshold`` elements is written first to
    /// ``outputPath(_:)`` (synced with its directory whatever `syncingDirectory`, so that it is
    /// durable before the result that names it); a smaller one is inline, and an output file
    /// left by an earlier write is removed once the result no longer names it.
    @discardableResult
    public func writeResult(_ record: JobRecord, syncingDirectory: Bool = true) throws(AtomicFile.WriteError) -> String {
        var outputFile: OutputFile?
        if let output = record.output, output.count > OutputFile.threshold {
            let file = OutputFile(job: record.name)
            try AtomicFile.write(file.encoded(output, job: record.name), to: outputPath(record.name))
            outputFile = file
        }
        let document = record.resultJSON(outputFile: outputFile).serialized()
        try AtomicFile.write(document + "\n", to: resultPath(record.name), syncingDirectory: syncingDirectory)
        if outputFile == nil, access(outputPath(record.name), F_OK) == 0 {
            AtomicFile.remove(outputPath(record.name), syncingDirectory: syncingDirectory)
        }
        if syncingDirectory { indexResults([(record, document)]) }
        return document
    }

    /// `results/<job>.output.safetensors`: a large output (``OutputFile``).
    public func outputPath(_ job: String) -> String { "\(directory)/results/\(OutputFile.name(job))" }

    public func readResult(_ job: String) -> Read<JobRecord> {
        let path = resultPath(job)
        guard let bytes = AtomicFile.read(path) else { return .missing }
        do throws(JSONSyntaxError) {
            let json = try JSONValue(parsing: String(decoding: bytes, as: UTF8.self))
            if let record = JobRecord(result: json, directory: "\(directory)/results"), record.name == job { return .found(record) }
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

    /// Writes `checkpoints/<job>.ckpt`: a header line (the magic, the config hash, the start
    /// time, the elapsed seconds and, for a wide job, the token of its vectors file) and the
    /// checkpoint's JSON. A checkpoint of more than ``OutputFile/threshold`` parameters keeps its
    /// vectors in ``arraysPath(_:token:)`` (``CheckpointArrays``) under a new token, written and
    /// synced first; the previous checkpoint's file is removed once the new checkpoint replaced
    /// it, so a crash at any point leaves a checkpoint whose vectors are on disk.
    public func writeCheckpoint(_ job: String, _ stored: StoredCheckpoint) throws(AtomicFile.WriteError) {
        let previous = arraysPath(job)
        var checkpoint = stored.checkpoint
        var token: String?
        if checkpoint.parameters.count > OutputFile.threshold {
            let made = String(UInt64.random(in: .min ... .max), radix: 16)
            let tensors = CheckpointArrays.split(&checkpoint)
            try AtomicFile.write(CheckpointArrays.encoded(tensors, token: made), to: arraysPath(job, token: made))
            token = made
        }
        let body: [UInt8]
        do throws(EngineError) { body = try checkpoint.encoded() }
        catch { throw AtomicFile.WriteError(path: checkpointPath(job), reason: "cannot encode: \(error)") }
        let header = "\(Self.checkpointMagic) \(stored.configHash) \(JSONValue.format(stored.startedAt)) \(JSONValue.format(stored.elapsedSeconds))"
            + (token.map { " " + $0 } ?? "") + "\n"
        try AtomicFile.write(Array(header.utf8) + body, to: checkpointPath(job))
        if let previous, previous != token.map({ arraysPath(job, token: $0) }) { AtomicFile.remove(previous) }
    }

    /// `checkpoints/<job>.ckpt.<token>.safetensors`: the vectors of a wide job's checkpoint (``CheckpointArrays``).
    public func arraysPath(_ job: String, token: String) -> String { "\(checkpointPath(job)).\(token).safetensors" }

    /// The vectors file the checkpoint on disk names; nil when it names none (or there is no checkpoint).
    public func arraysPath(_ job: String) -> String? {
        let descriptor = open(checkpointPath(job), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0, let newline = buffer[..<count].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let header = String(decoding: buffer[..<newline], as: UTF8.self).split(separator: " ")
        return header.count == 6 ? arraysPath(job, token: String(header[5])) : nil
    }

    public func readCheckpoint(_ job: String) -> Read<StoredCheckpoint> {
        let path = checkpointPath(job)
        guard let bytes = AtomicFile.read(path) else { return .missing }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return setAside(path, "truncated header") }
        let header = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 5 || header.count == 6, "\(header[0]) \(header[1])" == Self.checkpointMagic,
              let started = Double(header[3]), let elapsed = Double(header[4]) else {
            return setAside(path, "not a lossd checkpoint")
        }
        do throws(EngineError) {
            var checkpoint = try JobCheckpoint(decoding: Array(bytes[(newline + 1)...]))
            if header.count == 6 {
                let arrays = arraysPath(job, token: String(header[5]))
                guard let tensors = CheckpointArrays.read(arrays, token: String(header[5])),
                      CheckpointArrays.merge(tensors, into: &checkpoint) else {
                    return setAside(path, "its vectors (\(arrays)) are missing or damaged")
                }
            }
            return .found(StoredCheckpoint(configHash: String(header[2]), startedAt: started, elapsedSeconds: elapsed, checkpoint: checkpoint))
        } catch {
            return setAside(path, "\(error)")
        }
    }

    public func removeCheckpoint(_ job: String, syncingDirectory: Bool = true) {
        let arrays = arraysPath(job)
        AtomicFile.remove(checkpointPath(job), syncingDirectory: syncingDirectory)
        if let arrays { AtomicFile.remove(arrays, syncingDirectory: syncingDirectory) }
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
