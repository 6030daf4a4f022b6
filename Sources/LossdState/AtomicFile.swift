// SPDX-License-Identifier: Apache-2.0

import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Crash-safe file replacement: write a temporary file, fsync it, rename it over the target,
/// fsync the directory. After a crash at any moment the target holds either the old or the new
/// content in full, never a mix (what `kill -9` and power loss tests rely on).
public enum AtomicFile {
    /// An I/O failure with the path and errno text.
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        /// The failed call's `errno`; 0 when the failure was not a system call's.
        public var code: Int32

        public init(path: String, reason: String, code: Int32 = 0) {
            self.path = path
            self.reason = reason
            self.code = code
        }

        public var description: String { "\(path): \(reason)" }
        /// What the status line says about it.
        public var problem: StateWriteProblem { code == 0 ? .other(reason) : StateWriteProblem(errno: code) }
    }

    private static let writes = Atomic<Int>(0)

    /// Replaces `path` with `bytes` atomically and durably. With `syncingDirectory: false` the
    /// rename is durable only once the caller has synced the directory (``syncDirectory(_:)``):
    /// what a writer of many files into one directory does once for all of them.
    public static func write(_ bytes: [UInt8], to path: String, syncingDirectory: Bool = true) throws(WriteError) {
        try write(to: path, syncingDirectory: syncingDirectory) { (emit: Emit) throws(WriteError) in try emit(bytes[...]) }
    }

    /// Appends a piece to the temporary file of ``write(to:syncingDirectory:_:)``.
    public typealias Emit = (ArraySlice<UInt8>) throws(WriteError) -> Void

    /// Replaces `path` atomically and durably, as ``write(_:to:syncingDirectory:)`` does, with
    /// what `produce` emits piece by piece (content larger than what should be held in memory).
    public static func write(to path: String, syncingDirectory: Bool = true,
                             _ produce: (_ emit: Emit) throws(WriteError) -> Void) throws(WriteError) {
        let directory = parent(of: path)
        // Unique per write, so that two writers of one path in this process never share it.
        let temporary = "\(directory)/.\(basename(of: path)).\(getpid()).\(writes.add(1, ordering: .relaxed).newValue).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure(path, "cannot create") }
        do throws(WriteError) {
            try produce { (piece: ArraySlice<UInt8>) throws(WriteError) in
                var written = 0
                while written < piece.count {
                    // Sound: the pointer addresses `piece`'s storage, valid for this call; count is in bounds.
                    let result = piece.withUnsafeBytes { raw in Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written) }
                    if result < 0 {
                        if errno == EINTR { continue }
                        throw failure(path, "cannot write")
                    }
                    written += result
                }
            }
            guard fsync(descriptor) == 0 else { throw failure(path, "cannot fsync") }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = failure(path, "cannot rename into place")
            unlink(temporary)
            throw error
        }
        if syncingDirectory { try syncDirectory(directory) }
    }

    /// Replaces `path` with UTF-8 `text`.
    public static func write(_ text: String, to path: String, syncingDirectory: Bool = true) throws(WriteError) {
        try write(Array(text.utf8), to: path, syncingDirectory: syncingDirectory)
    }

    /// The whole content of `path`, or nil when it does not exist or cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_size > 0 { result.reserveCapacity(Int(info.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { return result }
            result.append(contentsOf: chunk[..<count])
        }
    }

    /// Creates `path` and its parents (mode 0700 by the daemon's umask), like `mkdir -p`. A
    /// file in place of a directory is not an error here: the writes into it fail with ENOTDIR.
    public static func makeDirectory(_ path: String) throws(WriteError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw failure(current, "cannot create directory") }
        }
    }

    /// Renames `path` to `path.corrupt` (or `.corrupt.N` when taken); never deletes. Returns the new name.
    @discardableResult
    public static func setAside(_ path: String) -> String? {
        var candidate = path + ".corrupt"
        var counter = 1
        while access(candidate, F_OK) == 0 {
            candidate = "\(path).corrupt.\(counter)"
            counter += 1
        }
        guard rename(path, candidate) == 0 else { return nil }
        try? syncDirectory(parent(of: path))
        return candidate
    }

    /// Makes the renames and removals in `directory` durable (fsync of the directory).
    public static func syncDirectory(_ directory: String) throws(WriteError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(directory, "cannot open") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure(directory, "cannot fsync") }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func basename(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func failure(_ path: String, _ what: String) -> WriteError {
        let code = errno
        return WriteError(path: path, reason: "\(what): \(String(cString: strerror(code)))", code: code)
    }
}

extension AtomicFile {
    /// Whether `name` is one of ``write(_:to:)``'s temporary names: `.NAME.PID.N.tmp` (or an
    /// older `.NAME.PID.tmp`).
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let parts = name.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isNumber) else { return false }
        return true
    }

    /// Removes every temporary file of ``write(_:to:)`` in `directory` (not below it): call it
    /// only while holding the directory's lock, when no other writer can be mid-write there. A
    /// `kill -9` mid-write leaves one; the file it was replacing is intact. Returns how many
    /// were removed.
    @discardableResult
    public static func removeTemporaries(in directory: String) -> Int {
        guard let handle = opendir(directory) else { return 0 }
        var found: [String] = []
        while let entry = readdir(handle) {
            // Sound: d_name is a NUL-terminated array inside the entry, valid until the next readdir.
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if entry.pointee.d_type != UInt8(DT_DIR), isTemporaryName(name) { found.append(name) }
        }
        closedir(handle)
        let removed = found.filter { unlink("\(directory)/\($0)") == 0 }.count
        if removed > 0 { try? syncDirectory(directory) }
        return removed
    }

    /// Removes `path` if it exists (and syncs its directory unless `syncingDirectory` is false).
    public static func remove(_ path: String, syncingDirectory: Bool = true) {
        if unlink(path) == 0, syncingDirectory { try? syncDirectory(parent(of: path)) }
    }
}
