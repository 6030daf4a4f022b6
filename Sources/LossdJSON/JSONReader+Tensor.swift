// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// A problem reading JSON input: its syntax, or a tensor or option in it.
public enum JSONInputError: Error, Sendable, CustomStringConvertible {
    case syntax(JSONSyntaxError)
    case tensor(TensorJSONError)
    /// Well-formed JSON that is not what the reader expects (an unknown key, a wrong type).
    case invalid(String)

    public var description: String {
        switch self {
        case .syntax(let error): error.description
        case .tensor(let error): error.description
        case .invalid(let message): message
        }
    }
}

extension JSONReader {
    // MARK: - Document

    /// Parses one whole value, then checks that only whitespace follows.
    public mutating func readDocument<T>(_ body: (inout JSONReader) throws(JSONInputError) -> T) throws(JSONInputError) -> T {
        skipWhitespace()
        if position == bytes.count { throw .syntax(error("empty input, expected a JSON value")) }
        let value = try body(&self)
        skipWhitespace()
        if position < bytes.count { throw .syntax(error("unexpected text after the JSON value")) }
        return value
    }

    /// Reads an object member by member: `body` reads each value (duplicate keys are refused).
    /// Returns false, reading nothing, when the next value is not an object.
    public mutating func readObject(_ body: (inout JSONReader, String) throws(JSONInputError) -> Void) throws(JSONInputError) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else { return false }
        do throws(JSONSyntaxError) { try enter() } catch { throw .syntax(error) }
        defer { depth -= 1 }
        position += 1
        var seen = Set<String>()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return true }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw .syntax(error("expected a string key")) }
            let keyStart = position
            let key: String
            do throws(JSONSyntaxError) { key = try parseString() } catch { throw .syntax(error) }
            guard seen.insert(key).inserted else { throw .syntax(error("duplicate key '\(EchoedText.escaped(key))'", at: keyStart)) }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw .syntax(error("expected ':' after key")) }
            position += 1
            try body(&self, key)
            skipWhitespace()
            guard position < bytes.count else { throw .syntax(error("unterminated object")) }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return true }
            throw .syntax(error("expected ',' or '}' in object"))
        }
    }

    /// Reads any value as a ``JSONValue`` (small values: names, options).
    public mutating func readValue() throws(JSONInputError) -> JSONValue {
        do throws(JSONSyntaxError) { return try parseValue() } catch { throw .syntax(error) }
    }

    /// Reads an option: a list or tensor object is a tensor (read flat), anything else a scalar.
    public mutating func readOption(path: String) throws(JSONInputError) -> OptionValue {
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "[") || bytes[position] == UInt8(ascii: "{") {
            return .tensor(try readTensor(path: path))
        }
        let value = try readValue()
        do throws(TensorJSONError) { return try OptionValue(json: value, path: path) } catch { throw .tensor(error) }
    }

    // MARK: - Tensors

    /// Reads a tensor as `torch.tensor(...)` would, straight into flat `Double` storage: a number
    /// (a scalar, marked ``Tensor/isPlainNumber``), nested lists (nesting gives the shape, rows
    /// must be equally long), or `{"shape": [...], "data": [flat row-major]}` (a 0-d one is a
    /// tensor, not a plain number). The tensor is `int64` when every element is
    /// an integer literal. Booleans are refused: lossd has no Bool tensors.
    public mutating func readTensor(path: String) throws(JSONInputError) -> Tensor {
        skipWhitespace()
        guard position < bytes.count else { throw .syntax(error("unexpected end of input")) }
        var flat = FlatTensor()
        switch bytes[position] {
        case UInt8(ascii: "["):
            try readRows(depth: 0, into: &flat, path: path)
            let rank = flat.rank ?? 1
            return Tensor(shape: Array(flat.extents.prefix(rank)), scalars: flat.scalars, dtype: flat.allIntegers ? .int64 : .float64)
        case UInt8(ascii: "{"):
            return try readTensorObject(path: path)
        default:
            try readElement(into: &flat, path: path)
            return Tensor(plainNumber: flat.scalars[0], dtype: flat.allIntegers ? .int64 : .float64)
        }
    }

    /// The storage and shape of a tensor being read.
    struct FlatTensor {
        var scalars: [Double] = []
        var allIntegers = true
        /// The extent of each dimension, set by the first list that closes at that depth (-1 before).
        var extents: [Int] = []
        /// The number of dimensions, set by the first number (or empty list) met.
        var rank: Int?
        /// The index of the current element at each depth, for paths in messages.
        var indices: [Int] = []

        func path(_ base: String) -> String {
            base + indices.map { "[\($0)]" }.joined()
        }
    }

    private mutating func readRows(depth: Int, into flat: inout FlatTensor, path: String) throws(JSONInputError) {
        do throws(JSONSyntaxError) { try enter() } catch { throw .syntax(error) }
        defer { self.depth -= 1 }
        position += 1
        flat.indices.append(0)
        defer { flat.indices.removeLast() }
        if depth == flat.extents.count { flat.extents.append(-1) }
        var count = 0
        skipWhitespace()
        if position < bytes.count, bytes[position] != UInt8(ascii: "]") {
            while true {
                flat.indices[depth] = count
                skipWhitespace()
                guard position < bytes.count else { throw .syntax(error("unterminated array")) }
                if flat.extents[depth] >= 0, count >= flat.extents[depth] {
                    throw tensorError(flat, path, dropLast: true, "has more than \(flat.extents[depth]) elements, expected \(flat.extents[depth]) (rows must have equal lengths)")
                }
                if bytes[position] == UInt8(ascii: "[") {
                    if let rank = flat.rank, rank == depth + 1 {
                        throw tensorError(flat, path, "expected a number, found a list (rows must have equal depth)")
                    }
                    try readRows(depth: depth + 1, into: &flat, path: path)
                } else {
                    if let rank = flat.rank, rank != depth + 1 {
                        throw tensorError(flat, path, "expected a list of \(max(flat.extents[depth + 1], 0)) elements (rows must have equal lengths)")
                    }
                    flat.rank = depth + 1
                    try readElement(into: &flat, path: path)
                }
                count += 1
                skipWhitespace()
                guard position < bytes.count else { throw .syntax(error("unterminated array")) }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "]") { break }
                throw .syntax(error("expected ',' or ']' in array"))
            }
        } else if flat.rank == nil {
            flat.rank = depth + 1
        } else if let rank = flat.rank, rank != depth + 1 {
            throw tensorError(flat, path, dropLast: true, "is an empty list where the first row has \(rank - 1 - depth) more levels (rows must have equal depth)")
        }
        guard position < bytes.count else { throw .syntax(error("unterminated array")) }
        position += 1
        if flat.extents[depth] < 0 {
            flat.extents[depth] = count
        } else if flat.extents[depth] != count {
            throw tensorError(flat, path, dropLast: true, "has \(count) elements, expected \(flat.extents[depth]) (rows must have equal lengths)")
        }
    }

    private func tensorError(_ flat: FlatTensor, _ path: String, dropLast: Bool = false, _ message: String) -> JSONInputError {
        var flat = flat
        if dropLast { flat.indices.removeLast() }
        return .tensor(TensorJSONError(path: flat.path(path), message: message))
    }

    /// One element: a number literal (integer or real, or Python's `NaN`/`Infinity`).
    private mutating func readElement(into flat: inout FlatTensor, path: String) throws(JSONInputError) {
        let byte = bytes[position]
        let isMinusInfinity = byte == UInt8(ascii: "-") && position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "I")
        if !isMinusInfinity, byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            do throws(JSONSyntaxError) {
                let (value, isInteger) = try parseNumberLiteral()
                flat.scalars.append(value)
                flat.allIntegers = flat.allIntegers && isInteger
            } catch { throw .syntax(error) }
            return
        }
        let value = try readValue()
        switch value {
        case .number(let number):
            flat.scalars.append(number)
            flat.allIntegers = false
        case .bool:
            throw tensorError(flat, path, "expected a number, found \(value.serialized()) (booleans are not tensor data: write 1 or 0)")
        case .array:
            throw tensorError(flat, path, "expected a number, found a list (rows must have equal depth)")
        default:
            throw tensorError(flat, path, "expected a number, found \(EchoedText.escaped(value.serialized()))")
        }
    }

    private mutating func readTensorObject(path: String) throws(JSONInputError) -> Tensor {
        var shapeValue: JSONValue?
        var data: FlatTensor?
        _ = try readObject { reader, key throws(JSONInputError) in
            switch key {
            case "shape": shapeValue = try reader.readValue()
            case "data":
                reader.skipWhitespace()
                guard reader.position < reader.bytes.count, reader.bytes[reader.position] == UInt8(ascii: "[") else {
                    throw .tensor(TensorJSONError(path: path, message: "a tensor object needs \"data\": [numbers in row-major order]"))
                }
                var flat = FlatTensor()
                flat.rank = 1
                try reader.readRows(depth: 0, into: &flat, path: "\(path).data")
                data = flat
            default:
                throw .tensor(TensorJSONError(path: path, message: "unknown key '\(EchoedText.escaped(key))' (a tensor object has 'shape' and 'data')"))
            }
        }
        guard case .array(let shapeValues)? = shapeValue else {
            throw .tensor(TensorJSONError(path: path, message: "a tensor object needs \"shape\": [dims...]"))
        }
        guard let data else {
            throw .tensor(TensorJSONError(path: path, message: "a tensor object needs \"data\": [numbers in row-major order]"))
        }
        var shape: [Int] = []
        var expected = 1
        for (i, value) in shapeValues.enumerated() {
            guard case .integer(let extent) = value, extent >= 0 else {
                throw .tensor(TensorJSONError(path: "\(path).shape[\(i)]", message: "a dimension must be a non-negative integer"))
            }
            let (product, overflow) = expected.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw .tensor(TensorJSONError(path: "\(path).shape", message: "shape is too large")) }
            expected = product
            shape.append(extent)
        }
        guard expected == data.scalars.count else {
            throw .tensor(TensorJSONError(path: path, message: "shape \(Tensor.describe(shape)) needs \(expected) elements, data has \(data.scalars.count)"))
        }
        return Tensor(shape: shape, scalars: data.scalars, dtype: data.allIntegers ? .int64 : .float64)
    }
}
