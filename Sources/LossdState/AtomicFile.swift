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
        public var description: String { "\(path): \(reason)" }
    }

    private static let writes = Atomic<Int>(0)

    /// Replaces `path` with `bytes` atomically and durably.
    public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let directory = parent(of: path)
        // Unique per write, so that two writers of one path in this process never share it.
        let temporary = "\(directory)/.\(basename(of: path)).\(getpid()).\(writes.add(1, ordering: .relaxed).newValue).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure(temporary, "cannot create") }
        var written = 0
        while written < bytes.count {
            // Sound: the pointer addresses `bytes`' storage, valid for this call; count is in bounds.
            let result = bytes.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                let error = failure(temporary, "cannot write")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let error = failure(temporary, "cannot fsync")
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
        syncDirectory(directory)
    }

    /// Replaces `path` with UTF-8 `text`.
    public static func write(_ text: String, to path: String) throws(WriteError) {
        try write(Array(text.utf8), to: path)
    }

    /// The whole content of `path`, or nil when it does not exist or cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { return result }
            result.append(contentsOf: chunk[..<count])
        }
    }

    /// Creates `path` and its parents (mode 0700 by the daemon's umask), like `mkdir -p`.
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
        syncDirectory(parent(of: path))
        return candidate
    }

    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
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
        WriteError(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}

extension AtomicFile {
    /// Removes the `.NAME.PID.tmp` files of writers that no longer run (a `kill -9` mid-write
    /// leaves one); the file they were replacing is intact.
    public static func removeStaleTemporaries(in directory: String) {
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        var stale: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix("."), name.hasSuffix(".tmp") else { continue }
            let parts = name.dropLast(4).split(separator: ".")
            guard let pid = parts.last.flatMap({ Int32($0) }), pid != getpid(), kill(pid, 0) != 0 else { continue }
            stale.append(name)
        }
        for name in stale { unlink("\(directory)/\(name)") }
    }

    /// Removes `path` if it exists (and syncs its directory).
    public static func remove(_ path: String) {
        if unlink(path) == 0 { syncDirectory(parent(of: path)) }
    }
}
