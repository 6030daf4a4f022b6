// SPDX-License-Identifier: Apache-2.0

internal import CSystemd

/// Where structured journal entries go: journald (or, in tests, a double that records them).
public protocol JournalSink: Sendable {
    /// Sends one entry. Implementations never throw: logging must not stop the daemon.
    func send(_ fields: [JournalField])
}

/// Sends entries to journald through `sd_journal_sendv`.
///
/// `sd_journal_sendv` returns 0 even when no journald listens, so delivery can only be checked
/// against a real journal (the integration suite does). The corresponding C function is
/// `sd_journal_sendv`.
public struct SystemdJournal: JournalSink {
    public init() {}

    public func send(_ fields: [JournalField]) {
        let fields = fields.prefix(256)
        guard !fields.isEmpty else { return }
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
        bytes.withUnsafeBufferPointer { buffer in
            // Sound: the pointers point into `bytes`, which outlives the call; libsystemd copies
            // the data before returning and never writes through them.
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            _ = pointers.withUnsafeBufferPointer { pointerBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    lossd_journal_sendv(pointerBuffer.baseAddress, lengthBuffer.baseAddress, Int32(pointers.count))
                }
            }
        }
    }
}
