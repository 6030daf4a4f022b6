// SPDX-License-Identifier: Apache-2.0

internal import CSystemd
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where structured journal entries go: journald (or, in tests, a double that records them).
public protocol JournalSink: Sendable {
    /// Sends one entry. Implementations never throw: logging must not stop the daemon.
    func send(_ fields: [JournalField])
}

/// Sends entries to journald through `sd_journal_sendv`, or to standard error when journald is
/// not reachable, so that no entry vanishes.
///
/// `sd_journal_sendv` returns 0 even when no journald socket exists, so the socket is checked
/// before the first entry (``JournalSocket``); an error from `sd_journal_sendv` later (a socket
/// that refuses) also switches to standard error. The switch is said once, on standard error:
/// `lossd: journald is not reachable (REASON); logging to standard error`; from then on each entry
/// is a `lossd: LEVEL: MESSAGE` line, as without the journal. The corresponding C function is
/// `sd_journal_sendv`.
public struct SystemdJournal: JournalSink {
    private let route: JournalRoute

    /// `socketPath`: the journald socket to check; `standardError`: where text goes instead
    /// (whole lines).
    public init(socketPath: String = JournalSocket.path,
                standardError: @escaping @Sendable (String) -> Void = JournalRoute.writeStandardError) {
        route = JournalRoute(socketPath: socketPath, write: standardError)
    }

    public func send(_ fields: [JournalField]) {
        if route.usesJournal() {
            let status = Self.sendv(fields)
            guard status < 0 else { return }
            route.fallBack("sd_journal_sendv: \(String(cString: strerror(-status)))")
        }
        route.write(JournalRoute.line(fields))
    }

    /// Sends `fields` with `sd_journal_sendv`; returns its result (0 or -errno).
    private static func sendv(_ fields: [JournalField]) -> Int32 {
        let fields = fields.prefix(256)
        guard !fields.isEmpty else { return 0 }
        // All "NAME=value" texts back to back in one buffer, with each one's offset and length.
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        var lengths: [Int] = []
        for field in fields {
            offsets.append(bytes.count)
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(UInt8(ascii: "="))
            bytes.append(contentsOf: field.value.utf8)
            lengths.append(bytes.count - offsets.last!)
        }
        return bytes.withUnsafeBufferPointer { buffer in
            // Sound: the pointers point into `bytes`, which outlives the call; libsystemd copies
            // the data before returning and never writes through them.
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            return pointers.withUnsafeBufferPointer { pointerBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    lossd_journal_sendv(pointerBuffer.baseAddress, lengthBuffer.baseAddress, Int32(pointers.count))
                }
            }
        }
    }
}
