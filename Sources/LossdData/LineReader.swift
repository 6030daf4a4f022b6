// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Reads a file line by line through a fixed-size buffer, counting lines, so that a file of any
/// size is held in memory one chunk at a time.
///
/// Why not CSV.swift's `CSVReader`: it does stream from an `InputStream`, but it reports no line
/// numbers (and a quoted field may span lines, so rows cannot be counted into lines), and it
/// decodes every character through a type-erased iterator and every field into a `String`; the
/// loader needs FILE:LINE in every error and parses numbers straight from the bytes.
struct LineReader {
    private let handle: FileHandle
    private let file: String
    private let chunkSize: Int
    private let maxLineLength: Int
    /// Unconsumed bytes: `buffer[position...]`.
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// The 1-based number of the line last returned.
    private(set) var lineNumber = 0
    /// Bytes consumed so far (lines and their terminators).
    private(set) var bytesRead = 0

    /// Reads `handle`, naming `file` in errors; a line longer than `maxLineLength` bytes is refused.
    init(handle: FileHandle, file: String, chunkSize: Int = 1 << 20, maxLineLength: Int = 1 << 26) {
        self.handle = handle
        self.file = file
        self.chunkSize = chunkSize
        self.maxLineLength = maxLineLength
    }

    /// Copies the next line, without its `\n` or `\r\n`, into `line`; false at the end of the file.
    /// A UTF-8 byte order mark before the first line is dropped.
    mutating func nextLine(into line: inout [UInt8]) throws(DataError) -> Bool {
        line.removeAll(keepingCapacity: true)
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                line.append(contentsOf: buffer[position..<newline])
                bytesRead += newline + 1 - position
                position = newline + 1
                break
            }
            if atEnd {
                guard position < buffer.count else { return false }
                line.append(contentsOf: buffer[position...])
                bytesRead += buffer.count - position
                position = buffer.count
                break
            }
            guard buffer.count - position <= maxLineLength else {
                throw DataError(.malformed, file: file, line: lineNumber + 1, "the line is longer than \(maxLineLength) bytes")
            }
            try refill()
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        lineNumber += 1
        if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        return true
    }

    /// Drops the consumed bytes and appends the next chunk of the file.
    private mutating func refill() throws(DataError) {
        buffer.removeFirst(position)
        position = 0
        let chunk: Data?
        do { chunk = try handle.read(upToCount: chunkSize) } catch {
            throw DataError(.unreadable, file: file, line: lineNumber + 1, "cannot read: \(error.localizedDescription)")
        }
        guard let chunk, !chunk.isEmpty else {
            atEnd = true
            return
        }
        buffer.append(contentsOf: chunk)
    }
}
