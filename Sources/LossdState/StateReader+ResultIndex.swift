// SPDX-License-Identifier: Apache-2.0

import LossdJSON

#if canImport(Glibc)
import Glibc
#endif

/// Reading results through `results.index` (see ``ResultIndex``): one listing of `results/`
/// and one read of the index instead of a read of every result file.
extension StateReader {
    /// The current results: every `results/<job>.json` by name, and the index's line of each
    /// whose inode is the file's (the others are read from their files).
    public struct ResultCatalog: Sendable {
        /// The inode of each result file, by job.
        let inodes: [String: UInt64]
        let bytes: [UInt8]
        /// Every job's last line, whatever its inode: see ``line(_:)``.
        let lines: [String: ResultIndex.Line]

        /// The jobs with a result file, sorted.
        public var names: [String] { inodes.keys.sorted() }

        /// The job's line when it describes the job's result file.
        func line(_ job: String) -> ResultIndex.Line? {
            guard let line = lines[job], inodes[job] == line.inode else { return nil }
            return line
        }

        /// The result's fields that `lossd status` shows, from the index; nil when the job is
        /// not indexed (read its file with ``StateReader/result(_:)``).
        public func summary(_ job: String) -> JobRecord? {
            guard let line = line(job) else { return nil }
            return ResultIndex.record(name: job, summary: bytes[line.summary])
        }

        /// The result document's bytes as its file holds them (without the newline), from the
        /// index; nil when the job is not indexed or its document is left to the file.
        public func documentBytes(_ job: String) -> ArraySlice<UInt8>? {
            line(job)?.document.map { bytes[$0] }
        }

        /// ``documentBytes(_:)`` as text.
        public func document(_ job: String) -> String? {
            documentBytes(job).map { String(decoding: $0, as: UTF8.self) }
        }

        /// How many results the index answers for.
        public var indexedCount: Int { lines.filter { inodes[$0.key] == $0.value.inode }.count }
    }

    /// Lists `results/` and reads `results.index`; an index that is missing or not one leaves
    /// every result to its file. Without `documents` (what `lossd status` needs), only the
    /// summaries are kept, the index read a few MiB at a time.
    public func resultCatalog(documents: Bool = true) throws(ReadError) -> ResultCatalog {
        let files = try entries("results")
        var inodes: [String: UInt64] = [:]
        inodes.reserveCapacity(files.count)
        for file in files where file.name.hasSuffix(".json") && !file.name.hasPrefix(".") { inodes[String(file.name.dropLast(5))] = file.inode }
        let path = "\(directory)/\(ResultIndex.fileName)"
        guard !documents else {
            let bytes = AtomicFile.read(path) ?? []
            return ResultCatalog(inodes: inodes, bytes: bytes, lines: ResultIndex.parse(bytes)?.lines ?? [:])
        }
        var summaries: [UInt8] = []
        var lines: [String: ResultIndex.Line] = [:]
        _ = ResultIndex.scan(path) { bytes, parsed, _ in
            guard let (name, line) = parsed, inodes[name] == line.inode else { return }
            let start = summaries.count
            summaries += bytes[line.summary]
            lines[name] = ResultIndex.Line(inode: line.inode, summary: start..<summaries.count, document: nil)
        }
        return ResultCatalog(inodes: inodes, bytes: summaries, lines: lines)
    }

    /// The result document of `job` as `lossd results` prints it (compact JSON, UTF-8), from the
    /// index when it has it, else read, checked and written out from its file; nil when there is none.
    public func resultBytes(_ job: String, in catalog: ResultCatalog) throws(ReadError) -> ArraySlice<UInt8>? {
        if let bytes = catalog.documentBytes(job) { return bytes }
        return try result(job).map { ArraySlice($0.json.serialized().utf8) }
    }

    /// `results/<job>.json`, from the catalog's index when it has the job, else from its file.
    public func result(_ job: String, in catalog: ResultCatalog) throws(ReadError) -> StoredResult? {
        guard let text = catalog.document(job) else { return try result(job) }
        return try storedResult(text, job: job, path: "\(directory)/\(ResultIndex.fileName)")
    }

    /// The entries of `folder` with their inode numbers (none when the folder does not exist yet).
    func entries(_ folder: String) throws(ReadError) -> [(name: String, inode: UInt64)] {
        let path = "\(directory)/\(folder)"
        guard let handle = opendir(path) else {
            if errno == ENOENT { return [] }
            throw Self.failure(path)
        }
        defer { closedir(handle) }
        var found: [(name: String, inode: UInt64)] = []
        while let entry = readdir(handle) {
            // Sound: d_name is a NUL-terminated array inside the entry readdir returned.
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { found.append((name, UInt64(entry.pointee.d_ino))) }
        }
        return found
    }
}
