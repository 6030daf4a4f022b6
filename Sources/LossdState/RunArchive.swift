// SPDX-License-Identifier: Apache-2.0

import LossdJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Earlier runs of a job whose configuration changed, kept under its old config hash:
///
///     results/archive/<job>/<hash>.json         the earlier result, as it was written
///     results/archive/<job>/<hash>.csv          its history (when it had one)
///     results/archive/<job>/<hash>.svg          its chart (when it had one)
///     results/archive/<job>/<hash>.safetensors  a model job's parameters (when it had them)
///
/// A run whose hash is archived already (the configuration went back and forth) is kept as
/// `<hash>.2.json`, `<hash>.3.json`, ... with the same suffix on its other files: nothing is
/// overwritten. Every file is moved (renamed, never copied or deleted); the result moves last,
/// so a crash part-way leaves the result in place and the next start moves what is left.
extension StateStore {
    /// The folder of `job`'s archived runs.
    public func archiveFolder(_ job: String) -> String { "\(directory)/results/archive/\(job)" }

    /// Moves `job`'s result (and its history, chart and model file) into its archive under
    /// `hash`, durably (the directories involved are synced). Returns the archived result's path.
    @discardableResult
    public func archiveRun(_ job: String, hash: String) throws(AtomicFile.WriteError) -> String {
        let folder = archiveFolder(job)
        try AtomicFile.makeDirectory("\(directory)/results/archive")
        try AtomicFile.makeDirectory(folder)
        var stem = hash.isEmpty ? "unknown" : hash
        var counter = 2
        while access("\(folder)/\(stem).json", F_OK) == 0 {
            stem = "\(hash.isEmpty ? "unknown" : hash).\(counter)"
            counter += 1
        }
        let moves = [(historyPath(job), "csv"), (chartPath(job), "svg"), (modelPath(job), "safetensors"), (resultPath(job), "json")]
        var moved: [String] = []
        for (source, suffix) in moves where access(source, F_OK) == 0 {
            let target = "\(folder)/\(stem).\(suffix)"
            if suffix == "json" {
                // The files moved so far are durable before the result (the trigger) leaves.
                try AtomicFile.syncDirectory(folder)
                for path in moved { try AtomicFile.syncDirectory(AtomicFile.parent(of: path)) }
            }
            guard rename(source, target) == 0 else { throw AtomicFile.failure(source, "cannot move to \(target)") }
            moved.append(source)
        }
        try AtomicFile.syncDirectory(folder)
        try AtomicFile.syncDirectory("\(directory)/results/archive")
        try AtomicFile.syncDirectory("\(directory)/results")
        return "\(folder)/\(stem).json"
    }
}

extension StateReader {
    /// One archived run: its path relative to the state directory and its result.
    public struct ArchivedRun: Sendable {
        public var path: String
        public var result: StoredResult
    }

    /// `job`'s archived runs (``StateStore/archiveRun(_:hash:)``), by file name; unreadable
    /// ones are skipped.
    public func archivedRuns(_ job: String) throws(ReadError) -> [ArchivedRun] {
        let folder = "results/archive/\(job)"
        var runs: [ArchivedRun] = []
        for file in try list(folder).sorted() where file.hasSuffix(".json") && !file.hasPrefix(".") {
            let path = "\(directory)/\(folder)/\(file)"
            guard let text = try? read(path), let json = try? JSONValue(parsing: text),
                  let record = JobRecord(result: json) else { continue }
            runs.append(ArchivedRun(path: "\(folder)/\(file)", result: StoredResult(json: json, record: record)))
        }
        return runs
    }

    /// The jobs that have archived runs.
    public func archivedJobNames() throws(ReadError) -> [String] {
        try list("results/archive").filter { !$0.hasPrefix(".") }.sorted()
    }
}

extension StateReader.StoredResult {
    /// The result with a `run` field naming its file (`lossd results --all-runs`).
    public func marked(run path: String) -> Self {
        guard case .object(let members) = json else { return self }
        return Self(json: .object(members + [("run", .string(path))]), record: record)
    }
}
