// SPDX-License-Identifier: Apache-2.0

import LossdJSON

#if canImport(Glibc)
import Glibc
#endif

/// Keeping `results.index` (see ``ResultIndex``): lines are appended only for results whose
/// files are already durable, without an fsync of their own (a line lost or torn by a crash
/// only sends readers to the file), and the daemon repairs the index when it opens the directory.
extension StateStore {
    /// `results.index`.
    public var resultIndexPath: String { "\(directory)/\(ResultIndex.fileName)" }

    /// Appends the lines of results whose files (``writeResult(_:syncingDirectory:)``, with
    /// `results/` synced) are on disk: `document` is the text written, without its newline.
    /// A result whose file cannot be found is left out; a failed append is not an error (readers
    /// then read those results from their files, and the next opening indexes them).
    public func indexResults(_ written: [(record: JobRecord, document: String)]) {
        var text = ""
        for (record, document) in written where ResultIndex.isIndexable(record.name) {
            var info = stat()
            guard stat(resultPath(record.name), &info) == 0 else { continue }
            text += ResultIndex.line(inode: UInt64(info.st_ino), record: record, document: document)
        }
        guard !text.isEmpty else { return }
        appendToIndex(text)
    }

    /// Appends `lines` to the index (after its header when the file is new) in one write, or
    /// not at all.
    private func appendToIndex(_ lines: String) {
        let descriptor = open(resultIndexPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return }
        let bytes = Array(((info.st_size == 0 ? ResultIndex.header + "\n" : "") + lines).utf8)
        var written = 0
        while written < bytes.count {
            // Sound: the pointer addresses `bytes`' storage, valid for this call; count is in bounds.
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                ftruncate(descriptor, info.st_size)  // no partial line (a full disk): readers read those files
                return
            }
            written += count
        }
    }

    /// What ``reconcileResultIndex()`` did.
    public struct IndexRepair: Sendable, Equatable {
        /// Results read from their files and indexed (not indexed yet, or rewritten since).
        public var indexed = 0
        /// Whether the index was written anew (missing, torn, of another version, or mostly
        /// lines of results that have since been replaced, archived or removed).
        public var rewritten = false

        public init(indexed: Int = 0, rewritten: Bool = false) {
            self.indexed = indexed
            self.rewritten = rewritten
        }
    }

    /// Brings `results.index` in line with `results/`; only the directory's lock holder may call
    /// this (``locked(directory:command:)`` does). Results not indexed, or indexed with another
    /// inode, are read from their files (those that are not lossd results are left to readers,
    /// which report them); an index with a torn or damaged line is written anew, and so is one
    /// whose lines of results no longer there outnumber the others.
    @discardableResult
    public func reconcileResultIndex() -> IndexRepair {
        let reader = StateReader(directory: directory)
        guard let files = try? reader.entries("results") else { return IndexRepair() }
        var inodes: [String: UInt64] = [:]
        for file in files where file.name.hasSuffix(".json") && !file.name.hasPrefix(".") { inodes[String(file.name.dropLast(5))] = file.inode }
        // Each job's last line, read piece by piece.
        var last: [String: (inode: UInt64, offset: Int)] = [:]
        var lineCount = 0, damaged = 0
        let extent = ResultIndex.scan(resultIndexPath) { _, parsed, offset in
            guard let (name, line) = parsed else {
                damaged += 1
                return
            }
            last[name] = (line.inode, offset)
            lineCount += 1
        }
        var repair = IndexRepair()
        var missing: [(name: String, inode: UInt64)] = []
        var kept = 0
        for (name, inode) in inodes {
            if last[name]?.inode == inode { kept += 1 } else if ResultIndex.isIndexable(name) { missing.append((name, inode)) }
        }
        let torn = extent.map { $0.validLength < $0.length || damaged > 0 } ?? true
        if torn || lineCount > 2 * max(kept, 1) {
            do throws(AtomicFile.WriteError) {
                try rewriteIndex { name, inode, offset in last[name]?.offset == offset && inodes[name] == inode }
                repair.rewritten = true
            } catch {
                AtomicFile.remove(resultIndexPath)  // readers then read every result from its file
                return repair
            }
        }
        // The results the index lacks (all of an older lossd's), appended a few MiB at a time.
        var added = ""
        for (name, inode) in missing {
            guard let stored = try? reader.result(name) else { continue }
            added += ResultIndex.line(inode: inode, record: stored.record, document: stored.json.serialized())
            repair.indexed += 1
            if added.utf8.count >= 4 << 20 {
                appendToIndex(added)
                added = ""
            }
        }
        if !added.isEmpty { appendToIndex(added) }
        return repair
    }

    /// Writes the index anew with the lines of the old one that `keeps` (by job, inode and
    /// offset in the file), a few MiB at a time.
    private func rewriteIndex(keeping keeps: (String, UInt64, Int) -> Bool) throws(AtomicFile.WriteError) {
        let path = resultIndexPath
        try AtomicFile.write(to: path) { (emit: AtomicFile.Emit) throws(AtomicFile.WriteError) in
            var pending = ResultIndex.headerBytes
            var failure: AtomicFile.WriteError?
            _ = ResultIndex.scan(path) { line, parsed, offset in
                guard failure == nil, let (name, parsedLine) = parsed, keeps(name, parsedLine.inode, offset) else { return }
                pending += line
                guard pending.count >= 4 << 20 else { return }
                do throws(AtomicFile.WriteError) { try emit(pending[...]) } catch { failure = error }
                pending.removeAll(keepingCapacity: true)
            }
            if let failure { throw failure }
            try emit(pending[...])
        }
    }
}
