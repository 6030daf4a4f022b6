// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Splits one CSV line into fields: comma-separated, spaces and tabs around a field ignored, a
/// field may be quoted (`"a,b"`, with `""` for a quote inside). A quoted field cannot span lines.
struct CSVFields {
    /// The byte range of each field of the last line split (without quotes and surrounding blanks).
    private(set) var ranges: [Range<Int>] = []
    /// Whether each field was quoted (its text may hold `""` pairs).
    private(set) var quoted: [Bool] = []

    enum Problem: Error { case unterminatedQuote(field: Int), textAfterQuote(field: Int) }

    /// Splits `line`; the fields are in ``ranges`` afterwards.
    mutating func split(_ line: [UInt8]) throws(Problem) {
        ranges.removeAll(keepingCapacity: true)
        quoted.removeAll(keepingCapacity: true)
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
        var index = 0
        while true {
            while index < line.count, Self.isBlank(line[index]) { index += 1 }
            if index < line.count, line[index] == quote {
                let start = index + 1
                index = start
                while true {
                    guard index < line.count else { throw .unterminatedQuote(field: ranges.count) }
                    if line[index] == quote {
                        if index + 1 < line.count, line[index + 1] == quote { index += 2; continue }
                        break
                    }
                    index += 1
                }
                ranges.append(start..<index)
                quoted.append(true)
                index += 1
                while index < line.count, Self.isBlank(line[index]) { index += 1 }
                guard index == line.count || line[index] == comma else { throw .textAfterQuote(field: ranges.count - 1) }
            } else {
                let start = index
                while index < line.count, line[index] != comma { index += 1 }
                var end = index
                while end > start, Self.isBlank(line[end - 1]) { end -= 1 }
                ranges.append(start..<end)
                quoted.append(false)
            }
            guard index < line.count else { return }
            index += 1  // the comma
        }
    }

    /// The text of field `field` of `line`, with `""` read as `"`.
    func text(_ field: Int, of line: [UInt8]) -> String {
        let text = String(decoding: line[ranges[field]], as: UTF8.self)
        return quoted[field] ? text.replacingOccurrences(of: "\"\"", with: "\"") : text
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
}
