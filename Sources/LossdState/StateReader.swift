// SPDX-License-Identifier: Apache-2.0

public import LossdEngine
import Foundation
public import LossdJSON

#if canImport(Glibc)
import Glibc
#endif

/// A read-only view of a state directory (see ``StateStore`` for the layout), for `lossd status`,
/// `lossd results` and `lossd plot`. It never renames, removes or writes anything, so it can be
/// used while a daemon runs: every file it reads is replaced atomically by the daemon.
public struct StateReader: Sendable {
    public let directory: String

    /// Why a state file or the directory could not be read.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable {
            /// The path does not exist.
            case missing
            /// Permission denied (the service's state directory is readable by root only).
            case permission
            /// Not a directory, or a file whose content is not what lossd writes.
            case invalid
        }

        public var kind: Kind
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }

        public init(kind: Kind, path: String, reason: String) {
            self.kind = kind
            self.path = path
            self.reason = reason
        }
    }

    public init(directory: String) {
        self.directory = directory
    }

    /// Checks that the directory exists, is a directory and can be listed.
    public func check() throws(ReadError) {
        var info = stat()
        guard stat(directory, &info) == 0 else { throw Self.failure(directory) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw ReadError(kind: .invalid, path: directory, reason: "not a directory") }
        guard let handle = opendir(directory) else { throw Self.failure(directory) }
        closedir(handle)
    }

    // MARK: - Jobs

    /// Every job with a result, a history or a checkpoint, sorted by name.
    public func jobNames() throws(ReadError) -> [String] {
        var names = Set<String>()
        for (folder, suffix) in [("results", ".json"), ("history", ".csv"), ("checkpoints", ".ckpt")] {
            for file in try list(folder) where file.hasSuffix(suffix) && !file.hasPrefix(".") {
                names.insert(String(file.dropLast(suffix.count)))
            }
        }
        return names.sorted()
    }

    /// The names of the files in `folder` (none when the folder does not exist yet).
    func list(_ folder: String) throws(ReadError) -> [String] {
        try entries(folder).map(\.name)
    }

    /// Subdirectories that hold a state directory of their own (`/var/lib/lossd/NAME` of the
    /// `lossd@NAME` instances), by name.
    public func nestedStateDirectories() -> [String] {
        guard let entries = try? list(".") else { return [] }
        return entries.filter { name in
            !name.hasPrefix(".") && ["status.json", "results", "history", "checkpoints"].contains {
                access("\(directory)/\(name)/\($0)", F_OK) == 0
            }
        }.sorted()
    }

    // MARK: - Results

    /// A job's result: the document as written (every field kept) and its decoded record.
    public struct StoredResult: Sendable {
        public var json: JSONValue
        public var record: JobRecord
    }

    /// `results/<job>.json`, or nil when there is none.
    public func result(_ job: String) throws(ReadError) -> StoredResult? {
        let path = "\(directory)/results/\(job).json"
        guard let text = try read(path) else { return nil }
        return try storedResult(text, job: job, path: path)
    }

    /// The result document `text` of `job`, read from `path`.
    func storedResult(_ text: String, job: String, path: String) throws(ReadError) -> StoredResult {
        let json: JSONValue
        do throws(JSONSyntaxError) { json = try JSONValue(parsing: text) } catch {
            throw ReadError(kind: .invalid, path: path, reason: "not JSON: \(error)")
        }
        guard let record = JobRecord(result: json, directory: "\(directory)/results"), record.name == job else {
            throw ReadError(kind: .invalid, path: path, reason: "not a lossd result for job \(job)")
        }
        return StoredResult(json: json, record: record)
    }

    // MARK: - Histories

    /// `history/<job>.csv` as rows, or nil when there is none.
    public func history(_ job: String) throws(ReadError) -> [HistoryRow]? {
        try historyWithEpochs(job)?.rows
    }

    /// `history/<job>.csv`'s rows and, for a model job, its epochs (see ``HistoryFile``); nil when there is none.
    public func historyWithEpochs(_ job: String) throws(ReadError) -> (rows: [HistoryRow], epochs: [EpochRecord]?)? {
        let path = "\(directory)/history/\(job).csv"
        guard let text = try read(path) else { return nil }
        return try HistoryFile.parse(text, path: path)
    }

    /// Parses `step,loss,grad_norm,lr` rows (numbers as lossd writes them, `NaN` and `Infinity`
    /// included); a model job's epoch columns are read by ``epochs(_:)``.
    public static func parseHistory(_ text: String, path: String) throws(ReadError) -> [HistoryRow] {
        try HistoryFile.parse(text, path: path).rows
    }

    // MARK: - Checkpoints

    /// What `lossd status` needs of a checkpoint: where the job will resume.
    public struct CheckpointSummary: Sendable, Hashable {
        public var configHash: String
        public var startedAt: Double
        public var elapsedSeconds: Double
        public var step: Int
        public var loss: Double
        public var bestLoss: Double
    }

    /// The header and counters of `checkpoints/<job>.ckpt`, or nil when there is none.
    public func checkpoint(_ job: String) throws(ReadError) -> CheckpointSummary? {
        let path = "\(directory)/checkpoints/\(job).ckpt"
        guard let text = try read(path) else { return nil }
        func invalid(_ reason: String) -> ReadError { ReadError(kind: .invalid, path: path, reason: reason) }
        guard let newline = text.firstIndex(of: "\n") else { throw invalid("truncated header") }
        let header = text[..<newline].split(separator: " ")
        guard header.count == 5, "\(header[0]) \(header[1])" == StateStore.checkpointMagic,
              let started = Double(header[3]), let elapsed = Double(header[4]) else { throw invalid("not a lossd checkpoint") }
        let body: JSONValue
        do throws(JSONSyntaxError) { body = try JSONValue(parsing: String(text[text.index(after: newline)...])) } catch {
            throw invalid("not a lossd checkpoint: \(error)")
        }
        guard let step = body["step"]?.integerValue else { throw invalid("the checkpoint has no step") }
        return CheckpointSummary(configHash: String(header[2]), startedAt: started, elapsedSeconds: elapsed, step: step,
                                 loss: body["lastLoss"]?.doubleValue ?? .nan, bestLoss: body["bestLoss"]?.doubleValue ?? .nan)
    }

    // MARK: - Status file

    /// `status.json`, or nil when no daemon has written one.
    public func status() throws(ReadError) -> DaemonStatus? {
        let path = "\(directory)/status.json"
        guard let text = try read(path) else { return nil }
        do throws(JSONSyntaxError) {
            if let status = DaemonStatus(json: try JSONValue(parsing: text)) { return status }
        } catch {
            throw ReadError(kind: .invalid, path: path, reason: "not JSON: \(error)")
        }
        throw ReadError(kind: .invalid, path: path, reason: "not a lossd status file")
    }

    // MARK: - Files

    /// The file's text, nil when it does not exist.
    func read(_ path: String) throws(ReadError) -> String? {
        guard let bytes = AtomicFile.read(path) else {
            if errno == ENOENT { return nil }
            throw Self.failure(path)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func failure(_ path: String) -> ReadError {
        let code = errno
        let kind: ReadError.Kind = code == ENOENT ? .missing : code == EACCES || code == EPERM ? .permission : .invalid
        return ReadError(kind: kind, path: path, reason: String(cString: strerror(code)))
    }
}
