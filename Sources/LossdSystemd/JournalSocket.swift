// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whether journald accepts entries: its socket, `/run/systemd/journal/socket`, exists and a
/// datagram socket can connect to it.
///
/// Needed because `sd_journal_sendv` returns 0 when the socket does not exist (libsystemd
/// drops the entry "silently, as the journal is not available"): only an error on an existing
/// socket (ECONNREFUSED, EACCES, ...) comes back from it.
public enum JournalSocket {
    /// The socket libsystemd sends journal entries to.
    public static let path = "/run/systemd/journal/socket"

    /// Nil when the socket at `path` accepts a connection, else why not (`no socket at PATH`,
    /// `cannot connect to PATH: Connection refused`).
    public static func problem(at path: String = JournalSocket.path) -> String? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return "socket path \(path) is too long" }
        withUnsafeMutableBytes(of: &address.sun_path) { target in
            // Sound: the path is shorter than sun_path (checked), and the rest stays zero (NUL).
            target.copyBytes(from: bytes)
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return "cannot create a socket: \(String(cString: strerror(errno)))" }
        defer { close(descriptor) }
        let status = withUnsafePointer(to: &address) {
            // Sound: sockaddr_un is a sockaddr of its own size, as connect(2) expects.
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status != 0 else { return nil }
        if errno == ENOENT { return "no socket at \(path)" }
        return "cannot connect to \(path): \(String(cString: strerror(errno)))"
    }
}
