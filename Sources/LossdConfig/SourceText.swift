// SPDX-License-Identifier: Apache-2.0

/// The bytes of one configuration file, checked before libyaml sees them, and its lines for
/// error snippets.
struct SourceText: Sendable {
    let bytes: [UInt8]
    /// Byte offsets where lines start.
    private let lineStarts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == 0x0A { starts.append(offset + 1) }
        lineStarts = starts
    }

    /// Line `line` (1-based) without its line break, or nil.
    func line(_ line: Int) -> String? {
        guard line >= 1, line <= lineStarts.count else { return nil }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        guard end >= start else { return "" }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The line at `mark` and a caret under its column; long lines are cut around the column.
    func snippet(at mark: Mark) -> String? {
        guard let text = line(mark.line) else { return nil }
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

    /// Rejects what libyaml would handle badly or slowly: invalid UTF-8 (strictly: no overlong
    /// forms, surrogates or code points past U+10FFFF), NUL and other C0 controls but tab, CR and
    /// LF, more `*` alias markers than `maxAliasMarkers`, and more than 16 directive lines.
    func check(maxAliasMarkers: Int) -> Problem? {
        var offset = 0
        var stars = 0
        var directives = 0
        let count = bytes.count
        while offset < count {
            let byte = bytes[offset]
            if byte < 0x80 {
                if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D {
                    return Problem(code: .encoding, offset: offset,
                                   message: "control character 0x\(String(byte, radix: 16)) in the text; configuration files are UTF-8 text")
                }
                if byte == 0x2A {
                    stars += 1
                    if stars > maxAliasMarkers {
                        return Problem(code: .limit, offset: offset,
                                       message: "more than \(maxAliasMarkers) '*' characters (YAML aliases) in one file")
                    }
                }
                if byte == 0x25, offset == 0 || bytes[offset - 1] == 0x0A {
                    directives += 1
                    if directives > 16 {
                        return Problem(code: .limit, offset: offset, message: "more than 16 YAML directive lines ('%...')")
                    }
                }
                offset += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            var scalar: UInt32
            switch byte {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(byte & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(byte & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(byte & 0x07)
            default:
                return Problem(code: .encoding, offset: offset, message: "invalid UTF-8 byte 0x\(String(byte, radix: 16)); configuration files are UTF-8 text")
            }
            guard offset + length <= count else {
                return Problem(code: .encoding, offset: offset, message: "truncated UTF-8 sequence at the end of the file")
            }
            for next in bytes[(offset + 1)..<(offset + length)] {
                guard next & 0xC0 == 0x80 else {
                    return Problem(code: .encoding, offset: offset, message: "invalid UTF-8 sequence; configuration files are UTF-8 text")
                }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                return Problem(code: .encoding, offset: offset, message: "invalid UTF-8 sequence (overlong, surrogate or out of range)")
            }
            offset += length
        }
        return nil
    }
}
