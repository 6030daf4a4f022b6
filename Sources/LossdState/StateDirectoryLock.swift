// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LossdJSON

/// The one writer of a state directory: an exclusive `flock(2)` on `DIR/lock`, held while the
/// value lives (`lossd run` and `lossd serve` hold it for the whole process).
///
/// The kernel releases the lock when its holder exits, however it exits (even `kill -9`), so a
/// lock left by a dead process is simply taken. The file's content (JSON: `pid`, `host`,
/// `command`, `since`) only names the holder for the message a second writer prints; it is
/// rewritten in place once the lock is held, and the file is never deleted (deleting it would let
/// two processes lock two different files of the same name).
///
/// On NFS, Linux emulates `flock` with a whole-file POSIX lock through the server (NFSv4: part of
/// the protocol, bound to the client's lease), so clients on other hosts see it, unless the
/// filesystem is mounted with `local_lock=flock` or `local_lock=all`. A client that loses its
/// lease (cut off from the server for longer than the lease time) loses the lock with it.
public final class StateDirectoryLock: Sendable {
    /// The lock file's name in the state directory.
    public static let fileName = "lock"

    /// The lock file.
    public let path: String
    private let descriptor: Int32

    /// Who holds (or last held) a state directory's lock, as its lock file says.
    public struct Holder: Sendable, Equatable, CustomStringConvertible {
        public var pid: Int32
        public var host: String
        /// The holder's command line, arguments separated by spaces.
        public var command: String

        public init(pid: Int32, host: String, command: String) {
            self.pid = pid
            self.host = host
            self.command = command
        }

        /// This process.
        public static func current(command: [String]) -> Holder {
            Holder(pid: getpid(), host: hostName(), command: command.joined(separator: " "))
        }

        /// Reads a lock file's content; nil when it names no holder (empty, half written, foreign).
        public init?(lockFile bytes: [UInt8]) {
            guard let json = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)),
                  case .integer(let pid)? = json["pid"], let pid = Int32(exactly: pid),
                  case .string(let host)? = json["host"], case .string(let command)? = json["command"] else { return nil }
            self.init(pid: pid, host: host, command: command)
        }

        /// The lock file's content.
        public var lockFile: String {
            JSONValue.object([
                ("pid", .integer(Int(pid))), ("host", .string(host)), ("command", .string(command)),
                ("since", .string(Timestamp.rfc3339(Timestamp.now()))),
            ]).serialized() + "\n"
        }

        /// `pid 1234 on HOST (COMMAND)`.
        public var description: String { "pid \(pid) on \(host) (\(command))" }
    }

    /// Why the lock was not taken.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Another process holds it; `holder` is nil when its lock file names nobody yet.
        case inUse(directory: String, holder: Holder?)
        /// The directory or the lock file cannot be created, opened or locked.
        case unusable(AtomicFile.WriteError)

        public var description: String {
            switch self {
            case .inUse(let directory, let holder?): "state directory \(directory) is in use by \(holder)"
            case .inUse(let directory, nil): "state directory \(directory) is in use by another process"
            case .unusable(let error): "cannot use the state directory: \(error)"
            }
        }
    }

    /// Creates `directory` if needed and takes its lock without waiting; then writes this
    /// process's pid, host name and `command` into the lock file.
    public init(directory: String, command: [String]) throws(Failure) {
        do throws(AtomicFile.WriteError) { try AtomicFile.makeDirectory(directory) } catch { throw .unusable(error) }
        path = "\(directory)/\(Self.fileName)"
        // The lock is held through a read-only descriptor, so that the filesystem can still be
        // remounted read-only under a running lossd; the holder is written through a second one.
        descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unusable(AtomicFile.failure(path, "cannot open")) }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let failure: Failure = errno == EWOULDBLOCK
                ? .inUse(directory: directory, holder: Self.holder(path))
                : .unusable(AtomicFile.failure(path, "cannot lock"))
            close(descriptor)
            throw failure
        }
        // Held: overwrite the previous holder's content in place (write, then cut what is left).
        let content = Array(Holder.current(command: command).lockFile.utf8)
        let writer = open(path, O_WRONLY | O_CLOEXEC)
        // Sound: the pointer addresses `content`'s storage, valid for this call; count is its size.
        let written = writer < 0 ? -1 : content.withUnsafeBytes { pwrite(writer, $0.baseAddress, $0.count, 0) }
        guard written == content.count, ftruncate(writer, off_t(content.count)) == 0 else {
            let failure = Failure.unusable(AtomicFile.failure(path, "cannot write"))
            if writer >= 0 { close(writer) }
            close(descriptor)
            throw failure
        }
        _ = fsync(writer)
        close(writer)
    }

    deinit {
        // Closing the only descriptor of this open file description releases the lock.
        close(descriptor)
    }

    /// The holder a lock file names. The holder writes it just after locking, so a reader that
    /// finds it empty or half written tries again for a moment.
    static func holder(_ path: String) -> Holder? {
        for attempt in 0..<20 {
            if let bytes = AtomicFile.read(path), let holder = Holder(lockFile: bytes) { return holder }
            if attempt < 19 { usleep(25_000) }
        }
        return nil
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        // Sound: gethostname writes at most `buffer.count` bytes into the live array.
        let found = buffer.withUnsafeMutableBufferPointer { gethostname($0.baseAddress!, $0.count - 1) == 0 }
        guard found else { return "unknown host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
