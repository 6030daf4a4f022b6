// SPDX-License-Identifier: Apache-2.0

/// The header of a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0):
///
///     "\x93NUMPY", major, minor, header length (UInt16 LE in 1.0, UInt32 LE in 2.0 and 3.0),
///     a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (150, 4), }
///     padded with spaces and a newline; the data follows, C order.
struct NumPyHeader: Equatable {
    /// The element types read (little-endian, or single bytes).
    enum ElementType: String, CaseIterable {
        case float64 = "<f8", float32 = "<f4", int64 = "<i8", int32 = "<i4", uint8 = "|u1"

        var size: Int {
            switch self {
            case .float64, .int64: 8
            case .float32, .int32: 4
            case .uint8: 1
            }
        }
    }

    var elementType: ElementType
    var shape: [Int]
    /// The byte offset of the data.
    var dataOffset: Int

    /// The number of elements (the product of the shape).
    var count: Int { shape.reduce(1, *) }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The header's length from the first 12 bytes (or fewer): the prelude size and the dict's length.
    static func prelude(_ bytes: [UInt8], file: String) throws(DataError) -> (size: Int, dictLength: Int) {
        guard bytes.count >= 8, Array(bytes[0..<6]) == magic else {
            throw DataError(.malformed, file: file, "not a NumPy .npy file (bad magic: the file must start with \\x93NUMPY)")
        }
        switch bytes[6] {
        case 1:
            guard bytes.count >= 10 else { throw truncatedHeader(file) }
            return (10, Int(bytes[8]) | Int(bytes[9]) << 8)
        case 2, 3:
            guard bytes.count >= 12 else { throw truncatedHeader(file) }
            return (12, Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24)
        default:
            throw DataError(.malformed, file: file, "unsupported .npy format version \(bytes[6]).\(bytes[7]) (1.0, 2.0 and 3.0 are read)")
        }
    }

    static func truncatedHeader(_ file: String) -> DataError {
        DataError(.malformed, file: file, "truncated .npy header")
    }

    /// Parses the dict that follows the prelude.
    init(dict bytes: [UInt8], dataOffset: Int, file: String) throws(DataError) {
        var parser = PythonLiteralParser(bytes: bytes)
        let entries: [String: PythonLiteralParser.Value]
        do { entries = try parser.dictionary() } catch {
            throw DataError(.malformed, file: file, "unreadable .npy header: \(error.reason)")
        }
        guard case .string(let descr)? = entries["descr"] else {
            throw DataError(.malformed, file: file, "the .npy header has no 'descr' string (a structured dtype is not supported)")
        }
        guard let elementType = ElementType(rawValue: descr) else {
            let reason = descr.hasPrefix(">") ? "big-endian data is not supported"
                : "read: " + ElementType.allCases.map(\.rawValue).joined(separator: ", ")
            throw DataError(.malformed, file: file, "unsupported dtype '\(descr)' (\(reason))")
        }
        guard case .bool(let fortranOrder)? = entries["fortran_order"] else {
            throw DataError(.malformed, file: file, "the .npy header has no 'fortran_order'")
        }
        guard !fortranOrder else {
            throw DataError(.malformed, file: file,
                            "the array is in Fortran order; only C order is read (save np.ascontiguousarray(a))")
        }
        guard case .tuple(let shape)? = entries["shape"] else {
            throw DataError(.malformed, file: file, "the .npy header has no 'shape'")
        }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow else {
                throw DataError(.malformed, file: file, "the shape \(Self.describe(shape)) is too large")
            }
            count = product
        }
        self.elementType = elementType
        self.shape = shape
        self.dataOffset = dataOffset
    }

    /// `(150, 4)`, `(150,)`, `()` as Python writes shapes.
    static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

/// The few Python literals of a `.npy` header: a dict of string keys whose values are strings,
/// `True`/`False` and tuples of integers.
struct PythonLiteralParser {
    enum Value: Equatable { case string(String), bool(Bool), tuple([Int]) }
    struct Problem: Error { var reason: String }

    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func dictionary() throws(Problem) -> [String: Value] {
        try expect("{")
        var entries = [String: Value]()
        while true {
            skipBlanks()
            if peek() == UInt8(ascii: "}") { index += 1; return entries }
            let key = try string()
            try expect(":")
            entries[key] = try value()
            skipBlanks()
            if peek() == UInt8(ascii: ",") { index += 1 } else { try expect("}"); return entries }
        }
    }

    private mutating func value() throws(Problem) -> Value {
        skipBlanks()
        switch peek() {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "("): return .tuple(try tuple())
        default:
            if take("True") { return .bool(true) }
            if take("False") { return .bool(false) }
            throw Problem(reason: "unexpected text at byte \(index)")
        }
    }

    private mutating func string() throws(Problem) -> String {
        skipBlanks()
        guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
            throw Problem(reason: "a quoted key was expected at byte \(index)")
        }
        let start = index + 1
        guard let end = bytes[start...].firstIndex(of: quote) else { throw Problem(reason: "an unclosed string") }
        index = end + 1
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private mutating func tuple() throws(Problem) -> [Int] {
        try expect("(")
        var items = [Int]()
        while true {
            skipBlanks()
            if peek() == UInt8(ascii: ")") { index += 1; return items }
            let start = index
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
            // Python 2 wrote longs as 150L.
            let digits = String(decoding: bytes[start..<index], as: UTF8.self)
            if peek() == UInt8(ascii: "L") { index += 1 }
            guard let item = Int(digits) else { throw Problem(reason: "a dimension was expected at byte \(start)") }
            items.append(item)
            skipBlanks()
            if peek() == UInt8(ascii: ",") { index += 1 } else { try expect(")"); return items }
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipBlanks() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    private mutating func take(_ word: String) -> Bool {
        let word = Array(word.utf8)
        guard bytes.count - index >= word.count, Array(bytes[index..<index + word.count]) == word else { return false }
        index += word.count
        return true
    }

    private mutating func expect(_ character: Unicode.Scalar) throws(Problem) {
        skipBlanks()
        guard peek() == UInt8(ascii: character) else { throw Problem(reason: "'\(character)' was expected at byte \(index)") }
        index += 1
    }
}
