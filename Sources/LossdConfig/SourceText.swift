// SPDX-License-Identifier: Apache-2.0

/// The bytes of one configuration file, checked before libyaml sees them, and its lines for
/// error snippets.
final class SourceText {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Byte offsets where lines start, found on first use (only errors need them).
    private lazy var lineStarts: [Int] = {
        var starts = [0]
        var offset = 0
        while let newline = bytes[offset...].firstIndex(of: 0x0A) {
            starts.append(newline + 1)
            offset = newline + 1
        }
        return starts
    }()

    /// Line `line` (1-based) without its line break, or nil.
    func line(_ line: Int) -> String? {
        guard line >= 1, line <= lineStarts.count else { return nil }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        // Snippets of machine-made lines (megabytes long) are not worth their cost.
        guard end - start <= 4_096 else { return nil }
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        guard end >= start else { return "" }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The line at `mark` and a caret under its column; long lines are cut around the column.
    /// Nil for a file with no text (unreadable or empty): a caret under nothing shows nothing.
    func snippet(at mark: Mark) -> String? {
        guard !bytes.isEmpty, let text = line(mark.line) else { return nil }
        var scalars = Array(text.unicodeScalars)
        var column = max(1, mark.column)
        if scalars.count > 100 {
            let start = max(0, min(column - 40, scalars.count - 100))
            scalars = Array(scalars[start..<min(scalars.count, start + 100)])
            column -= start
        }
        let shown = String(String.UnicodeScalarView(scalars.map { $0 == "\t" ? " " : $0 }))
        guard column <= scalars.count + 1 else { return "    " + shown }
        return "    " + shown + "\n    " + String(repeating: " ", count: column - 1) + "^"
    }

    /// The line and column (counted in Unicode scalars) of a byte offset.
    func mark(ofByte offset: Int) -> Mark {
        let clamped = min(max(0, offset), bytes.count)
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= clamped { low = middle } else { high = middle - 1 }
        }
        let start = lineStarts[low]
        let column = bytes[start..<clamped].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return Mark(line: low + 1, column: column + 1)
    }

    // MARK: - Checks before parsing

    /// A problem found before parsing, with its byte offset.
    struct Problem: Sendable {
        var code: ConfigError.Code
        var offset: Int
        var message: String
    }

    /// Rejects what libyaml would handle badly or slowly (see ``YAMLParser/scan(_:maxAliasMarkers:)``).
    func check(maxAliasMarkers: Int) -> Problem? {
        YAMLParser.scan(bytes, maxAliasMarkers: maxAliasMarkers)
    }
}
